"""Why and why not: each determination explained from the rules that fired.

The solve of the program with the tracking rules of engine.explanation.tracking
added gives every ground rule instance that fired (fired/3, fired_use/5) and,
for every rule that could have derived a level's indication or exclusion, the
first literal that failed with its bindings (failed/3, failed_witness/4):
clingo decides what holds; Python reads those atoms and words them. This
module puts a policy's explanation together, level by level:

- the answer set as read (engine.explanation.answer);
- why: the derivation tree of a level's status (engine.explanation.why);
- why not: the first failed conditions of the indications a level did not
  meet, with the case facts behind them (engine.explanation.why_not);
- assumed absent: the exclusions that did not apply because what they look
  for is not in the record (engine.explanation.absent);
- levels alike (engine.level_symmetry) explained once, the others renamed
  (engine.explanation.renaming).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import NamedTuple

import clingo

from engine.case import Case
from engine.determination import MEDICALLY_NECESSARY, Determination
from engine.explanation.absent import assumed_absent
from engine.explanation.answer import TrackedAnswer, constant
from engine.explanation.model import (
    Absent,
    Explanation,
    Failure,
    LevelExplanation,
    Served,
    Step,
    Use,
)
from engine.explanation.renaming import LevelRename, NamesOtherLevel
from engine.explanation.tracking import Tracking
from engine.explanation.why import derive, policy_id
from engine.explanation.why_not import unmet_indications
from engine.rule_reader import (
    Term,
    of_symbol,
)


def explain_answer(
    atoms: list[clingo.Symbol],
    case: Case,
    tracking: Tracking,
    determinations: list[Determination],
    kinds: Mapping[str, Hashable] | None = None,
) -> list[Explanation]:
    """Explanations from an answer set solved with the tracking rules. With the
    levels' kinds (engine.level_symmetry.level_kinds), the first level of each
    kind is explained and the others alike are that explanation with the two
    levels' names swapped (NotAlike if one cannot be); without, every level is
    explained on its own."""
    with _no_cycle_collection():
        model = TrackedAnswer(atoms, case, tracking)
        explanations = [_explain_policy(model, d, kinds or {}) for d in determinations]
        del model  # freed while the collector is paused: the next collection need not scan it
    return explanations


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an answer is read and
    walked: the walk builds tens of thousands of small tuples (terms, keys),
    which reference counting frees, and each collection the allocations set
    off would only scan them again (some 10% of the walk at 30 levels). What
    the walk leaves behind is collected as usual after."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _explain_policy(
    model: TrackedAnswer, determination: Determination, kinds: Mapping[str, Hashable]
) -> Explanation:
    policy = constant(determination.policy.id)
    request_why = None
    if not determination.levels:
        overall = ("fun", "overall", (policy, constant(determination.status)), True)
        deciding = next(iter(determination.request_decided_by), None)
        request_why = derive(model, overall, set(), Served(policy_id(policy), deciding))
    levels = tuple(_explain_levels(model, determination, kinds))
    locations = model.locations()
    return Explanation(
        determination.policy.id, determination.status, request_why, levels, locations, model.tables
    )


def _explain_levels(
    model: TrackedAnswer, determination: Determination, kinds: Mapping[str, Hashable]
) -> Iterator[LevelExplanation]:
    """Each level's explanation, in order: the first level of each kind is
    walked (the tracking rules started there: explained_level/1), the others
    are its explanation with the level renamed; NotAlike when that cannot be
    (engine.explanation.renaming)."""
    first_of_kind: dict[Hashable, LevelExplanation] = {}
    targets = list(determination.levels)
    for level in determination.levels.values():
        kind = kinds.get(level.level, level.level)
        first = first_of_kind.get(kind)
        if first is None:
            first = first_of_kind[kind] = _explain_level(
                model, determination, level.level, level.status
            )
            yield first
            continue
        rename = LevelRename(first.level, level.level, targets)
        renamed = _Alike(model, determination.policy.id, rename).level(first)
        if renamed is None or first.status != level.status:
            raise NotAlike(level.level)
        yield renamed


class NotAlike(Exception):
    """A level is not explained as the first of its kind is (its explanation
    names other levels, or its status differs): explain each level on its own."""


class _Alike(NamedTuple):
    """An explanation of one level made that of an alike level: the names
    swapped, except where the knowledge base's facts about the level differ
    (its index in level/3: those derivations are read again at the level)."""

    model: TrackedAnswer
    policy: str
    rename: LevelRename

    def level(self, first: LevelExplanation) -> LevelExplanation | None:
        """The alike level's explanation, or None when the first's names
        another target level."""
        try:
            return LevelExplanation(
                self.rename.text(first.level),
                first.status,
                first.fired,
                self.step(first.why) if first.why is not None else None,
                tuple(self.failure(failure) for failure in first.why_not),
                tuple(self.absent(absent) for absent in first.assumed_absent),
            )
        except NamesOtherLevel:
            return None

    def step(self, step: Step) -> Step:
        """The step at the other level; one deriving an atom that names no
        level (addressed(P)) is derived once for every level (derive): kept."""
        rename = self.rename
        if not rename.names_level(step.atom):
            return step
        if any(use.kind == "kb" and rename.names_renamed(use.literal) for use in step.uses):
            return self._derived_again(step)
        uses = tuple(Use(rename.text(use.literal), use.kind) for use in step.uses)
        children = tuple(self.step(child) for child in step.children)
        atom = rename.text(step.atom)
        return Step(atom, step.rule, step.criterion, step.citation, step.location, uses, children)

    def _derived_again(self, step: Step) -> Step:
        atom = of_symbol(clingo.parse_term(self.rename.text(step.atom)))
        found = derive(self.model, atom, set(), Served(self.policy, step.criterion))
        if found is None:
            raise NamesOtherLevel(step.atom)  # not derived there: not alike after all
        return found

    def failure(self, failure: Failure) -> Failure:
        rename = self.rename
        return failure._replace(
            condition=rename.text(failure.condition),
            facts=rename.texts(failure.facts),
            reason=rename.text(failure.reason),
            inner=tuple(self.failure(inner) for inner in failure.inner),
        )

    def absent(self, absent: Absent) -> Absent:
        rename = self.rename
        return absent._replace(
            looked_for=rename.text(absent.looked_for), reading=rename.text(absent.reading)
        )


def _explain_level(
    model: TrackedAnswer, determination: Determination, level: str, status: str
) -> LevelExplanation:
    policy_id = determination.policy.id
    at = constant(level)
    documented = determination.levels[level].status
    root = ("fun", "level_status", (constant(policy_id), at, constant(documented)), True)
    why = derive(model, root, set(), Served(policy_id, None))
    why_not: tuple[Failure, ...] = ()
    if status != MEDICALLY_NECESSARY:
        why_not = tuple(unmet_indications(model, policy_id, at))
    absent = tuple(assumed_absent(model, policy_id, at))
    return LevelExplanation(level, status, _fired_at(model, policy_id, at), why, why_not, absent)


def _fired_at(model: TrackedAnswer, policy_id: str, level: Term) -> tuple[str, ...]:
    """Ids of the policy's labelled rules that fired for this level (or policy-wide)."""
    found = model.memo.fired_at.get(policy_id)
    if found is None:
        found = model.memo.fired_at[policy_id] = _fired_by_level(model, policy_id)
    policy_wide, by_level = found
    return tuple(sorted(policy_wide | by_level.get(level, set())))


def _fired_by_level(model: TrackedAnswer, policy_id: str) -> tuple[set[str], dict[Term, set[str]]]:
    """The policy's labelled rules that fired: those that fired policy-wide
    (otherwise/1), and the others by the level of their head."""
    policy_wide: set[str] = set()
    by_level: dict[Term, set[str]] = defaultdict(set)
    for head, rule in model.fired_by_policy(policy_id):
        if head[1] == "otherwise":
            policy_wide.add(rule.id)
        else:
            by_level[head[2][2]].add(rule.id)
    return policy_wide, dict(by_level)
