"""Consistency checks of the knowledge base, each finding with a witness case.

Within one policy:
  conflicts   a valid case for which the policy's rules, before precedence,
              derive two different statuses for a level (an exclusion and an
              indication, two exclusions or two defaults with different
              statuses); one per pair of criteria, with the one that wins under
              the precedence of kb/determination.lp and the text it stands on;
  gaps        a valid case for which no rule of the policy decides a level;
  dead rules  a labelled rule (engine.rules) that fires for no valid case,
              with, for each condition whose removal lets it fire, a witness.
Across policies:
  differences for every pair of policies addressing a procedure, one witness
              per pair of deciding criteria (decided_by/3) on which the two
              give different statuses;
  matrix      indication x policy: the status each policy can give, and for
              medically_necessary the indications and conditions that give it.

"Valid case" means an answer set of kb/case_space.lp with at most `levels`
target levels. Every witness is minimal (fewest facts stated true) and fully
documented, so `kb query` on it reproduces the statuses reported here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import combinations
from typing import NamedTuple, ParamSpec, TypeVar

import clingo
from clingo import ast

from engine.checks.programs import CheckProgram
from engine.checks.search import Answer, Goal, Witness, WitnessSearch
from engine.determination import MEDICALLY_NECESSARY
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import KnowledgeBase
from engine.rules import Catalogue, CriterionText, Rule, read_catalogue
from engine.solve import symbol_text
from engine.vocabulary import CAUSES, LESION_KINDS, PURPOSES
from engine.vocabulary import PROCEDURES as PROCEDURE_VALUES

PROCEDURES = PROCEDURE_VALUES.members

EXCLUSION_OVER_INDICATION = (
    "an exclusion decides the level whatever the indications say (kb/determination.lp)"
)


# --- Findings ------------------------------------------------------------------------


class Difference(NamedTuple):
    """Two policies give different statuses for one case."""

    policies: tuple[str, str]
    procedure: str
    statuses: dict[str, str]
    criteria: dict[str, tuple[str, ...]]
    witness: Witness


class Derivation(NamedTuple):
    """One labelled rule's status for a level, before precedence."""

    kind: str  # exclusion | indication | otherwise
    criterion: str
    status: str


class Conflict(NamedTuple):
    """A policy derives two statuses for one level of one case."""

    policy: str
    level: str
    derivations: tuple[Derivation, Derivation]
    winner: Derivation
    reason: str  # the precedence rule that picks the winner
    ground: tuple[CriterionText, ...]  # the policy text the winner stands on
    status: str  # the policy's status for the witness, after precedence
    decided_by: tuple[str, ...]
    witness: Witness


class Gap(NamedTuple):
    """No rule of a policy decides a level of a valid case."""

    policy: str
    procedure: str
    level: str
    witness: Witness


class Relaxation(NamedTuple):
    """A dead rule fires once one of its conditions is dropped."""

    condition: str
    status: str  # the policy's status for the witness
    witness: Witness


class DeadRule(NamedTuple):
    rule: Rule  # without its AST (findings cross process boundaries)
    relaxations: tuple[Relaxation, ...]


class Route(NamedTuple):
    """One way a policy reaches its status for an indication."""

    criteria: tuple[str, ...]  # deciding criteria
    conditions: tuple[str, ...]  # conditions met under them
    witness: Witness


class Cell(NamedTuple):
    """A policy's answer for an indication: medically_necessary when some case
    of it is (one route per deciding indication), else its default status if
    some case of it meets no exclusion, else the status of the exclusions that
    always apply (with the fewest facts)."""

    status: str
    routes: tuple[Route, ...]


class Indication(NamedTuple):
    """A row of the matrix: a clinical picture. Its part of kb/checks.lp names
    what the case must show (requirement row(N)) and must not (row_not(N, I):
    no other picture mixed in)."""

    name: str
    part: str  # fracture_row | lesion_row | purpose_row
    value: str  # the cause, lesion kind or purpose

    def requirements(self, checks: CheckProgram, row: int) -> list[ast.AST]:
        return checks.part(self.part, clingo.Number(row), clingo.Function(self.value))

    def goal(self, kind: str, policy: str, procedure: str, row: int, search: WitnessSearch) -> Goal:
        number = clingo.Number(row)
        forbid = tuple(
            sorted(
                name
                for name in search.requirements
                if name.match("row_not", 2) and name.arguments[0] == number
            )
        )
        require = (_procedure(procedure), clingo.Function("row", [number]))
        return Goal(kind, clingo.Function(policy), require, forbid)


