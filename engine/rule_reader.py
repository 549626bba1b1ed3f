"""The knowledge base's programs read with clingo's AST, once, into plain values.

The one reader of rules: engine.rules (labelled rules, helpers, criteria),
the explanation's tracking program (engine.explanation.tracking) and the
benchmarks all read what clingo's own parser (clingo.ast.parse_files) found.
Each statement is converted once into Python values that can be pickled,
compared and instantiated without calling into clingo again:

Terms: ("var", name) | ("num", n) | ("str", s) | ("fun", name, args, positive)
| ("other", text) for arithmetic, pools and intervals (kept as clingo prints them).

A literal's text is clingo's printing of it; aggregates keep their elements
(terms and condition) so that tracking rules can name the elements that
decided them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import clingo
from clingo import ast

from engine.errors import KnowledgeBaseError

Term = tuple[Any, ...]
Binding = Mapping[str, Term]

ANONYMOUS = "_"

_AGGREGATES = {
    ast.AggregateFunction.Count: "count",
    ast.AggregateFunction.Sum: "sum",
    ast.AggregateFunction.SumPlus: "sum+",
    ast.AggregateFunction.Min: "min",
    ast.AggregateFunction.Max: "max",
}


class Condition(NamedTuple):
    """One literal of an aggregate element's condition."""

    text: str
    negated: bool
    atom: Term | None  # None for comparisons


class Element(NamedTuple):
    """One element of a body aggregate: its terms and its condition."""

    terms: tuple[Term, ...]
    condition: tuple[Condition, ...]


class Literal(NamedTuple):
    """One literal of a rule body, as clingo read it."""

    text: str  # clingo's printing
    negated: bool  # default negation ('not'); 'not not' reads as kind 'other'
    kind: str  # atom | comparison | aggregate | other (#true, #false, 'not not')
    atom: Term | None = None  # atoms: the (possibly classically negated) function term
    variables: tuple[str, ...] = ()  # variables outside aggregate elements, in order
    function: str = ""  # aggregates: count | sum | sum+ | min | max
    guard: Term | None = None  # aggregates: the term of an '=' guard ('D = #max{...}')
    elements: tuple[Element, ...] = ()  # aggregates
    element_variables: tuple[str, ...] = ()  # aggregates: variables of the elements

    @property
    def predicate(self) -> str:
        atom = self.atom
        return str(atom[1]) if atom is not None and atom[0] == "fun" else ""


class ParsedRule(NamedTuple):
    head: Term | None  # None for constraints, disjunctions and choice heads
    head_text: str
    body: tuple[Literal, ...]
    variables: tuple[str, ...]  # the rule's global variables, sorted (anonymous aside)

    @property
    def text(self) -> str:
        """The rule as clingo prints it."""
        body = "; ".join(literal.text for literal in self.body)
        return f"{self.head_text} :- {body}." if body else f"{self.head_text}."


class Statement(NamedTuple):
    """A statement of a file: a rule (facts included), a comment, or another directive."""

    kind: str  # rule | comment | other
    line: int
    text: str  # clingo's printing
    rule: ParsedRule | None
    node: ast.AST


def read_program(path: str) -> list[Statement]:
    """Every statement of a file, in order, read by clingo's parser."""
    nodes: list[ast.AST] = []
    try:
        ast.parse_files([path], nodes.append)
    except RuntimeError as error:
        raise KnowledgeBaseError(f"{path}: cannot be parsed: {error}") from None
    return [_statement(node) for node in nodes]


def _statement(node: ast.AST) -> Statement:
    kind = node.ast_type
    text = str(node)
    if kind == ast.ASTType.Comment:
        return Statement("comment", node.location.begin.line, text, None, node)
    if kind != ast.ASTType.Rule:
        return Statement("other", 0, text, None, node)
    return Statement("rule", node.location.begin.line, text, _rule(node), node)


def _rule(node: ast.AST) -> ParsedRule:
    head_node = node.head
    head = None
    if head_node.ast_type == ast.ASTType.Literal and head_node.sign == ast.Sign.NoSign:
        atom = head_node.atom
        if atom.ast_type == ast.ASTType.SymbolicAtom:
            head = term_of(atom.symbol)
            head = head if head[0] == "fun" and head[1] else None
    body = tuple(_literal(literal) for literal in node.body)
    names = set(variables_of(head)) if head is not None else set()
    for literal in body:
        names.update(literal.variables)
    outside = names | {v for lit in body if lit.kind != "aggregate" for v in lit.variables}
    for literal in body:  # element variables shared with the rest of the rule are global
        names.update(v for v in literal.element_variables if v in outside)
    names.discard(ANONYMOUS)
    return ParsedRule(head, str(head_node), body, tuple(sorted(names)))


def _literal(node: ast.AST) -> Literal:
    text = str(node)
    if node.ast_type != ast.ASTType.Literal:
        return Literal(text, False, "other")
    sign, atom = node.sign, node.atom
    kind = atom.ast_type
    if sign == ast.Sign.DoubleNegation:
        return Literal(text, False, "other", variables=tuple(_variables_in_text(text)))
    negated = sign == ast.Sign.Negation
    if kind == ast.ASTType.SymbolicAtom:
        term = term_of(atom.symbol)
        return Literal(text, negated, "atom", term, tuple(variables_of(term)))
    if kind == ast.ASTType.Comparison:
        terms = [term_of(atom.term), *(term_of(guard.term) for guard in atom.guards)]
        names = [name for term in terms for name in variables_of(term)]
        return Literal(text, negated, "comparison", variables=tuple(dict.fromkeys(names)))
    if kind == ast.ASTType.BodyAggregate:
        return _aggregate(text, negated, atom)
    return Literal(text, negated, "other")


