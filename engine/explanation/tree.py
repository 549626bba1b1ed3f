"""Why and why not: each determination explained from the rules that fired.

The solve of the program with the tracking rules of engine.explanation.tracking
added gives every ground rule instance that fired (fired/3, fired_use/5) and,
for every rule that could have derived a level's indication or exclusion, the
first literal that failed with its bindings (failed/3, failed_witness/4):
clingo decides what holds, this module only reads those atoms and words them.

- why: the derivation tree from a level's status down to the case facts:
  each fired rule with its id, file:line, the criterion it serves in this
  derivation (a labelled rule its own; a helper or concept that of the rule
  above it; the epilogue's glue none) and that criterion's words, and the
  facts and derived atoms it used (derived atoms are expanded in turn);
- why not (levels that are not medically necessary): for each indication of
  the requested procedure the level did not meet, the first condition of each
  of its rules that failed (the deepest literal a binding reached, by
  failed/3), with the case facts that made it fail (behind the bindings and
  the witnesses clingo found) and the reason in words, descending into
  sub-criteria, policy-local concepts and the concepts of concepts.lp;
- assumed absent: the exclusions of the policy that did not apply because
  what they look for is not in the record (a closed fact not stated, or an
  item not documented).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping
from typing import NamedTuple

import clingo

from engine.case import Case
from engine.dependencies import Dependencies
from engine.determination import MEDICALLY_NECESSARY, Determination
from engine.explanation.renaming import LevelRename, NamesOtherLevel
from engine.explanation.tracking import (
    FAILED,
    FIRED,
    FIRED_USE,
    WITNESS,
    TrackedRule,
    Tracking,
    explained_levels,
    track,
)
from engine.knowledge_base import KnowledgeBase
from engine.rule_reader import (
    Binding,
    Term,
    instantiate,
    instantiate_text,
    of_symbol,
    show,
)
from engine.solve import Solver
from engine.vocabulary import BY_SIGNATURE, LEVELS, Kind
from engine.wording import TABLES, Tables, atom_words, not_listed, tables_from

# How deep "why not" descends into sub-criteria and concepts.
MAX_DEPTH = 6


class Use(NamedTuple):
    """One condition a fired rule relied on, ground."""

    literal: str
    kind: str  # fact (of the case) | derived | kb (a fact of the knowledge base) | test


class Step(NamedTuple):
    """A fired rule instance: what it derived, from what, for which criterion."""

    atom: str
    rule: str
    criterion: str | None  # the criterion the rule serves in this derivation
    citation: str | None  # that criterion's words, exactly
    location: str
    uses: tuple[Use, ...]
    children: tuple[Step, ...]


class Failure(NamedTuple):
    """The first condition of a rule that does not hold for this case."""

    criterion: str  # the criterion the failed condition serves
    citation: str
    rule: str
    location: str
    condition: str  # the failed literal (ASP, for the JSON atoms)
    facts: tuple[str, ...]  # the case facts that made it fail
    reason: str  # plain words
    reading: str  # not_stated | not_documented | stated | derived | ''
    inner: tuple[Failure, ...]


class Absent(NamedTuple):
    """An exclusion that did not apply because what it looks for is not in the record."""

    criterion: str
    citation: str
    rule: str
    location: str
    looked_for: str  # the literal (ASP)
    reading: str  # plain words: what was looked for, and that it is taken as absent


class LevelExplanation(NamedTuple):
    level: str
    status: str
    fired: tuple[str, ...]
    why: Step | None
    why_not: tuple[Failure, ...]
    assumed_absent: tuple[Absent, ...]


class Explanation(NamedTuple):
    policy: str
    status: str
    why: Step | None  # for whole-request statuses (not_in_effect, not_addressed)
    levels: tuple[LevelExplanation, ...]
    locations: dict[str, str]  # file:line of every rule id the explanation names
    tables: Tables | None = None  # thresholds and ranges, to word the facts


# --- The model -------------------------------------------------------------------


_LABELLED = ("met", "indication", "exclusion", "otherwise")

# A failure of a rule: (body position, bindings before it, the bindings as printed).
_Failed = tuple[int, Binding, str]


def _start_names(rule: TrackedRule) -> tuple[str, ...]:
    """The head variables every failure of the rule binds (where it starts)."""
    return rule.demand or ((rule.level_variable,) if rule.level_variable else ())


def _start_values(rule: TrackedRule, wanted: Term) -> tuple[Term, ...] | None:
    """The values `wanted` gives the rule's start variables, None if it leaves one open."""
    names = _start_names(rule)
    if not names:
        return None
    values = {}
    for head, value in zip(rule.head[2], wanted[2], strict=False):
        if head[0] == "var" and head[1] in names:
            values[str(head[1])] = value
    found = tuple(values.get(name, ("var", name)) for name in names)
    return None if any(v[0] == "var" or not _is_ground(v) for v in found) else found


