"""Witness search: guess a valid case, require something of it, keep the fewest facts.

One `WitnessSearch` grounds the prologue, some policies, the epilogue, the
case space (kb/case_space.lp) and parts of kb/checks.lp once. The check parts
derive check_key(Kind, Scope, Detail) for what a case shows (two policies
disagree on a pair of criteria, a rule fires, ...). Each question is a `Goal`:
a key of one kind and scope other than those already seen, and named
requirements the case must meet or avoid. Goals, seen keys and requirements
are external atoms switched on and off, so nothing is grounded after the
first question (engineering notes: one pre-grounded Control), and each
answer is minimised with clingo's core-guided optimisation (usc, pmres).

A witness is the answer set's case facts: a complete, fully documented case
file that engine.case.read_case accepts (see kb/case_space.lp for why fully
documented and what its size counts).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import clingo
from clingo import ast

from engine.checks.programs import SWITCHES, CheckProgram
from engine.dependencies import names_used
from engine.knowledge_base import CASE_SPACE, DEFAULT_DIRECTORY, KnowledgeBase
from engine.solve import Solver
from engine.vocabulary import BY_SIGNATURE, DOCUMENTATION, LEVELS, PREDICATES, Kind

# The case space always states the documentation items that take a value
# (`none` included), and states the yes/no items true or false ('-') only
# where a policy reads them (kb/case_space.lp yes_no_item/1).
READ_ON_DEMAND = tuple(p.name for p in DOCUMENTATION if p.yes_no)
_KIND_ORDER = {Kind.PICTURE: 0, Kind.EXCLUSION: 1, Kind.DOCUMENTATION: 2}
_PREDICATE_ORDER = {p.name: i for i, p in enumerate(PREDICATES)}


def case_space_path(kb: KnowledgeBase) -> str:
    """The knowledge base's own case space, else the installed one."""
    own = kb.path(CASE_SPACE)
    return own if os.path.isfile(own) else os.path.join(DEFAULT_DIRECTORY, CASE_SPACE)


def policy_names(kb: KnowledgeBase, policy: str) -> set[str]:
    """Every name the rules of a policy file use (predicates and constants, not strings)."""
    return names_used(kb.path(f"{policy}.lp"))


def case_space_facts(checks: CheckProgram, names: set[str]) -> list[ast.AST]:
    """What the case space needs to know of the policies under check (parts
    of kb/checks.lp).

    read_item/1: the optional documentation items their rules mention (an item
    no rule mentions cannot change a determination, so a witness may leave it
    unknown without kb query's completion step finding anything to add);
    named_level/1: the levels they name (told apart from their neighbours).
    """
    read = sorted(names.intersection(READ_ON_DEMAND))
    levels = sorted(names.intersection(LEVELS.members))
    return [
        *checks.part("read_restricted"),
        *(fact for item in read for fact in checks.part("read_item", clingo.Function(item))),
        *(fact for level in levels for fact in checks.part("named_level", clingo.Function(level))),
    ]


class Witness(NamedTuple):
    """A case found by the search: its facts, in case-file order ('-' for false),
    and those of them that its size counts (beyond the usual record, see
    kb/case_space.lp)."""

    facts: tuple[str, ...]
    counted: tuple[str, ...]

    @property
    def usual(self) -> list[str]:
        """The facts of the usual record, stated but not counted."""
        return [f for f in self.facts if f not in self.counted]

    def case_file(self, comments: Iterable[str] = ()) -> str:
        lines = [f"% {line}" for line in comments]
        lines.extend(f"{fact}." for fact in self.facts)
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """The counted facts on one line, and how many usual ones the file adds."""
        text = " ".join(f"{fact}." for fact in self.counted)
        usual = len(self.usual)
        return f"{text}  [+{usual} usual]" if usual else text


class Answer(NamedTuple):
    """A witness with the atoms of its answer set (statuses, criteria, keys)."""

    witness: Witness
    atoms: dict[str, list[clingo.Symbol]]  # name -> the atoms of that name

    def values(self, name: str) -> list[Sequence[clingo.Symbol]]:
        """The argument lists of the (positive) atoms of a predicate."""
        return [atom.arguments for atom in self.atoms.get(name, ()) if atom.positive]


class Goal(NamedTuple):
    """What a witness must show: a check_key(Kind, Scope, Detail) not yet seen.

    `require` and `forbid` name requirements of the search (check_requirement/1
    of the parts it grounds, e.g. a matrix row): each required one must hold,
    no forbidden one may.
    """

    kind: str
    scope: clingo.Symbol
    require: tuple[clingo.Symbol, ...] = ()
    forbid: tuple[clingo.Symbol, ...] = ()


