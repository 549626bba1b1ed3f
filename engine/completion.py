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
) -> None:
    """Turn levels that documentation could rescue into insufficient_information, in place."""
    open_levels = [
        (d, level)
        for d in determinations
        for level in d.levels.values()
        if level.status != MEDICALLY_NECESSARY
    ]
    if not open_levels:
        return
    solver = Solver(
        kb.files(policies, completion=True),
        completion_facts(case),
        ["--opt-mode=opt", "--opt-strategy=usc"],
    )
    for determination, level in open_levels:
        goal = clingo.Function(
            "level_status",
            [
                clingo.Function(determination.policy.id),
                clingo.Function(level.level),
                clingo.Function(MEDICALLY_NECESSARY),
            ],
        )
        if not solver.has_atom(goal):
            continue
        answer = solver.answer([goal])
        if answer is None:
            continue
        level.status = INSUFFICIENT_INFORMATION
        level.missing = sorted(f"{atom.arguments[0]}." for atom in answer if atom.name == "add")
    for determination in determinations:
        if determination.levels:
            determination.status = overall_status(determination.levels.values(), ranks)
