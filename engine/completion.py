"""insufficient_information: could documenting the unknown make a level medically necessary?

Runs kb/completion.lp over the same knowledge base and case. For every level
that the documented facts leave short of medically_necessary, it asks for an
answer set in which that level is medically_necessary, adding as few
documentation facts as possible. If there is one, the level becomes
insufficient_information and the added facts are what is missing.
"""

from __future__ import annotations

import clingo

from engine.case import Case
from engine.determination import (
    INSUFFICIENT_INFORMATION,
    MEDICALLY_NECESSARY,
    Determination,
    LevelDetermination,
    overall_status,
)
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver


def completion_facts(case: Case) -> str:
    """The case's facts plus stated(F) / denied(F) for every one of them."""
    lines = [case.program()]
    for fact in case.facts:
        positive = clingo.Function(fact.symbol.name, fact.symbol.arguments)
        lines.append(f"{'stated' if fact.positive else 'denied'}({positive}).\n")
    return "".join(lines)


def complete(
    case: Case,
    kb: KnowledgeBase,
    policies: list[str],
    determinations: list[Determination],
    ranks: dict[str, int],
) -> list[Determination]:
    """The determinations with every level that documentation could rescue
    turned into insufficient_information, listing what is missing."""
    solver = Solver(
        kb.files(policies, completion=True),
        completion_facts(case),
        ["--opt-mode=opt", "--opt-strategy=usc"],
    )
    completed = []
    for determination in determinations:
        levels = {
            name: _complete_level(solver, determination.policy.id, level)
            for name, level in determination.levels.items()
        }
        status = overall_status(levels.values(), ranks) if levels else determination.status
        completed.append(determination._replace(status=status, levels=levels))
    return completed


def _complete_level(solver: Solver, policy: str, level: LevelDetermination) -> LevelDetermination:
    if level.status == MEDICALLY_NECESSARY:
        return level
    goal = clingo.Function(
        "level_status",
        [
            clingo.Function(policy),
            clingo.Function(level.level),
            clingo.Function(MEDICALLY_NECESSARY),
        ],
    )
    if not solver.has_atom(goal):
        return level
    answer = solver.answer([goal])
    if answer is None:
        return level
    missing = tuple(sorted(f"{atom.arguments[0]}." for atom in answer if atom.name == "add"))
    return level._replace(status=INSUFFICIENT_INFORMATION, missing=missing)
