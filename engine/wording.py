"""The one wording layer: how each predicate, value and status reads for people.

Templates are declared here, per predicate, once; `kb query`, `--explain`,
missing documentation, `kb whatif` and the diagrams (engine/diagrams/wording.py)
only fill them. tests/test_wording.py checks that every predicate a person can
be shown (the case vocabulary, the concepts of kb/concepts.lp) has one.

Three kinds of template:
- PHRASES: a literal of the knowledge base ("symptom onset at L1 < 42 days
  (six weeks)"), with variables for the diagrams or ground for explanations;
- DOCUMENT: an item to document, from a MissingItem of the completion search
  ("symptom onset at L1 within the last 41 days");
- STATUS: a determination status ("not medically necessary").
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from engine.vocabulary import LEVELS, PREDICATES, Values
from engine.vocabulary_program import VOCABULARY_TABLES

if TYPE_CHECKING:
    import clingo

    from engine.determination import MissingItem

# --- Values ---------------------------------------------------------------------

VALUES: dict[str, str] = {
    "mri_edema": "MRI with bone marrow edema",
    "mri": "MRI",
    "ct": "CT",
    "ct_cleft": "CT showing an intravertebral cleft",
    "xray": "X-ray",
    "bone_scan": "bone scan",
    "spect_ct": "SPECT/CT",
    "nsaids": "NSAIDs",
    "prescription_analgesics": "prescription analgesics",
    "exercise_program": "an exercise program",
    "physical_therapy": "physical therapy",
    "uti": "urinary tract infection",
}


def pretty(value: str) -> str:
    """A constant as words: 'mri_edema' -> 'mri edema'; strings unquoted."""
    return value.strip('"').replace("_", " ")


def value_words(value: str) -> str:
    """A constant of the case vocabulary as a person names it."""
    return VALUES.get(value, pretty(value))


def or_list(values: Iterable[str]) -> str:
    items = [pretty(v) for v in values]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _or_words(values: Iterable[str]) -> str:
    items = [value_words(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


class Tables(NamedTuple):
    """The knowledge base's static facts, by predicate: argument tuples as text."""

    atoms: Mapping[str, Sequence[tuple[str, ...]]]
    level_order: Mapping[str, int]  # level -> cranio-caudal index
    level_region: Mapping[str, str]

    def values(self, predicate: str) -> Sequence[tuple[str, ...]]:
        return self.atoms.get(predicate, ())

    def threshold(self, name: str) -> str:
        """'42 days (six weeks)' for threshold(six_weeks(nd_x5025), 42): a policy's
        own duration, named without its policy. Tables of every revision
        (threshold_value/3, as a diagram's) note a revised one's earlier values:
        '56 days (twelve weeks since 2026-01-01; 84 days before)'."""
        words = pretty(name.split("(", 1)[0])
        for key, days in self.values("threshold"):
            if key == name:
                return f"{days} days ({words}{self._revisions(name)})"
        return words

    def _revisions(self, name: str) -> str:
        """' since 2026-01-01; 84 days before' for a threshold revised on 2026-01-01."""
        revisions = sorted(
            (int(since), days) for key, days, since in self.values("threshold_value") if key == name
        )
        if len(revisions) < 2:
            return ""
        (_, first), *middle, (latest, _) = revisions
        earlier = [f"{days} days since {date_words(since)}" for since, days in reversed(middle)]
        return f" since {date_words(latest)}; " + ", ".join([*earlier, f"{first} days before"])

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


def tables_from(rows: Mapping[str, Sequence[tuple[str, ...]]]) -> Tables:
    """The static tables of an answer set, from its rows (arguments as text)."""
    by_name = {name: list(found) for name, found in rows.items()}
    levels = by_name.get("level", [])
    order = {name: int(index) for name, _region, index in levels}
    regions = {name: region for name, region, _index in levels}
    return Tables(by_name, order, regions)


# The predicates of kb/concepts.lp that wording reads, with their arities.
TABLES = {"threshold": 2, "range": 3, "level": 3, "advanced_modality": 1}


# --- Literals --------------------------------------------------------------------