class _Model:
    """The tracked answer set: atoms by predicate, rule instances by the head
    they derived, and the first failed literal of each rule by its bindings.

    Atoms arrive as clingo symbols and are read into terms only when asked for.
    """

    def __init__(self, atoms: list[clingo.Symbol], case: Case, tracking: Tracking) -> None:
        self.tracking = tracking
        self._symbols: dict[str, list[clingo.Symbol]] = defaultdict(list)
        self._by_signature: dict[tuple[str, int, bool], list[Term]] = {}
        self._fired_by_policy: dict[str, list[tuple[Term, TrackedRule]]] | None = None
        self._locations: dict[str, str] | None = None
        self.words: dict[Term, str] = {}  # atoms in words, each worded once
        self.derivations: dict[tuple[Term, _Served], Step | None] = {}
        self.failures: dict[tuple[str, Term, int, _Served], Failure | None] = {}
        self.reasons: dict[tuple[str, int, Term, int, _Served, tuple[str, ...]], _Because] = {}
        # fired/3 by the text of the head: (rule id, bindings); read on demand.
        self._fired_symbols: dict[str, list[tuple[str, clingo.Symbol]]] = defaultdict(list)
        self._fired: dict[str, list[tuple[TrackedRule, Binding, str]]] = {}
        self._heads: dict[str, clingo.Symbol] = {}
        # fired_use/5, failed/3, failed_witness/4 by what they are looked up by.
        self._uses: dict[tuple[str, str, str, int], list[clingo.Symbol]] = defaultdict(list)
        self._failed: dict[str, list[tuple[int, clingo.Symbol]]] = defaultdict(list)
        self._witnesses: dict[tuple[str, int, str], list[clingo.Symbol]] = defaultdict(list)
        self._failed_index: dict[str, dict[tuple[Term, ...] | None, list[_Failed]]] = {}
        self._failed_for: dict[tuple[str, Term], list[_Failed]] = {}
        self._demanded: dict[tuple[str, Term], TrackedRule] = {}
        for symbol in atoms:
            self._add(symbol)
        self.tables = self._tables()
        self.case_facts = {of_symbol(fact.symbol) for fact in case.facts}
        # The case facts in a fixed order (by their text), read once.
        self.ordered_facts = sorted(self.case_facts, key=show)
        self.fact_terms = {show(fact): fact for fact in self.ordered_facts}
        self.rules_by_head: dict[str, list[TrackedRule]] = defaultdict(list)
        for rule in tracking.rules.values():
            self.rules_by_head[rule.head_name].append(rule)

    def _add(self, symbol: clingo.Symbol) -> None:
        name = symbol.name
        if name == FIRED:
            rule_id, head, bindings = symbol.arguments
            text = str(head)
            self._fired_symbols[text].append((rule_id.string, bindings))
            self._heads.setdefault(text, head)
        elif name == FIRED_USE:
            rule_id, head, bindings, position, atom = symbol.arguments
            key = (rule_id.string, str(head), str(bindings), position.number)
            self._uses[key].append(atom)
        elif name == FAILED:
            rule_id, position, bindings = symbol.arguments
            self._failed[rule_id.string].append((position.number, bindings))
        elif name == WITNESS:
            rule_id, position, bindings, atom = symbol.arguments
            self._witnesses[(rule_id.string, position.number, str(bindings))].append(atom)
        else:
            self._symbols[name.lstrip("-")].append(symbol)

    def has_fired(self, atom: Term) -> bool:
        return show(atom) in self._fired_symbols

    def fired(self, atom: Term) -> list[tuple[TrackedRule, Binding, str]]:
        """The rule instances that derived an atom (rule, bindings, bindings as
        clingo prints them), in a fixed order."""
        head = show(atom)
        found = self._fired.get(head)
        if found is None:
            found = []
            for rule_id, values in self._fired_symbols.get(head, []):
                rule = self.tracking.rules[rule_id]
                bound = of_symbol(values)[2]
                binding = dict(zip(rule.variables, bound, strict=True))
                found.append((rule, binding, str(values)))
            found.sort(key=lambda item: (item[0].id, item[2]))
            self._fired[head] = found
        return found

    def uses(self, rule: TrackedRule, head: Term, bindings: str, position: int) -> list[Term]:
        """The atoms a body literal stood for in a fired instance (fired_use/5)."""
        found = self._uses.get((rule.id, show(head), bindings, position + 1), [])
        return sorted((of_symbol(s) for s in found), key=show)

    def demanded(self, rule: TrackedRule, wanted: Term) -> TrackedRule:
        """Tracking.demanded, once per rule and head."""
        key = (rule.id, wanted)
        found = self._demanded.get(key)
        if found is None:
            found = self._demanded[key] = self.tracking.demanded(rule, wanted)
        return found

    def failed(self, rule: TrackedRule, wanted: Term) -> list[_Failed]:
        """Where the rule failed for heads like `wanted`: (body position, bindings
        before it, as printed) of the failures whose head can be `wanted`, read
        once per rule and indexed by the values of the head variables every
        failure binds (the level, the demand), then kept per head."""
        key = (rule.id, wanted)
        found = self._failed_for.get(key)
        if found is None:
            index = self._failed_index.get(rule.id)
            if index is None:
                index = self._failed_index[rule.id] = self._index_failed(rule)
            found = self._failed_for[key] = [
                failure
                for failure in index.get(_start_values(rule, wanted), [])
                if _head_compatible(rule.head, failure[1], wanted)
            ]
        return found

    def _index_failed(self, rule: TrackedRule) -> dict[tuple[Term, ...] | None, list[_Failed]]:
        index: dict[tuple[Term, ...] | None, list[_Failed]] = defaultdict(list)
        for position, values in self._failed.get(rule.id, []):
            names = rule.bound_before[position - 1]
            bound = dict(zip(names, of_symbol(values)[2], strict=True))
            failure = (position - 1, bound, str(values))
            start = _start_names(rule)
            key = tuple(bound[n] for n in start) if start else None
            index[key].append(failure)
            if key is not None:
                index[None].append(failure)
        return index

    def witnesses(self, rule_id: str, position: int, bindings: str) -> list[Term]:
        found = self._witnesses.get((rule_id, position + 1, bindings), [])
        return sorted((of_symbol(s) for s in found), key=show)

    def candidates(self, name: str, arity: int, positive: bool) -> list[Term]:
        key = (name, arity, positive)
        found = self._by_signature.get(key)
        if found is None:
            terms = [of_symbol(s) for s in self._symbols.get(name, [])]
            found = [t for t in terms if len(t[2]) == arity and t[3] == positive]
            self._by_signature[key] = found
        return found

    def _tables(self) -> Tables:
        """Thresholds, ranges and levels, to word the facts (wording.Tables)."""
        rows = {
            name: [
                tuple(_argument(a) or "" for a in term[2])
                for term in self.candidates(name, arity, True)
            ]
            for name, arity in TABLES.items()
        }
        return tables_from(rows)

    def locations(self) -> dict[str, str]:
        """file:line of every rule id (one table for all the policies explained)."""
        if self._locations is None:
            self._locations = {r.id: r.location for r in self.tracking.rules.values()}
        return self._locations

    def fired_by_policy(self, policy_id: str) -> list[tuple[Term, TrackedRule]]:
        """Each labelled head the policy's rules derived, with the rule."""
        if self._fired_by_policy is None:
            self._fired_by_policy = defaultdict(list)
            for head, instances in self._fired_symbols.items():
                if head.split("(", 1)[0] not in _LABELLED:
                    continue
                term = of_symbol(self._heads[head])
                for rule_id, _ in instances:
                    rule = self.tracking.rules[rule_id]
                    self._fired_by_policy[rule.policy].append((term, rule))
        return self._fired_by_policy.get(policy_id, [])


