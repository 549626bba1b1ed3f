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

from engine.checks.search import Answer, Goal, Witness, WitnessSearch
from engine.determination import MEDICALLY_NECESSARY
from engine.knowledge_base import KnowledgeBase
from engine.rules import Catalogue, CriterionText, Rule, read_catalogue
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
    """A row of the matrix: a clinical picture, as ASP bodies over the case that
    must hold (`require`) and must not (`forbid`: no other picture mixed in)."""

    name: str
    require: str
    forbid: tuple[str, ...]

    def requirements(self, row: int) -> dict[str, str]:
        named = {f"row({row})": self.require}
        named.update({f"row_not({row}, {i})": body for i, body in enumerate(self.forbid)})
        return named

    def goal(self, kind: str, policy: str, procedure: str, row: int) -> Goal:
        forbid = tuple(f"row_not({row}, {i})" for i in range(len(self.forbid)))
        return Goal(kind, policy, (f"procedure({procedure})", f"row({row})"), forbid)


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

# Among witnesses of one size, those in which fewer exclusions fire (before
# kb/case_space.lp's preference for thoracic and lumbar targets): a witness
# shows its pair of criteria, not other exclusions that the usual record or
# the level happens to trigger.
_FEWEST_EXCLUSIONS = """
#minimize { 1@0, P, C, L : exclusion(P, C, L, _), target(L) }.
"""

_PAIR_PROGRAM = """
check_differ :- addressed({a}), addressed({b}), overall({a}, SA), overall({b}, SB), SA != SB.
check_key(difference, P, (CA, CB)) :- check_differ, procedure(P),
    decided_by({a}, CA, _), decided_by({b}, CB, _).
"""


def differences_between(
    kb: KnowledgeBase, pair: tuple[str, str], procedure: str, levels: int = 1
) -> Iterator[Difference]:
    """The distinct disagreements of two policies on a procedure both address,
    one per pair of deciding criteria."""
    first, second = pair
    program = _FEWEST_EXCLUSIONS + _PAIR_PROGRAM.format(a=first, b=second)
    search = WitnessSearch(kb, pair, program, levels=levels, requirements=_procedure_requirements())
    goal = Goal("difference", procedure, require=(f"procedure({procedure})",))
    for answer, _new in search.witnesses(goal):
        yield Difference(
            pair,
            procedure,
            {p: _overall(answer, p) for p in pair},
            {p: _deciding(answer, p) for p in pair},
            answer.witness,
        )


# --- Within one policy -----------------------------------------------------------------

_POLICY_PROGRAM = """
check_derives(exclusion, C, L, S) :- addressed({p}), target(L), exclusion({p}, C, L, S).
check_derives(indication, C, L, medically_necessary) :-
    addressed({p}), target(L), indication({p}, C, L).
check_derives(otherwise, C, L, S) :- addressed({p}), target(L),
    not excluded({p}, L), not indicated({p}, L), otherwise({p}, C, S).
check_key(conflict, {p}, ((K1, C1, S1), (K2, C2, S2))) :-
    check_derives(K1, C1, L, S1), check_derives(K2, C2, L, S2), S1 != S2,
    (K1, C1, S1) < (K2, C2, S2).
check_key(gap, {p}, P) :- addressed({p}), target(L), not level_status({p}, L, _), procedure(P).
check_key(fired, {p}, R) :- check_fired(R).
check_key(indicated, {p}, C) :- level_status({p}, L, medically_necessary), decided_by({p}, C, L).
check_key(defaulted, {p}, C) :- addressed({p}), target(L), not excluded({p}, L),
    not indicated({p}, L), otherwise({p}, C, _).
check_key(decided, {p}, C) :- decided_by({p}, C, _).
"""


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
        program = (
            _FEWEST_EXCLUSIONS
            + _POLICY_PROGRAM.format(p=policy)
            + "".join(_tracking_rule(rule, policy) for rule in self.rules)
        )
        requirements = _procedure_requirements()
        for row, indication in enumerate(INDICATIONS):
            requirements.update(indication.requirements(row))
        self.search = WitnessSearch(kb, [policy], program, levels=levels, requirements=requirements)
        # The search stays within the policy's (chosen) procedures.
        chosen, everywhere = procedures
        self.procedures = chosen
        self.outside = tuple(f"procedure({p})" for p in PROCEDURES if p not in chosen)
        self.nowhere = tuple(f"procedure({p})" for p in PROCEDURES if p not in everywhere)

    def conflicts(self) -> Iterator[Conflict]:
        goal = Goal("conflict", self.policy, forbid=self.outside)
        for answer, new in self.search.witnesses(goal):
            for detail in new:
                yield self._conflict(answer, detail)

    def _conflict(self, answer: Answer, detail: clingo.Symbol) -> Conflict:
        first, second = (Derivation(*(_name(a) for a in d.arguments)) for d in detail.arguments)
        ranks = {status.name: rank.number for status, rank in answer.values("status_rank")}
        winner, reason = _precedence(first, second, ranks)
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
        goal = Goal("gap", self.policy, forbid=self.outside)
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
        goal = Goal("fired", self.policy, forbid=self.nowhere)
        fired: set[str] = set()
        for _answer, new in self.search.witnesses(goal, minimal=False):
            fired.update(detail.string for detail in new)
        dead = [rule for rule in self.rules if rule.id not in fired]
        if not dead:
            return
        relaxed = {rule.id: list(_relaxations(rule)) for rule in dead}
        program = "".join(
            f"check_key(near, {_quoted(rule_id)}, {i}) :- {body}; addressed({self.policy}).\n"
            for rule_id, bodies in relaxed.items()
            for i, body in bodies
        )
        search = WitnessSearch(
            self.kb,
            [self.policy],
            program,
            levels=self.levels,
            requirements=_procedure_requirements(),
        )
        for rule in dead:
            relaxations = tuple(self._relaxed(search, rule, relaxed[rule.id]))
            yield DeadRule(rule._replace(node=None, parsed=None), relaxations)

    def _relaxed(
        self, search: WitnessSearch, rule: Rule, bodies: list[tuple[int, str]]
    ) -> Iterator[Relaxation]:
        goal = Goal("near", _quoted(rule.id), forbid=self.nowhere)
        for i, _body in bodies:
            others = [clingo.Number(j) for j, _ in bodies if j != i]
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
        goal = indication.goal("indicated", self.policy, procedure, row)
        routes = tuple(
            Route(_deciding(answer, self.policy), _conditions(answer, self.policy), answer.witness)
            for answer, _new in self.search.witnesses(goal)
        )
        if routes:
            return Cell(MEDICALLY_NECESSARY, routes)
        # Not medically necessary: the policy's default if some case of the
        # indication meets no exclusion, else an exclusion that always applies.
        answer = self.search.witness(
            indication.goal("defaulted", self.policy, procedure, row)
        ) or self.search.witness(indication.goal("decided", self.policy, procedure, row))
        if answer is None:
            return Cell("", ())
        route = Route(_deciding(answer, self.policy), (), answer.witness)
        return Cell(_overall(answer, self.policy), (route,))


