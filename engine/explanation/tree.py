"""Why and why not: each determination explained from the rules that fired.

One more solve of the same program, with the tracking rules of
engine.explanation.tracking added, gives every ground rule instance that fired. From it:

- why: the derivation tree from a level's status down to the case facts:
  each fired rule with its id, citation and file:line, and the facts and
  derived atoms it used (derived atoms are expanded in turn);
- why not (levels that are not medically necessary): for each indication the
  level did not meet, the first condition of each of its rules that failed,
  with the facts that made it fail (or "not documented"), descending into
  sub-criteria and policy-local concepts;
- assumed absent: the exclusions of the policy that did not apply, with the
  fact each one looked for: closed facts that were not stated are assumed
  absent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import clingo

from engine.asp_text import (
    Binding,
    Literal,
    Term,
    compare,
    match,
    of_text,
    show,
    substitute,
    substitute_text,
)
from engine.case import Case
from engine.determination import MEDICALLY_NECESSARY, Determination
from engine.explanation.tracking import FIRED, TrackedRule, Tracking, track
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver
from engine.vocabulary import BY_SIGNATURE, LEVELS, Kind

# How deep "why not" descends into sub-criteria and concepts.
MAX_DEPTH = 3


class Use(NamedTuple):
    """One condition a fired rule relied on, ground."""

    literal: str
    kind: str  # fact (of the case) | derived | kb (a fact of the knowledge base) | test


class Step(NamedTuple):
    """A fired rule instance: what it derived, from what."""

    atom: str
    rule: str
    citation: str
    location: str
    uses: tuple[Use, ...]
    children: tuple[Step, ...]


class Failure(NamedTuple):
    """The first condition of a rule that does not hold for this case."""

    criterion: str
    citation: str
    rule: str
    location: str
    condition: str
    because: str
    inner: tuple[Failure, ...]


class Absent(NamedTuple):
    """An exclusion that did not apply, and the fact it looked for."""

    criterion: str
    citation: str
    rule: str
    location: str
    looked_for: str
    reading: str  # assumed absent (not stated) | not documented | stated otherwise


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
        self.fired: dict[Term, list[tuple[TrackedRule, Binding]]] = defaultdict(list)
        for text in map(str, atoms):
            name = text.split("(", 1)[0]
            if name == FIRED:
                self._add_fired(of_text(text))
            elif name != "criterion":
                self._texts[name.lstrip("-")].append(text)
        for instances in self.fired.values():
            instances.sort(key=lambda item: (item[0].id, sorted(item[1].items())))
        self.case_facts = {of_text(str(fact.symbol)) for fact in case.facts}
        self.rules_by_head: dict[str, list[TrackedRule]] = defaultdict(list)
        for rule in tracking.rules.values():
            self.rules_by_head[rule.head_name].append(rule)

    def _add_fired(self, atom: Term) -> None:
        rule_id, head, values = atom[2]
        rule = self.tracking.rules[rule_id[1]]
        binding = dict(zip(rule.variables, values[2], strict=True))
        self.fired[head].append((rule, binding))

    def candidates(self, name: str, arity: int, positive: bool) -> list[Term]:
        terms = self._terms.get(name)
        if terms is None:
            terms = self._terms[name] = [of_text(text) for text in self._texts.get(name, [])]
        return [t for t in terms if len(t[2]) == arity and t[3] == positive]


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
        request_why = _derive(model, overall, set())
    levels = tuple(
        _explain_level(model, determination, level.level, level.status)
        for level in determination.levels.values()
    )
    locations = {rule.id: rule.location for rule in model.tracking.rules.values()}
    return Explanation(
        determination.policy.id, determination.status, request_why, levels, locations
    )


def _explain_level(
    model: _Model, determination: Determination, level: str, status: str
) -> LevelExplanation:
    policy_id = determination.policy.id
    at = _constant(level)
    documented = determination.levels[level].status
    root = ("fun", "level_status", (_constant(policy_id), at, _constant(documented)), True)
    why = _derive(model, root, set())
    why_not: tuple[Failure, ...] = ()
    if status != MEDICALLY_NECESSARY:
        why_not = tuple(_unmet_indications(model, policy_id, at))
    absent = tuple(_assumed_absent(model, policy_id, at))
    return LevelExplanation(level, status, _fired_at(model, policy_id, at), why, why_not, absent)


def _fired_at(model: _Model, policy_id: str, level: Term) -> tuple[str, ...]:
    """Ids of the policy's labelled rules that fired for this level (or policy-wide)."""
    fired: set[str] = set()
    for head, instances in model.fired.items():
        name = head[1]
        at_level = name in ("met", "indication", "exclusion") and head[2][2] == level
        if not (at_level or name == "otherwise"):
            continue
        fired.update(rule.id for rule, _ in instances if rule.policy == policy_id)
    return tuple(sorted(fired))


