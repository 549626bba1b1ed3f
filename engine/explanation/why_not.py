"""Why not: for each indication of the requested procedure a level did not
meet, the first condition of each of its rules that failed (the deepest
literal a binding reached, by failed/3), with the case facts that made it
fail (behind the bindings and the witnesses clingo found) and the reason in
words, descending into sub-criteria, policy-local concepts and the concepts
of concepts.lp."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from engine.dependencies import Dependencies
from engine.explanation.answer import (
    FailedAt,
    TrackedAnswer,
    argument_text,
    compatible,
    constant,
    is_ground,
    is_level,
)
from engine.explanation.model import Because, Failure, Served
from engine.explanation.tracking import TrackedRule
from engine.explanation.why import case_facts_of, derive, show_once
from engine.rule_reader import (
    Binding,
    Term,
    instantiate,
    instantiate_text,
    show,
)
from engine.vocabulary import BY_SIGNATURE, Kind
from engine.wording import atom_words, not_listed

# How deep "why not" descends into sub-criteria and concepts.
MAX_DEPTH = 6

# --- Why not: first failed conditions, as clingo found them ---------------------------


def unmet_indications(model: TrackedAnswer, policy_id: str, level: Term) -> Iterator[Failure]:
    """The first failure of each rule of each indication the level did not meet
    (rules for another procedure than the one requested never start: see
    engine.explanation.tracking)."""
    indicated = criteria_holding(model, "indication", 3, policy_id, level)
    served = Served(policy_id, None)
    seen: set[tuple[str, str, str]] = set()
    for criterion, rules in sorted(policy_rules(model, policy_id, "indication").items()):
        if ("str", criterion) in indicated or model.tracking.role(policy_id, criterion) == "note":
            continue
        for rule in rules:
            failure = rule_failure(model, rule, at_level(rule, level), 0, served)
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


def criteria_holding(
    model: TrackedAnswer, head: str, arity: int, policy_id: str, level: Term
) -> set[Term]:
    """Criterion ids (as string terms) of the policy's head atoms true at the level."""
    key = (head, arity)
    holding = model.memo.holding.get(key)
    if holding is None:
        found: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        for atom in model.candidates(head, arity, True):
            found[(atom[2][0], atom[2][2])].add(atom[2][1])
        holding = model.memo.holding[key] = dict(found)
    return holding.get((constant(policy_id), level), set())


def policy_rules(model: TrackedAnswer, policy_id: str, head: str) -> dict[str, list[TrackedRule]]:
    """The policy's labelled rules of a head by criterion (read once per answer)."""
    key = (policy_id, head)
    grouped = model.memo.policy_rules.get(key)
    if grouped is None:
        found: dict[str, list[TrackedRule]] = defaultdict(list)
        for rule in model.rules_by_head.get(head, []):
            if rule.policy == policy_id and rule.labelled:
                found[rule.criterion].append(rule)
        grouped = model.memo.policy_rules[key] = dict(found)
    return grouped


def at_level(rule: TrackedRule, level: Term) -> Term:
    """The head of a labelled rule at a level (its level variable bound)."""
    return instantiate(rule.head, {rule.level_variable: level} if rule.level_variable else {})


def rule_failure(
    model: TrackedAnswer, rule: TrackedRule, wanted: Term, depth: int, served: Served
) -> Failure | None:
    """The first literal of the rule that failed for the head wanted (from
    failed/3: the deepest literal the bindings that could derive it reached),
    or None when the rule did not fail for it (it fired, or never started)."""
    if rule.id in model.copied:
        rule = model.demanded(rule, wanted)
    key = (rule.id, wanted, depth, served)
    if key in model.failures:
        return model.failures[key]
    failures = model.failed(rule, wanted)
    found = model.failures[key] = _first_failure_once(model, rule, failures, depth, served)
    return found


def _first_failure_once(
    model: TrackedAnswer, rule: TrackedRule, failures: list[FailedAt], depth: int, served: Served
) -> Failure | None:
    """_first_failure, once per rule and failures: the failure depends on the
    head wanted only through them (a rule tracked once for every level,
    TrackedRule.level_blind, fails the same way at each)."""
    if not failures:
        return None
    key = (rule.id, tuple((position, printed) for position, _, printed in failures), depth, served)
    memo = model.memo.first_failures
    found = memo.get(key)
    if found is None:
        found = memo[key] = _first_failure(model, rule, failures, depth, served)
    return found