def explain(
    case: Case,
    kb: KnowledgeBase,
    policies: list[str],
    determinations: list[Determination],
) -> list[Explanation]:
    """The explanation of each determination, in the same order (one more solve)."""
    tracking = track(kb, policies)
    program = case.program() + tracking.program + explained_levels(case.targets)
    solver = Solver(kb.files(policies), program)
    return explain_answer(solver.last_model([]) or [], case, tracking, determinations)


def explain_answer(
    atoms: list[clingo.Symbol],
    case: Case,
    tracking: Tracking,
    determinations: list[Determination],
    kinds: Mapping[str, Hashable] | None = None,
) -> list[Explanation]:
    """Explanations from an answer set solved with the tracking rules. With the
    levels' kinds (engine.level_symmetry.level_kinds), the first level of each
    kind is explained and the others alike are that explanation with the two
    levels' names swapped (NotAlike if one cannot be); without, every level is
    explained on its own."""
    model = _Model(atoms, case, tracking)
    return [_explain_policy(model, d, kinds or {}) for d in determinations]


def _constant(name: str) -> Term:
    return ("fun", name, (), True)


def _explain_policy(
    model: _Model, determination: Determination, kinds: Mapping[str, Hashable]
) -> Explanation:
    policy = _constant(determination.policy.id)
    request_why = None
    if not determination.levels:
        overall = ("fun", "overall", (policy, _constant(determination.status)), True)
        deciding = next(iter(determination.request_decided_by), None)
        request_why = _derive(model, overall, set(), _Served(policy_id(policy), deciding))
    levels = tuple(_explain_levels(model, determination, kinds))
    locations = model.locations()
    return Explanation(
        determination.policy.id, determination.status, request_why, levels, locations, model.tables
    )


def _explain_levels(
    model: _Model, determination: Determination, kinds: Mapping[str, Hashable]
) -> Iterator[LevelExplanation]:
    """Each level's explanation, in order: the first level of each kind is
    walked (the tracking rules started there: explained_level/1), the others
    are its explanation with the level renamed; NotAlike when that cannot be
    (engine.explanation.renaming)."""
    first_of_kind: dict[Hashable, LevelExplanation] = {}
    targets = list(determination.levels)
    for level in determination.levels.values():
        kind = kinds.get(level.level, level.level)
        first = first_of_kind.get(kind)
        if first is None:
            first = first_of_kind[kind] = _explain_level(
                model, determination, level.level, level.status
            )
            yield first
            continue
        rename = LevelRename(first.level, level.level, targets)
        renamed = _Alike(model, determination.policy.id, rename).level(first)
        if renamed is None or first.status != level.status:
            raise NotAlike(level.level)
        yield renamed


