"""Rule identity and provenance, and the tracking rules that make clingo
compute both why and why not.

Every rule of the prologue, the policy files and the epilogue is read once
by engine.rule_reader (clingo's AST) and given a stable id and its citation.
Labelled policy rules keep engine.rules' ids ("providence_196:I.A.1");
other rules are "<file stem>:<head predicate>" with ":n" when a file has
several rules for one predicate. For each rule `H :- B1, ..., Bn.` the
tracking program holds

why (every rule):
    fired("<id>", H, (V1,...,Vm)) :- B.
        V1..Vm the rule's global variables (sorted): every ground instance
        that fired, the head it derived and the bindings it used;
    fired_use("<id>", H, (V...), K, A) :- B[, E].
        the atom A that body literal K stood for when the bindings do not
        name it (an anonymous variable), or the elements E of an aggregate
        that decided it (for #max / #min those whose value is the result);

why not (the policy rules and the concepts they read):
    prefix("<id>", K, (P...)) :- prefix("<id>", K-1, (...)), BK.
    passes("<id>", K, (P...)) :- prefix("<id>", K-1, (P...)), BK.
    failed("<id>", K, (P...)) :- prefix("<id>", K-1, (P...)), not passes("<id>", K, (P...)).
        the prefix bindings P (the variables bound before literal K) for
        which literal K has no way to hold: the first literal that failed
        is the deepest K a binding reached. Literals are taken in a safe
        order (a literal after those that bind its variables), aggregates and
        comparisons like any other: clingo evaluates them. Labelled rules
        start at the target levels explained (explained_level/1: the first
        of each kind of alike levels, engine.level_symmetry; an indication or a condition of
        one only where the policy decided the level short of medically
        necessary: the tracking rules are grounded after the decision), and
        a rule that asks for a procedure (requested/1) only when the request
        names it. A labelled rule that reads its level only in target(L)
        (TrackedRule.level_blind) fails alike at every level: it starts
        once, if any level is explained, and its bindings hold no level;
    failed_witness("<id>", K, (P...), A) :- failed("<id>", K, (P...)), A.
        for a failed `not A` or aggregate, the ground atoms that made it fail.

clingo parses and grounds each rule at a cost, instances or none: a case is
given only the rules its explanation reads (Tracking.program_for): not those
of a rule asking for a procedure the request does not name, nor the why not
of a policy with no status at an explained level, nor that of the
indications of a policy that decided every explained level medically
necessary (nor the demanded copies only they start), nor a rule with no
instance in the decided program: one whose positive literal needs an atom
that program cannot hold, or whose failure needs an atom that is a fact of it
to fail (Tracking.needed, engine.query's _lacking).
"""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from engine.determination import MEDICALLY_NECESSARY
from engine.knowledge_base import EPILOGUE, PROLOGUE, KnowledgeBase
from engine.rule_reader import (
    ANONYMOUS,
    Literal,
    ParsedRule,
    Term,
    instantiate,
    instantiate_text,
    is_ground,
    read_program,
    rename_anonymous,
    show,
    variables_of,
)
from engine.vocabulary import BY_SIGNATURE
from engine.wording import TABLES

if TYPE_CHECKING:
    from engine.rules import Catalogue

FIRED = "fired"
FIRED_USE = "fired_use"
FAILED = "failed"
WITNESS = "failed_witness"
_PREFIX = "prefix"
_DEMAND = "demand"
_DEMANDED = "@"
_PASSES = "passes"
LABELLED = ("met", "indication", "exclusion")
# The program part the tracking rules are grounded in, after the decision.
TRACKING_PART = "tracking"
# The target levels whose why not is tracked (explained_level/1 facts given
# with the program): the first of each kind of alike levels, or every one.
EXPLAINED_LEVEL = "explained_level"

# What the explanation reads of the answer set (the epilogue shows the rest).
SHOWN = (
    (FIRED, 3),
    (FIRED_USE, 5),
    (FAILED, 3),
    (WITNESS, 4),
    ("indication", 3),
    *TABLES.items(),
)


class TrackedRule(NamedTuple):
    id: str
    file: str
    line: int
    text: str
    head: Term  # the head atom
    body: tuple[Literal, ...]
    variables: tuple[str, ...]
    policy: str  # '' for the prologue and epilogue
    # The criterion a labelled rule encodes (its second head argument) or a
    # helper's '% serves:' pin; '' when the rule serves whichever criterion
    # uses it (helpers, concepts) or none (the epilogue's glue).
    criterion: str
    labelled: bool  # head met/indication/exclusion/otherwise of a policy
    # Body positions (0-based) in the order the why-not tracking evaluates them.
    order: tuple[int, ...] = ()
    # Variables bound before each body position is evaluated (why-not bindings).
    bound_before: tuple[tuple[str, ...], ...] = ()
    # A copy of a helper or concept rule asked why not for heads whose variables
    # `demand` names are bound (by the literal of another rule that failed).
    demand: tuple[str, ...] = ()
    # Read off the fields above once (an explanation asks for them thousands of
    # times): the id as written (a demanded copy's original), kb/<file>:<line>,
    # the head's predicate, and the variable naming the target level of a
    # labelled head, or ''.
    source: str = ""
    location: str = ""
    head_name: str = ""
    level_variable: str = ""
    # A labelled rule that reads its level only in target(L): it holds or
    # fails alike at every target level, so its why not is tracked once
    # for all of them (bindings without the level: _level_blind).
    level_blind: bool = False


