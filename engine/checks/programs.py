"""The parts of kb/checks.lp, instantiated for one search.

kb/checks.lp holds every rule `kb check` adds to the case space, as
`#program` parts with parameters (`#program pair(a, b).`). A part is
instantiated here by clingo's AST, never from text: its parameters replaced
by values, and, in the template parts `fired(p, rule)` and
`near(p, rule, condition)`, the placeholder `check_rule_body` replaced by
the body of a rule of the knowledge base as clingo parsed it.

Why not clingo's own `ground([("pair", [Function(a), Function(b)])])` (or
loading kb/checks.lp into the Control): either numbers the ground program
differently from the same rules with their values written in, and clasp
then returns another of the equally minimal witnesses (measured on the five
policies: 1,007 of the 1,196 differences' witnesses change, and 146 of the
153 conflicts'). The statements built here are exactly the rules with their
values written in, so `kb check` finds the same witnesses as when its
programs were text; tests/test_checks.py pins some of them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import NamedTuple

import clingo
from clingo import ast

from engine.errors import KnowledgeBaseError
from engine.knowledge_base import CHECKS, DEFAULT_DIRECTORY, KnowledgeBase
from engine.solve import statements

# The literal of a template part that stands for a rule's body.
PLACEHOLDER = "check_rule_body"
# The part grounded after the others: the externals goals switch.
SWITCHES = "switches"


def shared_path(kb: KnowledgeBase, name: str) -> str:
    """A shared program of the knowledge base's own, else the installed one."""
    own = kb.path(name)
    return own if os.path.isfile(own) else os.path.join(DEFAULT_DIRECTORY, name)


class Template(NamedTuple):
    """A part of kb/checks.lp as written: its parameters and its statements."""

    name: str
    parameters: tuple[str, ...]
    rules: tuple[ast.AST, ...]


class CheckProgram:
    """The parts of a knowledge base's kb/checks.lp (else the installed one)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.path = shared_path(kb, CHECKS)

    def part(self, name: str, *values: clingo.Symbol) -> list[ast.AST]:
        """The rules of part `name`, its parameters replaced by `values`."""
        found = _part(self.path, name)
        return [_substitute(rule, self._bindings(found, values)) for rule in found.rules]

    def spliced(
        self, name: str, values: Sequence[clingo.Symbol], body: Sequence[ast.AST]
    ) -> list[ast.AST]:
        """A template part with its parameters replaced by `values` and its
        placeholder by `body` (the body literals of another rule)."""
        found = _part(self.path, name)
        bindings = self._bindings(found, values)
        return [_with_body(_substitute(rule, bindings), body) for rule in found.rules]

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
    try:
        parsed = statements(path)
    except RuntimeError as error:
        raise KnowledgeBaseError(f"{path} cannot be parsed: {error}") from None
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
    return Template(name, parameters, tuple(rules))


class _Bind(ast.Transformer):
    """Replaces the constants that name parameters by their values."""

    def __init__(self, bindings: dict[str, clingo.Symbol]) -> None:
        self._bindings = bindings

    def visit_SymbolicTerm(self, term: ast.AST) -> ast.AST:  # noqa: N802 (clingo's name)
        symbol = term.symbol
        if symbol.type == clingo.SymbolType.Function and not symbol.arguments:
            value = self._bindings.get(symbol.name)
            if value is not None:
                return term.update(symbol=value)
        return term


def _substitute(rule: ast.AST, bindings: dict[str, clingo.Symbol]) -> ast.AST:
    if not bindings:
        return rule
    bound: ast.AST = _Bind(bindings)(rule)
    return bound


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
