"""Which short levels of a case any documentation could complete, asked of the
knowledge base grounded once (engine.batch.grounded), in the solver call that
determines the case.

The atoms of the case's unknown documentation items (at its target levels,
or of the whole patient) are left free. The first answer set leaves them all
false (the solver tries an atom false first; that it did is checked, else the
case is determined the usual way): it is the closed-world answer, and tells
the short levels. The enumeration then goes on, each answer set required to
make a short level medically necessary that no earlier one did: the levels
found are those some documentation completes in this relaxation of the
missing-documentation search (several values at once, items at every
level, numbers by class). Every level the search can complete is among them,
so the search (engine.completion), which grounds the knowledge base for the
case, runs for those levels only, and not at all for a request no
documentation can help.
"""

from __future__ import annotations

from typing import NamedTuple

import clingo

from engine.case import Case
from engine.determination import Level
from engine.query import short_levels
from engine.solve import Solver
from engine.vocabulary import BY_SIGNATURE

ItemKey = tuple[str, tuple[clingo.Symbol, ...]]
PART = "unknown_first"
_MEDICALLY_NECESSARY = clingo.Function("medically_necessary")


class Relaxed(NamedTuple):
    """The closed-world answer of a case, and the short levels it may complete."""

    answer: list[clingo.Symbol]
    completable: frozenset[Level]

    def narrowed(self, short: list[Level]) -> list[Level]:
        return [level for level in short if level in self.completable]


class CompletableLevels:
    """The relaxed search over a grounded knowledge base."""

    def __init__(self, solver: Solver, literals: dict[clingo.Symbol, int]):
        self.solver = solver
        # The literals of each documentation item's atoms (per level: by level).
        self._atoms: dict[tuple[ItemKey, str | None], list[int]] = {}
        undecided: list[str] = []
        for symbol, literal in literals.items():
            documented = _item(symbol) if symbol.positive else None
            if documented is not None:
                self._atoms.setdefault(documented, []).append(literal)
                undecided.append(f"#heuristic {symbol}. [1,false]\n")
        # Free atoms are decided first, false: then propagation alone gives the
        # rest of the first answer (the program is stratified once they are).
        solver.extend(PART, "".join(undecided))

    def answer(self, case: Case) -> Relaxed | None:
        """The case's closed-world answer and the short levels some documentation
        of its unknown items may complete (the case's facts assigned, as
        GroundedKnowledgeBase.determine does); None if the solver's first answer
        was not the closed-world one."""
        free = self._unknown(case)
        self.solver.assign((literal, None) for literal in free)
        try:
            found = self.solver.first_then_brave(free, _medically_necessary)
        finally:
            self.solver.assign((literal, False) for literal in free)
        if found is None:
            return None
        answer, held = found
        return Relaxed(answer, frozenset(_level(atom) for atom in held))

    def _unknown(self, case: Case) -> list[int]:
        """The literals of the atoms documenting the case's unknown items."""
        known = {item[0] for fact in case.facts if (item := _item(fact.symbol)) is not None}
        targets = set(case.targets)
        return [
            literal
            for (item, level), literals in self._atoms.items()
            if item not in known and (level is None or level in targets)
            for literal in literals
        ]


def _medically_necessary(answer: list[clingo.Symbol]) -> list[clingo.Symbol]:
    """level_status(P,L,medically_necessary) for each short level of an answer."""
    return [
        clingo.Function(
            "level_status", [clingo.Function(policy), clingo.Function(level), _MEDICALLY_NECESSARY]
        )
        for policy, level in short_levels(answer)
    ]


def _level(atom: clingo.Symbol) -> Level:
    policy, level, _ = atom.arguments
    return policy.name, level.name


def _item(symbol: clingo.Symbol) -> tuple[ItemKey, str | None] | None:
    """The documentation item a fact documents, and its level if per level."""
    predicate = BY_SIGNATURE.get((symbol.name, len(symbol.arguments)))
    item = predicate.item if predicate is not None else None
    if predicate is None or item is None:
        return None
    arguments = symbol.arguments
    level = arguments[0].name if predicate.per_level else None
    return (item.name, tuple(arguments[i] for i in item.arguments)), level