class Decided(NamedTuple):
    """What the decision of a case says of the tracking rules its explanation
    reads: the procedures the request names, the policies with a status at an
    explained level (engine.explanation.tree explains those), and those with
    one short of medically necessary (their indications are explained); and
    of the atoms tracking rules need (Tracking.needed), those the decided
    program does not hold: a rule needing one has no instance."""

    requested: frozenset[str]
    assessed: frozenset[str]
    short: frozenset[str]
    lacking: frozenset[Needed] = frozenset()


class Needed(NamedTuple):
    """An atom a positive body literal needs to hold: this ground atom (its
    text) or, when the literal has variables (`ground` ''), any atom of the
    predicate. With `fails`, what a ground atom needs to fail: not to be a
    fact."""

    name: str
    arity: int
    positive: bool
    ground: str = ""
    fails: bool = False


class Gate(NamedTuple):
    """When the tracking rules of a rule are read: the request names these
    procedures; and unless '', the policy is assessed at an explained level
    (short of medically necessary at one, if `short`)."""

    procedures: tuple[str, ...] = ()
    policy: str = ""
    short: bool = False

    def opens(self, decided: Decided) -> bool:
        return set(self.procedures) <= decided.requested and (
            not self.policy
            or self.policy in (decided.short if self.short else decided.assessed)
        )


class Tracking(NamedTuple):
    rules: dict[str, TrackedRule]
    program: str  # the tracking rules, to be added to the solved program
    # (policy, id) -> the criterion's words and role (plain text: reading the
    # cached tracking needs no engine.rules, nor what it imports)
    criteria: dict[tuple[str, str], tuple[str, str]]
    copies: dict[str, TrackedRule] = {}  # demanded copies by id ('<rule id>@<variables>')
    # Heads whose rules are tracked for why not (the others read only the
    # knowledge base's own facts: they fail the same way for every case).
    checked: frozenset[str] = frozenset()
    # `program` in its order, as runs of lines that hold under the same gates
    # (an index into `gates`; no gate: always).
    pieces: tuple[tuple[int, str], ...] = ()
    gates: tuple[frozenset[Gate], ...] = ()
    # Parallel to `gates`: the atoms the lines of a piece need (each line has
    # no instance unless the decided program holds them all).
    needs: tuple[frozenset[Needed], ...] = ()

    def rule(self, rule_id: str) -> TrackedRule:
        found = self.rules.get(rule_id)
        return found if found is not None else self.copies[rule_id]

    def demanded(self, rule: TrackedRule, wanted: Term) -> TrackedRule:
        """The copy of a rule that was asked why not for heads like `wanted`
        (the same head variables bound), or the rule itself."""
        names = sorted(
            {
                str(head[1])
                for head, value in zip(rule.head[2], wanted[2], strict=False)
                if head[0] == "var" and head[1] != ANONYMOUS and not variables_of(value)
            }
        )
        return self.copies.get(f"{rule.id}{_DEMANDED}{','.join(names)}", rule)

    def citation(self, policy: str, criterion: str | None) -> str | None:
        """The criterion's words exactly as the policy file states them."""
        found = self.criteria.get((policy, criterion)) if criterion else None
        return found[0] if found is not None else None

    def role(self, policy: str, criterion: str) -> str:
        found = self.criteria.get((policy, criterion))
        return found[1] if found is not None else ""

    def program_for(self, decided: Decided) -> str:
        """`program` without the rules no explanation of the decided case reads
        (they cannot start, or start for a policy or a level it does not
        explain) and those that need an atom the decided program does not hold
        (they have no instance): clingo parses and grounds each rule at a cost,
        instances or none."""
        lacking = decided.lacking
        kept = [
            opens and needs.isdisjoint(lacking)
            for opens, needs in zip(self._opened(decided), self.needs, strict=True)
        ]
        return "".join(text for index, text in self.pieces if kept[index])

    def needed(self, decided: Decided) -> frozenset[Needed]:
        """The atoms the rules whose gates the decided case opens need (those
        the decided program lacks are to be told in `decided.lacking`)."""
        opened = zip(self._opened(decided), self.needs, strict=True)
        return frozenset().union(*(needs for opens, needs in opened if opens))

    def _opened(self, decided: Decided) -> list[bool]:
        return [not gs or any(g.opens(decided) for g in gs) for gs in self.gates]


