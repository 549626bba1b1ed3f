"""The pipeline behind `kb query`: case -> solve -> determinations -> completion."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from engine.case import Case, read_case
from engine.determination import (
    MEDICALLY_NECESSARY,
    Determination,
    Level,
    PolicyInfo,
    read_determinations,
    read_policies,
)
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver, solve_once

if TYPE_CHECKING:
    import clingo

    from engine.completion import MissingByLevel
    from engine.explanation.model import Explanation
    from engine.explanation.tracking import Needed, Tracking


def determine(
    case: Case,
    kb: KnowledgeBase | None = None,
    policies: Sequence[str] | None = None,
    *,
    closed_world: bool = False,
) -> list[Determination]:
    """Every chosen policy's determination for a validated case, sorted by policy id."""
    kb = kb or KnowledgeBase()
    solver = Solver(kb.files(_chosen(kb, policies)), case.program())
    return decide(case, kb, solver, closed_world=closed_world)[0]


def determine_and_explain(
    case: Case,
    kb: KnowledgeBase | None = None,
    policies: Sequence[str] | None = None,
    *,
    closed_world: bool = False,
    alike_once: bool = True,
) -> tuple[list[Determination], list[Explanation]]:
    """Determinations and their explanations. The determinations are those of
    a plain query (decided without the tracking rules, which would slow every
    solve of the decision); the tracking rules are then grounded as a further
    part of the same Control, on the program as decided, and solved once.
    Levels alike (engine.level_symmetry) are explained once: the tracking
    rules start at the first level of each kind only, and the others' are its
    explanation renamed; with `alike_once` False (or when a level's cannot be
    renamed), each level is tracked and walked on its own. The
    explanations are the same."""
    from engine.explanation.tracking import TRACKING_PART, track
    from engine.explanation.tree import NotAlike, explain_answer
    from engine.level_symmetry import first_of_each_kind, level_kinds

    kb = kb or KnowledgeBase()
    chosen = _chosen(kb, policies)
    solver = Solver(kb.files(chosen), case.program())
    determinations, _ = decide(case, kb, solver, closed_world=closed_world)
    tracking = track(kb, chosen)
    kinds = level_kinds(case, kb, chosen) if alike_once and len(case.targets) > 1 else {}
    levels = first_of_each_kind(case.targets, kinds)
    solver.extend(TRACKING_PART, tracking_program(tracking, solver, determinations, levels))
    try:
        explanations = explain_answer(_answer(solver), case, tracking, determinations, kinds)
    except NotAlike:  # each level walked on its own, its tracking rules grounded
        return determine_and_explain(case, kb, chosen, closed_world=closed_world, alike_once=False)
    return determinations, explanations


def tracking_program(
    tracking: Tracking, solver: Solver, determinations: list[Determination], levels: list[str]
) -> str:
    """The tracking rules the explanation of the decided case reads (the
    procedures its request names, the policies' statuses at the `levels`
    explained) and the facts that start them at those levels."""
    from engine.explanation.tracking import Decided, explained_levels

    statuses = [
        (determination.policy.id, determination.levels[level].status)
        for determination in determinations
        for level in levels
        if level in determination.levels
    ]
    decided = Decided(
        frozenset(str(atom.arguments[0]) for atom in solver.atoms_of("requested", 1)),
        frozenset(policy for policy, _ in statuses),
        frozenset(policy for policy, status in statuses if status != MEDICALLY_NECESSARY),
    )
    decided = decided._replace(lacking=_lacking(solver, tracking.needed(decided)))
    return tracking.program_for(decided) + explained_levels(levels)


def _lacking(solver: Solver, needed: frozenset[Needed]) -> frozenset[Needed]:
    """What tracking rules need of atoms that the decided program does not
    hold (an atom not even possible; a fact, where one must fail): the rules
    needing it have no instance, and are left out."""
    import clingo

    # A ground atom is needed both to hold and to fail: parsed and looked up once.
    symbols = {atom.ground: clingo.parse_term(atom.ground) for atom in needed if atom.ground}
    facts = solver.facts_among(symbols.values())
    signatures = {(a.name, a.arity, a.positive) for a in needed if not a.ground}
    held = solver.predicates_among(signatures)

    def lacks(atom: Needed) -> bool:
        if not atom.ground:  # any atom of the predicate
            return (atom.name, atom.arity, atom.positive) not in held
        symbol = symbols[atom.ground]
        if atom.fails:  # to fail, it must not be a fact
            return facts.get(symbol, False)
        return symbol not in facts

    return frozenset(atom for atom in needed if lacks(atom))


def _chosen(kb: KnowledgeBase, policies: Sequence[str] | None) -> list[str]:
    """The policies asked for (checked), or every policy of the knowledge base."""
    return kb.check_policies(list(policies)) if policies else kb.policy_ids()


def decide(
    case: Case,
    kb: KnowledgeBase,
    solver: Solver,
    *,
    closed_world: bool = False,
    policies: Mapping[str, PolicyInfo] | None = None,
    answer: list[clingo.Symbol] | None = None,
    completable: Callable[[list[Level]], list[Level]] | None = None,
) -> tuple[list[Determination], list[clingo.Symbol]]:
    """The determinations of a case whose facts the solver holds, and the shown
    atoms of the answer they were read from (with the tracking program of an
    explanation: its atoms too). With `policies` (each policy described once),
    the answer need show only what depends on the case.

    Unless closed-world, the levels short of medically necessary are searched
    for missing documentation (engine.completion); the levels it can complete
    are fed back as rescuable(P,L) and kb/determination.lp decides every
    status again, per level and overall. A batch's grounded knowledge base
    may give the closed-world `answer`, and which of the short levels are
    worth searching (`completable`).
    """
    atoms = answer if answer is not None else _answer(solver)
    missing = {} if closed_world else _missing(case, kb, atoms, completable)
    if missing:
        solver.assign((_rescuable(policy, level), True) for policy, level in missing)
        atoms = _answer(solver)
    return read_determinations(atoms, case.targets, missing, policies), atoms


def _answer(solver: Solver) -> list[clingo.Symbol]:
    shown = solver.last_model([])
    if shown is None:
        raise KnowledgeBaseError("the knowledge base has no answer for this case")
    return shown


def short_levels(atoms: list[clingo.Symbol]) -> list[Level]:
    """The (policy, level) pairs an answer leaves short of medically necessary."""
    return sorted(
        (atom.arguments[0].name, atom.arguments[1].name)
        for atom in atoms
        if atom.name == "level_status"
        and len(atom.arguments) == 3
        and atom.arguments[2].name != MEDICALLY_NECESSARY
    )


def _missing(
    case: Case,
    kb: KnowledgeBase,
    atoms: list[clingo.Symbol],
    completable: Callable[[list[Level]], list[Level]] | None = None,
) -> MissingByLevel:
    """Missing documentation for the levels short of medically necessary."""
    short = short_levels(atoms)
    if short and completable is not None:
        short = completable(short)
    if not short:
        return {}
    from engine.completion import missing_documentation

    return missing_documentation(case, kb, short)


def _rescuable(policy: str, level: str) -> clingo.Symbol:
    import clingo

    return clingo.Function("rescuable", [clingo.Function(policy), clingo.Function(level)])


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