def _procedure_requirements() -> dict[str, str]:
    return {f"procedure({p})": f"procedure({p})" for p in PROCEDURES}


def _tracking_rule(rule: Rule, policy: str) -> str:
    """check_fired("<rule id>") whenever the rule's body holds for an addressed request."""
    body = "; ".join([*(literal.text for literal in rule.body), f"addressed({policy})"])
    return f"check_fired({_quoted(rule.id)}) :- {body}.\n"


_VARIABLE = re.compile(r"(?<![\w\"])([A-Z][A-Za-z0-9_]*|_[A-Za-z0-9_]+)")


def _relaxations(rule: Rule) -> Iterator[tuple[int, str]]:
    """The rule's body without each one of its conditions, where that stays safe
    (every variable still bound by a positive atom)."""
    for i in range(len(rule.body)):
        rest = [literal for j, literal in enumerate(rule.body) if j != i]
        bound: set[str] = set()
        for literal in rest:
            if literal.predicate and not literal.negated:
                bound.update(_variables(literal.text))
        needed: set[str] = set().union(*(_variables(literal.text) for literal in rest))
        if needed <= bound:
            yield i, "; ".join(literal.text for literal in rest) or "#true"


def _variables(text: str) -> set[str]:
    return set(_VARIABLE.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)))


def _precedence(
    first: Derivation, second: Derivation, ranks: dict[str, int]
) -> tuple[Derivation, str]:
    """Which derivation decides the level under kb/determination.lp, and why."""
    if first.kind == "exclusion" and second.kind != "exclusion":
        return first, EXCLUSION_OVER_INDICATION
    if second.kind == "exclusion" and first.kind != "exclusion":
        return second, EXCLUSION_OVER_INDICATION
    winner, loser = sorted((first, second), key=lambda d: ranks.get(d.status, len(ranks) + 1))
    return winner, (
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
    rows = [
        Indication(
            f"fracture: {cause}",
            f"target(L), fracture(L, {cause})",
            (
                f"target(L), not fracture(L, {cause})",
                "target(L), lesion(L, _)",
                "purpose(_)",
            ),
        )
        for cause in CAUSES.members
    ]
    rows += [
        Indication(
            f"lesion: {kind}",
            f"target(L), lesion(L, {kind})",
            (f"target(L), not lesion(L, {kind})", "target(L), fracture(L, _)", "purpose(_)"),
        )
        for kind in LESION_KINDS
    ]
    rows += [
        Indication(
            f"purpose: {purpose}",
            f"purpose({purpose})",
            (
                "target(L), fracture(L, _)",
                "target(L), lesion(L, _)",
                f"purpose(X), X != {purpose}",
            ),
        )
        for purpose in PURPOSES.members
    ]
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


def _name(symbol: clingo.Symbol) -> str:
    return symbol.string if symbol.type == clingo.SymbolType.String else str(symbol)


def _quoted(text: str) -> str:
    return str(clingo.String(text))


def _overall(answer: Answer, policy: str) -> str:
    return next((s.name for p, s in answer.values("overall") if p.name == policy), "")


def _deciding(answer: Answer, policy: str) -> tuple[str, ...]:
    found = {_name(c) for p, c, _ in answer.values("decided_by") if p.name == policy}
    found.update(_name(c) for p, c in answer.values("request_decided_by") if p.name == policy)
    return tuple(sorted(found))


def _conditions(answer: Answer, policy: str) -> tuple[str, ...]:
    """The conditions met under the deciding indications (ids that extend theirs)."""
    deciding = _deciding(answer, policy)
    met = {_name(c) for p, c, _ in answer.values("met") if p.name == policy}
    return tuple(sorted(c for c in met if any(c.startswith(f"{d}.") for d in deciding)))


def _has_status(answer: Answer, policy: str, level: str) -> bool:
    return any(p.name == policy and lv.name == level for p, lv, _ in answer.values("level_status"))


def _conflict_level(answer: Answer, first: Derivation, second: Derivation) -> str:
    """A level at which the answer derives both statuses."""
    levels: dict[Derivation, set[str]] = {}
    for kind, criterion, level, status in answer.values("check_derives"):
        derivation = Derivation(kind.name, _name(criterion), status.name)
        levels.setdefault(derivation, set()).add(level.name)
    shared = levels.get(first, set()) & levels.get(second, set())
    return min(shared, default="")