def explained_levels(levels: Iterable[str]) -> str:
    """The facts that start the why not of labelled rules at these levels."""
    return "".join(f"{EXPLAINED_LEVEL}({level}).\n" for level in levels)


def track(kb: KnowledgeBase, policies: list[str]) -> Tracking:
    """Every rule of the program for these policies, and its tracking rules
    (read once, then cached: engine.explanation.cache)."""
    from engine.explanation.cache import cached

    return cached("tracking", kb.files(policies), lambda: _track(kb, policies))


def _track(kb: KnowledgeBase, policies: list[str]) -> Tracking:
    from engine.rules import read_catalogue

    catalogue = read_catalogue(kb, policies)
    concepts = _shared_rules(kb.path(PROLOGUE))
    policy_rules = [rule for policy in policies for rule in _policy_rules(catalogue, policy)]
    glue = explained_glue(_shared_rules(kb.path(EPILOGUE)))
    rules = [*concepts, *policy_rules, *glue]
    lines = [
        _Line(line, _why_gates(rule), needs) for rule in rules for line, needs in why_rules(rule)
    ]
    failing = tracked_for_why_not([*concepts, *policy_rules])
    copies, demands = demanded_copies(failing)
    roots = [rule for rule in failing if rule.labelled]
    gates = _why_not_gates(roots, demands)
    lines += [_Line(line, _ALWAYS) for line in start_rules(roots)]
    lines += [
        _Line(line, gates[r.id], needs)
        for r in [*roots, *copies]
        for line, needs in why_not_rules(r)
    ]
    lines += list(
        dict.fromkeys(_Line(demand.line, gates[demand.parent], demand.needs) for demand in demands)
    )
    lines += [_Line(f"#show {name}/{arity}.", _ALWAYS) for name, arity in SHOWN]
    program = "".join(f"{line.text}\n" for line in lines)
    by_id = {rule.id: rule for rule in rules}
    checked = frozenset(rule.head_name for rule in failing)
    pieces, conditions = _pieces(_shared(lines))
    copied = {c.id: c for c in copies}
    criteria = {key: (found.text, found.role) for key, found in catalogue.criteria.items()}
    needs = tuple(needed for _, needed in conditions)
    return Tracking(
        by_id,
        program,
        criteria,
        copied,
        checked,
        pieces,
        tuple(gates for gates, _ in conditions),
        needs,
    )


def _shared(lines: list[_Line]) -> list[_Line]:
    """The lines with equal gates and equal atoms needed as one object each
    (and equal sets of them): the cached tracking is pickled with each object
    once, and read back the faster."""
    atoms: dict[Needed, Needed] = {}
    sets: dict[frozenset[Needed], frozenset[Needed]] = {}
    gates: dict[frozenset[Gate], frozenset[Gate]] = {}
    shared = []
    for line in lines:
        needs = frozenset(atoms.setdefault(atom, atom) for atom in line.needs)
        gate = gates.setdefault(line.gates, line.gates)
        shared.append(_Line(line.text, gate, sets.setdefault(needs, needs)))
    return shared


class _Line(NamedTuple):
    """A line of the tracking program, when it can hold (its gates open) and
    the atoms it needs."""

    text: str
    gates: frozenset[Gate]
    needs: frozenset[Needed] = frozenset()


# --- Gates: which tracking rules can hold for a case --------------------------------

# The gates of rules that can hold for any case.
_ALWAYS: frozenset[Gate] = frozenset()


def _why_gates(rule: TrackedRule) -> frozenset[Gate]:
    """fired/3 and fired_use/5 of a rule that asks for a procedure hold only
    when the request names it."""
    procedures = _procedures_asked(rule)
    return frozenset([Gate(procedures)]) if procedures else _ALWAYS


def _start_gate(rule: TrackedRule) -> frozenset[Gate]:
    """When the why not of a labelled rule is read: the procedures it asks for
    (_start), its policy assessed, and for a met or indication head short of
    medically necessary, at an explained level."""
    gate = Gate(_procedures_asked(rule), rule.policy, rule.head_name in _SHORT_ONLY)
    return _ALWAYS if gate == Gate() else frozenset([gate])


def _procedures_asked(rule: TrackedRule) -> tuple[str, ...]:
    return tuple(
        sorted(
            show(literal.atom[2][0])
            for literal in rule.body
            if _asks_procedure(rule, literal) and literal.atom is not None and literal.atom[2]
        )
    )


