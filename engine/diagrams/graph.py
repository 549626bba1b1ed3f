"""Criteria diagrams' model: one policy's labelled rules for one procedure, as a graph.

Built from engine.rules.read_catalogue (the rules as clingo's AST reads
them) and the knowledge base's static facts, never from a hand-kept
description, so what is drawn is what is evaluated:

- status nodes at the top: medically_necessary, the policy's default status
  (otherwise/3) and the status of each exclusion;
- indications under medically_necessary, as OR branches (each one suffices);
  several rules with one criterion id are alternatives (OR);
- each rule's body as AND: a met/3 literal points to that condition's own
  node, a policy-local helper predicate (carefirst_pvp_bullet/2,
  nd_x5025_symptomatic/1, ...) is expanded into its rules, and the leaves are
  case-vocabulary facts with thresholds and ranges written out;
- exclusions under the status they force, and a NOT edge from
  medically_necessary (an exclusion blocks every indication);
- the default under its status, as the fall-through.

A rule whose body requires requested(X) for another procedure (directly or
through a helper or condition) is not in that procedure's graph.

networkx is imported inside functions only: `kb query` never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import clingo
from clingo import ast

from engine.determination import MEDICALLY_NECESSARY, PolicyInfo, read_policies
from engine.diagrams.wording import (
    LEVEL,
    PHRASES,
    Comparison,
    Tables,
    comparison_text,
    flip,
    is_variable,
    level_text,
    or_list,
    parse_comparison,
    phrase,
    pretty,
    rename_variables,
    variables_in,
)
from engine.knowledge_base import PROLOGUE, KnowledgeBase
from engine.rules import BodyLiteral, Catalogue, Rule, read_catalogue
from engine.solve import solve_once
from engine.vocabulary import PREDICATES, Kind

if TYPE_CHECKING:
    import networkx as nx

# Node kinds.
STATUS = "status"
INDICATION = "indication"
CONDITION = "condition"
EXCLUSION = "exclusion"
DEFAULT = "default"
ALTERNATIVE = "alternative"  # one of several rules that encode a criterion (OR)
HELPER = "helper"  # a policy-local concept defined by several rules (OR)
FACT = "fact"  # a case-vocabulary fact, the leaves

CRITERION_KINDS = {"indication": INDICATION, "met": CONDITION, "exclusion": EXCLUSION}
CRITERION_KINDS["otherwise"] = DEFAULT

# Edge kinds (edges point from a conclusion to what it depends on).
INDICATES = "indicates"  # medically_necessary <- indication (any one suffices)
REQUIRES = "requires"  # an ALL node <- each of its parts
ONE_OF = "one_of"  # an ANY node <- each alternative
FORCES = "forces"  # status <- exclusion
BLOCKS = "blocks"  # medically_necessary <- NOT exclusion
OTHERWISE = "otherwise"  # default status <- default clause (fall-through)

ALL, ANY = "all", "any"

# Statuses in the order of the case vocabulary's precedence, after the goal.
STATUS_ORDER = (MEDICALLY_NECESSARY, "not_covered", "investigational", "not_medically_necessary")

DOCUMENTATION = frozenset(p.name for p in PREDICATES if p.kind == Kind.DOCUMENTATION)
CASE_PREDICATES = frozenset(p.name for p in PREDICATES)


class Literal(NamedTuple):
    """A body literal after renaming: ASP text for evaluation, parts for wording."""

    text: str
    predicate: str  # '-name' for classical negation, '' for comparisons
    negated: bool  # default negation
    arguments: tuple[str, ...]
    variables: tuple[str, ...]

    @property
    def free(self) -> tuple[str, ...]:
        """Variables other than the rule's level."""
        return tuple(v for v in self.variables if v != LEVEL)

    @property
    def positive_text(self) -> str:
        return self.text.removeprefix("not ").strip() if self.negated else self.text


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


def unquoted(argument: str) -> str:
    return argument[1:-1] if len(argument) > 1 and argument[0] == argument[-1] == '"' else argument


class Leaf(NamedTuple):
    """Literals that read as one fact: the fact itself and the table lookups
    and comparisons on its variables (longest_therapy(D), threshold(six_weeks,
    T), D >= T)."""

    primaries: tuple[Literal, ...]
    supports: tuple[Literal, ...]

    @property
    def text(self) -> str:
        return ", ".join(lit.text for lit in self.primaries + self.supports)