class NotAlike(Exception):
    """A level is not explained as the first of its kind is (its explanation
    names other levels, or its status differs): explain each level on its own."""


class _Alike(NamedTuple):
    """An explanation of one level made that of an alike level: the names
    swapped, except where the knowledge base's facts about the level differ
    (its index in level/3: those derivations are read again at the level)."""

    model: _Model
    policy: str
    rename: LevelRename

    def level(self, first: LevelExplanation) -> LevelExplanation | None:
        """The alike level's explanation, or None when the first's names
        another target level."""
        try:
            return LevelExplanation(
                self.rename.text(first.level),
                first.status,
                first.fired,
                self.step(first.why) if first.why is not None else None,
                tuple(self.failure(failure) for failure in first.why_not),
                tuple(self.absent(absent) for absent in first.assumed_absent),
            )
        except NamesOtherLevel:
            return None

    def step(self, step: Step) -> Step:
        """The step at the other level; one deriving an atom that names no
        level (addressed(P)) is derived once for every level (_derive): kept."""
        rename = self.rename
        if not rename.names_level(step.atom):
            return step
        if any(use.kind == "kb" and rename.names_renamed(use.literal) for use in step.uses):
            return self._derived_again(step)
        uses = tuple(Use(rename.text(use.literal), use.kind) for use in step.uses)
        children = tuple(self.step(child) for child in step.children)
        return step._replace(atom=rename.text(step.atom), uses=uses, children=children)

    def _derived_again(self, step: Step) -> Step:
        atom = of_symbol(clingo.parse_term(self.rename.text(step.atom)))
        found = _derive(self.model, atom, set(), _Served(self.policy, step.criterion))
        if found is None:
            raise NamesOtherLevel(step.atom)  # not derived there: not alike after all
        return found

    def failure(self, failure: Failure) -> Failure:
        rename = self.rename
        return failure._replace(
            condition=rename.text(failure.condition),
            facts=rename.texts(failure.facts),
            reason=rename.text(failure.reason),
            inner=tuple(self.failure(inner) for inner in failure.inner),
        )

    def absent(self, absent: Absent) -> Absent:
        rename = self.rename
        return absent._replace(
            looked_for=rename.text(absent.looked_for), reading=rename.text(absent.reading)
        )


def _explain_level(
    model: _Model, determination: Determination, level: str, status: str
) -> LevelExplanation:
    policy_id = determination.policy.id
    at = _constant(level)
    documented = determination.levels[level].status
    root = ("fun", "level_status", (_constant(policy_id), at, _constant(documented)), True)
    why = _derive(model, root, set(), _Served(policy_id, None))
    why_not: tuple[Failure, ...] = ()
    if status != MEDICALLY_NECESSARY:
        why_not = tuple(_unmet_indications(model, policy_id, at))
    absent = tuple(_assumed_absent(model, policy_id, at))
    return LevelExplanation(level, status, _fired_at(model, policy_id, at), why, why_not, absent)


def _fired_at(model: _Model, policy_id: str, level: Term) -> tuple[str, ...]:
    """Ids of the policy's labelled rules that fired for this level (or policy-wide)."""
    fired = {
        rule.id
        for head, rule in model.fired_by_policy(policy_id)
        if head[1] == "otherwise" or head[2][2] == level
    }
    return tuple(sorted(fired))


# --- Why: the derivation tree ----------------------------------------------------


class _Served(NamedTuple):
    """The policy and the criterion a derivation serves at this depth."""

    policy: str
    criterion: str | None

    def below(self, rule: TrackedRule) -> _Served:
        """What a rule serves: its own criterion when labelled or pinned; the
        epilogue's glue none; a helper or concept the criterion that uses it."""
        if rule.criterion:
            return _Served(self.policy, rule.criterion)
        if rule.id.startswith(f"{EPILOGUE_STEM}:"):
            return _Served(self.policy, None)
        return self


EPILOGUE_STEM = "determination"


def policy_id(term: Term) -> str:
    return str(term[1])


def _derive(model: _Model, atom: Term, expanded: set[Term], served: _Served) -> Step | None:
    """The derivation of an atom. One that names no level (addressed(P),
    severity(S)) is the same under every level: derived once per criterion."""
    if any(_is_level(argument) for argument in atom[2]):
        return _derivation(model, atom, expanded, served)
    key = (atom, served)
    if key not in model.derivations:
        model.derivations[key] = _derivation(model, atom, set(expanded), served)
    expanded.add(atom)
    return model.derivations[key]


def _derivation(model: _Model, atom: Term, expanded: set[Term], served: _Served) -> Step | None:
    instances = model.fired(atom)
    if not instances:
        return None
    rule, binding, printed = instances[0]
    here = served.below(rule)
    if atom[1] == "overall" and served.criterion is not None:
        here = served  # not_in_effect / not_addressed: the effective or scope criterion
    expanded.add(atom)
    uses: list[Use] = []
    children: list[Step] = []
    for position, literal in enumerate(rule.body):
        grounds = _ground_atoms(model, rule, position, binding, printed)
        if grounds is None:
            uses.append(Use(instantiate_text(literal.text, binding), "test"))
            continue
        for ground in grounds:
            uses.append(_use(model, ground, expanded, here, children))
    citation = model.tracking.citation(here.policy, here.criterion)
    return Step(
        show(atom), rule.id, here.criterion, citation, rule.location, tuple(uses), tuple(children)
    )