def _first_failure(
    model: TrackedAnswer, rule: TrackedRule, failures: list[FailedAt], depth: int, served: Served
) -> Failure:
    if len(failures) == 1:  # the usual case
        position, binding, printed = failures[0]
        at = [(binding, printed)]
    else:
        position = _deepest(rule, failures)
        at = [(binding, printed) for p, binding, printed in failures if p == position]
        binding = _shared([b for b, _ in at])
    here = served.below(rule)
    literal = rule.body[position]
    atom = literal.atom if literal.kind == "atom" else None
    pattern = instantiate(atom, binding) if atom is not None else None
    if pattern is not None:
        condition = show_once(model, pattern)
    else:
        condition = instantiate_text(literal.text, binding)
    condition = ("not " if literal.negated and literal.kind == "atom" else "") + condition
    because = _because_once(model, _Site(rule, position, at, depth, here, binding, pattern))
    criterion = here.criterion or ""
    citation = model.tracking.citation(here.policy, here.criterion) or ""
    return Failure(criterion, citation, rule.source, rule.location, condition, *because)


def _deepest(rule: TrackedRule, failures: list[tuple[int, Binding, str]]) -> int:
    """The body position of the failures that came furthest in the rule's order."""
    positions = {position for position, _, _ in failures}
    if len(positions) == 1:
        return positions.pop()
    return rule.order[max(rule.order.index(position) for position in positions)]


def _shared(bindings: list[Binding]) -> Binding:
    """The values every binding agrees on: a variable bound differently by
    several ways of meeting the earlier conditions stays unbound ('any')."""
    first = bindings[0]
    if len(bindings) == 1:
        return first
    return {k: v for k, v in first.items() if all(b.get(k) == v for b in bindings[1:])}


class _Site(NamedTuple):
    """A failed literal: its rule and place, the bindings that reached it (with
    their printing, to find the witnesses), how deep, for which criterion."""

    rule: TrackedRule
    position: int
    at: list[tuple[Binding, str]]
    depth: int
    here: Served
    binding: Binding  # the values the bindings that reached it share (_shared)
    pattern: Term | None  # an atom's literal with those values, None for others


def _because_once(model: TrackedAnswer, site: _Site) -> Because:
    """_because, once per failed atom: the reason an atom failed depends on
    the atom (a request of 30 levels asks for `condition(pregnancy)` 30 times)
    and, for a negation or a fact of the knowledge base, on the bindings that
    reached it."""
    pattern = site.pattern
    if pattern is None:
        return _because(model, site)
    reached = _bindings_read(model, site, pattern)
    key = (site.rule.source, site.position, pattern, site.depth, site.here, reached)
    found = model.reasons.get(key)
    if found is None:
        found = model.reasons[key] = _because(model, site)
    return found


def _bindings_read(model: TrackedAnswer, site: _Site, pattern: Term) -> tuple[str, ...]:
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


def _because(model: TrackedAnswer, site: _Site) -> Because:
    """Why a literal failed: the ground facts that made it fail (from the
    model), in words, or the failures of what it refers to."""
    rule, position, at, depth, here, binding, pattern = site
    literal = rule.body[position]
    if pattern is None or literal.negated:
        witnesses = [w for _, printed in at for w in model.witnesses(rule.id, position, printed)]
        facts = _facts_of(model, witnesses, here)
        if literal.negated and literal.kind == "atom":
            found = witnesses[0] if witnesses else instantiate(literal.atom or ("num", 0), binding)
            return facts, _stated(model, facts, "") or _words(model, found), "stated", ()
        facts = tuple(dict.fromkeys([*_facts_before(model, rule, position, at), *facts]))
        return facts, _stated(model, facts, "which does not meet it") or "not met", "stated", ()
    name, arity = str(pattern[1]), len(pattern[2])
    vocabulary = BY_SIGNATURE.get((name, arity))
    if vocabulary is not None:
        return _vocabulary_reason(model, pattern, vocabulary.kind)
    deriving = _deriving(model, name, rule.policy)
    if name not in model.tracking.checked:  # a fact of the knowledge base
        facts = tuple(dict.fromkeys(_facts_before(model, rule, position, at)))
        wanted = _table_words(model, pattern, rule.policy) or f"{NEEDS}{_words(model, pattern)}"
        if facts:
            return facts, _stated(model, facts, wanted), "stated", ()
        return (), _not_words(model, pattern), "level", ()
    concept = bool(deriving) and all(r.policy == "" for r in deriving)
    if concept and depth < CONCEPT_DEPTH + MAX_DEPTH:
        return _concept_reason(model, pattern, rule.policy, depth, here)
    if deriving and depth < MAX_DEPTH:
        inner = tuple(
            f
            for r in _can_derive(model, rule.policy, pattern)
            if (f := rule_failure(model, r, pattern, depth + 1, here)) is not None
        )
        if inner:
            return (), "", "derived", inner
    return _related_facts(model, pattern)