# A body that always holds for the procedure (requested(sacroplasty) in a
# sacroplasty diagram): drawn as this one fact.
EVERY_LEVEL = Leaf((Literal(f"target({LEVEL})", "target", False, (LEVEL,), (LEVEL,)),), ())


class Ref(NamedTuple):
    """A met/3 literal: the condition's own node."""

    criterion: str
    text: str = ""


class Conjunction(NamedTuple):
    items: tuple[Item, ...]
    text: str  # the whole body as ASP, for evaluation


class Group(NamedTuple):
    """A policy-local helper with several matching rules: ANY of them
    (NONE of them, negated)."""

    helper: str
    negated: bool
    alternatives: tuple[Conjunction, ...]
    text: str  # the positive helper literal


Item = Leaf | Ref | Group


class Knowledge(NamedTuple):
    """What diagrams read from the knowledge base: its rules and static facts."""

    catalogue: Catalogue
    tables: Tables
    static: frozenset[str]  # predicates whose atoms no case fact can change
    depends: Mapping[str, frozenset[str]]  # predicate -> case predicates it reads
    policies: Mapping[str, PolicyInfo]


def read_knowledge(kb: KnowledgeBase | None = None, policies: list[str] | None = None) -> Knowledge:
    kb = kb or KnowledgeBase()
    chosen = policies or kb.policy_ids()
    catalogue = read_catalogue(kb, chosen)
    atoms = solve_once([kb.path(PROLOGUE), *(kb.path(f"{p}.lp") for p in chosen)], "")
    tables = _tables(atoms)
    definitions = _concept_definitions(kb.path(PROLOGUE))
    for helper in catalogue.helpers:
        body = {b.predicate.lstrip("-") for b in helper.body if b.predicate}
        definitions.setdefault(helper.head, []).append(body)
    static = _static_predicates(definitions, set(tables.atoms))
    depends = {name: _case_dependencies(name, definitions) for name in definitions}
    return Knowledge(catalogue, tables, static, depends, read_policies(atoms))


def _text(symbol: clingo.Symbol) -> str:
    return symbol.string if symbol.type == clingo.SymbolType.String else str(symbol)


def _tables(atoms: Sequence[clingo.Symbol]) -> Tables:
    by_name: dict[str, list[tuple[str, ...]]] = {}
    for atom in atoms:
        by_name.setdefault(atom.name, []).append(tuple(_text(a) for a in atom.arguments))
    levels = by_name.get("level", [])
    order = {name: int(index) for name, _region, index in levels}
    region = {name: region for name, region, _index in levels}
    return Tables(by_name, order, region)


def _concept_definitions(path: str) -> dict[str, list[set[str]]]:
    """Each predicate of the prologue: the predicates of each rule body defining it."""
    statements: list[ast.AST] = []
    ast.parse_files([path], statements.append)
    definitions: dict[str, list[set[str]]] = {}
    for statement in statements:
        if statement.ast_type != ast.ASTType.Rule:
            continue
        for rule in statement.unpool():
            head = rule.head
            if head.ast_type != ast.ASTType.Literal:
                continue
            names = set(_atom_names(head))
            body = {name for literal in rule.body for name in _atom_names(literal)}
            for name in names:
                definitions.setdefault(name, []).append(body)
    return definitions


def _atom_names(node: ast.AST) -> Iterator[str]:
    """Predicate names of the symbolic atoms in an AST (aggregates included)."""
    if node.ast_type == ast.ASTType.SymbolicAtom:
        term = node.symbol
        if term.ast_type == ast.ASTType.UnaryOperation:
            term = term.argument
        if term.ast_type == ast.ASTType.Function:
            yield term.name
        return
    for key in node.child_keys:
        child = getattr(node, key)
        if isinstance(child, ast.AST):
            yield from _atom_names(child)
        elif child is not None and not isinstance(child, str | int):
            for element in child:
                if isinstance(element, ast.AST):
                    yield from _atom_names(element)