def _use(
    model: _Model, ground: Term, expanded: set[Term], served: _Served, children: list[Step]
) -> Use:
    text = show(ground)
    if ground in model.case_facts:
        return Use(text, "fact")
    if not model.has_fired(ground):
        return Use(text, "kb")
    if ground not in expanded:
        child = _derive(model, ground, expanded, served)
        if child is not None:
            children.append(child)
    return Use(text, "derived")


def _ground_atoms(
    model: _Model, rule: TrackedRule, position: int, binding: Binding, printed: str
) -> list[Term] | None:
    """The true atoms a positive literal or an aggregate stood for in a fired
    instance; None for tests (comparisons, negations). An atom the bindings
    do not name (an anonymous variable) and the elements that decided an
    aggregate (the #max itself) come from fired_use/5, computed by clingo;
    of several, the one that carries a bound value (the therapy a #max chose)."""
    literal = rule.body[position]
    if literal.kind == "aggregate" and not literal.negated:
        elements = model.uses(rule, rule_head(rule, binding), printed, position)
        return elements[:1] if literal.function in ("max", "min") else elements
    if literal.kind != "atom" or literal.negated or literal.atom is None:
        return None
    ground = instantiate(literal.atom, binding)
    if literal.atom is not None and _is_ground(ground):
        return [ground]
    found = model.uses(rule, rule_head(rule, binding), printed, position)
    values = set(binding.values())
    chosen = next((c for c in found if values & set(c[2])), found[0] if found else None)
    return [chosen] if chosen is not None else []


def rule_head(rule: TrackedRule, binding: Binding) -> Term:
    return instantiate(rule.head, binding)


def _is_ground(term: Term) -> bool:
    if term[0] == "var":
        return False
    return term[0] != "fun" or all(_is_ground(a) for a in term[2])


def case_facts_of(step: Step) -> list[str]:
    """The case facts a derivation rests on, in order of use."""
    found = [use.literal for use in step.uses if use.kind == "fact"]
    for child in step.children:
        found.extend(case_facts_of(child))
    return list(dict.fromkeys(found))


# --- Why not: first failed conditions, as clingo found them ---------------------------


def _unmet_indications(model: _Model, policy_id: str, level: Term) -> Iterator[Failure]:
    """The first failure of each rule of each indication the level did not meet
    (rules for another procedure than the one requested never start: see
    engine.explanation.tracking)."""
    indicated = _criteria_holding(model, "indication", 3, policy_id, level)
    served = _Served(policy_id, None)
    seen: set[tuple[str, str, str]] = set()
    for criterion, rules in sorted(_policy_rules(model, policy_id, "indication").items()):
        if ("str", criterion) in indicated or model.tracking.role(policy_id, criterion) == "note":
            continue
        for rule in rules:
            failure = _rule_failure(model, rule, _at_level(rule, level), 0, served)
            if failure is not None and not _for_another_procedure(failure):
                key = (failure.criterion, failure.condition, failure.reason)
                if key not in seen:
                    seen.add(key)
                    yield failure


# The concept of kb/concepts.lp that says which procedure a request is for.
REQUESTED = "requested"


def _for_another_procedure(failure: Failure) -> bool:
    """A rule that failed only because it serves another procedure than the one
    requested (PKP.* on a vertebroplasty request, every indication on a
    sacroplasty request): not a reason this request is unmet."""
    return all(leaf.condition.startswith(f"{REQUESTED}(") for leaf in _leaves(failure))


def _criteria_holding(
    model: _Model, head: str, arity: int, policy_id: str, level: Term
) -> set[Term]:
    """Criterion ids (as string terms) of the policy's head atoms true at the level."""
    policy = _constant(policy_id)
    return {
        atom[2][1]
        for atom in model.candidates(head, arity, True)
        if atom[2][0] == policy and atom[2][2] == level
    }


def _policy_rules(model: _Model, policy_id: str, head: str) -> dict[str, list[TrackedRule]]:
    grouped: dict[str, list[TrackedRule]] = defaultdict(list)
    for rule in model.rules_by_head.get(head, []):
        if rule.policy == policy_id and rule.labelled:
            grouped[rule.criterion].append(rule)
    return grouped


def _at_level(rule: TrackedRule, level: Term) -> Term:
    """The head of a labelled rule at a level (its level variable bound)."""
    return instantiate(rule.head, {rule.level_variable: level} if rule.level_variable else {})


def _rule_failure(
    model: _Model, rule: TrackedRule, wanted: Term, depth: int, served: _Served
) -> Failure | None:
    """The first literal of the rule that failed for the head wanted (from
    failed/3: the deepest literal the bindings that could derive it reached),
    or None when the rule did not fail for it (it fired, or never started)."""
    rule = model.demanded(rule, wanted)
    key = (rule.id, wanted, depth, served)
    if key not in model.failures:
        model.failures[key] = _first_failure(model, rule, wanted, depth, served)
    return model.failures[key]


