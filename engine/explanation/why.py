"""Why: the derivation tree from a level's status down to the case facts,
each fired rule with its id, file:line, the criterion it serves in this
derivation (a labelled rule its own; a helper or concept that of the rule
above it; the epilogue's glue none) and that criterion's words."""

from __future__ import annotations

from engine.explanation.answer import TrackedAnswer, is_level
from engine.explanation.model import Served, Step, Use
from engine.explanation.tracking import TrackedRule
from engine.rule_reader import (
    Binding,
    Literal,
    Term,
    instantiate,
    instantiate_text,
    show,
)

# --- Why: the derivation tree ----------------------------------------------------


def policy_id(term: Term) -> str:
    return str(term[1])


def derive(model: TrackedAnswer, atom: Term, expanded: set[Term], served: Served) -> Step | None:
    """The derivation of an atom. One that names no level (addressed(P),
    severity(S)) is the same under every level: derived once per criterion."""
    if any(is_level(argument) for argument in atom[2]):
        return _derivation(model, atom, expanded, served)
    key = (atom, served)
    if key not in model.derivations:
        model.derivations[key] = _derivation(model, atom, set(expanded), served)
    expanded.add(atom)
    return model.derivations[key]


def _derivation(
    model: TrackedAnswer, atom: Term, expanded: set[Term], served: Served
) -> Step | None:
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
    for position, reading in enumerate(_readings(model, rule)):
        literal = rule.body[position]
        if reading == _TEST:
            uses.append(Use(instantiate_text(literal.text, binding), "test"))
            continue
        for ground in _ground_atoms(model, rule, position, reading, binding, printed):
            uses.append(_use(model, ground, expanded, here, children))
    citation = model.tracking.citation(here.policy, here.criterion)
    text = show_once(model, atom)
    return Step(
        text, rule.id, here.criterion, citation, rule.location, tuple(uses), tuple(children)
    )


def show_once(model: TrackedAnswer, term: Term) -> str:
    """show(term), printed once per answer."""
    texts = model.memo.texts
    found = texts.get(term)
    if found is None:
        found = texts[term] = show(term)
    return found


def _use(
    model: TrackedAnswer, ground: Term, expanded: set[Term], served: Served, children: list[Step]
) -> Use:
    text = show_once(model, ground)
    if ground in model.case_facts:
        return Use(text, "fact")
    if not model.has_fired_text(text):
        return Use(text, "kb")
    if ground not in expanded:
        child = derive(model, ground, expanded, served)
        if child is not None:
            children.append(child)
    return Use(text, "derived")


# How a body literal of a fired rule is read (_readings): a test (comparison,
# negation); the elements of an aggregate; an atom the bindings name; an atom
# with a variable they do not (an anonymous one).
_TEST, _AGGREGATE, _GROUND, _OPEN = "test", "aggregate", "ground", "open"


def _readings(model: TrackedAnswer, rule: TrackedRule) -> tuple[str, ...]:
    """How each body literal of the rule is read, worked out once per rule."""
    found = model.memo.uses.get(rule.id)
    if found is None:
        found = model.memo.uses[rule.id] = tuple(
            _reading(literal, set(rule.variables)) for literal in rule.body
        )
    return found


def _reading(literal: Literal, bound: set[str]) -> str:
    if literal.kind == "aggregate" and not literal.negated:
        return _AGGREGATE
    if literal.kind != "atom" or literal.negated or literal.atom is None:
        return _TEST
    return _GROUND if _variables(literal.atom) <= bound else _OPEN


def _variables(term: Term) -> set[str]:
    """The names of the variables a binding replaces in a term (instantiate)."""
    if term[0] == "var":
        return {str(term[1])}
    if term[0] == "fun":
        return {name for argument in term[2] for name in _variables(argument)}
    return set()


def _ground_atoms(
    model: TrackedAnswer,
    rule: TrackedRule,
    position: int,
    reading: str,
    binding: Binding,
    printed: str,
) -> list[Term]:
    """The true atoms a positive literal or an aggregate stood for in a fired
    instance (every variable of the rule is bound: an atom whose variables
    are the rule's is ground). An atom the bindings do not name (an anonymous
    variable) and the elements that decided an aggregate (the #max itself)
    come from fired_use/5, computed by clingo; of several, the one that
    carries a bound value (the therapy a #max chose)."""
    literal = rule.body[position]
    if reading == _AGGREGATE:
        elements = model.uses(rule, rule_head(rule, binding), printed, position)
        return elements[:1] if literal.function in ("max", "min") else elements
    assert literal.atom is not None
    ground = instantiate(literal.atom, binding)
    if reading == _GROUND:
        return [ground]
    found = model.uses(rule, rule_head(rule, binding), printed, position)
    values = set(binding.values())
    chosen = next((c for c in found if values & set(c[2])), found[0] if found else None)
    return [chosen] if chosen is not None else []


def rule_head(rule: TrackedRule, binding: Binding) -> Term:
    return instantiate(rule.head, binding)


def case_facts_of(step: Step) -> list[str]:
    """The case facts a derivation rests on, in order of use."""
    found = [use.literal for use in step.uses if use.kind == "fact"]
    for child in step.children:
        found.extend(case_facts_of(child))
    return list(dict.fromkeys(found))
