"""The knowledge base grounded once, for many cases: the case facts as externals.

Every fact a case may state (engine/vocabulary.py) is declared `#external`
over a finite case space, so the knowledge base is grounded once per worker
and each case is only a change of truth values and a solve (multi-shot
solving), instead of a fresh parse and ground per case.

Numbers (days, dates, the pain score) are unbounded, so they are grounded by
class: the knowledge base can only compare a case's number with its own
constants, so two numbers that no constant of the knowledge base separates
are decided alike. The constants are read from the knowledge base's syntax
tree; a case's number is replaced by the representative of its class (the
constant itself, or the constant below it + 1). What a number could change
beyond a comparison (arithmetic on it, a comparison of two case numbers)
is not in the knowledge base, and tests/test_batch.py checks the two ways
agree on every boundary case of every policy. A case that does not fit the
space (a predicate whose values cannot be listed, e.g. an ICD-10 code the
rules read) is determined the ordinary way.

The missing-documentation search (engine.completion) keeps the case's exact
numbers: it runs per policy, as for `kb query`, and its rescued levels come
back to this grounded program as the rescuable/2 externals. It runs only
for the levels a relaxed search on this program finds (engine.batch.completable,
in the solver call that determines the case).

A solve costs about in proportion to the levels grounded, so a closed-world
case is solved over the levels the batch names most when it names no other
(engine/batch/levels.py), and its answer shows only what its record reads.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Iterator
from typing import NamedTuple, TypeGuard

import clingo
from clingo import ast

from engine.batch.completable import CompletableLevels
from engine.batch.levels import LevelSpaces
from engine.case import Case
from engine.determination import MEDICALLY_NECESSARY, Determination
from engine.knowledge_base import KnowledgeBase
from engine.query import decide, describe_policies
from engine.solve import Solver, statements
from engine.vocabulary import (
    BY_SIGNATURE,
    LEVELS,
    PREDICATES,
    Date,
    Domain,
    Integer,
    Kind,
    Predicate,
    Text,
    Values,
)

# What a case's answer shows: what depends on the case. The policies'
# metadata and criteria are read once (describe_policies).
CASE_SHOWN = "".join(
    f"#show {signature}.\n"
    for signature in (
        "overall/2",
        "level_status/3",
        "decided_by/3",
        "met/3",
        "unmet/3",
        "request_decided_by/2",
    )
)

# What a closed-world record reads of an answer, and so all the answer
# shows: the statuses, the deciding criteria, and the conditions met of a
# medically necessary level (its deciding conditions are among them). The
# unmet conditions are read by explanations only, which are solved the
# ordinary way.
RECORD_SHOWN = (
    "".join(
        f"#show {signature}.\n"
        for signature in ("overall/2", "level_status/3", "decided_by/3", "request_decided_by/2")
    )
    + f"#show met(P,C,L) : met(P,C,L), level_status(P,L,{MEDICALLY_NECESSARY}).\n"
)

# An integer domain this small is grounded value by value (the pain score).
_EXACT_RANGE = 64

# Without the search, the program has no choice: propagation alone finds its
# one answer set, so the solver needs no decision heuristic (nor its set-up
# at each solve: measured, about a tenth of a closed-world solve).
DETERMINED = ("--heuristic=None", "--no-init-moms")


# Facts remembered per process (then forgotten, all at once: memory stays flat).
_REMEMBERED = 1 << 12


class _Stated(NamedTuple):
    """A case fact as the grounded program reads it: the external it sets
    (numbers replaced by their class's representative), the levels it names."""

    atom: clingo.Symbol
    levels: frozenset[str]


_UNREAD = _Stated(clingo.Function("unread"), frozenset())


class Space(NamedTuple):
    """The knowledge base grounded with, as externals, every fact a case may
    state about these levels or about no level."""

    levels: frozenset[str]
    solver: Solver
    literals: dict[clingo.Symbol, int]


class GroundedKnowledgeBase:
    """The chosen policies grounded over the case space: determine many cases."""

    def __init__(self, kb: KnowledgeBase, policies: list[str]) -> None:
        self.kb = kb
        self.policies = policies
        files = kb.files(policies)
        names, numbers = _read_program(files)
        self._breaks = sorted(numbers)
        self._classes = _representatives(self._breaks)
        self._space = [p for p in PREDICATES if p.name in names]
        self._relevant = {p.name for p in self._space}
        self._files = files
        self._spaces = LevelSpaces(self._closed_world, frozenset(LEVELS.members))
        self._read: dict[clingo.Symbol, _Stated | None] = {}
        # The policies' metadata and criteria do not depend on the case: read once.
        self.described = {p.id: p for p in describe_policies(kb) if p.id in policies}

    @functools.cached_property
    def full(self) -> Space:
        """The whole case space: every level."""
        return self._ground(frozenset(LEVELS.members))

    @property
    def solver(self) -> Solver:
        return self.full.solver

    @functools.cached_property
    def completable(self) -> CompletableLevels:
        """The relaxed search that finds the short levels documentation could
        complete, on the whole case space (engine.batch.completable)."""
        return CompletableLevels(self.full.solver, self.full.literals)

    def _ground(
        self, levels: frozenset[str], options: tuple[str, ...] = (), shown: str = CASE_SHOWN
    ) -> Space:
        facts = "".join(self._externals(levels))
        solver = Solver(self._files, facts, options, shown=shown)
        signatures = [(p.name, len(p.args)) for p in self._space]
        return Space(levels, solver, solver.external_literals(signatures))

    def _externals(self, levels: frozenset[str]) -> Iterator[str]:
        for predicate in self._space:
            negated = predicate.kind == Kind.DOCUMENTATION
            for arguments in self._ground_arguments(predicate, levels):
                atom = f"{predicate.name}({','.join(arguments)})" if arguments else predicate.name
                yield f"#external {atom}.\n"
                if negated:
                    yield f"#external -{atom}.\n"

    def _ground_arguments(
        self, predicate: Predicate, levels: frozenset[str]
    ) -> Iterator[tuple[str, ...]]:
        domains = [self._values(domain, levels) for domain in predicate.args]
        if any(values is None for values in domains):
            return  # not enumerable: cases stating it are determined the ordinary way
        yield from itertools.product(*[values for values in domains if values is not None])

    def _values(self, domain: Domain, levels: frozenset[str]) -> list[str] | None:
        if domain == LEVELS:
            return [level for level in LEVELS.members if level in levels]
        if isinstance(domain, Values):
            return list(domain.members)
        if isinstance(domain, Integer) and not _by_class(domain):
            return [str(n) for n in range(domain.low, domain.high + 1)]
        if _by_class(domain):
            low, high = _bounds(domain)
            return [str(n) for n in self._classes if self._meets(n, low, high)]
        if isinstance(domain, Text) and domain.codes:
            return [f'"{code}"' for code in domain.codes]
        return None

    def _meets(self, representative: int, low: int, high: int) -> bool:
        """Whether the class of a representative holds a number from low to high."""
        first, last = self._class_of(representative)
        return (last is None or low <= last) and (first is None or first <= high)

    def _class_of(self, representative: int) -> tuple[int | None, int | None]:
        """The numbers a representative stands for (None: no bound)."""
        breaks = self._breaks
        if not breaks:
            return None, None
        if representative in breaks:
            return representative, representative
        index = bisect.bisect_right(breaks, representative)
        if index == 0:
            return None, breaks[0] - 1
        return representative, breaks[index] - 1 if index < len(breaks) else None

    def space_for(self, case: Case) -> Space:
        """The grounding a closed-world case is solved over (engine.batch.levels)."""
        return self._space_for(self._stated(case))

    def _space_for(self, stated: list[_Stated]) -> Space:
        return self._spaces.space(frozenset().union(*(fact.levels for fact in stated)))

    def _closed_world(self, levels: frozenset[str]) -> Space:
        return self._ground(levels, DETERMINED, RECORD_SHOWN)

    def symbols(self, case: Case, space: Space | None = None) -> list[int] | None:
        """The case's facts as external literals of a space (the whole case
        space by default); None if one is outside it."""
        return _literals(self._stated(case), space or self.full)

    def _stated(self, case: Case) -> list[_Stated]:
        """The facts of a case that a rule reads, as the externals they set."""
        found = []
        for fact in case.facts:
            stated = self._read.get(fact.symbol, _UNREAD)
            if stated is _UNREAD:
                stated = self._remember(fact.symbol)
            if stated is not None:
                found.append(stated)
        return found

    def _remember(self, symbol: clingo.Symbol) -> _Stated | None:
        """A fact read once per process (facts recur from case to case: a few
        dictionary look-ups instead of many calls into clingo)."""
        if len(self._read) >= _REMEMBERED:
            self._read.clear()
        stated = None
        if symbol.name in self._relevant:
            domains = BY_SIGNATURE[(symbol.name, len(symbol.arguments))].args
            levels = frozenset(
                argument.name
                for argument, domain in zip(symbol.arguments, domains, strict=True)
                if domain == LEVELS
            )
            stated = _Stated(self._mapped(symbol, domains), levels)
        self._read[symbol] = stated
        return stated

    def _mapped(self, symbol: clingo.Symbol, domains: tuple[Domain, ...]) -> clingo.Symbol:
        """The fact with each number grounded by class replaced by its representative."""
        if not any(_by_class(domain) for domain in domains):
            return symbol
        arguments = [
            clingo.Number(self._representative(a.number)) if _by_class(domain) else a
            for a, domain in zip(symbol.arguments, domains, strict=True)
        ]
        return clingo.Function(symbol.name, arguments, symbol.positive)

    def _representative(self, number: int) -> int:
        """The number standing for every number no constant of the KB separates from it."""
        if not self._breaks:
            return 0
        index = bisect.bisect_right(self._breaks, number)
        if index and self._breaks[index - 1] == number:
            return number
        return self._breaks[index - 1] + 1 if index else self._breaks[0] - 1

    def determine(self, case: Case, *, closed_world: bool = False) -> list[Determination]:
        """The case's determinations, as engine.query.determine gives them;
        closed-world, as a record shows them (RECORD_SHOWN: no unmet
        conditions, the conditions met of medically necessary levels only)."""
        stated = self._stated(case)
        space = self._space_for(stated) if closed_world else self.full
        symbols = _literals(stated, space)
        if symbols is None:
            from engine.query import determine

            return determine(case, self.kb, self.policies, closed_world=closed_world)
        solver = space.solver
        solver.assign((literal, True) for literal in symbols)
        try:
            relaxed = None if closed_world else self.completable.answer(case)
            return decide(
                case,
                self.kb,
                solver,
                closed_world=closed_world,
                policies=self.described,
                answer=relaxed.answer if relaxed else None,
                completable=relaxed.narrowed if relaxed else None,
            )[0]
        finally:
            solver.assign((literal, False) for literal in symbols)
            if not closed_world:  # the search may have set rescuable/2
                solver.assign(
                    (_rescuable(policy, level), False)
                    for policy in self.policies
                    for level in case.targets
                )


def _literals(stated: list[_Stated], space: Space) -> list[int] | None:
    """The external literals the facts set in a space; None if one is outside it."""
    found = []
    for fact in stated:
        literal = space.literals.get(fact.atom)
        if literal is None:
            return None
        found.append(literal)
    return found


def _bounds(domain: Integer | Date) -> tuple[int, int]:
    """The least and the greatest number of a domain."""
    if isinstance(domain, Integer):
        return domain.low, domain.high
    return domain.first_year * 10000 + 101, domain.last_year * 10000 + 1231


def _by_class(domain: Domain) -> TypeGuard[Integer | Date]:
    """Numbers grounded by class (days, dates), not value by value."""
    if isinstance(domain, Integer):
        return domain.high - domain.low > _EXACT_RANGE
    return isinstance(domain, Date)


def _rescuable(policy: str, level: str) -> clingo.Symbol:
    return clingo.Function("rescuable", [clingo.Function(policy), clingo.Function(level)])


def _representatives(breaks: list[int]) -> list[int]:
    """One number per class: each constant, the one after it, and one below all."""
    if not breaks:
        return [0]
    return sorted({breaks[0] - 1, *breaks, *(b + 1 for b in breaks)})


# The cranio-caudal index of level/3 (kb/concepts.lp) orders levels; it is
# compared with other indices only, never with a case's number, and would
# otherwise add 30 classes of days.
_STRUCTURAL = ("level", 3)


def _read_program(files: list[str]) -> tuple[set[str], set[int]]:
    """The names of every function term and atom, and every integer constant
    (but level indices), in the knowledge base's syntax tree."""
    names: set[str] = set()
    numbers: set[int] = set()
    for path in files:
        for statement in statements(path):
            _walk(statement, names, set() if _is_structural(statement) else numbers)
    return names, numbers


def _is_structural(statement: ast.AST) -> bool:
    if statement.ast_type != ast.ASTType.Rule or statement.body:
        return False
    atom = statement.head.atom if statement.head.ast_type == ast.ASTType.Literal else None
    term = atom.symbol if atom is not None and atom.ast_type == ast.ASTType.SymbolicAtom else None
    return (
        term is not None
        and term.ast_type == ast.ASTType.Function
        and (term.name, len(term.arguments)) == _STRUCTURAL
    )


def _walk(node: ast.AST, names: set[str], numbers: set[int]) -> None:
    kind = node.ast_type
    if kind == ast.ASTType.SymbolicTerm:
        _symbol(node.symbol, names, numbers)
        return
    if kind == ast.ASTType.Function:
        names.add(node.name)
    for key in _child_keys(kind, node):
        child = getattr(node, key)
        children = child if isinstance(child, ast.ASTSequence) else [child]
        for item in children:
            if isinstance(item, ast.AST):
                _walk(item, names, numbers)


_CHILD_KEYS: dict[ast.ASTType, list[str]] = {}


def _child_keys(kind: ast.ASTType, node: ast.AST) -> list[str]:
    """The attributes holding nodes, per type of node (asked of clingo once)."""
    keys = _CHILD_KEYS.get(kind)
    if keys is None:
        keys = _CHILD_KEYS[kind] = node.child_keys
    return keys


def _symbol(symbol: clingo.Symbol, names: set[str], numbers: set[int]) -> None:
    if symbol.type == clingo.SymbolType.Number:
        numbers.add(symbol.number)
    elif symbol.type == clingo.SymbolType.Function:
        names.add(symbol.name)
        for argument in symbol.arguments:
            _symbol(argument, names, numbers)
