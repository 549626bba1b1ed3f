"""Which rules encode a criterion for a procedure, and what their bodies require.

One policy's labelled rules (engine.rules) read for one procedure: each
rule's body with its variables renamed (the level is LEVEL), its met/3
literals as references to conditions, its policy-local helpers expanded into
their rules (ANY of them, NONE of them when negated), and the literals that
share a variable read as one fact (engine/diagrams/bodies.py). A rule whose
body requires requested(X) for another procedure, directly or through a
helper or condition, cannot hold for this procedure: it has no body here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.diagrams.asp import LEVEL, is_variable, rename_variables, unquoted, variables_in
from engine.diagrams.bodies import ConditionRef, Conjunction, HelperGroup, Item, Leaf, Literal
from engine.diagrams.knowledge import Knowledge
from engine.rules import BodyLiteral, Rule


def _literal(body: BodyLiteral, mapping: Mapping[str, str]) -> Literal:
    """A body literal with variables renamed; string arguments keep their quotes
    (so that "GOV.LCD" never reads as a variable)."""
    text = rename_variables(body.text, mapping)
    named = set(variables_in(body.text))
    arguments = tuple(
        mapping.get(a, a) if a in named else f'"{a}"' if f'"{a}"' in body.text else a
        for a in body.arguments
    )
    return Literal(text, body.predicate, body.negated, arguments, variables_in(text))


class _Expansion:
    """A conjunction being expanded: its entries in body order."""

    def __init__(self) -> None:
        self.entries: list[Literal | ConditionRef | HelperGroup] = []
        self.literals: list[Literal] = []  # every literal, for the evaluation text
        self.roles: dict[int, str] = {}  # id(literal) -> 'primary' | 'support'

    def extend(self, other: _Expansion) -> None:
        self.entries.extend(other.entries)
        self.literals.extend(other.literals)
        self.roles.update(other.roles)


class CriterionReader:
    """Reads one policy's rules for one procedure into items (no diagram yet)."""

    def __init__(self, knowledge: Knowledge, policy: str, procedure: str) -> None:
        self.knowledge = knowledge
        self.policy = policy
        self.procedure = procedure
        self.rules = knowledge.catalogue.rules_of(policy)
        self._analysed: dict[str, list[tuple[Rule, Conjunction | None]]] = {}
        self._fresh = 0

    def criterion(self, cid: str) -> list[tuple[Rule, Conjunction | None]]:
        """Each rule of a criterion, with its body (None: not for this procedure)."""
        if cid not in self._analysed:
            self._analysed[cid] = []  # a cycle through met/3 reads as feasible
            rules = [rule for rule in self.rules if rule.criterion == cid]
            self._analysed[cid] = [(rule, self._rule_body(rule)) for rule in rules]
        return self._analysed[cid]

    def bodies(self, cid: str, head: str) -> list[tuple[Rule, Conjunction]]:
        """The rules of a criterion with this head that hold for the procedure."""
        return [(r, b) for r, b in self.criterion(cid) if r.head == head and b is not None]

    def feasible(self, cid: str, head: str = "met") -> bool:
        analysed = self.criterion(cid)
        return not analysed or bool(self.bodies(cid, head))

    def referenced(self) -> set[str]:
        """Conditions some rule or helper of the policy refers to with met/3."""
        bodies = [r.body for r in self.rules]
        bodies += [h.body for h in self.knowledge.catalogue.helpers if h.policy == self.policy]
        return {
            b.arguments[1]
            for body in bodies
            for b in body
            if b.predicate == "met" and len(b.arguments) == 3 and b.arguments[0] == self.policy
        }

    def _rule_body(self, rule: Rule) -> Conjunction | None:
        head = rule.text.split(":-", 1)[0]
        head_variables = variables_in(head)
        mapping = {head_variables[-1]: LEVEL} if head_variables else {}
        for name in _body_variables(rule.body, mapping):
            mapping[name] = self._fresh_name(name) if name == LEVEL else name
        return self._conjunction([_literal(b, mapping) for b in rule.body])

    def _fresh_name(self, name: str) -> str:
        self._fresh += 1
        return f"{name}__{self._fresh}"

    def _conjunction(self, literals: list[Literal]) -> Conjunction | None:
        expansion = self._expand(literals)
        if expansion is None:
            return None
        text = ", ".join(lit.text for lit in expansion.literals)
        return Conjunction(self._finish(expansion), text)

    def _expand(self, literals: list[Literal]) -> _Expansion | None:
        expansion = _Expansion()
        for literal in literals:
            if not self._expand_literal(literal, expansion):
                return None
        return expansion

    def _expand_literal(self, literal: Literal, expansion: _Expansion) -> bool:
        """Add one literal to the expansion; False if it can never hold here."""
        name = literal.predicate
        if name == "target" and not literal.negated and literal.arguments == (LEVEL,):
            expansion.literals.append(literal)  # every level is a target: nothing to draw
            return True
        if name == "requested" and not is_variable(literal.arguments[0]):
            expansion.literals.append(literal)
            return (literal.arguments[0] == self.procedure) != literal.negated
        if name == "met" and not literal.negated and literal.arguments[0] == self.policy:
            expansion.literals.append(literal)
            expansion.entries.append(ConditionRef(unquoted(literal.arguments[1]), literal.text))
            return self.feasible(unquoted(literal.arguments[1]))
        if name in self.knowledge.static:
            role = "support" if self._is_table(literal) else "primary"
            expansion.roles[id(literal)] = role
            expansion.literals.append(literal)
            expansion.entries.append(literal)
            return True
        if self.knowledge.catalogue.helpers_of(self.policy, name):
            return self._expand_helper(literal, expansion)
        expansion.roles[id(literal)] = "support" if name == "" else "primary"
        expansion.literals.append(literal)
        expansion.entries.append(literal)
        return True

    def _is_table(self, literal: Literal) -> bool:
        """A lookup in a static table binding one variable: threshold(six_weeks,T)."""
        return not literal.negated and LEVEL not in literal.variables and len(literal.free) == 1

    def _expand_helper(self, literal: Literal, expansion: _Expansion) -> bool:
        alternatives = [a for a in self._helper_alternatives(literal) if a is not None]
        trivially_true = any(not a.entries for a in alternatives)
        if literal.negated:
            if not alternatives:
                return True
            if trivially_true:
                return False
        else:
            if not alternatives:
                return False
            if trivially_true:
                expansion.literals.append(literal)
                return True
            if len(alternatives) == 1:
                expansion.extend(alternatives[0])
                return True
        expansion.literals.append(literal)
        conjunctions = tuple(
            Conjunction(self._finish(a), ", ".join(x.text for x in a.literals))
            for a in alternatives
        )
        expansion.entries.append(
            HelperGroup(literal.predicate, literal.negated, conjunctions, literal.positive_text)
        )
        return True

    def _helper_alternatives(self, literal: Literal) -> list[_Expansion | None]:
        """Each helper rule whose head matches the literal, its body renamed."""
        found: list[_Expansion | None] = []
        seen: set[str] = set()
        for helper in self.knowledge.catalogue.helpers_of(self.policy, literal.predicate):
            if len(helper.arguments) != len(literal.arguments):
                continue
            head_variables = set(variables_in(helper.text.split(":-", 1)[0]))
            mapping = self._unify(helper.arguments, head_variables, literal.arguments)
            if mapping is None:
                continue
            for name in _body_variables(helper.body, mapping):
                mapping[name] = self._fresh_name(name)
            body = [_literal(b, mapping) for b in helper.body]
            key = ", ".join(b.text for b in body)
            if key in seen:
                continue
            seen.add(key)
            found.append(self._expand(body))
        return found

    def _unify(
        self, head: Sequence[str], head_variables: set[str], arguments: Sequence[str]
    ) -> dict[str, str] | None:
        mapping: dict[str, str] = {}
        for formal, actual in zip(head, arguments, strict=True):
            if formal in head_variables:
                mapping.setdefault(formal, self._fresh_name("Any") if actual == "_" else actual)
            elif not is_variable(actual) and formal != unquoted(actual):
                return None
        return mapping

    def _finish(self, expansion: _Expansion) -> tuple[Item, ...]:
        """Entries to items: literals sharing a variable read as one leaf."""
        literals = [e for e in expansion.entries if isinstance(e, Literal)]
        component = _components(literals)
        items: list[Item] = []
        emitted: set[int] = set()
        for entry in expansion.entries:
            if not isinstance(entry, Literal):
                items.append(entry)
                continue
            group = component[id(entry)]
            if group in emitted:
                continue
            emitted.add(group)
            members = [lit for lit in literals if component[id(lit)] == group]
            primaries = [m for m in members if expansion.roles.get(id(m)) == "primary"]
            supports = [m for m in members if expansion.roles.get(id(m)) != "primary"]
            if not primaries:
                primaries, supports = supports[:1], supports[1:]
            items.append(Leaf(tuple(primaries), tuple(supports)))
        return tuple(items)


def _body_variables(body: Sequence[BodyLiteral], mapping: Mapping[str, str]) -> list[str]:
    """Variables of a body not yet mapped, in order of appearance (renaming
    them in a stable order keeps the output byte-identical)."""
    found = dict.fromkeys(v for b in body for v in variables_in(b.text))
    return [name for name in found if name not in mapping]


def _components(literals: list[Literal]) -> dict[int, int]:
    """Union of literals that share a variable other than the level."""
    parent = list(range(len(literals)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, literal in enumerate(literals):
        for name in literal.free:
            if name in owner:
                parent[root(index)] = root(owner[name])
            else:
                owner[name] = index
    return {id(literal): root(index) for index, literal in enumerate(literals)}