def _why_not_gates(roots: list[TrackedRule], demands: list[Demand]) -> dict[str, frozenset[Gate]]:
    """The gates of each root's and each demanded copy's why-not rules: a
    copy's, those of the rules whose failures demand it (always, if one of
    them always can)."""
    gates = {rule.id: _start_gate(rule) for rule in roots}
    changed = True
    while changed:
        changed = False
        for demand in demands:
            parent, known = gates.get(demand.parent), gates.get(demand.copy)
            if parent is None:  # a copy not reached yet
                continue
            joined = _ALWAYS if not parent or known == _ALWAYS else parent | (known or parent)
            if joined != known:
                gates[demand.copy] = joined
                changed = True
    return gates


_Condition = tuple[frozenset[Gate], frozenset[Needed]]


def _pieces(
    lines: list[_Line],
) -> tuple[tuple[tuple[int, str], ...], tuple[_Condition, ...]]:
    """The lines in their order, as runs under the same gates and needing the
    same atoms (by index)."""
    indexes: dict[_Condition, int] = {}
    pieces: list[tuple[int, str]] = []
    for condition, run in itertools.groupby(lines, key=lambda line: (line.gates, line.needs)):
        index = indexes.setdefault(condition, len(indexes))
        pieces.append((index, "".join(f"{line.text}\n" for line in run)))
    return tuple(pieces), tuple(indexes)


# --- Reading the rules ---------------------------------------------------------------


def _policy_rules(catalogue: Catalogue, policy: str) -> list[TrackedRule]:
    sources = [
        (r.id, r.file, r.line, r.text, r.criterion, r.parsed, True)
        for r in catalogue.rules_of(policy)
    ]
    sources += [
        (h.id, h.file, h.line, h.text, h.criterion, h.parsed, False)
        for h in catalogue.helpers
        if h.policy == policy
    ]
    tracked = [
        _tracked(rule_id, path, line, text, parsed, policy, criterion, labelled)
        for rule_id, path, line, text, criterion, parsed, labelled in sources
        if parsed is not None and parsed.body and parsed.head is not None
    ]
    return sorted(tracked, key=lambda r: r.line)


