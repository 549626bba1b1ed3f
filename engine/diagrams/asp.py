"""The ASP text of rule bodies as diagrams handle it: variables and comparisons.

Every labelled rule's level variable is renamed LEVEL (engine/diagrams/analysis.py),
so that the bodies of different rules can be compared and combined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

# The level variable of a labelled rule, renamed so that every rule uses the same name.
LEVEL = "LEVEL"

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|_*[A-Za-z][A-Za-z0-9_\']*|_')
_COMPARISON = re.compile(r"^\s*(\S+)\s*(<=|>=|!=|<|>|=)\s*(\S+)\s*$")
_FLIPPED = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "!=": "!=", "=": "="}


def is_variable(token: str) -> bool:
    """An ASP variable name (anonymous `_` included)."""
    stripped = token.lstrip("_")
    return token == "_" or (stripped != "" and stripped[0].isupper() and '"' not in token)


def variables_in(text: str) -> tuple[str, ...]:
    """The named variables of ASP text, in order of first occurrence (not `_`)."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token != "_" and is_variable(token):
            found[token] = None
    return tuple(found)


def rename_variables(text: str, mapping: Mapping[str, str]) -> str:
    """ASP text with variables renamed; strings and constants untouched."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        return mapping.get(token, token) if is_variable(token) else token

    return _TOKEN.sub(replace, text)


def unquoted(argument: str) -> str:
    return argument[1:-1] if len(argument) > 1 and argument[0] == argument[-1] == '"' else argument


class Comparison(NamedTuple):
    left: str
    operator: str
    right: str


def parse_comparison(text: str) -> Comparison | None:
    match = _COMPARISON.match(text)
    return Comparison(*match.groups()) if match else None


def flip(comparison: Comparison) -> Comparison:
    """The same comparison with its sides swapped (3 < X is X > 3)."""
    return Comparison(comparison.right, _FLIPPED[comparison.operator], comparison.left)
