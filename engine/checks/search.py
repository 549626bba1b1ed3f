"""Witness search: guess a valid case, require something of it, keep the fewest facts.

One `WitnessSearch` grounds the prologue, some policies, the epilogue, the
case space (kb/case_space.lp) and a check program once. The check program
derives check_key(Kind, Scope, Detail) for what a case shows (two policies
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
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import clingo
from clingo import ast

from engine.errors import KnowledgeBaseError
from engine.knowledge_base import CASE_SPACE, DEFAULT_DIRECTORY, KnowledgeBase
from engine.solve import Messages
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
    names: set[str] = set()

    def collect(statement: ast.AST) -> None:
        if statement.ast_type == ast.ASTType.Rule:
            text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', str(statement))
            names.update(re.findall(r"(?<![A-Za-z0-9_])[a-z_][A-Za-z0-9_]*", text))

    try:
        ast.parse_files([kb.path(f"{policy}.lp")], collect)
    except RuntimeError as error:
        raise KnowledgeBaseError(f"{policy}.lp cannot be parsed: {error}") from None
    return names


def case_space_facts(names: set[str]) -> str:
    """What the case space needs to know of the policies under check.

    read_item/1: the optional documentation items their rules mention (an item
    no rule mentions cannot change a determination, so a witness may leave it
    unknown without kb query's completion step finding anything to add);
    named_level/1: the levels they name (told apart from their neighbours).
    """
    read = sorted(names.intersection(READ_ON_DEMAND))
    levels = sorted(names.intersection(LEVELS.members))
    return (
        "read_restricted.\n"
        + "".join(f"read_item({item}).\n" for item in read)
        + "".join(f"named_level({level}).\n" for level in levels)
    )


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
    atoms: dict[str, list[Sequence[clingo.Symbol]]]  # name -> argument lists

    def values(self, name: str) -> list[Sequence[clingo.Symbol]]:
        return self.atoms.get(name, [])


class Goal(NamedTuple):
    """What a witness must show: a check_key(Kind, Scope, Detail) not yet seen.

    `require` and `forbid` name requirements of the search (ASP bodies given
    when it was built, e.g. a matrix row): each required one must hold, no
    forbidden one may.
    """

    kind: str
    scope: str
    require: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()


# Switches of the pre-grounded program. Every question is asked by assigning
# externals: which goal is on, which keys were already seen, which
# requirements hold; nothing is grounded after the first question.
_SWITCHES = """
check_new(K, S) :- check_key(K, S, D), not check_seen(K, S, D).
:- check_goal(K, S), not check_new(K, S).
:- check_require(N), not check_requirement(N).
:- check_forbid(N), check_requirement(N).
"""


class WitnessSearch:
    """A grounded case space over some policies, asked one goal at a time.

    The check program derives check_key(Kind, Scope, Detail) for what a case
    shows; `requirements` maps a name (an ASP term) to an ASP body that goals
    may require or forbid.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        policies: Sequence[str],
        check_program: str,
        *,
        levels: int = 1,
        requirements: dict[str, str] | None = None,
    ) -> None:
        names = set().union(*(policy_names(kb, p) for p in policies))
        required = requirements or {}
        program = (
            case_space_facts(names)
            + check_program
            + "".join(f"check_requirement({n}) :- {body}.\n" for n, body in required.items())
        )
        self._messages = Messages()
        self._control = clingo.Control(
            ["--warn=none", "--opt-strategy=usc,pmres", "-c", f"levels={levels}"],
            logger=self._messages.log,
            message_limit=20,
        )
        try:
            for path in [*kb.files(list(policies)), case_space_path(kb)]:
                self._control.load(path)
            self._control.add("base", [], program)
            self._control.ground([("base", [])])
            self._keys = self._possible_keys()
            self._control.add("switches", [], self._switches(required))
            self._control.ground([("switches", [])])
        except RuntimeError as error:
            raise KnowledgeBaseError(
                self._describe("the case space failed to ground", error)
            ) from None

    def _possible_keys(self) -> dict[tuple[str, str], list[clingo.Symbol]]:
        found: dict[tuple[str, str], list[clingo.Symbol]] = defaultdict(list)
        for atom in self._control.symbolic_atoms.by_signature("check_key", 3):
            kind, scope, detail = atom.symbol.arguments
            found[(str(kind), str(scope))].append(detail)
        return dict(found)

    def _switches(self, requirements: dict[str, str]) -> str:
        lines = [_SWITCHES]
        for (kind, scope), details in self._keys.items():
            lines.append(f"#external check_goal({kind}, {scope}).")
            lines.extend(f"#external check_seen({kind}, {scope}, {d})." for d in details)
        for name in requirements:
            lines.append(f"#external check_require({name}). #external check_forbid({name}).")
        return "\n".join(lines) + "\n"

    def _describe(self, what: str, error: Exception) -> str:
        return self._messages.describe(what, error)

    def witness(
        self, goal: Goal, seen: Iterable[clingo.Symbol] = (), *, minimal: bool = True
    ) -> Answer | None:
        """A case showing a key of the goal not in `seen` (with the fewest facts
        if `minimal`), or None if the case space holds none."""
        if (goal.kind, goal.scope) not in self._keys:
            return None
        kind, scope = clingo.parse_term(goal.kind), clingo.parse_term(goal.scope)
        switches = [clingo.Function("check_goal", [kind, scope])]
        switches += [clingo.Function("check_seen", [kind, scope, d]) for d in seen]
        switches += [_function("check_require", name) for name in goal.require]
        switches += [_function("check_forbid", name) for name in goal.forbid]
        for switch in switches:
            self._control.assign_external(switch, True)
        self._control.configuration.solve.opt_mode = "opt" if minimal else "ignore"  # type: ignore[union-attr]
        try:
            return self._solve()
        finally:
            for switch in switches:
                self._control.assign_external(switch, False)

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

    def _solve(self) -> Answer | None:
        last: list[clingo.Symbol] | None = None
        try:
            with self._control.solve(yield_=True) as handle:
                for model in handle:
                    last = model.symbols(atoms=True)
        except RuntimeError as error:
            raise KnowledgeBaseError(self._describe("solving failed", error)) from None
        return None if last is None else answer_from(last)


def keys(answer: Answer, goal: Goal) -> list[clingo.Symbol]:
    """The details of the goal's keys that an answer shows."""
    return [
        detail
        for kind, scope, detail in answer.values("check_key")
        if str(kind) == goal.kind and str(scope) == goal.scope
    ]


def _function(name: str, argument: str) -> clingo.Symbol:
    return clingo.Function(name, [clingo.parse_term(argument)])


def answer_from(symbols: list[clingo.Symbol]) -> Answer:
    atoms: dict[str, list[Sequence[clingo.Symbol]]] = defaultdict(list)
    facts = []
    for symbol in symbols:
        if symbol.positive:
            atoms[symbol.name].append(symbol.arguments)
        if (symbol.name, len(symbol.arguments)) in BY_SIGNATURE:
            facts.append(symbol)
    ordered = sorted(facts, key=_fact_order)
    counted = {_counted_fact(term) for (term,) in atoms.get("counted", [])}
    witness = Witness(
        tuple(str(fact) for fact in ordered),
        tuple(str(fact) for fact in ordered if fact in counted),
    )
    return Answer(witness, dict(atoms))


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
