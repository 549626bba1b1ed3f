"""Why and why not: each determination explained from the rules that fired.

One more solve of the same program, with the tracking rules of
engine.explanation.tracking added, gives every ground rule instance that fired. From it:

- why: the derivation tree from a level's status down to the case facts:
  each fired rule with its id, file:line, the criterion it serves in this
  derivation (a labelled rule its own; a helper or concept that of the rule
  above it; the epilogue's glue none) and that criterion's words, and the
  facts and derived atoms it used (derived atoms are expanded in turn);
- why not (levels that are not medically necessary): for each indication of
  the requested procedure the level did not meet, the first condition of each
  of its rules that failed, with the case facts that made it fail and the
  reason in words, descending into sub-criteria and policy-local concepts;
- assumed absent: the exclusions of the policy that did not apply because
  what they look for is not in the record (a closed fact not stated, or an
  item not documented).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

import clingo

from engine.asp_text import (
    Binding,
    Literal,
    Term,
    compare,
    is_ground,
    match,
    of_text,
    show,
    substitute,
    substitute_text,
    variables,
)
from engine.case import Case
from engine.determination import MEDICALLY_NECESSARY, Determination
from engine.explanation.tracking import FIRED, TrackedRule, Tracking, track
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver
from engine.vocabulary import BY_SIGNATURE, LEVELS, Kind
from engine.wording import TABLES, Tables, atom_words, tables_from

# How deep "why not" descends into sub-criteria and concepts.
MAX_DEPTH = 3


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


class _Model:
    """The tracked answer set: atoms by predicate, and rule instances by the head they derived.

    Atoms arrive as clingo symbols; each is printed once (one call into clingo)
    and read into a term only when its predicate is first looked at.
    """

    def __init__(self, atoms: list[clingo.Symbol], case: Case, tracking: Tracking) -> None:
        self.tracking = tracking
        self._texts: dict[str, list[str]] = defaultdict(list)
        self._terms: dict[str, list[Term]] = {}
        self._by_signature: dict[tuple[str, int, bool], list[Term]] = {}
        self._by_ground: dict[tuple[str, int, bool, tuple[int, ...]], dict[Any, list[Term]]] = {}
        self._fired_by_policy: dict[str, list[tuple[Term, TrackedRule]]] | None = None
        self._locations: dict[str, str] | None = None
        self.words: dict[Term, str] = {}  # atoms in words, each worded once
        self._read: dict[str, Term] = {}
        self.other_procedure: dict[str, bool] = {}  # rule id -> asks another procedure
        self.level_free_failures: dict[tuple[str, int, _Served], Failure | None] = {}
        self.derivations: dict[tuple[Term, _Served], Step | None] = {}
        # fired/3 atoms by the text of the head they derived; each is read into
        # terms only when a derivation asks for it (most never are).
        self._fired_texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._fired: dict[str, list[tuple[TrackedRule, Binding]]] = {}
        for text in map(str, atoms):
            name = text.split("(", 1)[0]
            if name == FIRED:
                self._add_fired(text)
            elif name != "criterion":
                self._texts[name.lstrip("-")].append(text)
        self.tables = self._tables()
        self.case_facts = {of_text(str(fact.symbol)) for fact in case.facts}
        # The case facts in a fixed order (by their text), read once.
        self.ordered_facts = sorted(self.case_facts, key=show)
        self.rules_by_head: dict[str, list[TrackedRule]] = defaultdict(list)
        for rule in tracking.rules.values():
            self.rules_by_head[rule.head_name].append(rule)

    def _add_fired(self, text: str) -> None:
        """fired("<rule id>",HEAD,(V1,...)): rule ids hold no quotes, bindings no ',('."""
        rule_id, rest = text[len(FIRED) + 2 :].split('",', 1)
        cut = rest.rindex(",(")
        self._fired_texts[rest[:cut]].append((rule_id, rest[cut + 1 : -1]))

    def term_of(self, text: str) -> Term:
        """A ground atom's text as a term, each text read once."""
        found = self._read.get(text)
        if found is None:
            found = self._read[text] = of_text(text)
        return found

    def has_fired(self, atom: Term) -> bool:
        return show(atom) in self._fired_texts

    def fired(self, atom: Term) -> list[tuple[TrackedRule, Binding]]:
        """The rule instances that derived an atom, in a fixed order."""
        head = show(atom)
        found = self._fired.get(head)
        if found is None:
            found = []
            for rule_id, values in self._fired_texts.get(head, []):
                rule = self.tracking.rules[rule_id]
                bound = of_text(values)[2] if rule.variables else ()
                found.append((rule, dict(zip(rule.variables, bound, strict=True))))
            found.sort(key=lambda item: (item[0].id, sorted(item[1].items())))
            self._fired[head] = found
        return found

    def candidates(self, name: str, arity: int, positive: bool) -> list[Term]:
        key = (name, arity, positive)
        found = self._by_signature.get(key)
        if found is None:
            terms = self._terms.get(name)
            if terms is None:
                terms = self._terms[name] = [of_text(text) for text in self._texts.get(name, [])]
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

    def candidates_like(self, pattern: Term) -> list[Term]:
        """The atoms of the pattern's predicate that agree with its ground arguments
        (an index per predicate and set of ground positions, built when first asked)."""
        name, arguments, positive = str(pattern[1]), pattern[2], bool(pattern[3])
        ground = tuple(i for i, argument in enumerate(arguments) if is_ground(argument))
        if not ground:
            return self.candidates(name, len(arguments), positive)
        key = (name, len(arguments), positive, ground)
        index = self._by_ground.get(key)
        if index is None:
            index = defaultdict(list)
            for term in self.candidates(name, len(arguments), positive):
                index[tuple(term[2][i] for i in ground)].append(term)
            self._by_ground[key] = index
        return index.get(tuple(arguments[i] for i in ground), [])

    def locations(self) -> dict[str, str]:
        """file:line of every rule id (one table for all the policies explained)."""
        if self._locations is None:
            self._locations = {r.id: r.location for r in self.tracking.rules.values()}
        return self._locations

    def fired_by_policy(self, policy_id: str) -> list[tuple[Term, TrackedRule]]:
        """Each labelled head the policy's rules derived, with the rule."""
        if self._fired_by_policy is None:
            self._fired_by_policy = defaultdict(list)
            for head, instances in self._fired_texts.items():
                if head.split("(", 1)[0] in ("met", "indication", "exclusion", "otherwise"):
                    term = of_text(head)
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
    solver = Solver(kb.files(policies), case.program() + tracking.program)
    return explain_answer(solver.all_atoms(), case, tracking, determinations)