def _deriving(model: TrackedAnswer, name: str, policy: str) -> list[TrackedRule]:
    """The rules a policy's literal of a predicate reads: the policy's and the
    shared concepts' (once per answer)."""
    key = (name, policy)
    found = model.memo.deriving.get(key)
    if found is None:
        rules = model.rules_by_head.get(name, [])
        found = model.memo.deriving[key] = [r for r in rules if r.policy in (policy, "")]
    return found


def _can_derive(model: TrackedAnswer, policy: str, pattern: Term) -> list[TrackedRule]:
    """Those of _deriving whose head can be the pattern (the others have no
    failure for it: TrackedAnswer.failed keeps only those whose head can be
    it), once per policy and pattern."""
    key = (policy, pattern)
    found = model.memo.can_derive.get(key)
    if found is None:
        rules = _deriving(model, str(pattern[1]), policy)
        wanted = _criterion_of(pattern)
        found = model.memo.can_derive[key] = [
            rule
            for rule in rules
            if (wanted is None or _criterion_of(rule.head) in (None, wanted))
            and compatible(rule.head, pattern)
        ]
    return found


def _criterion_of(atom: Term) -> Term | None:
    """The second argument of an atom when it is a string or a number (a
    criterion's id in met/3): two atoms that differ there cannot be one."""
    arguments = atom[2]
    return arguments[1] if len(arguments) > 1 and arguments[1][0] in ("str", "num") else None


def _table_words(model: TrackedAnswer, pattern: Term, policy: str) -> str:
    """A value looked up in a table of the knowledge base and not found
    ('osteoporotic is not a malignant cause'), or '' when the lookup is not of
    constants alone (a level, an open argument)."""
    arguments = pattern[2]
    if not arguments or not all(a[0] == "fun" and not a[2] for a in arguments):
        return ""
    if any(is_level(a) for a in arguments):
        return ""
    name = str(pattern[1]).removeprefix(f"{policy}_")
    return not_listed(name, [str(a[1]) for a in arguments], model.tables)


def _concept_reason(
    model: TrackedAnswer, pattern: Term, policy: str, depth: int, here: Served
) -> Because:
    """A failed concept of concepts.lp (onset_le, longest_therapy_at_least):
    the case facts behind the failures of its rules, and the concept in words;
    once per concept atom and depth (the rules are every policy's, and what
    the reason reads of their failures, the facts and how they read, does not
    depend on the criterion served, which only labels them)."""
    key = (pattern, depth)
    found = model.memo.concept_reasons.get(key)
    if found is None:
        found = model.memo.concept_reasons[key] = _concept_failures(
            model, pattern, policy, depth, here
        )
    return found


def _concept_failures(
    model: TrackedAnswer, pattern: Term, policy: str, depth: int, here: Served
) -> Because:
    leaves = [
        leaf
        for r in _can_derive(model, policy, pattern)
        if (f := rule_failure(model, r, pattern, depth + 1, here)) is not None
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


def _words(model: TrackedAnswer, term: Term) -> str:
    found = model.words.get(term)
    if found is None:
        arguments = [argument_text(a) for a in term[2]]
        found = model.words[term] = atom_words(str(term[1]), arguments, bool(term[3]), model.tables)
    return found


def _not_words(model: TrackedAnswer, term: Term) -> str:
    """A fact of the knowledge base that does not hold ('T3 is not within T5–L5')."""
    if not term[3]:  # '-p' does not hold: that is not to say p does
        return f"not {_words(model, term)}"
    return _words(model, (*term[:3], False))


def _stated(model: TrackedAnswer, facts: tuple[str, ...], then: str) -> str:
    """'the record states X and Y[, then]' for case facts in ASP text."""
    if not facts:
        return ""
    words = " and ".join(_words(model, _fact_term(model, fact)) for fact in facts)
    return f"the record states {words}" + (f"; {then}" if then else "")


def _fact_term(model: TrackedAnswer, text: str) -> Term:
    return model.fact_terms[text]


def _facts_before(
    model: TrackedAnswer, rule: TrackedRule, position: int, at: list[tuple[Binding, str]]
) -> list[str]:
    """The case facts behind the literals before a failed test that bound the
    values it read (the #max, the documented days), for each failing binding."""
    earlier = _binding_atoms(model, rule, position)
    if not earlier:
        return []
    served = Served(rule.policy, None)
    found: list[str] = []
    for binding, _ in at:
        for atom in earlier:
            ground = instantiate(atom, binding)
            if is_ground(ground):
                found.extend(_facts_behind(model, ground, served))
    return found


def _binding_atoms(model: TrackedAnswer, rule: TrackedRule, position: int) -> tuple[Term, ...]:
    """The positive atoms before a body position (in the rule's order) that bind
    a variable the literal there reads, worked out once per rule and position."""
    key = (rule.id, position)
    found = model.memo.binding_atoms.get(key)
    if found is None:
        literal = rule.body[position]
        wanted = set(literal.variables) | set(literal.element_variables)
        found = model.memo.binding_atoms[key] = tuple(
            before.atom
            for before in (rule.body[e] for e in rule.order[: rule.order.index(position)])
            if before.kind == "atom"
            and not before.negated
            and before.atom is not None
            and wanted & set(before.variables)
        )
    return found


def _facts_of(model: TrackedAnswer, atoms: list[Term], served: Served) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for atom in atoms for f in _facts_behind(model, atom, served)))