class Phrase(NamedTuple):
    """How a predicate reads; {0}, {1} are its arguments, as described."""

    template: str
    level_positions: tuple[int, ...] = ()
    anonymous: str = ""  # the reading when every argument is '_'
    some: str = ""  # the reading when every argument but the levels is open ('any')
    denied: str = ""  # the reading when false, if 'not ...' reads wrong


PHRASES: dict[str, Phrase] = {
    "target": Phrase("{0} is a target level", (0,)),
    "requested": Phrase("procedure requested: {0}"),
    "procedure": Phrase("procedure: {0}"),
    "cpt": Phrase("CPT/HCPCS code {0}"),
    "icd10": Phrase("diagnosis code {0}"),
    "service_date": Phrase("date of service {0}"),
    "cause_at": Phrase("fracture at {0}: {1}", (0,), some="a fracture at {0}"),
    "fracture": Phrase("fracture at {0}, cause: {1}", (0,), some="a fracture at {0}"),
    "lesion_at": Phrase("lesion at {0}: {1}", (0,), some="a lesion at {0}"),
    "lesion": Phrase("lesion at {0}: {1}", (0,), some="a lesion at {0}"),
    "lesion_trait": Phrase("lesion at {0} is {1}", (0,)),
    "imaging": Phrase("imaging at {0}: {1}", (0,), some="imaging of {0} (any kind)"),
    "advanced_imaging": Phrase("advanced imaging at {0} ({modalities})", (0,)),
    "in_range": Phrase("{0} within {range1}", (0,), denied="{0} is not within {range1}"),
    "region": Phrase("{0} is {1}", (0,), denied="{0} is not {1}"),
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
    "therapy": Phrase(
        "conservative therapy: {0} for {1} days", anonymous="a conservative therapy"
    ),
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
    "symptom_documented": Phrase("a symptom of the fracture at {0} documented", (0,)),
    "documented_asymptomatic": Phrase("fracture at {0} documented without symptoms", (0,)),
    "performed": Phrase("procedure performed: {0}"),
    # Tables of kb/concepts.lp a criterion looks a value up in.
    "malignant_kind": Phrase("{0} is a malignant cause", denied="{0} is not a malignant cause"),
    "lesion_kind": Phrase("{0} is a lesion", denied="{0} is not a lesion"),
    "painful_lesion": Phrase("lesion at {0} painful", (0,)),
    "painless_lesion": Phrase("lesion at {0} documented not painful", (0,)),
}

# Concepts of kb/concepts.lp that are machinery, never a reason by themselves:
# their case facts are shown instead (vertebral_level/1, augmented_as/2: tables
# of levels, which the diagrams draw by their definitions), and the
# vocabulary's tables (kb/vocabulary.lp).
MACHINERY = frozenset(
    {"level", "range", "threshold", "advanced_modality", "lesion_kind", "malignant_kind"}
    | {"cpt_procedure", "target_count", "longest_therapy", "therapy_days", "in_range"}
    | {"duration", "parameter", "threshold_value", "threshold_day", "threshold_replaced"}
    | {"threshold_pending"}
    | {"vertebral_level", "vertebral_region", "augmented_as"}
    | VOCABULARY_TABLES
)


def fact_words(symbol: clingo.Symbol, tables: Tables) -> str:
    """A ground atom (a case fact or a concept) in words; '-p' reads 'not: ...'."""
    arguments = [_argument_text(a) for a in symbol.arguments]
    return atom_words(symbol.name, arguments, symbol.positive, tables)


def _level_words(level: str) -> str:
    return "any level" if level == "any" else level.upper()


def _argument_text(symbol: clingo.Symbol) -> str:
    import clingo

    return symbol.string if symbol.type == clingo.SymbolType.String else str(symbol)


