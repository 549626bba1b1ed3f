"""The case vocabulary (docs/case-vocabulary.md) as data: every predicate a case
file may state, its kind, and the domain of each argument.

This is the one source of the vocabulary. The validator, the
missing-documentation search, the consistency checks and the diagrams read it
here; the knowledge base reads it from files generated from it by
engine/vocabulary_program.py (kb/vocabulary.lp: levels, CPT codes, pain score
bands, value sets; kb/vocabulary_completion.lp: which stated facts make a
documentation item known; kb/vocabulary_case_space.lp: the yes/no items and
the days of each month).
tests/test_vocabulary.py checks that the generated files are current, that no
hand-written .lp file restates them, and that docs/case-vocabulary.md's tables
say the same.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple


class Kind(Enum):
    """How an unstated fact of a predicate is read (case vocabulary, 'Three kinds')."""

    PICTURE = "picture"  # closed: not stated is false
    DOCUMENTATION = "documentation"  # open: not stated is unknown
    EXCLUSION = "exclusion"  # closed: not stated is absent


class Values(NamedTuple):
    """A closed set of constants."""

    name: str
    members: tuple[str, ...]

    def describe(self) -> str:
        """The members for a one-line message: numbered runs as ranges (t1..t12)."""
        return f"one of {_listed(_compact(self.members))}"


_DESCRIBED = 60  # characters of a domain's description in a message


def _listed(items: list[str]) -> str:
    """Items joined by commas, cut short (with their number) past _DESCRIBED characters."""
    text = ", ".join(items)
    if len(text) <= _DESCRIBED + 10:  # not worth cutting
        return text
    kept: list[str] = []
    for item in items:
        if len(", ".join([*kept, item])) > _DESCRIBED:
            break
        kept.append(item)
    return f"{', '.join(kept)}, ... ({len(items)} in all)"


_NUMBERED = re.compile(r"([a-z]+)([0-9]+)")


def _compact(members: tuple[str, ...]) -> list[str]:
    """c1, c2, ..., c7 as c1..c7 (runs of consecutive numbers with one prefix)."""
    shown: list[str] = []
    for member in members:
        found = _NUMBERED.fullmatch(member)
        last = _NUMBERED.fullmatch(shown[-1].rpartition("..")[2]) if shown else None
        if (
            found
            and last
            and (last.group(1), int(last.group(2)) + 1)
            == (
                found.group(1),
                int(found.group(2)),
            )
        ):
            shown[-1] = f"{shown[-1].partition('..')[0]}..{member}"
        else:
            shown.append(member)
    return shown


class Integer(NamedTuple):
    """A whole number in a closed range (no arithmetic, no wrap-around)."""

    name: str
    low: int
    high: int

    def describe(self) -> str:
        return f"an integer from {self.low} to {self.high}"

    def contains(self, number: int) -> bool:
        return self.low <= number <= self.high


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def leap_year(year: int) -> bool:
    """Gregorian: every fourth year, but not centuries, but every fourth century."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """The days of a month (1-12) of a year."""
    return 29 if month == 2 and leap_year(year) else _DAYS_IN_MONTH[month - 1]


class Date(NamedTuple):
    """A real calendar date written as the integer YYYYMMDD, between two years."""

    name: str = "date"
    first_year: int = 1900
    last_year: int = 2100

    def describe(self) -> str:
        return (
            f"a date as an integer YYYYMMDD from {self.first_year} to {self.last_year}, "
            "e.g. 20251015"
        )

    def contains(self, number: int) -> bool:
        year, month, day = number // 10000, number // 100 % 100, number % 100
        if not (self.first_year <= year <= self.last_year and 1 <= month <= 12):
            return False
        return 1 <= day <= days_in_month(year, month)


class Text(NamedTuple):
    """A quoted string, from a list of codes or matching a pattern."""

    name: str
    codes: tuple[str, ...] = ()
    pattern: str = ""

    def describe(self) -> str:
        if self.codes:
            return f"a quoted code, one of {_listed(list(self.codes))}"
        return 'a quoted ICD-10-CM code, e.g. "M80.08XA"'


Domain = Values | Integer | Date | Text


class Item(NamedTuple):
    """A documentation item: what a reviewer asks for (the onset at a level, the
    pain, whether therapy failed). Any fact of its predicate stated for it,
    true, false ('-') or with any value (`none` included), makes it known;
    not stated at all, it is unknown."""

    name: str  # the item's name in the knowledge base (known/1: onset(L), pain)
    arguments: tuple[int, ...]  # the positions of the fact's arguments that name the item


class Predicate(NamedTuple):
    name: str
    args: tuple[Domain, ...]
    kind: Kind
    # Single-valued per first argument (or globally for arity 1): two different
    # values are a contradiction.
    single: bool = False
    item: Item | None = None  # the item a documentation fact documents

    @property
    def yes_no(self) -> bool:
        """A documentation item stated true or false: every argument names the
        item (pain_concordant(L)), none is a value (onset_days(L, D))."""
        return self.item is not None and len(self.item.arguments) == len(self.args)

    @property
    def per_level(self) -> bool:
        """The first argument is a level (onset_days(L, D), finding(L, F))."""
        return self.args[:1] == (LEVELS,)

    @property
    def signature(self) -> str:
        return f"{self.name}/{len(self.args)}"


# The regions of the spine, cranio-caudal, with their levels.
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cervical", tuple(f"c{i}" for i in range(1, 8))),
    ("thoracic", tuple(f"t{i}" for i in range(1, 13))),
    ("lumbar", tuple(f"l{i}" for i in range(1, 6))),
    ("sacral", tuple(f"s{i}" for i in range(1, 6))),
    ("coccygeal", ("coccyx",)),
)
LEVELS = Values("level", tuple(level for _, levels in REGIONS for level in levels))
PROCEDURES = Values("procedure", ("vertebroplasty", "kyphoplasty", "sacroplasty", "coccygeoplasty"))
DEVICES = Values(
    "device", ("balloon", "kiva", "spinejack", "radiofrequency", "stent", "mesh_pouch")
)
CEMENTS = Values("cement", ("pmma", "cortoss", "norian", "other"))
LESION_KINDS = (
    "osteolytic_metastasis",
    "osteoblastic_metastasis",
    "multiple_myeloma",
    "primary_bone_malignancy",
    "hemangioma",
    "eosinophilic_granuloma",
)
CAUSES = Values(
    "fracture cause",
    ("osteoporotic", "steroid_induced", "osteonecrotic", "traumatic") + LESION_KINDS + ("other",),
)
LESIONS = Values("lesion", LESION_KINDS)
PURPOSES = Values("purpose", ("fusion_adjunct", "prophylaxis"))
PLANS = Values(
    "plan", ("commercial", "commercial_hmo", "medicare", "medicare_advantage", "medicaid", "fep")
)


class Code(NamedTuple):
    """A CPT / HCPCS code listed in the policies and the procedure it is."""

    code: str
    procedure: str
    description: str


CODES: tuple[Code, ...] = (
    Code("22510", "vertebroplasty", "cervicothoracic"),
    Code("22511", "vertebroplasty", "lumbosacral"),
    Code("22512", "vertebroplasty", "each additional body"),
    Code("C7504", "vertebroplasty", "first cervicothoracic and any additional"),
    Code("C7505", "vertebroplasty", "first lumbosacral and any additional"),
    Code("22513", "kyphoplasty", "thoracic, cavity creation (e.g. kyphoplasty)"),
    Code("22514", "kyphoplasty", "lumbar"),
    Code("22515", "kyphoplasty", "each additional body"),
    Code("C7507", "kyphoplasty", "first thoracic and any additional"),
    Code("C7508", "kyphoplasty", "first lumbar and any additional"),
    Code("C1062", "kyphoplasty", "intravertebral body fracture augmentation with implant"),
    Code("0200T", "sacroplasty", "percutaneous sacral augmentation, unilateral"),
    Code("0201T", "sacroplasty", "percutaneous sacral augmentation, bilateral"),
)
CPT_PROCEDURE: dict[str, str] = {c.code: c.procedure for c in CODES}
CPT_CODES = Text("CPT/HCPCS code", codes=tuple(CPT_PROCEDURE))
ICD10 = Text("ICD-10-CM code", pattern=r"[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?")

IMAGING = Values(
    "imaging", ("mri_edema", "bone_scan", "spect_ct", "ct", "ct_cleft", "mri", "xray", "none")
)
SEVERITIES = Values("pain severity", ("none", "mild", "moderate", "severe"))
THERAPIES = Values(
    "therapy",
    (
        "analgesics",
        "prescription_analgesics",
        "nsaids",
        "steroids",
        "opioids",
        "physical_therapy",
        "exercise_program",
        "rest",
        "bracing",
        "none",
    ),
)
LESION_TRAITS = Values("lesion trait", ("painful", "aggressive"))
CONDITIONS = Values(
    "condition",
    (
        "pregnancy",
        "osteomyelitis",
        "discitis",
        "systemic_infection",
        "surgical_site_infection",
        "septicemia",
        "uti",
        "coagulopathy",
        "anticoagulation",
        "cement_allergy",
        "contrast_allergy",
        "spinal_instability",
        "myelopathy",
        "neurologic_deficit",
        "neural_impingement",
        "radiculopathy",
        "disc_herniation_radiculopathy",
        "facet_disease",
        "facet_arthropathy",
        "trigger_points",
        "untreated_stenosis",
        "other_pain_generator",
        "severe_cardiopulmonary_disease",
        "stabilization_required",
    ),
)
FINDINGS = Values(
    "finding",
    (
        "unstable",
        "burst",
        "retropulsion",
        "vertebra_plana",
        "extensive_destruction",
        "cord_compression",
        "osteomyelitis",
    ),
)
DAYS = Integer("days", 0, 36500)
SCORE = Integer("pain score", 0, 10)
# The severity a pain score implies when pain_severity/1 is absent: (lowest
# score, highest score, severity); kb/concepts.lp severity/1 reads them as
# pain_score_band/3.
SEVERITY_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "none"),
    (1, 3, "mild"),
    (4, 6, "moderate"),
    (7, 10, "severe"),
)

_P, _D, _E = Kind.PICTURE, Kind.DOCUMENTATION, Kind.EXCLUSION
# pain_severity/1 and pain_score/1 document one item: the pain.
_PAIN = Item("pain", ())


def _flag(name: str) -> Predicate:
    """A yes/no documentation item without arguments: its item is itself."""
    return Predicate(name, (), _D, item=Item(name, ()))


PREDICATES: tuple[Predicate, ...] = (
    # picture (closed)
    Predicate("procedure", (PROCEDURES,), _P),
    Predicate("device", (DEVICES,), _P, single=True),
    Predicate("cement", (CEMENTS,), _P, single=True),
    Predicate("target", (LEVELS,), _P),
    Predicate("fracture", (LEVELS, CAUSES), _P),
    Predicate("lesion", (LEVELS, LESIONS), _P),
    Predicate("purpose", (PURPOSES,), _P),
    Predicate("plan", (PLANS,), _P, single=True),
    Predicate("service_date", (Date(),), _P, single=True),
    Predicate("cpt", (CPT_CODES,), _P),
    Predicate("icd10", (ICD10,), _P),
    # documentation (open)
    Predicate("onset_days", (LEVELS, DAYS), _D, single=True, item=Item("onset", (0,))),
    Predicate("imaging", (LEVELS, IMAGING), _D, item=Item("imaging", (0,))),
    Predicate("pain_concordant", (LEVELS,), _D, item=Item("concordant", (0,))),
    Predicate("pain_severity", (SEVERITIES,), _D, single=True, item=_PAIN),
    Predicate("pain_score", (SCORE,), _D, single=True, item=_PAIN),
    _flag("functional_impairment"),
    _flag("hospitalized_for_pain"),
    _flag("ambulation_prevented"),
    _flag("transfers_prevented"),
    _flag("incapacitated"),
    Predicate("therapy", (THERAPIES, DAYS), _D, single=True, item=Item("therapy", ())),
    _flag("therapy_failed"),
    Predicate("therapy_contraindicated", (THERAPIES,), _D, item=Item("contraindicated", (0,))),
    _flag("osteoporosis_program"),
    Predicate("lesion_trait", (LEVELS, LESION_TRAITS), _D, item=Item("trait", (0, 1))),
    # exclusion (closed)
    Predicate("condition", (CONDITIONS,), _E),
    Predicate("finding", (LEVELS, FINDINGS), _E),
)

BY_SIGNATURE: dict[tuple[str, int], Predicate] = {(p.name, len(p.args)): p for p in PREDICATES}
DOCUMENTATION: tuple[Predicate, ...] = tuple(p for p in PREDICATES if p.kind is _D)
# Each documentation predicate's item, by predicate name.
ITEMS: dict[str, Item] = {p.name: p.item for p in DOCUMENTATION if p.item is not None}

# Multi-valued documentation items where `none` states "none was done".
NONE_VALUE_ITEMS = {"imaging": 1, "therapy": 0}


def severity_of_score(score: int) -> str:
    """The pain severity a pain score implies (SEVERITY_BANDS)."""
    return next(severity for low, high, severity in SEVERITY_BANDS if low <= score <= high)


def icd10_valid(code: str) -> bool:
    return re.fullmatch(ICD10.pattern, code) is not None