def _shared_rules(path: str) -> list[TrackedRule]:
    """Rules of the prologue and epilogue: they cite no words of their own (a
    concept serves the criterion that uses it; the glue serves none)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    drafts = [
        (statement.line, statement.text, statement.rule)
        for statement in read_program(path)
        if statement.rule is not None and statement.rule.body and statement.rule.head is not None
    ]
    counts: dict[str, int] = defaultdict(int)
    for _, _, parsed in drafts:
        counts[_head_name(parsed)] += 1
    seen: dict[str, int] = defaultdict(int)
    tracked = []
    for line, text, parsed in drafts:
        name = _head_name(parsed)
        seen[name] += 1
        suffix = f":{seen[name]}" if counts[name] > 1 else ""
        tracked.append(_tracked(f"{stem}:{name}{suffix}", path, line, text, parsed, "", "", False))
    return tracked


def _head_name(parsed: ParsedRule) -> str:
    assert parsed.head is not None
    return str(parsed.head[1])


def _tracked(
    rule_id: str,
    path: str,
    line: int,
    text: str,
    parsed: ParsedRule,
    policy: str,
    criterion: str,
    labelled: bool,
) -> TrackedRule:
    assert parsed.head is not None
    head = parsed.head
    head_name = str(head[1]) if head[0] == "fun" else ""
    arguments = head[2]
    at_level = labelled and head_name in LABELLED and len(arguments) >= 3
    rule = TrackedRule(
        rule_id,
        path,
        line,
        text,
        head,
        parsed.body,
        parsed.variables,
        policy,
        criterion,
        labelled,
        source=rule_id,
        location=f"kb/{os.path.basename(path)}:{line}",
        head_name=head_name,
        level_variable=str(arguments[2][1]) if at_level and arguments[2][0] == "var" else "",
    )
    rule = rule._replace(level_blind=_level_blind(rule))
    order, bound = _safe_order(rule)
    return rule._replace(order=order, bound_before=bound)


def _level_blind(rule: TrackedRule) -> bool:
    """Whether a labelled rule's body reads its level only in target(L) (and
    its policy is named, not a variable): whether it holds does not depend on
    the level, and neither does where it fails."""
    level = rule.level_variable
    if not level or variables_of(rule.head[2][0]):
        return False
    reading = [
        literal
        for literal in rule.body
        if level in literal.variables or level in literal.element_variables
    ]
    return [literal.text for literal in reading] == [f"target({level})"]


# --- Safe order ----------------------------------------------------------------------


def _safe_order(rule: TrackedRule) -> tuple[tuple[int, ...], tuple[tuple[str, ...], ...]]:
    """Body positions in an order in which each literal's variables are bound
    by those before it (the written order where it is safe), and the variables
    bound before each position (renamed anonymous variables included)."""
    unbound = {rule.level_variable} if rule.level_blind else set()
    bound = set(rule.demand) or {rule.level_variable} - {""} - unbound
    renamed = _renamed_body(rule.body)
    waiting = list(range(len(rule.body)))
    order: list[int] = []
    before: dict[int, tuple[str, ...]] = {}
    while waiting:
        ready = [i for i in waiting if set(_needs(rule, i)) <= bound]
        chosen = ready[0] if ready else waiting[0]
        waiting.remove(chosen)
        order.append(chosen)
        before[chosen] = tuple(sorted(bound))
        bound |= set(_binds(rule.body[chosen], renamed[chosen])) - unbound
    return tuple(order), tuple(before[i] for i in range(len(rule.body)))


def _needs(rule: TrackedRule, position: int) -> list[str]:
    literal = rule.body[position]
    if literal.kind == "atom" and not literal.negated:
        return []
    names = [n for n in literal.variables if n != ANONYMOUS]
    if literal.kind == "aggregate":
        assigned = _guard_variable(literal)
        names = [n for n in names if n != assigned]
        names += [n for n in literal.element_variables if n in rule.variables]
    return names


def _binds(literal: Literal, renamed: Term | None) -> list[str]:
    if literal.kind == "atom" and not literal.negated and renamed is not None:
        return variables_of(renamed)
    assigned = _guard_variable(literal) if literal.kind == "aggregate" else ""
    return [assigned] if assigned else []


def _guard_variable(literal: Literal) -> str:
    guard = literal.guard
    return str(guard[1]) if guard is not None and guard[0] == "var" else ""


# --- Anonymous variables -------------------------------------------------------------


def _renamed_body(body: tuple[Literal, ...]) -> list[Term | None]:
    """Each positive atom's term with its anonymous variables named (A0, A1, ...
    distinct across the body), so that the atom it stood for is in the bindings."""
    counter = itertools.count()
    names = (f"Anonymous{n}" for n in counter)
    return [
        rename_anonymous(lit.atom, names)
        if lit.kind == "atom" and not lit.negated and lit.atom is not None
        else None
        for lit in body
    ]


def _body_text(body: tuple[Literal, ...], renamed: list[Term | None], picked: list[int]) -> str:
    return "; ".join(
        show(renamed[i]) if renamed[i] is not None else body[i].text  # type: ignore[arg-type]
        for i in picked
    )


def _tuple(names: tuple[str, ...] | list[str]) -> str:
    return "(" + ",".join(names) + ("," if len(names) == 1 else "") + ")"


# --- Why -----------------------------------------------------------------------------


def why_rules(rule: TrackedRule) -> Iterator[tuple[str, frozenset[Needed]]]:
    """fired/3 for the rule; fired_use/5 for the atoms its bindings do not name.

    A fired_use/5 rule starts from the instance's fired/3 atom rather than
    from the rule's body again: fired/3 binds every global variable, and the
    variables an atom or aggregate element adds (anonymous or local) occur
    nowhere else in the body, so the two bodies hold for the same values;
    grounding an aggregate once per rule, not once more per element, is the
    cheaper of the two. Each line comes with the atoms it needs: those of the
    rule's positive body atoms."""
    renamed = _renamed_body(rule.body)
    body = _body_text(rule.body, renamed, list(range(len(rule.body))))
    key = f'"{rule.id}",{show(rule.head)},{_tuple(rule.variables)}'
    fired = f"{FIRED}({key})"
    needs = _needed(rule.body)
    yield f"{fired} :- {body}.", needs
    for position, literal in enumerate(rule.body):
        atom = renamed[position]
        if atom is not None and ANONYMOUS in variables_of(literal.atom or ("num", 0)):
            yield f"{FIRED_USE}({key},{position + 1},{show(atom)}) :- {fired}; {show(atom)}.", needs
        if literal.kind == "aggregate" and not literal.negated:
            for element in _elements(literal, rule):
                extra = "; ".join(part for part in (element.condition, element.decisive) if part)
                for atom_text in element.atoms:
                    line = f"{FIRED_USE}({key},{position + 1},{atom_text}) :- {fired}; {extra}."
                    yield line, needs


def _needed(literals: Iterable[Literal]) -> frozenset[Needed]:
    """The atoms these body literals need to hold: for each positive atom,
    itself when it is ground, else any atom of its predicate (a rule whose
    body has one the decided program does not hold has no instance)."""
    found = set()
    for literal in literals:
        atom = literal.atom
        if literal.kind != "atom" or literal.negated or atom is None or atom[0] != "fun":
            continue
        ground = show(atom) if is_ground(atom) else ""
        found.add(Needed(str(atom[1]), len(atom[2]), bool(atom[3]), ground))
    return frozenset(found)