class WitnessSearch:
    """A grounded case space over some policies, asked one goal at a time.

    `program` is parts of kb/checks.lp (engine.checks.programs): they derive
    check_key(Kind, Scope, Detail) for what a case shows, and the requirements
    goals may require or forbid. Goals, seen keys and requirements are the
    externals of its part `switches`, grounded once after the rest.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        policies: Sequence[str],
        program: Sequence[ast.AST],
        *,
        levels: int = 1,
    ) -> None:
        names = set().union(*(policy_names(kb, p) for p in policies))
        checks = CheckProgram(kb)
        files = [*kb.files(list(policies)), case_space_path(kb)]
        self._solver = Solver(
            files,
            "",
            ["--opt-strategy=usc,pmres", "-c", f"levels={levels}"],
            statements=[*case_space_facts(checks, names), *program],
        )
        possible = self._solver.atoms_of("check_key", 3, ordered=False)
        self._keys = {(key.arguments[0].name, key.arguments[1]) for key in possible}
        requirements = self._solver.atoms_of("check_requirement", 1)
        self.requirements = frozenset(atom.arguments[0] for atom in requirements)
        self._solver.ground_part(SWITCHES, self._switches(checks, possible))

    @staticmethod
    def _switches(checks: CheckProgram, possible: list[clingo.Symbol]) -> list[ast.AST]:
        """The part `switches`, a goal per kind and scope of the keys a case may
        show, each of those keys as one that may have been seen, then the
        requirements: in this order, and the keys in the order they were
        grounded (clasp's choice among equally small witnesses follows the
        order the externals are numbered in)."""
        program = checks.part(SWITCHES)
        goals: dict[tuple[clingo.Symbol, clingo.Symbol], list[clingo.Symbol]] = {}
        for key in possible:
            kind, scope, detail = key.arguments
            goals.setdefault((kind, scope), []).append(detail)
        for (kind, scope), details in goals.items():
            program += checks.part("goal", kind, scope)
            for detail in details:
                program += checks.part("seen", kind, scope, detail)
        return program + checks.part("requirements")

    def witness(
        self, goal: Goal, seen: Iterable[clingo.Symbol] = (), *, minimal: bool = True
    ) -> Answer | None:
        """A case showing a key of the goal not in `seen` (with the fewest facts
        if `minimal`), or None if the case space holds none."""
        if (goal.kind, goal.scope) not in self._keys or not self.requirements.issuperset(
            goal.require
        ):
            return None
        kind = clingo.Function(goal.kind)
        switches = [clingo.Function("check_goal", [kind, goal.scope])]
        switches += [clingo.Function("check_seen", [kind, goal.scope, d]) for d in seen]
        switches += [clingo.Function("check_require", [name]) for name in goal.require]
        switches += [clingo.Function("check_forbid", [name]) for name in goal.forbid]
        self._solver.assign((switch, True) for switch in switches)
        self._solver.set_optimisation("opt" if minimal else "ignore")
        try:
            found = self._solver.last_model([], every_atom=True)
        finally:
            self._solver.assign((switch, False) for switch in switches)
        return None if found is None else answer_from(found)

    def witnesses(
        self, goal: Goal, *, minimal: bool = True
    ) -> Iterator[tuple[Answer, list[clingo.Symbol]]]:
        """Witnesses with the new keys each shows, until every key of the goal is shown.

        Each witness is minimal among the cases showing any key not yet shown,
        so it is a minimal witness of every new key it shows.
        """
        seen: set[clingo.Symbol] = set()
        while (found := self.witness(goal, seen, minimal=minimal)) is not None:
            new = sorted(set(keys(found, goal)) - seen)
            yield found, new
            seen.update(new)


def keys(answer: Answer, goal: Goal) -> list[clingo.Symbol]:
    """The details of the goal's keys that an answer shows."""
    return [
        detail
        for kind, scope, detail in answer.values("check_key")
        if kind.name == goal.kind and scope == goal.scope
    ]


# The predicates of the case vocabulary: the facts of a witness.
_CASE_PREDICATES = sorted({name for name, _arity in BY_SIGNATURE})


def answer_from(symbols: list[clingo.Symbol]) -> Answer:
    """The witness and atoms of a model. Only the names of most atoms are read
    (an answer set holds thousands; reading each one's arguments was most of
    the time of a search)."""
    atoms: dict[str, list[clingo.Symbol]] = defaultdict(list)
    for symbol in symbols:
        atoms[symbol.name].append(symbol)
    found = Answer(Witness((), ()), dict(atoms))
    facts = [
        symbol
        for name in _CASE_PREDICATES
        for symbol in atoms.get(name, ())
        if (name, len(symbol.arguments)) in BY_SIGNATURE
    ]
    ordered = sorted(facts, key=_fact_order)
    counted = {_counted_fact(term) for (term,) in found.values("counted")}
    witness = Witness(
        tuple(str(fact) for fact in ordered),
        tuple(str(fact) for fact in ordered if fact in counted),
    )
    return found._replace(witness=witness)


def _counted_fact(term: clingo.Symbol) -> clingo.Symbol:
    """counted(F) names F; counted(neg(F)) names -F."""
    if term.name == "neg" and len(term.arguments) == 1:
        inner = term.arguments[0]
        return clingo.Function(inner.name, inner.arguments, False)
    return term


def _fact_order(fact: clingo.Symbol) -> tuple[int, int, clingo.Symbol]:
    """Picture, exclusions, documentation stated true, documentation stated false."""
    predicate = BY_SIGNATURE[(fact.name, len(fact.arguments))]
    negative = 0 if fact.positive else 1
    positive = clingo.Function(fact.name, fact.arguments)
    return (_KIND_ORDER[predicate.kind] + negative, _PREDICATE_ORDER[fact.name], positive)
