"""Body literals of the knowledge base as short phrases a policy committee reads.

A phrase names a case-vocabulary fact the way docs/case-vocabulary.md does,
with every threshold and range written out from the knowledge base's own
facts (threshold/2, range/3, advanced_modality/1 of kb/concepts.lp):
`onset_le(L, twelve_weeks)` reads "symptom onset at the level ≤ 84 days
(twelve weeks)", `in_range(L, t5_l5)` reads "the level within T5–L5".

The phrases themselves are declared once, in engine/wording.py (the one
wording layer of `kb query`, `--explain`, missing documentation, whatif and
diagrams); this module adds what only diagrams need. Which literals a criterion needs, and how they
combine, comes from the rules (engine/diagrams/graph.py).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from engine.wording import PHRASES as PHRASES
from engine.wording import Phrase as Phrase
from engine.wording import Tables as Tables
from engine.wording import or_list as or_list
from engine.wording import pretty as pretty

# The level variable of a labelled rule, renamed so that every rule uses the
# same name (engine/diagrams/graph.py renames it).
LEVEL = "LEVEL"

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|_*[A-Za-z][A-Za-z0-9_\']*|_')
_COMPARISON = re.compile(r"^\s*(\S+)\s*(<=|>=|!=|<|>|=)\s*(\S+)\s*$")
_SYMBOLS = {"<=": "≤", ">=": "≥", "!=": "≠", "<": "<", ">": ">", "=": "="}
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


def display_variable(name: str) -> str:
    """A renamed variable as the rule wrote it (K__3 -> K)."""
    return name.split("__", 1)[0]


class Comparison(NamedTuple):
    left: str
    operator: str
    right: str


def parse_comparison(text: str) -> Comparison | None:
    match = _COMPARISON.match(text)
    return Comparison(*match.groups()) if match else None


def level_text(argument: str, description: str = "") -> str:
    """How a level argument reads: the rule's level, any level, another level, L1."""
    if argument == LEVEL:
        return "the level"
    if argument == "_":
        return "any level"
    if is_variable(argument):
        name = f"level {display_variable(argument)}"
        return f"{name} ({description})" if description else name
    return argument.upper()


def phrase(
    predicate: str,
    arguments: Sequence[str],
    described: Mapping[str, str],
    tables: Tables,
    policy_prefix: str = "",
) -> str:
    """One positive literal as words; `described` gives each variable's reading."""
    known = PHRASES.get(predicate)
    if known is None:
        return _generic(predicate, arguments, described, policy_prefix)
    if known.anonymous and all(is_variable(a) and a not in described for a in arguments):
        return known.anonymous
    values: list[str] = []
    for position, argument in enumerate(arguments):
        if position in known.level_positions:
            values.append(level_text(argument, described.get(argument, "")))
        elif argument == "_":
            values.append("any")
        elif is_variable(argument):
            values.append(described.get(argument, display_variable(argument)))
        else:
            values.append(pretty(argument))
    extra = {
        "modalities": or_list(a for (a,) in tables.values("advanced_modality")),
        "range1": tables.range_text(arguments[1]) if len(arguments) > 1 else "",
        "threshold0": tables.threshold(arguments[0]) if arguments else "",
        "threshold1": tables.threshold(arguments[1]) if len(arguments) > 1 else "",
    }
    return known.template.format(*values, **extra)


def _generic(
    predicate: str, arguments: Sequence[str], described: Mapping[str, str], prefix: str
) -> str:
    """A policy-local concept without a phrase: its name, less the policy prefix."""
    name = pretty(predicate.removeprefix(prefix + "_") if prefix else predicate)
    shown = [
        described.get(a, display_variable(a)) if is_variable(a) else pretty(a) for a in arguments
    ]
    if len(shown) == 2:
        return f"{shown[0]} {name} {shown[1]}"
    return f"{shown[0]}: {name}" if shown else name


def comparison_text(operator: str, value: str) -> str:
    if operator == "!=" and not value[:1].isdigit():
        return f"other than {value}"
    return f"{_SYMBOLS[operator]} {value}"


def flip(comparison: Comparison) -> Comparison:
    """The same comparison with its sides swapped (3 < X is X > 3)."""
    return Comparison(comparison.right, _FLIPPED[comparison.operator], comparison.left)


def short_text(text: str, width: int = 42, lines: int = 3) -> list[str]:
    """A criterion's text cut to a few lines for a diagram node (the full text
    goes in the tooltip)."""
    cleaned = re.sub(r"\s+", " ", text).strip()
    cleaned = re.sub(r"\s*\[\.\.\.\].*$", " …", cleaned)
    cleaned = re.sub(r"[;,]?\s*(or|and|AND|OR)\s*[;:]?$|[;:,]$", "", cleaned).strip()
    wrapped = textwrap.wrap(cleaned, width=width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1].rstrip(" .,;:…") + " …"
    return wrapped