def _first_failure(
    model: _Model, rule: TrackedRule, wanted: Term, depth: int, served: _Served
) -> Failure | None:
    failures = model.failed(rule, wanted)
    if not failures:
        return None
    deepest = max(rule.order.index(position) for position, _, _ in failures)
    position = rule.order[deepest]
    at = [(binding, printed) for p, binding, printed in failures if p == position]
    binding = _shared([b for b, _ in at])
    here = served.below(rule)
    literal = rule.body[position]
    condition = (
        show(instantiate(literal.atom, binding))
        if literal.kind == "atom" and literal.atom is not None
        else instantiate_text(literal.text, binding)
    )
    condition = ("not " if literal.negated and literal.kind == "atom" else "") + condition
    because = _because_once(model, _Site(rule, position, at, depth, here))
    criterion = here.criterion or ""
    citation = model.tracking.citation(here.policy, here.criterion) or ""
    return Failure(criterion, citation, rule.source, rule.location, condition, *because)


def _compatible(term: Term, wanted: Term) -> bool:
    """Two terms that can stand for the same atom: equal where both are ground."""
    if term[0] == "var" or wanted[0] == "var":
        return True
    if term[0] == "fun" and wanted[0] == "fun":
        same = term[1] == wanted[1] and term[3] == wanted[3] and len(term[2]) == len(wanted[2])
        return same and all(_compatible(a, b) for a, b in zip(term[2], wanted[2], strict=True))
    return term == wanted


def _head_compatible(head: Term, binding: Binding, wanted: Term) -> bool:
    """_compatible(instantiate(head, binding), wanted), without building the term
    (equal terms first: the usual case, compared in one step)."""
    kind = head[0]
    if kind == "var":
        value = binding.get(str(head[1]))
        return value is None or value == wanted or _compatible(value, wanted)
    if wanted[0] == "var" or head == wanted:
        return True
    if kind == "fun" and wanted[0] == "fun":
        arguments, others = head[2], wanted[2]
        if head[1] != wanted[1] or head[3] != wanted[3] or len(arguments) != len(others):
            return False
        for argument, other in zip(arguments, others, strict=True):
            if not _head_compatible(argument, binding, other):
                return False
        return True
    return False


def _shared(bindings: list[Binding]) -> Binding:
    """The values every binding agrees on: a variable bound differently by
    several ways of meeting the earlier conditions stays unbound ('any')."""
    first = bindings[0]
    return {k: v for k, v in first.items() if all(b.get(k) == v for b in bindings[1:])}


_Because = tuple[tuple[str, ...], str, str, tuple[Failure, ...]]  # facts, reason, reading, inner


class _Site(NamedTuple):
    """A failed literal: its rule and place, the bindings that reached it (with
    their printing, to find the witnesses), how deep, for which criterion."""

    rule: TrackedRule
    position: int
    at: list[tuple[Binding, str]]
    depth: int
    here: _Served


def _because_once(model: _Model, site: _Site) -> _Because:
    """_because, once per failed atom: the reason an atom failed depends on
    the atom (a request of 30 levels asks for `condition(pregnancy)` 30 times)
    and, for a negation or a fact of the knowledge base, on the bindings that
    reached it."""
    literal = site.rule.body[site.position]
    if literal.kind != "atom" or literal.atom is None:
        return _because(model, site)
    pattern = instantiate(literal.atom, _shared([b for b, _ in site.at]))
    reached = _bindings_read(model, site, pattern)
    key = (site.rule.source, site.position, pattern, site.depth, site.here, reached)
    found = model.reasons.get(key)
    if found is None:
        found = model.reasons[key] = _because(model, site)
    return found


def _bindings_read(model: _Model, site: _Site, pattern: Term) -> tuple[str, ...]:
    """The bindings (as printed) a reason reads besides the atom: a failed fact
    of the knowledge base (`lesion_kind(osteoporotic)`) is worded with the case
    facts behind the earlier literals (_facts_before), which are the level's."""
    name = str(pattern[1])
    if site.rule.body[site.position].negated:  # its witnesses are the bindings'
        return tuple(printed for _, printed in site.at)
    if (name, len(pattern[2])) in BY_SIGNATURE or name in model.tracking.checked:
        return ()
    return tuple(printed for _, printed in site.at)


# How deep "why not" descends into the concepts of concepts.lp.
CONCEPT_DEPTH = 6

# How a reason names what the criterion needs (engine.explanation.render
# gathers the alternatives of one condition after it).
NEEDS = "the criterion needs "


