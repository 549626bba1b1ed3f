"""The walk over the tracked answer (engine.explanation.why_not, why, absent)
looks up what it worked out once per answer instead of working it out on
every ask: these tests hold the shortcuts to the results of the long way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import clingo
import pytest

from engine.case import Case, read_case
from engine.determination import Determination
from engine.explanation import why_not
from engine.explanation.absent import assumed_absent
from engine.explanation.answer import HeadShape, TrackedAnswer, head_compatible
from engine.explanation.tracking import (
    TRACKING_PART,
    TrackedRule,
    Tracking,
    explained_levels,
    track,
)
from engine.explanation.why_not import at_level, unmet_indications
from engine.knowledge_base import KnowledgeBase
from engine.query import decide
from engine.rule_reader import Term
from engine.solve import Solver

# Two levels told apart by the onset (one acute, one not), and a sacral level:
# exclusions not stated, indications unmet, concepts failed.
CASE = (
    "procedure(vertebroplasty). target(l1). target(l2). target(s1).\n"
    "fracture(l1, osteoporotic). fracture(l2, osteoporotic). fracture(s1, osteoporotic).\n"
    "onset_days(l1, 20). onset_days(l2, 200). onset_days(s1, 60).\n"
    "imaging(l1, mri_edema). pain_severity(severe). therapy(nsaids, 30).\n"
)


class _Tracked(NamedTuple):
    case: Case
    tracking: Tracking
    determinations: list[Determination]
    atoms: list[clingo.Symbol]


def _tracked() -> _Tracked:
    """CASE decided by every policy, and its answer with every tracking rule
    (every level explained)."""
    kb = KnowledgeBase()
    case = read_case(CASE, "case.lp")
    policies = kb.policy_ids()
    solver = Solver(kb.files(policies), case.program())
    determinations, _ = decide(case, kb, solver)
    tracking = track(kb, policies)
    solver.extend(TRACKING_PART, tracking.program + explained_levels(case.targets))
    return _Tracked(case, tracking, determinations, solver.last_model([]) or [])


def _answer() -> TrackedAnswer:
    """The tracked answer of CASE with every policy, explained once (the walk's
    tables filled as it went)."""
    case, tracking, determinations, atoms = _tracked()
    model = TrackedAnswer(atoms, case, tracking)
    for determination in determinations:
        policy = determination.policy.id
        for level in case.targets:
            list(unmet_indications(model, policy, _constant(level)))
            list(assumed_absent(model, policy, _constant(level)))
    return model


@pytest.fixture(scope="module")
def model() -> TrackedAnswer:
    return _answer()


def _var(name: str) -> Term:
    return ("var", name)


def _constant(name: str) -> Term:
    return ("fun", name, (), True)


def _rule(head: Term, level_variable: str = "L", demand: tuple[str, ...] = ()) -> TrackedRule:
    return TrackedRule(
        "p:X", "p.lp", 1, "", head, (), (), "p", "X", True,
        demand=demand, level_variable=level_variable,
    )  # fmt: skip


EXCLUSION = ("fun", "exclusion", (_constant("p"), ("str", "X"), _var("L"), _var("S")), True)


def test_a_head_with_only_its_level_given_can_be_every_failure_at_that_level() -> None:
    shape = HeadShape.of(_rule(EXCLUSION))
    wanted = at_level(_rule(EXCLUSION), _constant("l1"))
    assert shape.start_values(wanted) == (_constant("l1"),)
    assert shape.any_head(wanted)


@pytest.mark.parametrize(
    "arguments",
    [
        (_constant("p"), ("str", "X"), _constant("l1"), _constant("high")),  # S given
        (_constant("p"), ("str", "Y"), _constant("l1"), _var("S")),  # another criterion
        (_constant("q"), ("str", "X"), _constant("l1"), _var("S")),  # another policy
    ],
)
def test_a_head_with_more_given_than_its_level_is_filtered(arguments: tuple[Term, ...]) -> None:
    wanted = ("fun", "exclusion", arguments, True)
    assert not HeadShape.of(_rule(EXCLUSION)).any_head(wanted)


def test_a_start_variable_named_twice_in_the_head_is_filtered() -> None:
    head = ("fun", "same", (_var("L"), _var("L")), True)
    wanted = ("fun", "same", (_constant("l1"), _constant("l2")), True)
    shape = HeadShape.of(_rule(head))
    assert shape.start_values(wanted) == (_constant("l2"),)  # the last one, as before
    assert not shape.any_head(wanted)


def test_a_start_variable_left_open_starts_nowhere() -> None:
    shape = HeadShape.of(_rule(EXCLUSION))
    assert shape.start_values(EXCLUSION) is None
    assert HeadShape.of(_rule(EXCLUSION, level_variable="")).start_values(EXCLUSION) is None


def _asked(model: TrackedAnswer) -> Iterator[tuple[TrackedRule, Term]]:
    """Every (rule, head) the walk asked for the failures of, and every
    labelled rule for the head of each labelled rule of its predicate at
    every level (its own, and others' it cannot derive)."""
    for rule_id, wanted, _, _ in list(model.failures):
        yield model.tracking.rule(rule_id), wanted
    labelled = [r for r in model.tracking.rules.values() if r.labelled and r.level_variable]
    for rule in labelled:
        for other in labelled:
            if other.head_name == rule.head_name and other.policy == rule.policy:
                for level in ("l1", "l2", "s1"):
                    yield rule, at_level(other, _constant(level))


def _failed_the_long_way(model: TrackedAnswer, rule: TrackedRule, wanted: Term) -> list[object]:
    """Every failure of the rule (asked with its head open), kept where its
    start variables have the values `wanted` gives and its head can be `wanted`."""
    blind = rule.level_blind  # tracked once for every level: no start variable
    names = rule.demand or ((rule.level_variable,) if rule.level_variable and not blind else ())
    values = {
        str(head[1]): value
        for head, value in zip(rule.head[2], wanted[2], strict=False)
        if head[0] == "var" and head[1] in names
    }
    given = bool(names) and all(name in values and values[name][0] != "var" for name in names)
    arity = len(rule.head[2])
    open_head = ("fun", rule.head[1], tuple(_var(f"V{i}") for i in range(arity)), rule.head[3])
    return [
        failure
        for failure in model.failed(rule, open_head)
        if (not given or all(failure[1][n] == values[n] for n in names))
        and head_compatible(rule.head, failure[1], wanted)
    ]


def test_failed_keeps_exactly_the_failures_whose_head_can_be_the_atom_asked_for(
    model: TrackedAnswer,
) -> None:
    asked = list(_asked(model))
    assert len(asked) > 100
    assert any(model.failed(rule, wanted) for rule, wanted in asked)
    for rule, wanted in asked:
        assert model.failed(rule, wanted) == _failed_the_long_way(model, rule, wanted), rule.id


def test_a_failed_atom_asks_only_the_rules_whose_head_can_be_it(model: TrackedAnswer) -> None:
    asked = [key for key in model.memo.can_derive]
    assert asked
    for policy, pattern in asked:
        every = why_not._deriving(model, str(pattern[1]), policy)
        kept = why_not._can_derive(model, policy, pattern)
        for rule in every:
            if rule not in kept:
                assert model.failed(model.demanded(rule, pattern), pattern) == []


def test_what_the_rules_read_is_worked_out_once_per_answer(
    model: TrackedAnswer, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    real = why_not.Dependencies

    def counted(*arguments: object) -> object:
        built.append(arguments)
        return real(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(why_not, "Dependencies", counted)
    model.memo.behind.clear()
    model.memo.dependencies = None
    onset = why_not._vocabulary_behind(model, "onset_le")
    assert why_not._vocabulary_behind(model, "onset_le") == onset == {"onset_days"}
    assert "fracture" in why_not._vocabulary_behind(model, "lesion_at")
    assert len(built) == 1


def test_the_tracked_answer_is_freed_before_the_collector_runs_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # explain_answer pauses the cyclic collector while it reads and walks the
    # answer; the answer must be freed by reference counting before it
    # resumes, or the first collection after would scan all of it.
    import gc
    import weakref

    from engine.explanation import tree

    made: list[weakref.ref[TrackedAnswer]] = []
    alive_on_resuming: list[bool] = []

    class Watched(TrackedAnswer):
        def __init__(self, *arguments: object) -> None:
            super().__init__(*arguments)  # type: ignore[arg-type]
            made.append(weakref.ref(self))

    enable = gc.enable

    def resumed() -> None:
        alive_on_resuming.append(any(ref() is not None for ref in made))
        enable()

    case, tracking, determinations, atoms = _tracked()
    monkeypatch.setattr(tree, "TrackedAnswer", Watched)
    monkeypatch.setattr(gc, "enable", resumed)
    assert gc.isenabled()
    assert tree.explain_answer(atoms, case, tracking, determinations)
    assert len(made) == 1 and alive_on_resuming == [False]
