"""The parts of kb/checks.lp, instantiated for one search.

kb/checks.lp holds every rule `kb check` adds to the case space, as
`#program` parts with parameters (`#program pair(a, b).`). A part is
instantiated here by clingo's AST, never from text: its parameters replaced
by values, and, in the template parts `fired(p, rule)` and
`near(p, rule, condition)`, the placeholder `check_rule_body` replaced by
the body of a rule of the knowledge base as clingo parsed it.

Why not clingo's own `ground([("pair", [Function(a), Function(b)])])`, or
loading kb/checks.lp into the Control, or one `#external` with a condition
for every key: each numbers the ground program differently from the same
rules with their values written in, and clasp then returns another of the
equally minimal witnesses (the findings stay the same; with all three,
1,007 of the 1,196 differences' witnesses and 146 of the 153 conflicts'
changed). The statements built here are the rules with their values
written in, added in the order the programs had when they were text, so
`kb check` finds the same witnesses; tests/test_check_programs.py pins some.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import clingo
from clingo import ast

from engine.errors import KnowledgeBaseError
from engine.knowledge_base import CHECKS, DEFAULT_DIRECTORY, KnowledgeBase
from engine.solve import statements

# The literal of a template part that stands for a rule's body.
PLACEHOLDER = "check_rule_body"
# The part grounded after the others: the externals goals switch.
SWITCHES = "switches"


# Where a parameter stands in a statement: the child (attribute, index or
# None) to follow at each level down to its term.
Path = tuple[tuple[str, int | None], ...]


class Template(NamedTuple):
    """A part of kb/checks.lp as written: its parameters, its statements and,
    per statement, where each parameter stands in it (found once, so that
    instantiating a part thousands of times per search stays cheap)."""

    name: str
    parameters: tuple[str, ...]
    rules: tuple[ast.AST, ...]
    slots: tuple[tuple[tuple[Path, str], ...], ...]


class CheckProgram:
    """The parts of a knowledge base's kb/checks.lp (else the installed one)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        own = kb.path(CHECKS)
        self.path = own if os.path.isfile(own) else os.path.join(DEFAULT_DIRECTORY, CHECKS)

    def part(self, name: str, *values: clingo.Symbol) -> list[ast.AST]:
        """The rules of part `name`, its parameters replaced by `values`."""
        found = _part(self.path, name)
        bindings = self._bindings(found, values)
        return [
            _substitute(rule, slots, bindings)
            for rule, slots in zip(found.rules, found.slots, strict=True)
        ]

    def spliced(
        self, name: str, values: Sequence[clingo.Symbol], body: Sequence[ast.AST]
    ) -> list[ast.AST]:
        """A template part with its parameters replaced by `values` and its
        placeholder by `body` (the body literals of another rule)."""
        found = _part(self.path, name)
        bindings = self._bindings(found, values)
        return [
            _with_body(_substitute(rule, slots, bindings), body)
            for rule, slots in zip(found.rules, found.slots, strict=True)
        ]

    def _bindings(
        self, found: Template, values: Sequence[clingo.Symbol]
    ) -> dict[str, clingo.Symbol]:
        if len(values) != len(found.parameters):
            raise KnowledgeBaseError(
                f"{self.path}: part '{found.name}' takes {len(found.parameters)} "
                f"parameters, given {len(values)}"
            )
        return dict(zip(found.parameters, values, strict=True))


@functools.cache
def _part(path: str, name: str) -> Template:
    parsed = statements(path)
    parameters: tuple[str, ...] | None = None
    rules: list[ast.AST] = []
    current = ""
    for statement in parsed:
        if statement.ast_type == ast.ASTType.Program:
            current = statement.name
            if current == name:
                parameters = tuple(p.name for p in statement.parameters)
        elif current == name and statement.ast_type != ast.ASTType.Comment:
            rules.append(statement)
    if parameters is None or not rules:
        raise KnowledgeBaseError(f"{path}: no part '#program {name}' with statements")
    slots = tuple(tuple(_slots(rule, set(parameters), ())) for rule in rules)
    return Template(name, parameters, tuple(rules), slots)


def _slots(node: ast.AST, parameters: set[str], path: Path) -> Iterator[tuple[Path, str]]:
    """Where the constants that name parameters stand in a statement."""
    if node.ast_type == ast.ASTType.SymbolicTerm:
        symbol = node.symbol
        constant = symbol.type == clingo.SymbolType.Function and not symbol.arguments
        if constant and symbol.name in parameters:
            yield path, symbol.name
        return
    for key in node.child_keys:
        child = getattr(node, key)
        if isinstance(child, ast.AST):
            yield from _slots(child, parameters, (*path, (key, None)))
        elif child is not None:
            for index, item in enumerate(child):
                yield from _slots(item, parameters, (*path, (key, index)))


def _substitute(
    node: ast.AST, slots: Sequence[tuple[Path, str]], bindings: dict[str, clingo.Symbol]
) -> ast.AST:
    """The node with the terms at the slots' paths replaced by their values:
    each node on the way rebuilt once, whatever the number of slots below it."""
    if not slots:
        return node
    if not slots[0][0]:
        return node.update(symbol=bindings[slots[0][1]])
    below: dict[str, dict[int | None, list[tuple[Path, str]]]] = {}
    for path, parameter in slots:
        (key, index), rest = path[0], path[1:]
        below.setdefault(key, {}).setdefault(index, []).append((rest, parameter))
    changes: dict[str, Any] = {}
    for key, by_index in below.items():
        child = getattr(node, key)
        if None in by_index:
            changes[key] = _substitute(child, by_index[None], bindings)
        else:
            items = list(child)
            for index, inner in by_index.items():
                assert index is not None
                items[index] = _substitute(items[index], inner, bindings)
            changes[key] = items
    return node.update(**changes)


def _with_body(rule: ast.AST, body: Sequence[ast.AST]) -> ast.AST:
    literals: list[ast.AST] = []
    for literal in rule.body:
        if _is_placeholder(literal):
            literals.extend(body)
        else:
            literals.append(literal)
    return rule.update(body=literals)


def _is_placeholder(literal: ast.AST) -> bool:
    if literal.ast_type != ast.ASTType.Literal:
        return False
    atom = literal.atom
    if atom.ast_type != ast.ASTType.SymbolicAtom:
        return False
    symbol = atom.symbol
    return bool(symbol.ast_type == ast.ASTType.Function and symbol.name == PLACEHOLDER)