def _needed_before(rule: TrackedRule, position: int) -> frozenset[Needed]:
    """The atoms the why-not rules of a body position need: those of the
    literals evaluated before it (and of those its start holds)."""
    earlier = rule.order[: rule.order.index(position)]
    started = [literal for literal in rule.body if _in_start(rule, literal)]
    return _needed([*(rule.body[i] for i in earlier), *started])


def _needed_to_fail(rule: TrackedRule, position: int) -> frozenset[Needed]:
    """The atoms the failure of a body position needs: those before it, and
    the atom of a `not A` (it fails only where A holds), or a ground atom that
    is not a fact."""
    needs = _needed_before(rule, position)
    literal = rule.body[position]
    atom = literal.atom
    if literal.kind != "atom" or atom is None or atom[0] != "fun":
        return needs
    if literal.negated:
        return needs | _needed([literal._replace(negated=False)])
    if is_ground(atom):
        return needs | {Needed(str(atom[1]), len(atom[2]), bool(atom[3]), show(atom), True)}
    return needs


class _Element(NamedTuple):
    """An aggregate element as tracking text: its condition (anonymous variables
    named), the positive atoms of it, and for #max and #min with an '=' guard
    the test that the element is the one chosen."""

    condition: str
    atoms: tuple[str, ...]
    decisive: str


def _elements(literal: Literal, rule: TrackedRule) -> Iterator[_Element]:
    """Each element with its local variables renamed apart (Element0, ...), so
    that its condition can stand in a rule body beside the aggregate."""
    counter = itertools.count()
    for element in literal.elements:
        local = [n for n in literal.element_variables if n not in rule.variables]
        renaming = {name: ("var", f"Element{next(counter)}") for name in local if name != ANONYMOUS}
        names = (f"Element{n}" for n in counter)
        parts, atoms = [], []
        for condition in element.condition:
            if condition.atom is not None and not condition.negated:
                atom = show(rename_anonymous(instantiate(condition.atom, renaming), names))
                parts.append(atom)
                atoms.append(atom)
            else:
                parts.append(instantiate_text(condition.text, renaming))
        decisive = ""
        if literal.function in ("max", "min") and literal.guard is not None and element.terms:
            chosen = instantiate(element.terms[0], renaming)
            decisive = f"{show(chosen)} = {show(literal.guard)}"
        yield _Element("; ".join(parts), tuple(atoms), decisive)


# --- Why not -------------------------------------------------------------------------


def why_not_rules(rule: TrackedRule) -> Iterator[tuple[str, frozenset[Needed]]]:
    """prefix/3, passes/3, failed/3 and failed_witness/4 for a rule (see the
    module text), each with the atoms it needs. A prefix is materialised only
    after a literal that binds new variables; the literals that only test
    (comparisons, negations, atoms whose variables are bound) are carried
    into the next rule bodies."""
    renamed = _renamed_body(rule.body)
    ident = f'"{rule.id}"'
    context = [_start(rule)] if _start(rule) else []
    for step, position in enumerate(rule.order, start=1):
        if _in_start(rule, rule.body[position]):
            continue
        before = _tuple(rule.bound_before[position])
        literal = _body_text(rule.body, renamed, [position])
        failed = f"{FAILED}({ident},{position + 1},{before})"
        after = _after(rule, renamed, step)
        binds = after != before and not _binds_nothing(rule, renamed, position)
        holds = _needed_before(rule, position) | _needed([rule.body[position]])
        fails = _needed_to_fail(rule, position)
        if binds:
            passes = f"{_PASSES}({ident},{position + 1},{before})"
            yield f"{passes} :- {'; '.join([*context, literal])}.", holds
            yield f"{failed} :- {'; '.join([*context, f'not {passes}'])}.", fails
        else:
            yield f"{failed} :- {'; '.join([*context, f'not {literal}'])}.", fails
        for atom, condition in _witnesses(rule.body[position], rule):
            witness = f"{WITNESS}({ident},{position + 1},{before},{atom})"
            yield f"{witness} :- {failed}; {condition}.", fails
        if step < len(rule.order) and binds:
            prefix = f"{_PREFIX}({ident},{step},{after})"
            yield f"{prefix} :- {'; '.join([*context, literal])}.", holds
            context = [prefix]
        else:
            context.append(literal)


def _binds_nothing(rule: TrackedRule, renamed: list[Term | None], position: int) -> bool:
    bound = set(rule.bound_before[position])
    return set(_binds(rule.body[position], renamed[position])) <= bound


