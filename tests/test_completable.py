"""The relaxed search of a batch (engine.batch.completable): which short
levels any documentation could complete, asked of the knowledge base grounded
once, so that the exact search runs only for those."""

from __future__ import annotations

import pytest

from engine.batch.grounded import GroundedKnowledgeBase
from engine.case import Case, read_case
from engine.completion import missing_documentation
from engine.knowledge_base import KnowledgeBase
from engine.query import determine

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


def _completable(grounded: GroundedKnowledgeBase, case: Case) -> list[tuple[str, str]]:
    """The relaxed search's levels, with the case's facts assigned (as determine does)."""
    literals = grounded.symbols(case)
    assert literals is not None, case.source
    grounded.solver.assign((literal, True) for literal in literals)
    try:
        return grounded.completable.levels(case, _short(case))
    finally:
        grounded.solver.assign((literal, False) for literal in literals)


def test_every_level_the_search_completes_is_completable(grounded: GroundedKnowledgeBase) -> None:
    narrowed = 0
    for case in _cases():
        short = _short(case)
        completable = _completable(grounded, case)
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
    assert _completable(grounded, traumatic) == []

    def searched(*_: object) -> None:
        raise AssertionError("no level to search")

    monkeypatch.setattr(engine.completion, "missing_documentation", searched)
    assert grounded.determine(traumatic) == determine(traumatic, KB, closed_world=True)


def test_the_relaxed_search_leaves_the_grounded_kb_as_it_was(
    grounded: GroundedKnowledgeBase,
) -> None:
    undocumented, documented = _cases()[:2]
    assert _completable(grounded, undocumented)
    assert grounded.determine(documented, closed_world=True) == determine(
        documented, KB, closed_world=True
    )
    assert grounded.determine(undocumented) == determine(undocumented, KB)
