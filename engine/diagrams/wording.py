"""Body literals of the knowledge base as short phrases a policy committee reads.

A phrase names a case-vocabulary fact the way docs/case-vocabulary.md does,
with every threshold and range written out from the knowledge base's own
facts (threshold/2, range/3, advanced_modality/1 of kb/concepts.lp):
`onset_le(L, twelve_weeks)` reads "symptom onset at the level ≤ 84 days
(twelve weeks)", `in_range(L, t5_l5)` reads "the level within T5–L5".

The phrases themselves are declared once, in engine/wording.py (the one
wording layer of `kb query`, `--explain`, missing documentation, whatif and
diagrams); this module adds what only diagrams need: a fact of a diagram
(several literals sharing variables) as lines, a criterion's words cut to a
box, a policy's dates. Which literals a criterion needs, and how they
combine, comes from the rules (engine/diagrams/analysis.py).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence

from engine.diagrams.asp import (
    LEVEL,
    Comparison,
    flip,
    is_variable,
    parse_comparison,
)
from engine.diagrams.bodies import Leaf, Literal
from engine.diagrams.facts import matching_rows, table_values
from engine.diagrams.knowledge import DOCUMENTATION, Knowledge
from engine.wording import PHRASES, Tables, date_words, or_list, pretty

_SYMBOLS = {"<=": "≤", ">=": "≥", "!=": "≠", "<": "<", ">": ">", "=": "="}


def display_variable(name: str) -> str:
    """A renamed variable as the rule wrote it (K__3 -> K)."""
    return name.split("__", 1)[0]


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


# --- A fact of a diagram as lines of words ---------------------------------------


def leaf_lines(leaf: Leaf, knowledge: Knowledge, policy: str) -> list[str]:
    """A leaf as lines of words, thresholds and table values written out."""
    tables = knowledge.tables
    level_like = _level_variables(leaf.primaries)
    values, origins = table_values(leaf.supports, tables)
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
    rows = matching_rows(knowledge.tables, literal, position)
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


def effective_text(start: int, end: int) -> str:
    """A policy's effective dates (YYYYMMDD numbers) as words."""
    if start <= 0 and end >= 99991231:
        return "always in effect (no date in the text)"
    if end >= 99991231:
        return f"effective from {date_words(start)} (no end date)"
    return f"effective {date_words(start)} to {date_words(end)}"