def tracked_for_why_not(rules: list[TrackedRule]) -> list[TrackedRule]:
    """The rules whose failures can depend on the case: a rule reading only the
    knowledge base's own facts (ranges, regions, thresholds) fails the same way
    for every case, and its literal reads as a fact of the level."""
    dependent = {name for name, _ in BY_SIGNATURE}
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.head_name not in dependent and _reads(rule, dependent):
                dependent.add(rule.head_name)
                changed = True
    return [r for r in rules if r.head_name in dependent and r.head_name != "otherwise"]


def _reads(rule: TrackedRule, names: set[str]) -> bool:
    for literal in rule.body:
        if literal.predicate in names:
            return True
        inner = (c.atom for e in literal.elements for c in e.condition if c.atom is not None)
        if any(str(atom[1]) in names for atom in inner):
            return True
    return False


def _after(rule: TrackedRule, renamed: list[Term | None], step: int) -> str:
    """The bindings after `step` literals: those bound before the next one."""
    if step < len(rule.order):
        return _tuple(rule.bound_before[rule.order[step]])
    last = rule.order[-1]
    names = set(rule.bound_before[last]) | set(_binds(rule.body[last], renamed[last]))
    return _tuple(sorted(names))


# Labelled heads whose why not is read only at the levels the policy finds
# short of medically necessary (engine.explanation.why_not: the unmet indications);
# an exclusion's is read at every level (the exclusions assumed absent).
_SHORT_ONLY = ("met", "indication")


def _start(rule: TrackedRule) -> str:
    """Where the why-not of a rule starts: the target levels for a labelled
    head (for an indication or its conditions, those the policy decided short
    of medically necessary: the program is decided when the tracking rules are
    grounded), and only when the request names the procedure the rule asks for."""
    if rule.id != rule.source:
        return f"{_DEMAND}({_demand_key(rule)},{_tuple(rule.demand)})"
    level = rule.level_variable
    policy = _short_policy(rule)
    guards = [f"{_EXPLAINED_TARGET}({level})"] if level else []
    if policy:
        guards = [f"{_EXPLAINED_SHORT}({policy},{level})"]
    elif level and rule.head_name in _SHORT_ONLY:  # a policy named by a variable
        named = show(rule.head[2][0])
        guards.append(f"not level_status({named},{level},{MEDICALLY_NECESSARY})")
    if rule.level_blind:  # once, if any level is explained (short, for an indication)
        guards = [f"{_ANY_SHORT}({policy})" if policy else _ANY_TARGET]
    guards += [literal.text for literal in rule.body if _asks_procedure(rule, literal)]
    return "; ".join(guards)


# Where the why not of labelled rules starts, derived once (start_rules), not
# in the body of every rule of it: the target levels explained, and those of
# them a policy did not decide medically necessary.
_EXPLAINED_TARGET = "explained_target"
_EXPLAINED_SHORT = "explained_short"
_ANY_TARGET = "any_explained_target"
_ANY_SHORT = "any_explained_short"


def start_rules(roots: list[TrackedRule]) -> Iterator[str]:
    """The rules deriving where the why not of these labelled rules starts."""
    yield f"{_EXPLAINED_TARGET}(L) :- target(L); {EXPLAINED_LEVEL}(L)."
    yield f"{_ANY_TARGET} :- {_EXPLAINED_TARGET}(_)."
    for policy in sorted({_short_policy(rule) for rule in roots} - {""}):
        short = f"not level_status({policy},L,{MEDICALLY_NECESSARY})"
        yield f"{_EXPLAINED_SHORT}({policy},L) :- {_EXPLAINED_TARGET}(L); {short}."
        yield f"{_ANY_SHORT}({policy}) :- {_EXPLAINED_SHORT}({policy},_)."


def _short_policy(rule: TrackedRule) -> str:
    """The policy of a labelled met or indication head at a level (the why not
    of an indication is read where the policy decided the level short of
    medically necessary), or ''."""
    if not rule.level_variable or rule.head_name not in _SHORT_ONLY:
        return ""
    policy = rule.head[2][0]
    return "" if variables_of(policy) else show(policy)


def _in_start(rule: TrackedRule, literal: Literal) -> bool:
    """A literal the start of the rule's why not already holds: it never fails."""
    level = rule.level_variable
    starts_at_target = bool(level) and rule.id == rule.source
    return _asks_procedure(rule, literal) or (
        starts_at_target and literal.kind == "atom" and literal.text == f"target({level})"
    )


def _asks_procedure(rule: TrackedRule, literal: Literal) -> bool:
    """A literal naming the procedure a rule is for: its why not starts only
    when the request names it (so it never fails there)."""
    return (
        rule.id == rule.source
        and literal.kind == "atom"
        and not literal.negated
        and literal.predicate == "requested"
        and literal.atom is not None
        and not variables_of(literal.atom)
    )