class MatrixRow(NamedTuple):
    indication: str
    cells: dict[str, Cell]


class Matrix(NamedTuple):
    procedure: str
    rows: tuple[MatrixRow, ...]


class PolicyFindings(NamedTuple):
    dead_rules: tuple[DeadRule, ...]
    conflicts: tuple[Conflict, ...]
    gaps: tuple[Gap, ...]
    cells: dict[tuple[str, str], Cell]  # (procedure, indication) -> cell


class Report(NamedTuple):
    policies: tuple[str, ...]
    procedures: tuple[str, ...]
    levels: int
    differences: tuple[Difference, ...]
    conflicts: tuple[Conflict, ...]
    gaps: tuple[Gap, ...]
    dead_rules: tuple[DeadRule, ...]
    matrices: tuple[Matrix, ...]


# --- The whole check -----------------------------------------------------------------


def check(
    kb: KnowledgeBase | None = None,
    policies: Sequence[str] | None = None,
    *,
    procedure: str | None = None,
    levels: int = 1,
    matrix: bool = True,
    jobs: int | None = None,
) -> Report:
    """Every consistency check over the chosen policies (all by default).

    The policies and pairs are checked in `jobs` worker processes (default:
    one per CPU); the report does not depend on how many.
    """
    from engine.query import describe_policies

    kb = kb or KnowledgeBase()
    chosen = kb.check_policies(list(policies)) if policies else kb.policy_ids()
    wanted = (procedure,) if procedure else PROCEDURES
    every = {
        info.id: tuple(p for p in PROCEDURES if p in info.procedures)
        for info in describe_policies(kb)
        if info.id in chosen
    }
    addressed = {policy: tuple(p for p in found if p in wanted) for policy, found in every.items()}
    pairs = [
        (pair, shared)
        for pair in combinations(chosen, 2)
        for shared in PROCEDURES
        if shared in addressed[pair[0]] and shared in addressed[pair[1]]
    ]
    catalogue = read_catalogue(kb, chosen)
    size = {p: len(catalogue.rules_of(p)) for p in chosen}
    with _executor(jobs, len(chosen) + len(pairs)) as pool:
        # Longest first, so the workers finish together: the policies (each
        # as long as a big pair), then the pairs, biggest first; the small
        # pairs fill the end.
        inside_futures = {
            p: pool.submit(_policy_task, kb.directory, p, (addressed[p], every[p]), levels, matrix)
            for p in sorted(chosen, key=lambda p: -size[p])
        }
        ordered = sorted(pairs, key=lambda task: -size[task[0][0]] - size[task[0][1]])
        across_futures = {
            task: pool.submit(_pair_task, kb.directory, *task, levels) for task in ordered
        }
        inside = [inside_futures[p].result() for p in chosen]
        across = [across_futures[task].result() for task in pairs]
    procedures = tuple(p for p in PROCEDURES if any(p in a for a in addressed.values()))
    cells = {
        (procedure, indication, policy): cell
        for policy, found in zip(chosen, inside, strict=True)
        for (procedure, indication), cell in found.cells.items()
    }
    return Report(
        tuple(chosen),
        procedures,
        levels,
        tuple(d for found in across for d in found),
        tuple(c for found in inside for c in found.conflicts),
        tuple(g for found in inside for g in found.gaps),
        tuple(d for found in inside for d in found.dead_rules),
        _matrices(cells, chosen, procedures) if matrix else (),
    )


P = ParamSpec("P")
T = TypeVar("T")