# --- Why: the derivation tree ----------------------------------------------------


def _derive(model: _Model, atom: Term, expanded: set[Term]) -> Step | None:
    instances = model.fired.get(atom)
    if not instances:
        return None
    rule, binding = instances[0]
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
        elif ground in model.fired:
            uses.append(Use(text, "derived"))
            if ground not in expanded:
                child = _derive(model, ground, expanded)
                if child is not None:
                    children.append(child)
        else:
            uses.append(Use(text, "kb"))
    return Step(show(atom), rule.id, rule.citation, rule.location, tuple(uses), tuple(children))


def _ground_atom(model: _Model, literal: Literal, binding: Binding) -> Term | None:
    """The true atom a positive body literal stood for under this binding
    (anonymous variables resolved against the model), or None for tests."""
    if literal.kind != "atom" or literal.negated or literal.atom is None:
        return None
    pattern = substitute(literal.atom, binding)
    for candidate in _candidates(model, pattern):
        if match(pattern, candidate, {}) is not None:
            return candidate
    return None


def _candidates(model: _Model, pattern: Term) -> list[Term]:
    return model.candidates(str(pattern[1]), len(pattern[2]), bool(pattern[3]))


# --- Why not: first failed conditions ----------------------------------------------


def _unmet_indications(model: _Model, policy_id: str, level: Term) -> Iterator[Failure]:
    indicated = _criteria_holding(model, "indication", 3, policy_id, level)
    for criterion, rules in sorted(_policy_rules(model, policy_id, "indication").items()):
        if ("str", criterion) in indicated:
            continue
        for rule in rules:
            failure = _first_failure(model, rule, _level_binding(rule, level), 0)
            if failure is not None:
                yield failure


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
        if rule.policy == policy_id and rule.criterion:
            grouped[rule.criterion].append(rule)
    return grouped


def _level_binding(rule: TrackedRule, level: Term) -> Binding:
    """Bind the level variable of a met/indication/exclusion head (its third argument)."""
    arguments = rule.head[2]
    if len(arguments) >= 3 and arguments[2][0] == "var":
        return {str(arguments[2][1]): level}
    return {}


def _first_failure(model: _Model, rule: TrackedRule, start: Binding, depth: int) -> Failure | None:
    """The first body literal of the rule that no binding extending `start` satisfies."""
    bindings = [start]
    for literal in rule.body:
        extended = list(_solutions(model, literal, bindings))
        if extended:
            bindings = extended[:50]
            continue
        binding = bindings[0]
        condition = substitute_text(literal.text, binding)
        because, inner = _because(model, rule.policy, literal, binding, depth)
        return Failure(
            rule.criterion, rule.citation, rule.id, rule.location, condition, because, inner
        )
    return None


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


def _because(
    model: _Model, policy_id: str, literal: Literal, binding: Binding, depth: int
) -> tuple[str, tuple[Failure, ...]]:
    """Why a literal fails: the facts behind it, or the failures of what it refers to."""
    if literal.kind == "comparison":
        return f"{substitute_text(literal.text, binding)} is false", ()
    if literal.kind != "atom" or literal.atom is None:
        return "", ()
    pattern = substitute(literal.atom, binding)
    if literal.negated:
        holding = [c for c in _candidates(model, pattern) if match(pattern, c, {}) is not None]
        return f"{show(holding[0]) if holding else show(pattern)} holds", ()
    name, arity = str(pattern[1]), len(pattern[2])
    vocabulary = BY_SIGNATURE.get((name, arity))
    if vocabulary is not None:
        return _vocabulary_reason(model, pattern, vocabulary.kind), ()
    if depth < MAX_DEPTH:
        inner = tuple(_failures_of(model, policy_id, pattern, depth + 1))
        if inner:
            return "", inner
    return _related_facts(model, pattern), ()


