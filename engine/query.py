"""The pipeline behind `kb query`: case -> solve -> determinations -> completion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.case import Case, read_case
from engine.determination import (
    MEDICALLY_NECESSARY,
    Determination,
    PolicyInfo,
    read_determinations,
    read_policies,
)
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver, solve_once

if TYPE_CHECKING:
    import clingo

    from engine.explanation.tree import Explanation


def determine(
    case: Case,
    kb: KnowledgeBase | None = None,
    policies: Sequence[str] | None = None,
    *,
    closed_world: bool = False,
) -> list[Determination]:
    """Every chosen policy's determination for a validated case, sorted by policy id."""
    kb = kb or KnowledgeBase()
    chosen = _chosen(kb, policies)
    atoms = solve_once(kb.files(chosen), case.program())
    return _complete(case, kb, atoms, closed_world)


def determine_and_explain(
    case: Case,
    kb: KnowledgeBase | None = None,
    policies: Sequence[str] | None = None,
    *,
    closed_world: bool = False,
) -> tuple[list[Determination], list[Explanation]]:
    """Determinations and their explanations, from one solve with rule tracking."""
    from engine.explanation.tracking import track
    from engine.explanation.tree import explain_answer

    kb = kb or KnowledgeBase()
    chosen = _chosen(kb, policies)
    tracking = track(kb, chosen)
    atoms = Solver(kb.files(chosen), case.program() + tracking.program).all_atoms()
    determinations = _complete(case, kb, atoms, closed_world)
    return determinations, explain_answer(atoms, case, tracking, determinations)


def _chosen(kb: KnowledgeBase, policies: Sequence[str] | None) -> list[str]:
    """The policies asked for (checked), or every policy of the knowledge base."""
    return kb.check_policies(list(policies)) if policies else kb.policy_ids()


def _complete(
    case: Case, kb: KnowledgeBase, atoms: list[clingo.Symbol], closed: bool
) -> list[Determination]:
    """Determinations as documented, then (unless closed-world) with the
    levels that documentation could rescue marked insufficient_information.
    Only the policies with a level short of medically necessary are searched."""
    determinations, ranks = read_determinations(atoms, case.targets)
    open_policies = [
        d.policy.id
        for d in determinations
        if any(level.status != MEDICALLY_NECESSARY for level in d.levels.values())
    ]
    if closed or not open_policies:
        return determinations
    from engine.completion import complete

    return complete(case, kb, open_policies, determinations, ranks)


def evaluate(
    case_text: str,
    *,
    policies: Sequence[str] | None = None,
    closed_world: bool = False,
    source: str = "<case>",
    kb: KnowledgeBase | None = None,
) -> list[Determination]:
    """Validate case text and determine it: the API the tests and tools use."""
    return determine(read_case(case_text, source), kb, policies, closed_world=closed_world)


def describe_policies(kb: KnowledgeBase | None = None) -> list[PolicyInfo]:
    """Metadata and every criterion of every policy in the knowledge base."""
    kb = kb or KnowledgeBase()
    atoms = solve_once(kb.files(kb.policy_ids()), "#show criterion/4.")
    return list(read_policies(atoms).values())
