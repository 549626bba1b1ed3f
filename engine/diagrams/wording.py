"""Body literals of the knowledge base as short phrases a policy committee reads.

A phrase names a case-vocabulary fact the way docs/case-vocabulary.md does,
with every threshold and range written out from the knowledge base's own
facts (threshold/2, range/3, advanced_modality/1 of kb/concepts.lp):
`onset_le(L, twelve_weeks)` reads "symptom onset at the level ≤ 84 days
(twelve weeks)", `in_range(L, t5_l5)` reads "the level within T5–L5".

Only the wording lives here; which literals a criterion needs, and how they
combine, comes from the rules (engine/diagrams/graph.py).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

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


class Tables(NamedTuple):
    """The knowledge base's static facts, by predicate: argument tuples as text."""

    atoms: Mapping[str, Sequence[tuple[str, ...]]]
    level_order: Mapping[str, int]  # level -> cranio-caudal index
    level_region: Mapping[str, str]

    def values(self, predicate: str) -> Sequence[tuple[str, ...]]:
        return self.atoms.get(predicate, ())

    def threshold(self, name: str) -> str:
        """'42 days (six weeks)' for threshold(six_weeks(nd_x5025), 42): a policy's
        own duration, named without its policy."""
        words = pretty(name.split("(", 1)[0])
        for key, days in self.values("threshold"):
            if key == name:
                return f"{days} days ({words})"
        return words

    def range_text(self, name: str) -> str:
        """'T5–L5' for range(t5_l5, t5, l5)."""
        for key, low, high in self.values("range"):
            if key == name:
                return f"{low.upper()}–{high.upper()}"
        return pretty(name)

    def levels_text(self, levels: Iterable[str]) -> str:
        """A set of levels as whole regions ('sacral or coccygeal'), a span
        ('within T5–L5') or a list."""
        chosen = set(levels)
        by_region: dict[str, set[str]] = {}
        for level, region in self.level_region.items():
            by_region.setdefault(region, set()).add(level)
        regions = [r for r, members in by_region.items() if members <= chosen]
        if regions and set().union(*(by_region[r] for r in regions)) == chosen:
            return or_list(sorted(regions, key=lambda r: self._first_index(by_region[r])))
        order = sorted(chosen, key=lambda x: self.level_order.get(x, 0))
        indices = [self.level_order.get(x, 0) for x in order]
        if len(order) > 1 and indices == list(range(indices[0], indices[0] + len(indices))):
            return f"within {order[0].upper()}–{order[-1].upper()}"
        return or_list(x.upper() for x in order)

    def _first_index(self, levels: Iterable[str]) -> int:
        return min(self.level_order.get(x, 0) for x in levels)


def pretty(value: str) -> str:
    """A constant as words: 'mri_edema' -> 'mri edema'; strings unquoted."""
    return value.strip('"').replace("_", " ")


def or_list(values: Iterable[str]) -> str:
    items = [pretty(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


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


class Phrase(NamedTuple):
    """How a predicate reads; {0}, {1} are its arguments, as described."""

    template: str
    level_positions: tuple[int, ...] = ()
    anonymous: str = ""  # the reading when every argument is '_'


PHRASES: dict[str, Phrase] = {
    "target": Phrase("{0} is a target level", (0,)),
    "requested": Phrase("procedure requested: {0}"),
    "procedure": Phrase("procedure: {0}"),
    "cause_at": Phrase("fracture at {0}: {1}", (0,)),
    "fracture": Phrase("fracture at {0}, cause: {1}", (0,)),
    "lesion_at": Phrase("lesion at {0}: {1}", (0,)),
    "lesion": Phrase("lesion at {0}: {1}", (0,)),
    "lesion_trait": Phrase("lesion at {0} is {1}", (0,)),
    "imaging": Phrase("imaging at {0}: {1}", (0,)),
    "advanced_imaging": Phrase("advanced imaging at {0} ({modalities})", (0,)),
    "in_range": Phrase("{0} within {range1}", (0,)),
    "region": Phrase("{0} is {1}", (0,)),
    "onset_lt": Phrase("symptom onset at {0} < {threshold1}", (0,)),
    "onset_le": Phrase("symptom onset at {0} ≤ {threshold1}", (0,)),
    "onset_ge": Phrase("symptom onset at {0} ≥ {threshold1}", (0,)),
    "onset_gt": Phrase("symptom onset at {0} > {threshold1}", (0,)),
    "onset_days": Phrase("symptom onset at {0}: {1} days", (0,)),
    "severity": Phrase("pain severity: {0}"),
    "pain_severity": Phrase("pain severity: {0}"),
    "pain_score": Phrase("pain score: {0}"),
    "moderate_or_severe": Phrase("pain severity: moderate or severe"),
    "pain_concordant": Phrase("pain concordant with {0}", (0,)),
    "functional_impairment": Phrase("daily pain with functional impairment"),
    "hospitalized_for_pain": Phrase("hospitalized for pain"),
    "ambulation_prevented": Phrase("pain prevents ambulation"),
    "transfers_prevented": Phrase("pain prevents independent transfers"),
    "incapacitated": Phrase("incapacitated (severe debilitating pain)"),
    "therapy": Phrase("conservative therapy {0}: {1} days"),
    "therapy_days": Phrase(
        "conservative therapy {0} for {1}", anonymous="some conservative therapy tried"
    ),
    "longest_therapy": Phrase("longest conservative therapy {0}"),
    "longest_therapy_at_least": Phrase("longest conservative therapy ≥ {threshold0}"),
    "osteolytic_malignancy_at": Phrase("myeloma or osteolytic metastasis at {0}", (0,)),
    "therapy_failed": Phrase("therapy failed (no meaningful improvement)"),
    "therapy_contraindicated": Phrase("therapy contraindicated: {0}"),
    "osteoporosis_program": Phrase("enrolled in an osteoporosis program"),
    "target_count": Phrase("number of target levels {0}"),
    "purpose": Phrase("purpose: {0}", anonymous="a purpose is stated"),
    "plan": Phrase("plan: {0}"),
    "device": Phrase("device: {0}"),
    "cement": Phrase("cement: {0}"),
    "condition": Phrase("condition: {0}"),
    "finding": Phrase("finding at {0}: {1}", (0,)),
    "augmentation_at": Phrase("augmentation of {0} is {1}", (0,)),
    "symptomatic": Phrase("fracture at {0} symptomatic", (0,)),
    "painful_lesion": Phrase("lesion at {0} painful", (0,)),
    "painless_lesion": Phrase("lesion at {0} documented not painful", (0,)),
}


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