def _because(model: _Model, site: _Site) -> _Because:
    """Why a literal failed: the ground facts that made it fail (from the
    model), in words, or the failures of what it refers to."""
    rule, position, at, depth, here = site
    literal = rule.body[position]
    binding = _shared([b for b, _ in at])
    if literal.kind != "atom" or literal.negated or literal.atom is None:
        witnesses = [w for _, printed in at for w in model.witnesses(rule.id, position, printed)]
        facts = _facts_of(model, witnesses, here)
        if literal.negated and literal.kind == "atom":
            found = witnesses[0] if witnesses else instantiate(literal.atom or ("num", 0), binding)
            return facts, _stated(model, facts, "") or _words(model, found), "stated", ()
        facts = tuple(dict.fromkeys([*_facts_before(model, rule, position, at), *facts]))
        return facts, _stated(model, facts, "which does not meet it") or "not met", "stated", ()
    pattern = instantiate(literal.atom, binding)
    name, arity = str(pattern[1]), len(pattern[2])
    vocabulary = BY_SIGNATURE.get((name, arity))
    if vocabulary is not None:
        return _vocabulary_reason(model, pattern, vocabulary.kind)
    deriving = [r for r in model.rules_by_head.get(name, []) if r.policy in (rule.policy, "")]
    if name not in model.tracking.checked:  # a fact of the knowledge base
        facts = tuple(dict.fromkeys(_facts_before(model, rule, position, at)))
        wanted = _table_words(model, pattern, rule.policy) or f"{NEEDS}{_words(model, pattern)}"
        if facts:
            return facts, _stated(model, facts, wanted), "stated", ()
        return (), _not_words(model, pattern), "level", ()
    concept = bool(deriving) and all(r.policy == "" for r in deriving)
    if concept and depth < CONCEPT_DEPTH + MAX_DEPTH:
        return _concept_reason(model, pattern, deriving, depth, here)
    if deriving and depth < MAX_DEPTH:
        inner = tuple(
            f
            for r in deriving
            if (f := _rule_failure(model, r, pattern, depth + 1, here)) is not None
        )
        if inner:
            return (), "", "derived", inner
    return _related_facts(model, pattern)


def _table_words(model: _Model, pattern: Term, policy: str) -> str:
    """A value looked up in a table of the knowledge base and not found
    ('osteoporotic is not a malignant cause'), or '' when the lookup is not of
    constants alone (a level, an open argument)."""
    arguments = pattern[2]
    if not arguments or not all(a[0] == "fun" and not a[2] for a in arguments):
        return ""
    if any(_is_level(a) for a in arguments):
        return ""
    name = str(pattern[1]).removeprefix(f"{policy}_")
    return not_listed(name, [str(a[1]) for a in arguments], model.tables)


def _concept_reason(
    model: _Model, pattern: Term, rules: list[TrackedRule], depth: int, here: _Served
) -> _Because:
    """A failed concept of concepts.lp (onset_le, longest_therapy_at_least):
    the case facts behind the failures of its rules, and the concept in words."""
    leaves = [
        leaf
        for r in rules
        if (f := _rule_failure(model, r, pattern, depth + 1, here)) is not None
        for leaf in _leaves(f)
    ]
    facts = tuple(dict.fromkeys(fact for leaf in leaves for fact in leaf.facts))
    wanted = _words(model, pattern)
    if facts:
        return facts, _stated(model, facts, f"{NEEDS}{wanted}"), "stated", ()
    readings = {leaf.reading for leaf in leaves}
    for reading, said in (("not_documented", "documented"), ("not_stated", "stated")):
        if reading in readings:
            return (), f"not {said}: {wanted}", reading, ()
    if leaves:
        return (), _not_words(model, pattern), "level", ()
    return _related_facts(model, pattern)


def _leaves(failure: Failure) -> list[Failure]:
    if not failure.inner:
        return [failure]
    return [leaf for inner in failure.inner for leaf in _leaves(inner)]


def _words(model: _Model, term: Term) -> str:
    found = model.words.get(term)
    if found is None:
        arguments = [_argument(a) for a in term[2]]
        found = model.words[term] = atom_words(str(term[1]), arguments, bool(term[3]), model.tables)
    return found


def _not_words(model: _Model, term: Term) -> str:
    """A fact of the knowledge base that does not hold ('T3 is not within T5–L5')."""
    if not term[3]:  # '-p' does not hold: that is not to say p does
        return f"not {_words(model, term)}"
    return _words(model, (*term[:3], False))


def _argument(term: Term) -> str | None:
    if term[0] == "var":
        return None
    return str(term[1]) if term[0] == "str" else show(term)


def _stated(model: _Model, facts: tuple[str, ...], then: str) -> str:
    """'the record states X and Y[, then]' for case facts in ASP text."""
    if not facts:
        return ""
    words = " and ".join(_words(model, _fact_term(model, fact)) for fact in facts)
    return f"the record states {words}" + (f"; {then}" if then else "")


def _fact_term(model: _Model, text: str) -> Term:
    return model.fact_terms[text]


def _facts_before(
    model: _Model, rule: TrackedRule, position: int, at: list[tuple[Binding, str]]
) -> list[str]:
    """The case facts behind the literals before a failed test that bound the
    values it read (the #max, the documented days), for each failing binding."""
    literal = rule.body[position]
    wanted = set(literal.variables) | set(literal.element_variables)
    found: list[str] = []
    for binding, _ in at:
        for earlier in rule.order[: rule.order.index(position)]:
            before = rule.body[earlier]
            if before.kind != "atom" or before.negated or before.atom is None:
                continue
            if not wanted & set(before.variables):
                continue
            ground = instantiate(before.atom, binding)
            if _is_ground(ground):
                found.extend(_facts_behind(model, ground, _Served(rule.policy, None)))
    return found