def explain_answer(
    atoms: list[clingo.Symbol],
    case: Case,
    tracking: Tracking,
    determinations: list[Determination],
) -> list[Explanation]:
    """Explanations from an answer set solved with the tracking rules."""
    model = _Model(atoms, case, tracking)
    return [_explain_policy(model, d) for d in determinations]


def _constant(name: str) -> Term:
    return ("fun", name, (), True)


def _explain_policy(model: _Model, determination: Determination) -> Explanation:
    policy = _constant(determination.policy.id)
    request_why = None
    if not determination.levels:
        overall = ("fun", "overall", (policy, _constant(determination.status)), True)
        deciding = next(iter(determination.request_decided_by), None)
        request_why = _derive(model, overall, set(), _Served(policy_id(policy), deciding))
    levels = tuple(
        _explain_level(model, determination, level.level, level.status)
        for level in determination.levels.values()
    )
    locations = model.locations()
    return Explanation(
        determination.policy.id, determination.status, request_why, levels, locations, model.tables
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
    rule, binding = instances[0]
    here = served.below(rule)
    if atom[1] == "overall" and served.criterion is not None:
        here = served  # not_in_effect / not_addressed: the effective or scope criterion
    expanded.add(atom)
    uses: list[Use] = []
    children: list[Step] = []
    for literal in rule.body:
        ground = _ground_atom(model, literal, binding)
        if ground is None:
            uses.append(Use(substitute_text(literal.text, binding), "test"))
            continue
        text = show(ground)
        if ground in model.case_facts:
            uses.append(Use(text, "fact"))
        elif model.has_fired(ground):
            uses.append(Use(text, "derived"))
            if ground not in expanded:
                child = _derive(model, ground, expanded, here)
                if child is not None:
                    children.append(child)
        else:
            uses.append(Use(text, "kb"))
    citation = model.tracking.citation(here.policy, here.criterion)
    return Step(
        show(atom), rule.id, here.criterion, citation, rule.location, tuple(uses), tuple(children)
    )


def _ground_atom(model: _Model, literal: Literal, binding: Binding) -> Term | None:
    """The true atom a positive body literal stood for under this binding
    (anonymous variables resolved against the model, preferring an atom that
    carries one of the bound values: the therapy a #max chose), or None for tests."""
    if literal.kind != "atom" or literal.negated or literal.atom is None:
        return None
    pattern = substitute(literal.atom, binding)
    found = [c for c in _candidates(model, pattern) if match(pattern, c, {}) is not None]
    if not found:
        return None
    values = set(binding.values())
    return next((c for c in found if values & set(c[2])), found[0])


def _candidates(model: _Model, pattern: Term) -> list[Term]:
    return model.candidates_like(pattern)


def case_facts_of(step: Step) -> list[str]:
    """The case facts a derivation rests on, in order of use."""
    found = [use.literal for use in step.uses if use.kind == "fact"]
    for child in step.children:
        found.extend(case_facts_of(child))
    return list(dict.fromkeys(found))


# --- Why not: first failed conditions ----------------------------------------------


def _unmet_indications(model: _Model, policy_id: str, level: Term) -> Iterator[Failure]:
    """The first failure of each rule of each indication the level did not meet,
    leaving out rules for another procedure than the one requested."""
    indicated = _criteria_holding(model, "indication", 3, policy_id, level)
    served = _Served(policy_id, None)
    seen: set[tuple[str, str, str]] = set()
    for criterion, rules in sorted(_policy_rules(model, policy_id, "indication").items()):
        if ("str", criterion) in indicated or model.tracking.role(policy_id, criterion) == "note":
            continue
        for rule in rules:
            if _for_another_procedure(model, rule):
                continue
            failure = _level_failure(model, rule, level, 0, served)
            if failure is not None:
                key = (failure.criterion, failure.condition, failure.reason)
                if key not in seen:
                    seen.add(key)
                    yield failure


def _for_another_procedure(model: _Model, rule: TrackedRule) -> bool:
    """The rule asks for a procedure other than the one requested."""
    known = model.other_procedure.get(rule.id)
    if known is None:
        known = model.other_procedure[rule.id] = _asks_another_procedure(model, rule)
    return known


def _asks_another_procedure(model: _Model, rule: TrackedRule) -> bool:
    for literal in rule.body:
        asks = literal.kind == "atom" and not literal.negated and literal.predicate == "requested"
        if asks and literal.atom is not None and not _candidates_matching(model, literal.atom):
            return True
    return False


def _candidates_matching(model: _Model, pattern: Term) -> list[Term]:
    return [c for c in _candidates(model, pattern) if match(pattern, c, {}) is not None]


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


def _level_failure(
    model: _Model, rule: TrackedRule, level: Term, depth: int, served: _Served
) -> Failure | None:
    """The first failure of a labelled rule at a level. A rule that reads its
    level only through target/1 fails the same way at every target level: it
    is evaluated once (a request of 30 levels asks 30 times)."""
    if not _level_free(rule):
        return _first_failure(model, rule, _level_binding(rule, level), depth, served)
    key = (rule.id, depth, served)
    if key not in model.level_free_failures:
        failure = _first_failure(model, rule, _level_binding(rule, level), depth, served)
        model.level_free_failures[key] = failure
    return model.level_free_failures[key]


def _level_free(rule: TrackedRule) -> bool:
    arguments = rule.head[2]
    if len(arguments) < 3 or arguments[2][0] != "var":
        return False
    name = str(arguments[2][1])
    return all(
        literal.predicate == "target" or name not in variables(literal.text)
        for literal in rule.body
    )


def _level_binding(rule: TrackedRule, level: Term) -> Binding:
    """Bind the level variable of a met/indication/exclusion head (its third argument)."""
    arguments = rule.head[2]
    if len(arguments) >= 3 and arguments[2][0] == "var":
        return {str(arguments[2][1]): level}
    return {}


def _first_failure(
    model: _Model, rule: TrackedRule, start: Binding, depth: int, served: _Served
) -> Failure | None:
    """The first body literal of the rule that no binding extending `start` satisfies."""
    here = served.below(rule)
    bindings = [start]
    for position, literal in enumerate(rule.body):
        extended = list(_solutions(model, literal, bindings))
        if extended:
            bindings = extended[:50]
            continue
        binding = _shared(bindings)
        condition = substitute_text(literal.text, binding)
        because = _because(model, rule, position, binding, depth, here)
        criterion = here.criterion or ""
        citation = model.tracking.citation(here.policy, here.criterion) or ""
        return Failure(criterion, citation, rule.id, rule.location, condition, *because)
    return None


def _shared(bindings: list[Binding]) -> Binding:
    """The values every binding agrees on: a variable bound differently by
    several ways of meeting the earlier conditions stays unbound ('any')."""
    first = bindings[0]
    return {k: v for k, v in first.items() if all(b.get(k) == v for b in bindings[1:])}


def _solutions(model: _Model, literal: Literal, bindings: list[Binding]) -> Iterator[Binding]:
    if literal.kind == "atom" and literal.atom is not None:
        for binding in bindings:
            pattern = substitute(literal.atom, binding)
            matches = [
                result
                for candidate in _candidates(model, pattern)
                if (result := match(literal.atom, candidate, binding)) is not None
            ]
            if not literal.negated:
                yield from matches
            elif not matches:
                yield binding
        return
    if literal.kind == "comparison" and literal.left is not None and literal.right is not None:
        for binding in bindings:
            left, right = substitute(literal.left, binding), substitute(literal.right, binding)
            truth = compare(left, literal.operator, right)
            if truth is None or truth is (not literal.negated):
                yield binding
        return
    yield from bindings  # aggregates and constants: not evaluated here, taken as satisfied


_Because = tuple[tuple[str, ...], str, str, tuple[Failure, ...]]  # facts, reason, reading, inner


def _because(
    model: _Model, rule: TrackedRule, position: int, binding: Binding, depth: int, here: _Served
) -> _Because:
    """Why a literal fails: the case facts behind it, in words, or the failures
    of what it refers to."""
    literal = rule.body[position]
    if literal.kind != "atom" or literal.atom is None:
        facts = _facts_before(model, rule, position, binding)
        return facts, _stated(model, facts, "which does not meet it") or "not met", "stated", ()
    pattern = substitute(literal.atom, binding)
    if literal.negated:
        holding = _candidates_matching(model, pattern)
        found = holding[0] if holding else pattern
        facts = _facts_behind(model, found, here)
        return facts, _stated(model, facts, "") or _words(model, found), "stated", ()
    name, arity = str(pattern[1]), len(pattern[2])
    vocabulary = BY_SIGNATURE.get((name, arity))
    if vocabulary is not None:
        return _vocabulary_reason(model, pattern, vocabulary.kind)
    if depth < MAX_DEPTH:
        inner = tuple(_failures_of(model, rule.policy, pattern, depth + 1, here))
        if inner:
            return (), "", "derived", inner
    return _related_facts(model, pattern)


def _words(model: _Model, term: Term) -> str:
    found = model.words.get(term)
    if found is None:
        arguments = [_argument(a) for a in term[2]]
        found = model.words[term] = atom_words(str(term[1]), arguments, bool(term[3]), model.tables)
    return found


def _argument(term: Term) -> str | None:
    if term[0] == "var":
        return None
    return str(term[1]) if term[0] == "str" else show(term)


def _stated(model: _Model, facts: tuple[str, ...], then: str) -> str:
    """'the record states X and Y[, then]' for case facts in ASP text."""
    if not facts:
        return ""
    words = " and ".join(_words(model, model.term_of(fact)) for fact in facts)
    return f"the record states {words}" + (f"; {then}" if then else "")


def _facts_before(
    model: _Model, rule: TrackedRule, position: int, binding: Binding
) -> tuple[str, ...]:
    """The case facts behind the literals before a failed test (the values it compared)."""
    found: list[str] = []
    for literal in rule.body[:position]:
        ground = _ground_atom(model, literal, binding)
        if ground is not None:
            found.extend(_facts_behind(model, ground, _Served(rule.policy, None)))
    return tuple(dict.fromkeys(found))


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
        needs = "the criterion needs " + _words(model, pattern)
        return stated, _stated(model, stated, needs), "stated", ()
    if kind == Kind.DOCUMENTATION:
        return (), f"not documented: {_words(model, pattern)}", "not_documented", ()
    return (), f"not stated: {_words(model, pattern)}", "not_stated", ()


def _facts_like(model: _Model, pattern: Term) -> list[Term]:
    """Case facts of the same predicate, either sign, at the same level if the
    pattern's first argument is ground."""
    name, arguments = str(pattern[1]), pattern[2]
    first = arguments[0] if arguments and arguments[0][0] != "var" else None
    found = [
        fact
        for fact in model.ordered_facts
        if fact[1] == name
        and len(fact[2]) == len(arguments)
        and (first is None or fact[2][0] == first)
    ]
    return found


def _failures_of(
    model: _Model, policy_id: str, pattern: Term, depth: int, served: _Served
) -> Iterator[Failure]:
    """For a failed derived literal of the policy (a sub-criterion or a local
    concept), the first failures of each rule that could have derived it."""
    for rule in model.rules_by_head.get(str(pattern[1]), []):
        if rule.policy != policy_id or _for_another_procedure(model, rule):
            continue
        start = match(rule.head, pattern, {}) if _ground_parts_agree(rule.head, pattern) else None
        if start is None:
            continue
        failure = _first_failure(model, rule, start, depth, served)
        if failure is not None:
            yield failure


def _ground_parts_agree(head: Term, pattern: Term) -> bool:
    """A rule head can derive the pattern: their ground arguments agree."""
    if head[0] != "fun" or pattern[0] != "fun" or len(head[2]) != len(pattern[2]):
        return False
    return all(
        h[0] == "var" or p[0] == "var" or h == p for h, p in zip(head[2], pattern[2], strict=True)
    )


def _related_facts(model: _Model, pattern: Term) -> _Because:
    """For a failed concept (e.g. onset_le(l1,twelve_weeks)): the case facts its
    defining rules read (through other concepts), at the same level."""
    first = pattern[2][0] if pattern[2] else None
    level = first if first is not None and _is_level(first) else None
    names = _vocabulary_behind(model, str(pattern[1]), set())
    facts = tuple(
        show(fact)
        for fact in model.ordered_facts
        if fact[1] in names and (level is None or not fact[2] or fact[2][0] == level)
    )
    wanted = _words(model, pattern)
    if facts:
        return facts, _stated(model, facts, f"the criterion needs {wanted}"), "stated", ()
    if not names:  # a fact of the knowledge base about the level (its region, a range)
        return (), f"not {wanted}", "level", ()
    documentation = any(BY_SIGNATURE[n].kind == Kind.DOCUMENTATION for n in _signatures(names))
    reading = "not_documented" if documentation else "not_stated"
    return (), f"not {'documented' if documentation else 'stated'}: {wanted}", reading, ()


def _signatures(names: set[str]) -> list[tuple[str, int]]:
    return sorted(signature for signature in BY_SIGNATURE if signature[0] in names)


def _is_level(term: Term) -> bool:
    return term[0] == "fun" and not term[2] and str(term[1]) in LEVELS.members


def _vocabulary_behind(model: _Model, name: str, seen: set[str]) -> set[str]:
    """Case-vocabulary predicates a derived predicate rests on."""
    if name in seen:
        return set()
    seen.add(name)
    found: set[str] = set()
    for rule in model.rules_by_head.get(name, []):
        for literal in rule.body:
            if literal.kind != "atom" or literal.atom is None or literal.negated:
                continue
            predicate = str(literal.atom[1])
            if (predicate, len(literal.atom[2])) in BY_SIGNATURE:
                found.add(predicate)
            elif predicate in model.rules_by_head:
                found |= _vocabulary_behind(model, predicate, seen)
    return found


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
            if _for_another_procedure(model, rule):
                continue
            failure = _level_failure(model, rule, level, MAX_DEPTH, served)
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