class _InProcess(Executor):
    """Runs each task when it is submitted (one job, or no fork on this platform)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _executor(jobs: int | None, tasks: int) -> Executor:
    """Worker processes when there are several CPUs and tasks, else this process."""
    jobs = min(jobs if jobs is not None else (os.cpu_count() or 1), tasks)
    if jobs <= 1 or not hasattr(os, "fork"):
        return _InProcess()
    import multiprocessing

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))


def _policy_task(
    directory: str,
    policy: str,
    procedures: tuple[tuple[str, ...], tuple[str, ...]],
    levels: int,
    matrix: bool,
) -> PolicyFindings:
    kb = KnowledgeBase(directory)
    inside = PolicyCheck(kb, policy, read_catalogue(kb, [policy]), procedures, levels)
    return PolicyFindings(
        tuple(inside.dead_rules()),  # first: its search is not an optimisation
        tuple(sorted(inside.conflicts(), key=lambda c: c.derivations)),
        tuple(inside.gaps()),
        inside.cells() if matrix else {},
    )


def _pair_task(
    directory: str, pair: tuple[str, str], procedure: str, levels: int
) -> list[Difference]:
    return list(differences_between(KnowledgeBase(directory), pair, procedure, levels))


# --- Across policies -------------------------------------------------------------------


def _fewest_exclusions(checks: CheckProgram) -> list[ast.AST]:
    """Among witnesses of one size, those in which fewer exclusions fire
    (kb/checks.lp says why)."""
    return checks.part("fewest_exclusions")


def _procedures(checks: CheckProgram) -> list[ast.AST]:
    """The requirements procedure(P): the request is for procedure P."""
    return [rule for p in PROCEDURES for rule in checks.part("procedure", clingo.Function(p))]


def differences_between(
    kb: KnowledgeBase, pair: tuple[str, str], procedure: str, levels: int = 1
) -> Iterator[Difference]:
    """The distinct disagreements of two policies on a procedure both address,
    one per pair of deciding criteria."""
    checks = CheckProgram(kb)
    program = [
        *_fewest_exclusions(checks),
        *checks.part("pair", *(clingo.Function(p) for p in pair)),
        *_procedures(checks),
    ]
    search = WitnessSearch(kb, pair, program, levels=levels)
    goal = Goal("difference", clingo.Function(procedure), require=(_procedure(procedure),))
    for answer, _new in search.witnesses(goal):
        yield Difference(
            pair,
            procedure,
            {p: _overall(answer, p) for p in pair},
            {p: _deciding(answer, p) for p in pair},
            answer.witness,
        )


# --- Within one policy -----------------------------------------------------------------


class PolicyCheck:
    """Conflicts, gaps, dead rules and matrix cells of one policy, over one grounding."""

    def __init__(
        self,
        kb: KnowledgeBase,
        policy: str,
        catalogue: Catalogue,
        procedures: tuple[tuple[str, ...], tuple[str, ...]],
        levels: int = 1,
    ) -> None:
        """`procedures`: those to check (conflicts, gaps, matrix), and all the
        policy addresses (a rule is dead only if it fires for none of them)."""
        self.kb, self.policy, self.levels = kb, policy, levels
        self.catalogue = catalogue
        self.rules = catalogue.rules_of(policy)
        self.checks = CheckProgram(kb)
        self.name = clingo.Function(policy)
        self.search = WitnessSearch(kb, [policy], self._program(), levels=levels)
        # The search stays within the policy's (chosen) procedures.
        chosen, everywhere = procedures
        self.procedures = chosen
        self.outside = tuple(_procedure(p) for p in PROCEDURES if p not in chosen)
        self.nowhere = tuple(_procedure(p) for p in PROCEDURES if p not in everywhere)

    def _program(self) -> list[ast.AST]:
        """The policy's checks, a check_fired("<rule id>") whenever a rule's body
        holds for an addressed request, and the requirements goals name."""
        return [
            *_fewest_exclusions(self.checks),
            *self.checks.part("policy", self.name),
            *(
                statement
                for rule in self.rules
                for statement in self.checks.spliced(
                    "fired", [self.name, clingo.String(rule.id)], _body(rule)
                )
            ),
            *_procedures(self.checks),
            *(
                statement
                for row, indication in enumerate(INDICATIONS)
                for statement in indication.requirements(self.checks, row)
            ),
        ]

    def conflicts(self) -> Iterator[Conflict]:
        goal = Goal("conflict", self.name, forbid=self.outside)
        for answer, new in self.search.witnesses(goal):
            for detail in new:
                yield self._conflict(answer, detail)

    def _conflict(self, answer: Answer, detail: clingo.Symbol) -> Conflict:
        first, second = (_derivation(d) for d in detail.arguments)
        winner, reason = _winner(answer, detail, (first, second))
        return Conflict(
            self.policy,
            _conflict_level(answer, first, second),
            (first, second),
            winner,
            reason,
            _ground(self.catalogue, self.policy, winner.criterion),
            _overall(answer, self.policy),
            _deciding(answer, self.policy),
            answer.witness,
        )

    def gaps(self) -> Iterator[Gap]:
        goal = Goal("gap", self.name, forbid=self.outside)
        for answer, new in self.search.witnesses(goal):
            undecided = [
                target.name
                for (target,) in answer.values("target")
                if not _has_status(answer, self.policy, target.name)
            ]
            for procedure in new:
                yield Gap(self.policy, procedure.name, min(undecided, default=""), answer.witness)

    def dead_rules(self) -> Iterator[DeadRule]:
        """Rules no case fires: a covering search (any case firing a rule not yet
        fired), then, for each rule left, its relaxations."""
        goal = Goal("fired", self.name, forbid=self.nowhere)
        fired: set[str] = set()
        for _answer, new in self.search.witnesses(goal, minimal=False):
            fired.update(detail.string for detail in new)
        dead = [rule for rule in self.rules if rule.id not in fired]
        if not dead:
            return
        relaxed = {rule.id: list(_relaxations(rule)) for rule in dead}
        # check_key(near, "<rule id>", I) whenever the rule's body without
        # condition I holds for an addressed request.
        near = [
            statement
            for rule in dead
            for i in relaxed[rule.id]
            for statement in self.checks.spliced(
                "near",
                [self.name, clingo.String(rule.id), clingo.Number(i)],
                [literal for j, literal in enumerate(_body(rule)) if j != i],
            )
        ]
        program = [*near, *_procedures(self.checks)]
        search = WitnessSearch(self.kb, [self.policy], program, levels=self.levels)
        for rule in dead:
            relaxations = tuple(self._relaxed(search, rule, relaxed[rule.id]))
            yield DeadRule(rule._replace(node=None, parsed=None), relaxations)

    def _relaxed(
        self, search: WitnessSearch, rule: Rule, dropped: list[int]
    ) -> Iterator[Relaxation]:
        goal = Goal("near", clingo.String(rule.id), forbid=self.nowhere)
        for i in dropped:
            others = [clingo.Number(j) for j in dropped if j != i]
            answer = search.witness(goal, others)
            if answer is not None:
                status = _overall(answer, self.policy)
                yield Relaxation(rule.body[i].text, status, answer.witness)

    def cells(self) -> dict[tuple[str, str], Cell]:
        """(procedure, indication) -> what the policy gives for it."""
        return {
            (procedure, indication.name): self._cell(procedure, row)
            for procedure in self.procedures
            for row, indication in enumerate(INDICATIONS)
        }

    def _cell(self, procedure: str, row: int) -> Cell:
        indication = INDICATIONS[row]
        goal = indication.goal("indicated", self.policy, procedure, row, self.search)
        routes = tuple(
            Route(_deciding(answer, self.policy), _conditions(answer, self.policy), answer.witness)
            for answer, _new in self.search.witnesses(goal)
        )
        if routes:
            return Cell(MEDICALLY_NECESSARY, routes)
        # Not medically necessary: the policy's default if some case of the
        # indication meets no exclusion, else an exclusion that always applies.
        answer = self.search.witness(
            indication.goal("defaulted", self.policy, procedure, row, self.search)
        ) or self.search.witness(
            indication.goal("decided", self.policy, procedure, row, self.search)
        )
        if answer is None:
            return Cell("", ())
        route = Route(_deciding(answer, self.policy), (), answer.witness)
        return Cell(_overall(answer, self.policy), (route,))


def _procedure(name: str) -> clingo.Symbol:
    """The requirement that the request is for this procedure (kb/checks.lp)."""
    return clingo.Function("procedure", [clingo.Function(name)])


def _body(rule: Rule) -> list[ast.AST]:
    """The body of a labelled rule, as clingo parsed it."""
    if rule.node is None or len(rule.node.body) != len(rule.body):
        raise KnowledgeBaseError(f"{rule.file}:{rule.line}: rule {rule.id} has no parsed body")
    return list(rule.node.body)


_VARIABLE = re.compile(r"(?<![\w\"])([A-Z][A-Za-z0-9_]*|_[A-Za-z0-9_]+)")


def _relaxations(rule: Rule) -> Iterator[int]:
    """The conditions of the rule's body that can be dropped safely (every
    variable of the rest still bound by a positive atom)."""
    for i in range(len(rule.body)):
        rest = [literal for j, literal in enumerate(rule.body) if j != i]
        bound: set[str] = set()
        for literal in rest:
            if literal.predicate and not literal.negated:
                bound.update(_variables(literal.text))
        needed: set[str] = set().union(*(_variables(literal.text) for literal in rest))
        if needed <= bound:
            yield i


def _variables(text: str) -> set[str]:
    return set(_VARIABLE.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)))


def _winner(
    answer: Answer, detail: clingo.Symbol, derivations: tuple[Derivation, Derivation]
) -> tuple[Derivation, str]:
    """Which derivation decides the level, and why: check_winner/3 of
    kb/checks.lp, which kb/determination.lp's precedence decides."""
    for conflict, chosen, why in answer.values("check_winner"):
        if conflict == detail:
            winner = _derivation(chosen)
            (loser,) = (d for d in derivations if d != winner)
            return winner, _reason(why.name, winner, loser)
    raise KnowledgeBaseError(f"kb/checks.lp names no winner of the conflict {detail}")