def _vocabulary_reason(model: _Model, pattern: Term, kind: Kind) -> str:
    stated = _facts_like(model, pattern)
    if stated:
        return "stated instead: " + ", ".join(show(f) for f in stated)
    if kind == Kind.DOCUMENTATION:
        return f"not documented: {show(pattern)}"
    return f"not stated: {show(pattern)}"


def _facts_like(model: _Model, pattern: Term) -> list[Term]:
    """Case facts of the same predicate, either sign, at the same level if the
    pattern's first argument is ground."""
    name, arguments = str(pattern[1]), pattern[2]
    first = arguments[0] if arguments and arguments[0][0] != "var" else None
    found = [
        fact
        for fact in model.case_facts
        if fact[1] == name
        and len(fact[2]) == len(arguments)
        and (first is None or fact[2][0] == first)
    ]
    return sorted(found, key=show)


def _failures_of(model: _Model, policy_id: str, pattern: Term, depth: int) -> Iterator[Failure]:
    """For a failed derived literal of the policy (a sub-criterion or a local
    concept), the first failures of each rule that could have derived it."""
    for rule in model.rules_by_head.get(str(pattern[1]), []):
        if rule.policy != policy_id:
            continue
        start = match(rule.head, pattern, {}) if _ground_parts_agree(rule.head, pattern) else None
        if start is None:
            continue
        failure = _first_failure(model, rule, start, depth)
        if failure is not None:
            yield failure


def _ground_parts_agree(head: Term, pattern: Term) -> bool:
    """A rule head can derive the pattern: their ground arguments agree."""
    if head[0] != "fun" or pattern[0] != "fun" or len(head[2]) != len(pattern[2]):
        return False
    return all(
        h[0] == "var" or p[0] == "var" or h == p for h, p in zip(head[2], pattern[2], strict=True)
    )


def _related_facts(model: _Model, pattern: Term) -> str:
    """For a failed concept (e.g. onset_le(l1,twelve_weeks)): the case facts its
    defining rules read (through other concepts), at the same level."""
    first = pattern[2][0] if pattern[2] else None
    level = first if first is not None and _is_level(first) else None
    names = _vocabulary_behind(model, str(pattern[1]), set())
    facts = [
        fact
        for fact in sorted(model.case_facts, key=show)
        if fact[1] in names and (level is None or not fact[2] or fact[2][0] == level)
    ]
    if facts:
        return "stated: " + ", ".join(show(f) for f in facts)
    if names:
        where = f" at {show(level)}" if level is not None else ""
        return f"nothing documented{where} for {', '.join(sorted(names))}"
    return ""


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
    """Exclusions of the policy that did not apply because a case fact they look
    for is not stated (closed: assumed absent), not documented, or documented
    otherwise. Exclusions that do not apply for other reasons (the procedure,
    the level, a threshold) are not listed."""
    applied = _criteria_holding(model, "exclusion", 4, policy_id, level)
    for criterion, rules in sorted(_policy_rules(model, policy_id, "exclusion").items()):
        if ("str", criterion) in applied:
            continue
        for rule in rules:
            failure = _first_failure(model, rule, _level_binding(rule, level), MAX_DEPTH)
            reading = _absence_reading(failure.because) if failure is not None else ""
            if failure is None or not reading:
                continue
            yield Absent(
                criterion, rule.citation, rule.id, rule.location, failure.condition, reading
            )


def _absence_reading(because: str) -> str:
    if because.startswith("not documented"):
        return "not documented"
    if because.startswith("stated instead"):
        return "documented otherwise (" + because.removeprefix("stated instead: ") + ")"
    if because.startswith("not stated"):
        return "assumed absent (not stated)"
    return ""
