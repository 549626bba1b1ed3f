"""What the rules of the knowledge base read: one home for its dependency analysis.

Read with clingo's own AST parser. For each rule: the predicates its head
defines, the predicates its body reads (negated ones and those inside
aggregates included) and every name it uses. From these, `Dependencies`
answers which predicates a (derived) predicate rests on, transitively, and
which predicates no case fact can change.

Diagrams (engine/diagrams/knowledge.py) and the checks' case space
(engine/checks/search.py) ask this module; none walks the rules on its own.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

import clingo
from clingo import ast

from engine.errors import KnowledgeBaseError


class RuleReading(NamedTuple):
    """One rule of a file, by the names it uses."""

    defines: frozenset[str]  # predicates of a plain literal head (none for constraints)
    reads: frozenset[str]  # predicates of the body
    names: frozenset[str]  # every name: predicates, function symbols and constants


def read_rules(paths: Sequence[str]) -> list[RuleReading]:
    """Every rule of the files (pools unfolded), in file order."""
    readings: list[RuleReading] = []

    def collect(statement: ast.AST) -> None:
        if statement.ast_type == ast.ASTType.Rule:
            readings.extend(_reading(rule) for rule in statement.unpool())

    for path in paths:
        try:
            ast.parse_files([path], collect)
        except RuntimeError as error:
            raise KnowledgeBaseError(
                f"{os.path.basename(path)} cannot be parsed: {error}"
            ) from None
    return readings


def names_used(path: str) -> set[str]:
    """Every name the rules of a file use (predicates and constants, not strings)."""
    return {name for reading in read_rules([path]) for name in reading.names}


def _reading(rule: ast.AST) -> RuleReading:
    head = rule.head
    defines = frozenset(_atom_names(head)) if head.ast_type == ast.ASTType.Literal else frozenset()
    reads = frozenset(name for literal in rule.body for name in _atom_names(literal))
    return RuleReading(defines, reads, frozenset(_names(rule)))


def _children(node: ast.AST) -> Iterator[ast.AST]:
    for key in node.child_keys:
        child = getattr(node, key)
        if isinstance(child, ast.AST):
            yield child
        elif child is not None and not isinstance(child, str | int):
            yield from (element for element in child if isinstance(element, ast.AST))


def _atom_names(node: ast.AST) -> Iterator[str]:
    """Predicate names of the symbolic atoms in an AST (aggregates included)."""
    if node.ast_type == ast.ASTType.SymbolicAtom:
        term = node.symbol
        if term.ast_type == ast.ASTType.UnaryOperation:
            term = term.argument
        if term.ast_type == ast.ASTType.Function:
            yield term.name
        return
    for child in _children(node):
        yield from _atom_names(child)


def _names(node: ast.AST) -> Iterator[str]:
    """Every name in an AST: predicates, function symbols and constants."""
    if node.ast_type == ast.ASTType.Function:
        yield node.name
    elif node.ast_type == ast.ASTType.SymbolicTerm:
        symbol = node.symbol
        if symbol.type == clingo.SymbolType.Function:
            yield symbol.name
    for child in _children(node):
        yield from _names(child)


class Dependencies:
    """Each defined predicate with the predicates each of its rules' bodies read."""

    def __init__(self, definitions: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        self._bodies: dict[str, list[frozenset[str]]] = {}
        self.add(definitions)

    @classmethod
    def of_files(cls, paths: Sequence[str]) -> Dependencies:
        return cls(
            (name, reading.reads) for reading in read_rules(paths) for name in reading.defines
        )

    def add(self, definitions: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Further rules, each as (the predicate it defines, the predicates it reads)."""
        for name, body in definitions:
            self._bodies.setdefault(name, []).append(frozenset(body))

    @property
    def defined(self) -> tuple[str, ...]:
        """The defined predicates, in the order their first rule came."""
        return tuple(self._bodies)

    def behind(self, name: str, among: Collection[str]) -> frozenset[str]:
        """The predicates of `among` that a predicate is or reads, directly or
        through the predicates its rules read."""
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            for body in self._bodies.get(current, []):
                pending.extend(body)
        return frozenset(seen.intersection(among))

    def behind_each(self, among: Collection[str]) -> Mapping[str, frozenset[str]]:
        """`behind` for every defined predicate."""
        return {name: self.behind(name, among) for name in self._bodies}

    def unchanged_by(self, changeable: Collection[str], facts: Iterable[str]) -> frozenset[str]:
        """The defined predicates and fact tables that no change to `changeable`
        predicates can change: defined only from other such predicates."""
        fixed = (set(self._bodies) | set(facts)) - set(changeable)
        changed = True
        while changed:
            changed = False
            for name in sorted(fixed):
                if any(not body <= fixed for body in self._bodies.get(name, [])):
                    fixed.discard(name)
                    changed = True
        return frozenset(fixed)