def _derivation(term: clingo.Symbol) -> Derivation:
    """(Kind, Criterion, Status) of kb/checks.lp as a Derivation."""
    return Derivation(*(symbol_text(a) for a in term.arguments))


def _reason(why: str, winner: Derivation, loser: Derivation) -> str:
    """The words of a precedence rule of kb/determination.lp."""
    if why == "exclusion_over_indication":
        return EXCLUSION_OVER_INDICATION
    return (
        f"{winner.status} comes before {loser.status} in the precedence of statuses "
        "(kb/determination.lp status_rank/2, from the case vocabulary)"
    )


def _ground(catalogue: Catalogue, policy: str, criterion: str) -> tuple[CriterionText, ...]:
    """The winning clause, and the nearest enclosing clause that frames it."""
    found = []
    own = catalogue.criteria.get((policy, criterion))
    if own is not None:
        found.append(own)
    parts = criterion.split(".")
    for length in range(len(parts) - 1, 0, -1):
        parent = catalogue.criteria.get((policy, ".".join(parts[:length])))
        if parent is not None and parent.role in ("scope", "default"):
            found.append(parent)
            break
    return tuple(found)


# --- The matrix --------------------------------------------------------------------------


def _indications() -> tuple[Indication, ...]:
    """Matrix rows: each fracture cause, each lesion without a fracture, each
    purpose; every target shows the row's picture and nothing else."""
    rows = [Indication(f"fracture: {cause}", "fracture_row", cause) for cause in CAUSES.members]
    rows += [Indication(f"lesion: {kind}", "lesion_row", kind) for kind in LESION_KINDS]
    rows += [Indication(f"purpose: {aim}", "purpose_row", aim) for aim in PURPOSES.members]
    return tuple(rows)