def atom_words(name: str, arguments: Sequence[str | None], positive: bool, tables: Tables) -> str:
    """An atom in words; an argument None (a variable) reads 'any'."""
    if name == "service_date" and arguments and str(arguments[0]).isdigit():
        arguments = [date_words(int(str(arguments[0])))]
    phrase = PHRASES.get(name)
    if phrase is not None and phrase.anonymous and arguments and all(a is None for a in arguments):
        return phrase.anonymous if positive else f"not {phrase.anonymous}"
    if phrase is not None and phrase.some and _open_but_levels(arguments, phrase):
        levels = [_level_words(str(a)) for a in arguments]
        words = phrase.some.format(*levels)
        return words if positive else f"not {words}"
    shown = [a if a is not None else "any" for a in arguments]
    if phrase is None:
        words = pretty(name) + (f" {', '.join(map(pretty, shown))}" if shown else "")
    else:
        shown = [
            _level_words(a) if i in phrase.level_positions else value_words(a)
            for i, a in enumerate(shown)
        ]
        if not positive and phrase.denied:
            return phrase.denied.format(*shown, **_table_words(phrase.denied, arguments, tables))
        words = phrase.template.format(*shown, **_table_words(phrase.template, arguments, tables))
    return words if positive else f"not {words}"


def _table_words(template: str, arguments: Sequence[str | None], tables: Tables) -> dict[str, str]:
    """The words of the tables a template names ({modalities}, {range1},
    {threshold0}, {threshold1}), looked up only when it names them."""
    extra: dict[str, str] = {}
    if "{modalities" in template:
        extra["modalities"] = _or_words(a for (a,) in tables.values("advanced_modality"))
    if "{range1" in template:
        extra["range1"] = tables.range_text(str(arguments[1])) if len(arguments) > 1 else ""
    if "{threshold0" in template:
        extra["threshold0"] = tables.threshold(str(arguments[0])) if arguments else ""
    if "{threshold1" in template:
        extra["threshold1"] = tables.threshold(str(arguments[1])) if len(arguments) > 1 else ""
    return extra


def _open_but_levels(arguments: Sequence[str | None], phrase: Phrase) -> bool:
    """Every argument but the levels is open (a variable), and some is."""
    others = [a for i, a in enumerate(arguments) if i not in phrase.level_positions]
    return bool(others) and all(a is None for a in others)


def not_listed(name: str, arguments: Sequence[str], tables: Tables) -> str:
    """A value a criterion looks up in a table of the knowledge base and does not
    find: 'osteoporotic is not a malignant cause' (the table's `denied` reading),
    'osteoblastic metastasis is not a malignant finding' (its name in words)."""
    phrase = PHRASES.get(name)
    if phrase is not None and phrase.denied:
        return atom_words(name, arguments, False, tables)
    values = " and ".join(value_words(a) for a in arguments)
    return f"{values} is not a {pretty(name)}"


# --- Items to document -------------------------------------------------------------

# One template per documentation predicate: {level}, {values} (an or-list of the
# admissible values in words) and {days} (the admissible durations) are filled in.
DOCUMENT: dict[str, str] = {
    "onset_days": "symptom onset at {level} {days}",
    "imaging": "imaging of {level}: {values}",
    "pain_concordant": "pain concordant with the fracture at {level} on examination",
    "pain_severity": "pain severity {values}",
    "pain_score": "a pain score",
    "functional_impairment": "daily pain with functional impairment",
    "hospitalized_for_pain": "hospitalization for pain control",
    "ambulation_prevented": "pain prevents walking (ambulation)",
    "transfers_prevented": "pain prevents independent transfers",
    "incapacitated": "incapacitating (severe debilitating) pain",
    "therapy": "conservative therapy ({values}) {days}",
    "therapy_failed": "conservative therapy failed (no meaningful improvement)",
    "therapy_contraindicated": "a contraindication to {values}",
    "osteoporosis_program": "enrolment in an osteoporosis treatment program",
    "lesion_trait": "the lesion at {level} is {values}",
}

# Items whose admissible values may be all the vocabulary offers (but `none`):
# then they read as any kind ("imaging of L1: any kind"), not as a list of all.
ANY_VALUE: dict[str, str] = {"imaging": "any kind", "therapy": "any kind"}

# How durations read, for onset (days ago) and for therapy (days long).
_SPANS = {
    "onset_days": (
        "within the last {high} days",
        "at least {low} days ago",
        "{low}-{high} days ago",
    ),
    "therapy": ("for at most {high} days", "for at least {low} days", "for {low}-{high} days"),
}