def _witnesses(literal: Literal, rule: TrackedRule) -> list[tuple[str, str]]:
    """(atom, condition) pairs naming the atoms that made a literal fail: what a
    `not A` found, or the elements an aggregate counted."""
    if literal.kind == "atom" and literal.negated and literal.atom is not None:
        atom = show(rename_anonymous(literal.atom, (f"Witness{n}" for n in itertools.count())))
        return [(atom, atom)]
    if literal.kind == "aggregate":
        return [(atom, e.condition) for e in _elements(literal, rule) for atom in e.atoms]
    return []


# --- Demand: why not for the heads another rule's failed literal asked for -------


class Demand(NamedTuple):
    """A demand/2 rule: the failure of a literal of `parent` starts `copy`
    (the rule needs the atoms that failure needs)."""

    parent: str
    copy: str
    line: str
    needs: frozenset[Needed] = frozenset()


def demanded_copies(rules: list[TrackedRule]) -> tuple[list[TrackedRule], list[Demand]]:
    """Copies of the helper and concept rules that start from the heads a failed
    positive literal of another rule asked for (its bound arguments), so that
    their first failure is that of this head, not of any head; and the
    demand/2 rules that start them."""
    deriving: dict[str, list[TrackedRule]] = defaultdict(list)
    for rule in rules:
        if not rule.labelled:
            deriving[rule.head_name].append(rule)
    copies: dict[str, TrackedRule] = {}
    demands: list[Demand] = []
    waiting = [rule for rule in rules if rule.labelled]
    while waiting:
        parent = waiting.pop()
        for position, literal in enumerate(parent.body):
            if literal.kind != "atom" or literal.negated or literal.atom is None:
                continue
            if _asks_procedure(parent, literal):
                continue
            for child in deriving.get(literal.predicate, []):
                found = _demand(parent, position, literal.atom, child)
                if found is None:
                    continue
                copy, line = found
                demands.append(Demand(parent.id, copy.id, line, _needed_to_fail(parent, position)))
                if copy.id not in copies:
                    copies[copy.id] = copy
                    waiting.append(copy)
    return list(copies.values()), demands


def _demand(
    parent: TrackedRule, position: int, atom: Term, child: TrackedRule
) -> tuple[TrackedRule, str] | None:
    """The copy of `child` a failure of the parent's literal asks for (started
    with the head variables that literal binds), and the demand rule; None
    when the child's head cannot derive the literal."""
    heads, used = child.head[2], atom[2]
    if len(heads) != len(used) or child.head[3] != atom[3]:
        return None
    bound = set(parent.bound_before[position])
    mapping: dict[str, Term] = {}
    guards: list[str] = []
    for head, value in zip(heads, used, strict=True):
        names = variables_of(value)
        if ANONYMOUS in names or not set(names) <= bound:
            continue
        if head[0] == "var" and head[1] != ANONYMOUS:
            if head[1] in mapping:
                guards.append(f"{show(mapping[head[1]])} = {show(value)}")
            else:
                mapping[str(head[1])] = value
        elif not variables_of(head):
            guards.append(f"{show(head)} = {show(value)}")
    demanded = tuple(sorted(mapping))
    copy_id = f"{child.id}{_DEMANDED}{','.join(demanded)}"
    copy = child._replace(id=copy_id, demand=demanded)
    order, bound_before = _safe_order(copy)
    copy = copy._replace(order=order, bound_before=bound_before)
    values = _tuple([show(mapping[name]) for name in demanded])
    failed = f'{FAILED}("{parent.id}",{position + 1},{_tuple(parent.bound_before[position])})'
    condition = "; ".join([failed, *guards])
    return copy, f"{_DEMAND}({_demand_key(copy)},{values}) :- {condition}."


def _demand_key(copy: TrackedRule) -> str:
    """What starts a demanded copy, as a clingo string: its head and the head
    variables bound. The demand rules of rules with the same head (concepts:
    lesion_at:1 and :2) are the same rules: one starts the copies of both."""
    return show(("str", f"{show(copy.head)}@{','.join(copy.demand)}"))


# The epilogue's atoms an explanation derives (engine.explanation.why).
EXPLAINED = ("level_status", "overall")


def explained_glue(rules: list[TrackedRule]) -> list[TrackedRule]:
    """The epilogue's rules a derivation of a level's status or the overall
    status can go through (cited/2, unmet/3 and the like never are)."""
    wanted = set(EXPLAINED)
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.head_name in wanted:
                used = {literal.predicate for literal in rule.body} - wanted - {""}
                inner = {
                    str(c.atom[1])
                    for literal in rule.body
                    for e in literal.elements
                    for c in e.condition
                    if c.atom is not None
                }
                if used | (inner - wanted):
                    wanted |= used | inner
                    changed = True
    return [rule for rule in rules if rule.head_name in wanted]