def _facts_behind(model: TrackedAnswer, atom: Term, served: Served) -> tuple[str, ...]:
    """The case facts an atom is, or rests on (target levels and the request
    aside), once per atom and criterion (a derivation is the same each time it
    is asked for: engine.explanation.why)."""
    key = (atom, served)
    found = model.memo.facts_behind.get(key)
    if found is None:
        if atom in model.case_facts:
            facts = [show(atom)]
        else:
            step = derive(model, atom, set(), served)
            facts = case_facts_of(step) if step is not None else []
        found = model.memo.facts_behind[key] = tuple(f for f in facts if not f.startswith(_CONTEXT))
    return found


# Facts every case states: never the reason a condition failed.
_CONTEXT = ("target(", "procedure(", "cpt(", "service_date(")


def _vocabulary_reason(model: TrackedAnswer, pattern: Term, kind: Kind) -> Because:
    stated = tuple(show_once(model, f) for f in _facts_like(model, pattern))
    if stated:
        needs = NEEDS + _words(model, pattern)
        return stated, _stated(model, stated, needs), "stated", ()
    if kind == Kind.DOCUMENTATION:
        return (), f"not documented: {_words(model, pattern)}", "not_documented", ()
    return (), f"not stated: {_words(model, pattern)}", "not_stated", ()


def _facts_like(model: TrackedAnswer, pattern: Term) -> list[Term]:
    """Case facts of the same predicate, either sign, at the same level if the
    pattern's first argument is ground."""
    arguments = pattern[2]
    signature = (str(pattern[1]), len(arguments))
    if not arguments or not is_level(arguments[0]):
        return model.facts_by_signature.get(signature, [])
    key = (*signature, arguments[0])
    found = model.memo.facts_at.get(key)
    if found is None:
        facts = model.facts_by_signature.get(signature, [])
        found = model.memo.facts_at[key] = [f for f in facts if f[2][0] == arguments[0]]
    return found


def _related_facts(model: TrackedAnswer, pattern: Term) -> Because:
    """For a failed literal whose rules were not followed (the depth reached, or
    a fact of the knowledge base): the case facts its defining rules read, at
    the same level."""
    first = pattern[2][0] if pattern[2] else None
    level = first if first is not None and is_level(first) else None
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


_VOCABULARY_NAMES = frozenset(name for name, _arity in BY_SIGNATURE)


def _vocabulary_behind(model: TrackedAnswer, name: str) -> set[str]:
    """Case-vocabulary predicates a derived predicate rests on, through the
    positive atoms of the rules' bodies (engine.dependencies)."""
    memo = model.memo
    found = memo.behind.get(name)
    if found is None:
        if memo.dependencies is None:
            memo.dependencies = Dependencies(
                (head, _positive_atoms(rules)) for head, rules in model.rules_by_head.items()
            )
        found = memo.behind[name] = memo.dependencies.behind(name, _VOCABULARY_NAMES) - {name}
    return set(found)


def _positive_atoms(rules: list[TrackedRule]) -> Iterator[str]:
    for rule in rules:
        for literal in rule.body:
            if literal.kind == "atom" and literal.atom is not None and not literal.negated:
                yield str(literal.atom[1])
