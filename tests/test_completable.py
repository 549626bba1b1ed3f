"""The relaxed search of a batch (engine.batch.completable): the closed-world
answer and which short levels any documentation could complete, in one solver
call on the knowledge base grounded once, so that the exact search runs only
for those levels."""

from __future__ import annotations

from typing import Any

import clingo
import pytest

from engine.batch.completable import Relaxed
from engine.batch.grounded import GroundedKnowledgeBase
from engine.case import Case, read_case
from engine.completion import missing_documentation
from engine.determination import Determination
from engine.knowledge_base import KnowledgeBase
from engine.query import determine
from engine.render import determination_json

KB = KnowledgeBase()


@pytest.fixture(scope="module")
def grounded() -> GroundedKnowledgeBase:
    return GroundedKnowledgeBase(KB, KB.policy_ids())


def _short(case: Case) -> list[tuple[str, str]]:
    return sorted(
        (d.policy.id, level.level)
        for d in determine(case, KB, closed_world=True)
        for level in d.levels.values()
        if level.status != "medically_necessary"
    )


def _cases() -> list[Case]:
    from bench.generated import cases, undocumented

    texts = [undocumented(3), *cases(30, seed=21)]
    # Every other generated case without its onsets: more levels to complete.
    texts = [
        "\n".join(line for line in text.splitlines() if n % 2 or "onset" not in line) + "\n"
        for n, text in enumerate(texts)
    ]
    return [read_case(text, f"case {n}") for n, text in enumerate(texts)]


def _relaxed(grounded: GroundedKnowledgeBase, case: Case) -> Relaxed:
    """The relaxed search's answer, with the case's facts assigned (as determine does)."""
    literals = grounded.symbols(case)
    assert literals is not None, case.source
    grounded.solver.assign((literal, True) for literal in literals)
    try:
        relaxed = grounded.completable.answer(case)
        closed = grounded.solver.last_model([])
    finally:
        grounded.solver.assign((literal, False) for literal in literals)
    assert relaxed is not None, f"{case.source}: the first answer is the closed-world one"
    assert sorted(relaxed.answer) == sorted(closed or []), case.source
    return relaxed


@pytest.mark.slow
def test_every_level_the_search_completes_is_completable(grounded: GroundedKnowledgeBase) -> None:
    narrowed = 0
    for case in _cases():
        short = _short(case)
        completable = _relaxed(grounded, case).narrowed(short)
        completed = set(missing_documentation(case, KB, short))
        assert completed <= set(completable), case.source
        narrowed += len(short) - len(completable)
    assert narrowed, "the relaxation leaves out levels no documentation completes"


def test_a_request_no_documentation_can_help_is_not_searched(
    grounded: GroundedKnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.completion

    traumatic = read_case(
        "procedure(vertebroplasty).\ntarget(l1).\nfracture(l1, traumatic).\n", "traumatic.lp"
    )
    assert _relaxed(grounded, traumatic).completable == frozenset()

    def searched(*_: object) -> None:
        raise AssertionError("no level to search")

    monkeypatch.setattr(engine.completion, "missing_documentation", searched)
    assert grounded.determine(traumatic) == determine(traumatic, KB, closed_world=True)


def test_the_relaxed_search_leaves_the_grounded_kb_as_it_was(
    grounded: GroundedKnowledgeBase,
) -> None:
    undocumented, documented = _cases()[:2]
    assert _relaxed(grounded, undocumented).completable
    # Closed-world, the grounded knowledge base reads what a record shows.
    assert _records(documented, grounded.determine(documented, closed_world=True)) == _records(
        documented, determine(documented, KB, closed_world=True)
    )
    assert grounded.determine(undocumented) == determine(undocumented, KB)


def test_a_first_answer_that_is_not_the_closed_world_one_is_not_used(
    grounded: GroundedKnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.solve import Solver

    monkeypatch.setattr(Solver, "first_then_brave", lambda *_: None)
    undocumented = _cases()[0]
    assert grounded.completable.answer(undocumented) is None
    assert grounded.determine(undocumented) == determine(undocumented, KB)


def test_the_first_answer_leaves_free_atoms_false_or_is_refused() -> None:
    from engine.solve import Solver

    # b is free; the first answer leaves it false (a), so it is returned with
    # the brave consequences among the goals: c needs b.
    solver = Solver([], "#external b. a :- not b. c :- b. #show a/0. #show c/0.")
    b = solver.literal(clingo.Function("b"))
    assert b is not None
    solver.assign([(b, None)])
    c = clingo.Function("c")
    assert solver.first_then_brave([b], lambda shown: [c]) == ([clingo.Function("a")], {c})
    # With b asked to stay false but the program forcing it, the answer is refused.
    forced = Solver([], "#external b. :- not b.")
    literal = forced.literal(clingo.Function("b"))
    assert literal is not None
    forced.assign([(literal, None)])
    assert forced.first_then_brave([literal], lambda shown: []) is None


def _records(case: Case, determinations: list[Determination]) -> list[dict[str, Any]]:
    """Determinations as a batch record shows them."""
    return [determination_json(d, case=case) for d in determinations]