def _static_predicates(
    definitions: Mapping[str, list[set[str]]], facts: set[str]
) -> frozenset[str]:
    """Predicates no case fact can change: defined only from other static ones."""
    static = (set(definitions) | facts) - CASE_PREDICATES
    changed = True
    while changed:
        changed = False
        for name in sorted(static):
            bodies = definitions.get(name, [])
            if any(not body <= static for body in bodies):
                static.discard(name)
                changed = True
    return frozenset(static)


def _case_dependencies(name: str, definitions: Mapping[str, list[set[str]]]) -> frozenset[str]:
    seen: set[str] = set()
    pending = [name]
    found: set[str] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in CASE_PREDICATES:
            found.add(current)
        for body in definitions.get(current, []):
            pending.extend(body)
    return frozenset(found)


def depends_on(knowledge: Knowledge, predicate: str) -> frozenset[str]:
    """The case-vocabulary predicates a (possibly derived) predicate reads."""
    name = predicate.lstrip("-")
    if name in CASE_PREDICATES:
        return frozenset({name})
    return knowledge.depends.get(name, frozenset())


# What an indication is about: fracture causes, lesion kinds, purposes.
TOPIC_PREDICATES = {"cause_at": 1, "fracture": 1, "lesion_at": 1, "lesion": 1, "purpose": 0}


def leaf_topics(leaf: Leaf, knowledge: Knowledge) -> tuple[str, ...]:
    """'predicate:value' for each cause, lesion or purpose a fact requires
    (positively): cause_at:osteoporotic, lesion_at:multiple_myeloma."""
    values, _ = _table_values(leaf.supports, knowledge.tables)
    found: dict[str, None] = {}
    for literal in leaf.primaries:
        position = TOPIC_PREDICATES.get(literal.predicate)
        if position is None or literal.negated or position >= len(literal.arguments):
            continue
        argument = unquoted(literal.arguments[position])
        if not is_variable(argument):
            found[f"{literal.predicate}:{argument}"] = None
        for value in values.get(argument, []):
            found[f"{literal.predicate}:{value}"] = None
    return tuple(found)


def reads(knowledge: Knowledge, literals: Sequence[Literal]) -> tuple[str, ...]:
    """Every case-vocabulary predicate some literals read (directly or derived)."""
    found = {name for literal in literals for name in depends_on(knowledge, literal.predicate)}
    return tuple(sorted(found))


def open_items(knowledge: Knowledge, literals: Sequence[Literal]) -> tuple[str, ...]:
    """The documentation predicates (open: unstated is unknown) some literals read."""
    found: dict[str, None] = {}
    for literal in literals:
        for name in sorted(depends_on(knowledge, literal.predicate)):
            if name in DOCUMENTATION:
                found[name] = None
    return tuple(found)


# --- From rules to items ------------------------------------------------------


class _Expansion:
    """A conjunction being expanded: its entries in body order."""

    def __init__(self) -> None:
        self.entries: list[Literal | Ref | Group] = []
        self.literals: list[Literal] = []  # every literal, for the evaluation text
        self.roles: dict[int, str] = {}  # id(literal) -> 'primary' | 'support'

    def extend(self, other: _Expansion) -> None:
        self.entries.extend(other.entries)
        self.literals.extend(other.literals)
        self.roles.update(other.roles)


class _Analyser:
    """Reads one policy's rules for one procedure into items (no graph yet)."""

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
            expansion.entries.append(Ref(unquoted(literal.arguments[1]), literal.text))
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
            Group(literal.predicate, literal.negated, conjunctions, literal.positive_text)
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


# --- Wording --------------------------------------------------------------------


def leaf_lines(leaf: Leaf, knowledge: Knowledge, policy: str) -> list[str]:
    """A leaf as lines of words, thresholds and table values written out."""
    tables = knowledge.tables
    level_like = _level_variables(leaf.primaries)
    values, origins = _table_values(leaf.supports, tables)
    described: dict[str, str] = {}
    for name, found in values.items():
        if len(found) > 1 or name not in _compared(leaf.supports):
            described[name] = tables.levels_text(found) if name in level_like else or_list(found)
    for support in leaf.supports:
        comparison = parse_comparison(support.text) if support.predicate == "" else None
        if comparison is None:
            continue
        comparison = _oriented(comparison, values)
        if comparison is None:
            continue
        value = _resolved(comparison.right, values, origins, tables)
        text = comparison_text(comparison.operator, value)
        described[comparison.left] = " and ".join(
            filter(None, [described.get(comparison.left), text])
        )
    primaries = _ordered(leaf.primaries)
    for literal in _functional(primaries, knowledge):
        described[literal.arguments[1]] = (
            f"{pretty(literal.predicate)} of {level_text(literal.arguments[0])}"
        )
        primaries.remove(literal)
    lines: list[str] = []
    used: set[str] = set()
    for literal in primaries:
        shown = {k: v for k, v in described.items() if k not in used}
        used.update(literal.variables)
        lines.append(_literal_line(literal, shown, knowledge, policy))
    return lines