def _facts_of(model: _Model, atoms: list[Term], served: _Served) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for atom in atoms for f in _facts_behind(model, atom, served)))


def _facts_behind(model: _Model, atom: Term, served: _Served) -> tuple[str, ...]:
    """The case facts an atom is, or rests on (target levels and the request aside)."""
    if atom in model.case_facts:
        facts = [show(atom)]
    else:
        step = _derive(model, atom, set(), served)
        facts = case_facts_of(step) if step is not None else []
    return tuple(f for f in facts if not f.startswith(_CONTEXT))


# Facts every case states: never the reason a condition failed.
_CONTEXT = ("target(", "procedure(", "cpt(", "service_date(")


def _vocabulary_reason(model: _Model, pattern: Term, kind: Kind) -> _Because:
    stated = tuple(show(f) for f in _facts_like(model, pattern))
    if stated:
        needs = NEEDS + _words(model, pattern)
        return stated, _stated(model, stated, needs), "stated", ()
    if kind == Kind.DOCUMENTATION:
        return (), f"not documented: {_words(model, pattern)}", "not_documented", ()
    return (), f"not stated: {_words(model, pattern)}", "not_stated", ()


def _facts_like(model: _Model, pattern: Term) -> list[Term]:
    """Case facts of the same predicate, either sign, at the same level if the
    pattern's first argument is ground."""
    name, arguments = str(pattern[1]), pattern[2]
    first = arguments[0] if arguments and _is_level(arguments[0]) else None
    return [
        fact
        for fact in model.ordered_facts
        if fact[1] == name
        and len(fact[2]) == len(arguments)
        and (first is None or fact[2][0] == first)
    ]


def _related_facts(model: _Model, pattern: Term) -> _Because:
    """For a failed literal whose rules were not followed (the depth reached, or
    a fact of the knowledge base): the case facts its defining rules read, at
    the same level."""
    first = pattern[2][0] if pattern[2] else None
    level = first if first is not None and _is_level(first) else None
    names = _vocabulary_behind(model, str(pattern[1]))
    facts = tuple(
        show(fact)
        for fact in model.ordered_facts
        if fact[1] in names and (level is None or not fact[2] or fact[2][0] == level)
    )
    wanted = _words(model, pattern)
    if facts:
        return facts, _stated(model, facts, f"{NEEDS}{wanted}"), "stated", ()
    if not names:  # a fact of the knowledge base about the level (its region, a range)
        return (), _not_words(model, pattern), "level", ()
    documentation = any(BY_SIGNATURE[n].kind == Kind.DOCUMENTATION for n in _signatures(names))
    reading = "not_documented" if documentation else "not_stated"
    return (), f"not {'documented' if documentation else 'stated'}: {wanted}", reading, ()


def _signatures(names: set[str]) -> list[tuple[str, int]]:
    return sorted(signature for signature in BY_SIGNATURE if signature[0] in names)


def _is_level(term: Term) -> bool:
    return term[0] == "fun" and not term[2] and str(term[1]) in LEVELS.members


_VOCABULARY_NAMES = frozenset(name for name, _arity in BY_SIGNATURE)


def _vocabulary_behind(model: _Model, name: str) -> set[str]:
    """Case-vocabulary predicates a derived predicate rests on, through the
    positive atoms of the rules' bodies (engine.dependencies)."""
    dependencies = Dependencies(
        (head, _positive_atoms(rules)) for head, rules in model.rules_by_head.items()
    )
    return set(dependencies.behind(name, _VOCABULARY_NAMES) - {name})


def _positive_atoms(rules: list[TrackedRule]) -> Iterator[str]:
    for rule in rules:
        for literal in rule.body:
            if literal.kind == "atom" and literal.atom is not None and not literal.negated:
                yield str(literal.atom[1])


# --- Assumed absent ------------------------------------------------------------------


def _assumed_absent(model: _Model, policy_id: str, level: Term) -> Iterator[Absent]:
    """Exclusions of the policy that did not apply because what they look for is
    not in the record: a closed fact not stated (absent), or a documentation
    item not documented. Exclusions that do not apply for other reasons (the
    procedure, the level, a threshold, a fact stated otherwise) are not listed."""
    applied = _criteria_holding(model, "exclusion", 4, policy_id, level)
    served = _Served(policy_id, None)
    for criterion, rules in sorted(_policy_rules(model, policy_id, "exclusion").items()):
        if ("str", criterion) in applied:
            continue
        for rule in rules:
            failure = _rule_failure(model, rule, _at_level(rule, level), MAX_DEPTH, served)
            if failure is None or failure.reading not in ("not_stated", "not_documented"):
                continue
            reading = failure.reason.split(": ", 1)[-1]
            taken = (
                "not stated, taken as absent"
                if failure.reading == "not_stated"
                else ("not documented, taken as absent")
            )
            yield Absent(
                criterion,
                failure.citation,
                rule.id,
                rule.location,
                failure.condition,
                f"{reading} ({taken})",
            )