def item_words(item: MissingItem) -> str:
    """A missing documentation item in plain words."""
    template = DOCUMENT.get(item.predicate)
    if template is None:
        return item.example.rstrip(".")
    level = item.level.upper() if item.level else ""
    values = _or_words(item.values) if item.values else "any"
    if item.predicate in ANY_VALUE and _every_value(item):
        values = ANY_VALUE[item.predicate]
    days = " or ".join(_span(item.predicate, low, high) for low, high in item.days)
    return " ".join(template.format(level=level, values=values, days=days).split())


def _every_value(item: MissingItem) -> bool:
    """The item admits every value of its vocabulary (but the one stating none)."""
    for predicate in PREDICATES:
        if predicate.name == item.predicate:
            domains = [a for a in predicate.args if isinstance(a, Values) and a is not LEVELS]
            every = {v for d in domains for v in d.members} - {"none"}
            return bool(every) and every <= set(item.values)
    return False


def _span(predicate: str, low: int, high: int | None) -> str:
    within, at_least, between = _SPANS.get(predicate, _SPANS["therapy"])
    if high is None:
        return at_least.format(low=low)
    if low <= 1:
        return within.format(high=high)
    if low == high:
        return between.replace("{low}-", "").format(high=high)
    return between.format(low=low, high=high)


# --- Statuses and quotes ----------------------------------------------------------------

STATUS: dict[str, str] = {
    "medically_necessary": "medically necessary",
    "not_medically_necessary": "not medically necessary",
    "investigational": "investigational",
    "not_covered": "not covered",
    "insufficient_information": "insufficient information",
    "not_in_effect": "not in effect",
    "not_addressed": "not addressed",
}


def status_words(status: str) -> str:
    return STATUS.get(status, pretty(status))


def date_words(date: int) -> str:
    """20251015 -> '2025-10-15'."""
    text = f"{date:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def period_words(start: int, end: int) -> str:
    """An effective period: '2025-09-15 to 2025-11-02', 'always to open-ended'."""
    since = date_words(start) if start else "always"
    until = "open-ended" if end >= 99991231 else date_words(end)
    return f"{since} to {until}"


def wrapped(text: str, indent: str, width: int = 96) -> list[str]:
    """Text in full, wrapped at word boundaries (never cut mid-word)."""
    return list(_wrapped(text, indent, width))


@lru_cache(maxsize=4096)  # the same quotes recur at every level of a request
def _wrapped(text: str, indent: str, width: int) -> tuple[str, ...]:
    return tuple(word_wrapped(text, indent, indent, width))


def word_wrapped(text: str, first: str, rest: str, width: int) -> list[str]:
    """The lines of textwrap.wrap(text, width, initial_indent=first,
    subsequent_indent=rest, break_long_words=False, break_on_hyphens=False).

    textwrap splits text into words and the whitespace between them and fills
    lines chunk by chunk in Python (~0.1 ms a paragraph; an explained 30-level
    request wraps hundreds). Printable text with no space at either end (all
    the wording writes) that fits reads as one line; with single spaces
    between its words, it wraps greedily to the same lines as textwrap's:
    each line ends at the last space that keeps it within the width (a word
    longer than the width alone on its line). Any other text goes to
    textwrap (tests/test_render_cost.py compares the two).
    """
    plain = text.isprintable() and text == text.strip() != ""
    if plain and len(first) + len(text) <= width:
        return [first + text]  # one line (most are)
    if not plain or "  " in text:
        return textwrap.wrap(
            text,
            width=width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
    lines: list[str] = []
    indent, room = first, width - len(first)
    while len(text) > room:
        cut = text.rfind(" ", 0, max(room, 0) + 1)  # the last space the line can end at
        if cut < 0:  # a first word longer than the line: alone on it
            cut = text.find(" ")
            if cut < 0:
                break
        lines.append(indent + text[:cut])
        text = text[cut + 1 :]
        indent, room = rest, width - len(rest)
    lines.append(indent + text)
    return lines