def _ordered(primaries: Sequence[Literal]) -> list[Literal]:
    """Distinct literals, what must hold before what must not."""
    distinct = list(dict.fromkeys(primaries))
    return sorted(distinct, key=lambda lit: lit.negated or lit.predicate.startswith("-"))


def _functional(primaries: Sequence[Literal], knowledge: Knowledge) -> list[Literal]:
    """Static attributes of a level that only name a value used elsewhere:
    region(K, R2) in 'R1 near R2' reads 'region of level K'."""
    found = []
    for literal in primaries:
        known = PHRASES.get(literal.predicate)
        if (
            known is None
            or known.level_positions != (0,)
            or literal.negated
            or literal.predicate not in knowledge.static
            or len(literal.arguments) != 2
            or not is_variable(literal.arguments[1])
            or literal.arguments[1] == "_"
        ):
            continue
        name = literal.arguments[1]
        if any(name in other.variables for other in primaries if other is not literal):
            found.append(literal)
    return found


def _level_variables(literals: Sequence[Literal]) -> set[str]:
    found: set[str] = set()
    for literal in literals:
        known = PHRASES.get(literal.predicate.lstrip("-"))
        for position in known.level_positions if known else ():
            if position < len(literal.arguments) and is_variable(literal.arguments[position]):
                found.add(literal.arguments[position])
    return found