INDICATIONS = _indications()


def _matrices(
    cells: dict[tuple[str, str, str], Cell], policies: Sequence[str], procedures: Sequence[str]
) -> tuple[Matrix, ...]:
    return tuple(
        Matrix(
            procedure,
            tuple(
                MatrixRow(
                    indication.name,
                    {
                        policy: cells[(procedure, indication.name, policy)]
                        for policy in policies
                        if (procedure, indication.name, policy) in cells
                    },
                )
                for indication in INDICATIONS
            ),
        )
        for procedure in procedures
    )


# --- Reading an answer set ---------------------------------------------------------------


def _overall(answer: Answer, policy: str) -> str:
    return next((s.name for p, s in answer.values("overall") if p.name == policy), "")


def _deciding(answer: Answer, policy: str) -> tuple[str, ...]:
    found = {symbol_text(c) for p, c, _ in answer.values("decided_by") if p.name == policy}
    found.update(symbol_text(c) for p, c in answer.values("request_decided_by") if p.name == policy)
    return tuple(sorted(found))


def _conditions(answer: Answer, policy: str) -> tuple[str, ...]:
    """The conditions met under the deciding indications (ids that extend theirs)."""
    deciding = _deciding(answer, policy)
    met = {symbol_text(c) for p, c, _ in answer.values("met") if p.name == policy}
    return tuple(sorted(c for c in met if any(c.startswith(f"{d}.") for d in deciding)))


def _has_status(answer: Answer, policy: str, level: str) -> bool:
    return any(p.name == policy and lv.name == level for p, lv, _ in answer.values("level_status"))


def _conflict_level(answer: Answer, first: Derivation, second: Derivation) -> str:
    """A level at which the answer derives both statuses."""
    levels: dict[Derivation, set[str]] = {}
    for kind, criterion, level, status in answer.values("check_derives"):
        derivation = Derivation(kind.name, symbol_text(criterion), status.name)
        levels.setdefault(derivation, set()).add(level.name)
    shared = levels.get(first, set()) & levels.get(second, set())
    return min(shared, default="")
