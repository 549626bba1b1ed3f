"""Which short levels of a case any documentation could complete, asked of the
knowledge base grounded once (engine.batch.grounded): one solver call per case.

kb/completion.lp's part `completable` is grounded once over the case space.
For a case, the atoms of its unknown documentation items (at its target
levels, or of the whole patient) are left free, and the brave consequences
completable(P,L) are the short levels some documentation makes medically
necessary. That is a relaxation of the missing-documentation search (several
values at once, items at every level, numbers by class), so every level the
search can complete is among them: the search (engine.completion), which
grounds the knowledge base for the case, runs for those levels only, and not
at all for a case no documentation can help.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import clingo
from clingo import ast

from engine.case import Case
from engine.completion import Level
from engine.knowledge_base import COMPLETION, KnowledgeBase
from engine.solve import Solver, statements
from engine.vocabulary import BY_SIGNATURE, Item

PART = "completable"
_COMPLETING = clingo.Function("completing")


class CompletableLevels:
    """The relaxed search over a grounded knowledge base."""

    def __init__(self, kb: KnowledgeBase, solver: Solver, literals: dict[clingo.Symbol, int]):
        self.solver = solver
        solver.ground_part(PART, list(_part(kb.path(COMPLETION))))
        # The literals of each documentation item's atoms (per level: by level).
        self._atoms: dict[tuple[ItemKey, str | None], list[int]] = {}
        for symbol, literal in literals.items():
            documented = _item(symbol) if symbol.positive else None
            if documented is not None:
                self._atoms.setdefault(documented, []).append(literal)

    def levels(self, case: Case, short: Sequence[Level]) -> list[Level]:
        """The short levels some documentation of the unknown items may complete
        (the case's facts assigned, as GroundedKnowledgeBase.determine does)."""
        known = {item[0] for fact in case.facts if (item := _item(fact.symbol)) is not None}
        targets = set(case.targets)
        free = [
            literal
            for (item, level), literals in self._atoms.items()
            if item not in known and (level is None or level in targets)
            for literal in literals
        ]
        asked = {_atom("completable", level): level for level in short}
        switches = [_COMPLETING, *(_atom("short_at", level) for level in short)]
        solver = self.solver
        solver.assign((atom, True) for atom in switches)
        solver.assign((literal, None) for literal in free)
        try:
            found = solver.brave_among(list(asked))
        finally:
            solver.assign((atom, False) for atom in switches)
            solver.assign((literal, False) for literal in free)
        return [level for atom, level in asked.items() if atom in found]


ItemKey = tuple[str, tuple[clingo.Symbol, ...]]


def _item(symbol: clingo.Symbol) -> tuple[ItemKey, str | None] | None:
    """The documentation item a fact documents, and its level if per level."""
    predicate = BY_SIGNATURE.get((symbol.name, len(symbol.arguments)))
    item: Item | None = predicate.item if predicate is not None else None
    if predicate is None or item is None:
        return None
    arguments = symbol.arguments
    level = arguments[0].name if predicate.per_level else None
    return (item.name, tuple(arguments[i] for i in item.arguments)), level


def _atom(name: str, level: Level) -> clingo.Symbol:
    return clingo.Function(name, [clingo.Function(part) for part in level])


def _part(path: str) -> Iterator[ast.AST]:
    """The statements of kb/completion.lp's part `completable`."""
    inside = False
    for statement in statements(path):
        if statement.ast_type == ast.ASTType.Program:
            inside = statement.name == PART
        elif inside:
            yield statement