def _table_values(
    supports: Sequence[Literal], tables: Tables
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each table-bound variable's values, and the table it came from."""
    values: dict[str, list[str]] = {}
    origins: dict[str, str] = {}
    for support in supports:
        if support.predicate == "" or len(support.free) != 1:
            continue
        (name,) = support.free
        position = support.arguments.index(name) if name in support.arguments else -1
        if position < 0:
            continue
        rows = [
            row
            for row in tables.values(support.predicate)
            if len(row) == len(support.arguments)
            and all(
                a == unquoted(b) or i == position
                for i, (a, b) in enumerate(zip(row, support.arguments, strict=True))
            )
        ]
        found = list(dict.fromkeys(row[position] for row in rows))
        values[name] = [v for v in values[name] if v in found] if name in values else found
        origins[name] = support.predicate if support.predicate == "threshold" else ""
        if support.predicate == "threshold":
            origins[name] = support.arguments[0]
    return values, origins


def _compared(supports: Sequence[Literal]) -> set[str]:
    return {v for s in supports if s.predicate == "" for v in s.variables}


def _oriented(comparison: Comparison, values: Mapping[str, list[str]]) -> Comparison | None:
    """The comparison with the fact's own variable on the left."""

    def subject(term: str) -> bool:
        return is_variable(term) and len(values.get(term, [])) != 1

    if subject(comparison.left):
        return comparison
    if subject(comparison.right):
        return flip(comparison)
    return None


def _resolved(
    term: str, values: Mapping[str, list[str]], origins: Mapping[str, str], tables: Tables
) -> str:
    found = values.get(term, [])
    if len(found) == 1:
        origin = origins.get(term, "")
        return tables.threshold(origin) if origin else pretty(found[0])
    return pretty(term)


def _static_level_words(literal: Literal, knowledge: Knowledge) -> str:
    """A policy's static table of levels, as the levels it holds for
    (cigna_cmm607_sacrococcygeal(L): 'the level is sacral or coccygeal')."""
    name = literal.predicate
    if name in PHRASES or name not in knowledge.static or literal.variables != (LEVEL,):
        return ""
    position = literal.arguments.index(LEVEL)
    rows = [
        row
        for row in knowledge.tables.values(name)
        if len(row) == len(literal.arguments)
        and all(
            a == unquoted(b) or i == position
            for i, (a, b) in enumerate(zip(row, literal.arguments, strict=True))
        )
    ]
    levels = knowledge.tables.levels_text(row[position] for row in rows)
    return f"the level is {levels}"


def _literal_line(
    literal: Literal, described: Mapping[str, str], knowledge: Knowledge, policy: str
) -> str:
    if literal.predicate == "":
        return literal.text
    name = literal.predicate.lstrip("-")
    words = _static_level_words(literal, knowledge) or phrase(
        name, literal.arguments, described, knowledge.tables, policy
    )
    if literal.predicate.startswith("-"):
        return f"{'unless ' if literal.negated else ''}documented NOT: {words}"
    if literal.negated:
        return f"not documented: {words}" if name in DOCUMENTATION else f"NOT: {words}"
    return words


# --- The graph --------------------------------------------------------------------


def status_key(status: str) -> str:
    return f"status:{status}"


def criterion_key(kind: str, cid: str) -> str:
    """indication:I.A, condition:I.A.1, exclusion:II.A, default:II."""
    return f"{kind}:{cid}"


class _GraphBuilder:
    def __init__(self, knowledge: Knowledge, policy: str, procedure: str) -> None:
        import networkx as nx

        self.knowledge = knowledge
        self.policy = policy
        self.procedure = procedure
        self.analyser = _Analyser(knowledge, policy, procedure)
        info = knowledge.policies[policy]
        self.graph: Any = nx.DiGraph(
            policy=policy,
            procedure=procedure,
            title=info.title,
            payer=info.payer,
            version=info.version,
            source=info.source,
            effective_from=info.effective_from,
            effective_to=info.effective_to,
        )

    def build(self) -> Any:
        self._status(MEDICALLY_NECESSARY)
        criteria = self._criteria()
        for cid, head in criteria:
            if head != "met" and self.analyser.bodies(cid, head):
                self._top_level(cid, head)
        referenced = self.analyser.referenced()
        for cid, head in criteria:
            if head == "met" and cid not in referenced and self.analyser.bodies(cid, head):
                self._criterion(cid, head)  # a condition no rule refers to
        return self.graph

    def _criteria(self) -> list[tuple[str, str]]:
        """Labelled criteria of the policy in file order, each with each head it has."""
        return list(dict.fromkeys((rule.criterion, rule.head) for rule in self.analyser.rules))

    def _node(self, key: str, **attributes: Any) -> str:
        """Add a node with every attribute the diagrams read (defaults for the
        ones not given) and its place in the order of the rules."""
        defaults = {"criterion": "", "rules": (), "gate": "", "negated": False, "evaluation": ""}
        order = self.graph.number_of_nodes()
        self.graph.add_node(key, **{**defaults, "order": order, **attributes})
        return key

    def _status(self, status: str) -> str:
        key = status_key(status)
        if key not in self.graph:
            self._node(
                key,
                kind=STATUS,
                status=status,
                label=pretty(status),
                order=STATUS_ORDER.index(status) if status in STATUS_ORDER else 9,
            )
        return str(key)

    def _top_level(self, cid: str, head: str) -> None:
        key = self._criterion(cid, head)
        if head == "indication":
            self._edge(self._status(MEDICALLY_NECESSARY), key, INDICATES)
            return
        statuses = [rule.status for rule, _ in self.analyser.bodies(cid, head)]
        for status in dict.fromkeys(statuses):
            kind = OTHERWISE if head == "otherwise" else FORCES
            self._edge(self._status(status), key, kind)
        if head == "exclusion":
            self._edge(self._status(MEDICALLY_NECESSARY), key, BLOCKS)

    def _edge(self, parent: str, child: str, kind: str) -> None:
        if not self.graph.has_edge(parent, child):
            self.graph.add_edge(parent, child, kind=kind, order=self.graph.number_of_edges())

    def _criterion(self, cid: str, head: str) -> str:
        kind = CRITERION_KINDS[head]
        key = criterion_key(kind, cid)
        if key in self.graph:
            return key
        analysed = self.analyser.bodies(cid, head)
        rules = [rule for rule, _ in analysed]
        self._node(
            key,
            kind=kind,
            criterion=cid,
            rules=tuple(r.id for r in rules),
            gate=ALL if len(analysed) == 1 else ANY,
            status=rules[0].status,
            label=cid,
            text=self._criterion_text(cid),
            tooltip=self._criterion_tooltip(cid, rules),
            evaluation=self._criterion_evaluation(cid, rules[0]),
        )
        if kind == DEFAULT:
            return key
        if len(analysed) == 1:
            self._items(key, ALL, analysed[0][1])
            return key
        common, rests = factor([body for _, body in analysed])
        parent = key
        if common:
            self.graph.nodes[key]["gate"] = ALL
            parent = self._common(key, common, bool(rests))
        for number, (rule, rest) in enumerate(zip(rules, rests, strict=False), 1):
            self._alternative(parent, rule, rest, number, len(rests))
        return key

    def _common(self, key: str, common: Sequence[Leaf], choice: bool) -> str:
        """What every alternative requires, drawn once; then the choice between
        what is left of them (the key of that choice)."""
        for number, leaf in enumerate(common, 1):
            self._edge(key, self._fact(f"{key}/common/{number}", leaf), REQUIRES)
        if not choice:
            return key
        choice_key = f"{key}/one_of"
        self._node(
            choice_key,
            kind=HELPER,
            gate=ANY,
            label="",
            tooltip="one of these, with the lines above",
            evaluation="",
        )
        self._edge(key, choice_key, REQUIRES)
        return choice_key

    def _criterion_text(self, cid: str) -> str:
        found = self.knowledge.catalogue.criteria.get((self.policy, cid))
        return found.text if found else ""

    def _criterion_tooltip(self, cid: str, rules: Sequence[Rule]) -> str:
        """The full citation, the interpretation note and the rules that encode it."""
        found = self.knowledge.catalogue.criteria.get((self.policy, cid))
        lines = [f'{cid} ({found.role}): "{found.text}"'] if found else [cid]
        if found and found.interpretation:
            lines.append(f"Interpretation: {found.interpretation}")
        where = ", ".join(f"{r.id} (line {r.line})" for r in rules)
        source = os.path.basename(found.file) if found else ""
        lines.append(f"Encoded in kb/{source} by {where}")
        return "\n".join(lines)

    def _criterion_evaluation(self, cid: str, rule: Rule) -> str:
        quoted = str(clingo.String(cid))
        if rule.head == "met":
            return f"met({self.policy},{quoted},{LEVEL})"
        if rule.head == "indication":
            return f"indication({self.policy},{quoted},{LEVEL})"
        if rule.head == "exclusion":
            return f"exclusion({self.policy},{quoted},{LEVEL},_)"
        return ""

    def _alternative(
        self, parent: str, rule: Rule, body: Conjunction, number: int, of: int
    ) -> None:
        key = f"rule:{rule.id}"
        only = body.items[0] if len(body.items) == 1 else EVERY_LEVEL if not body.items else None
        if isinstance(only, Leaf):
            self._fact(key, only, rules=(rule.id,), tooltip=f"{rule.id}: {rule.text}")
        else:
            self._node(
                key,
                kind=ALTERNATIVE,
                criterion=rule.criterion,
                rules=(rule.id,),
                gate=ALL,
                label=f"{rule.criterion}, way {number} of {of}",
                tooltip=f"{rule.id}: {rule.text}",
                evaluation=body.text,
            )
            self._items(key, ALL, body)
        self._edge(parent, key, ONE_OF)

    def _items(self, parent: str, gate: str, body: Conjunction) -> None:
        kind = REQUIRES if gate == ALL else ONE_OF
        if not body.items:
            self._edge(parent, self._fact(f"{parent}/1", EVERY_LEVEL), kind)
            return
        for number, item in enumerate(body.items, 1):
            key = f"{parent}/{number}"
            if isinstance(item, Ref):
                child = self._criterion(item.criterion, "met")
            elif isinstance(item, Group):
                child = self._group(key, item)
            else:
                child = self._fact(key, item)
            self._edge(parent, child, kind)

    def _group(self, key: str, group: Group) -> str:
        name = group.helper.removeprefix(self.policy + "_")
        rules = self.knowledge.catalogue.helpers_of(self.policy, group.helper)
        self._node(
            key,
            kind=HELPER,
            gate=ANY,
            negated=group.negated,
            label=pretty(name),
            tooltip="\n".join(h.text for h in rules),
            evaluation=group.text,
        )
        common: tuple[Leaf, ...] = ()
        alternatives = group.alternatives
        if not group.negated:
            common, alternatives = factor(group.alternatives)
        parent = key
        if common:
            self.graph.nodes[key]["gate"] = ALL
            parent = self._common(key, common, bool(alternatives))
        for number, alternative in enumerate(alternatives, 1):
            child = f"{key}/{number}"
            if len(alternative.items) == 1 and isinstance(alternative.items[0], Leaf):
                self._fact(child, alternative.items[0])
            else:
                self._node(
                    child,
                    kind=ALTERNATIVE,
                    gate=ALL,
                    label=f"{pretty(name)}, way {number}",
                    tooltip=alternative.text,
                    evaluation=alternative.text,
                )
                self._items(child, ALL, alternative)
            self._edge(parent, child, ONE_OF)
        return key

    def _fact(self, key: str, leaf: Leaf, rules: tuple[str, ...] = (), tooltip: str = "") -> str:
        lines = leaf_lines(leaf, self.knowledge, self.policy)
        if leaf.primaries and leaf.primaries[0].text == f"target({LEVEL})":
            lines = ["every target level"]
        self._node(
            key,
            kind=FACT,
            rules=rules,
            gate="",
            label="\n".join(lines),
            tooltip=tooltip or leaf.text,
            evaluation=leaf.text,
            predicates=tuple(dict.fromkeys(lit.predicate for lit in leaf.primaries)),
            open_items=open_items(self.knowledge, leaf.primaries),
            reads=reads(self.knowledge, leaf.primaries),
            topics=leaf_topics(leaf, self.knowledge),
        )
        return key


def factor(alternatives: Sequence[Conjunction]) -> tuple[tuple[Leaf, ...], tuple[Conjunction, ...]]:
    """(A and B) or (A and C) as A and (B or C): the facts every alternative
    requires (with no variable shared with the rest of it), and what is left of
    each alternative; none left if one alternative is only the common facts."""
    if len(alternatives) < 2:
        return (), tuple(alternatives)
    keys = [
        {_canonical(i): i for i in a.items if isinstance(i, Leaf) and _shareable(i, a)}
        for a in alternatives
    ]
    shared = set.intersection(*(set(k) for k in keys))
    if not shared:
        return (), tuple(alternatives)
    common = tuple(leaf for key, leaf in keys[0].items() if key in shared)
    rests = []
    for alternative, found in zip(alternatives, keys, strict=True):
        dropped = {id(item) for key, item in found.items() if key in shared}
        items = tuple(i for i in alternative.items if id(i) not in dropped)
        if not items:
            return common, ()
        rests.append(Conjunction(items, ", ".join(_item_text(i) for i in items)))
    return common, tuple(rests)


def _shareable(item: Leaf, alternative: Conjunction) -> bool:
    """A fact whose own variables no other part of the alternative uses."""
    own = {v for lit in item.primaries + item.supports for v in lit.free}
    others = {v for i in alternative.items if i is not item for v in variables_in(_item_text(i))}
    return not own & others


def _canonical(item: Item) -> str:
    """A fact's text with its own variables renamed in order of appearance."""
    text = _item_text(item)
    names = {name: f"V{n}" for n, name in enumerate(variables_in(text)) if name != LEVEL}
    return rename_variables(text, names)


def _item_text(item: Item) -> str:
    if isinstance(item, Group):
        return ("not " if item.negated else "") + item.text
    return item.text


def build_graph(knowledge: Knowledge, policy: str, procedure: str) -> nx.DiGraph:
    """The criteria graph of one policy for one procedure it addresses."""
    return _GraphBuilder(knowledge, policy, procedure).build()


def procedures_of(knowledge: Knowledge, policy: str) -> tuple[str, ...]:
    return knowledge.policies[policy].procedures


def rule_ids(graph: nx.DiGraph) -> set[str]:
    """Every labelled rule id drawn in a graph."""
    return {rule for _, data in graph.nodes(data=True) for rule in data.get("rules", ())}