def _aggregate(text: str, negated: bool, node: ast.AST) -> Literal:
    guards = [g for g in (node.left_guard, node.right_guard) if g is not None]
    guard_terms = [term_of(g.term) for g in guards]
    equal = [
        term
        for guard, term in zip(guards, guard_terms, strict=True)
        if guard.comparison == ast.ComparisonOperator.Equal
    ]
    elements = tuple(
        Element(tuple(term_of(t) for t in e.terms), tuple(_condition(c) for c in e.condition))
        for e in node.elements
    )
    inner = [name for e in elements for t in e.terms for name in variables_of(t)]
    inner += [n for e in elements for c in e.condition for n in _variables_in_text(c.text)]
    return Literal(
        text,
        negated,
        "aggregate",
        variables=tuple(dict.fromkeys(n for t in guard_terms for n in variables_of(t))),
        function=_AGGREGATES.get(node.function, "count"),
        guard=equal[0] if equal and not negated else None,
        elements=elements,
        element_variables=tuple(dict.fromkeys(inner)),
    )


def _condition(node: ast.AST) -> Condition:
    text = str(node)
    atom = node.atom
    if atom.ast_type != ast.ASTType.SymbolicAtom or node.sign == ast.Sign.DoubleNegation:
        return Condition(text, False, None)
    return Condition(text, node.sign == ast.Sign.Negation, term_of(atom.symbol))


def term_of(node: ast.AST) -> Term:
    """An AST term as a plain value."""
    kind = node.ast_type
    if kind == ast.ASTType.SymbolicTerm:
        return of_symbol(node.symbol)
    if kind == ast.ASTType.Variable:
        return ("var", node.name)
    if kind == ast.ASTType.Function and not node.external:
        return ("fun", node.name, tuple(term_of(a) for a in node.arguments), True)
    if kind == ast.ASTType.UnaryOperation and node.operator_type == ast.UnaryOperator.Minus:
        inner = term_of(node.argument)
        if inner[0] == "fun" and inner[1]:
            return ("fun", inner[1], inner[2], not inner[3])
        if inner[0] == "num":
            return ("num", -int(inner[1]))
    return ("other", str(node))


@functools.lru_cache(maxsize=65536)
def of_symbol(symbol: clingo.Symbol) -> Term:
    """A clingo symbol as a plain value (symbols recur: each is read once)."""
    kind = symbol.type
    if kind == clingo.SymbolType.Number:
        return ("num", symbol.number)
    if kind == clingo.SymbolType.String:
        return ("str", symbol.string)
    if kind == clingo.SymbolType.Function:
        arguments = tuple(of_symbol(a) for a in symbol.arguments)
        return ("fun", symbol.name, arguments, symbol.positive)
    return ("other", str(symbol))


# --- Terms ---------------------------------------------------------------------------


def show(term: Term) -> str:
    """A term as clingo prints it."""
    kind = term[0]
    if kind != "fun":
        if kind != "str":
            return str(term[1])  # var, num, other
        escaped = str(term[1]).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    name, arguments, positive = term[1], term[2], term[3]
    sign = "" if positive else "-"
    if not arguments:
        return f"{sign}{name}" if name else "()"
    inside = ",".join([show(a) for a in arguments])
    if not name and len(arguments) == 1:
        inside += ","
    return f"{sign}{name}({inside})"


def value_text(term: Term) -> str:
    """An argument as text: strings unquoted, anything else as clingo prints it."""
    return str(term[1]) if term[0] == "str" else show(term)


def variables_of(term: Term) -> list[str]:
    """The variables of a term, in order (anonymous ones included)."""
    kind = term[0]
    if kind == "var":
        return [str(term[1])]
    if kind == "fun":
        return [name for argument in term[2] for name in variables_of(argument)]
    if kind == "other":
        return _variables_in_text(str(term[1]))
    return []


def instantiate(term: Term, binding: Binding) -> Term:
    """The term with its bound variables replaced by their values."""
    kind = term[0]
    if kind == "var":
        return binding.get(term[1], term)
    if kind == "fun" and term[2]:  # (a constant has nothing to replace: kept as it is)
        return ("fun", term[1], tuple([instantiate(a, binding) for a in term[2]]), term[3])
    return term


def is_ground(term: Term) -> bool:
    if term[0] == "var":
        return False
    if term[0] == "fun":
        return all(is_ground(a) for a in term[2])
    return bool(term[0] != "other")


def rename_anonymous(term: Term, fresh: Iterable[str]) -> Term:
    """The term with each anonymous variable replaced by the next fresh name."""
    names = iter(fresh)

    def rename(part: Term) -> Term:
        if part[0] == "var" and part[1] == ANONYMOUS:
            return ("var", next(names))
        if part[0] == "fun":
            return ("fun", part[1], tuple(rename(a) for a in part[2]), part[3])
        return part

    return rename(term)


# Variables in clingo's printing of a literal (strings skipped), for the few
# places that keep a literal as text: comparisons and aggregate conditions.
_VARIABLE = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![A-Za-z0-9_\'])([A-Z_][A-Za-z0-9_\']*)')


def _variables_in_text(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in _VARIABLE.finditer(text) if m.group(1)))


def instantiate_text(text: str, binding: Binding) -> str:
    """A literal's printing with its bound variables replaced by their values (for display)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name and name in binding:
            return show(binding[name])
        return match.group(0)

    return _VARIABLE.sub(replace, text)
