"""The case vocabulary (docs/case-vocabulary.md) as data: every predicate a case
file may state, its kind, and the domain of each argument.

This is the one place the validator, the documentation-completion search and
the docs read the vocabulary from. The knowledge base's own tables (levels,
CPT codes, pain score bands, the candidate values and documentation items of
kb/completion.lp, the value sets of kb/case_space.lp) and the tables of
docs/case-vocabulary.md are checked against it by tests/test_vocabulary.py.
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


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


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
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        days = 29 if month == 2 and leap else 28 if month == 2 else _DAYS_IN_MONTH[month - 1]
        return 1 <= day <= days


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


class Predicate(NamedTuple):
    name: str
    args: tuple[Domain, ...]
    kind: Kind
    # Single-valued per first argument (or globally for arity 1): two different
    # values are a contradiction.
    single: bool = False

    @property
    def signature(self) -> str:
        return f"{self.name}/{len(self.args)}"


LEVELS = Values(
    "level",
    tuple(f"c{i}" for i in range(1, 8))
    + tuple(f"t{i}" for i in range(1, 13))
    + tuple(f"l{i}" for i in range(1, 6))
    + tuple(f"s{i}" for i in range(1, 6))
    + ("coccyx",),
)
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

# CPT / HCPCS codes and the procedure each names (kb/concepts.lp cpt_procedure/2).
CPT_PROCEDURE: dict[str, str] = {
    "22510": "vertebroplasty",
    "22511": "vertebroplasty",
    "22512": "vertebroplasty",
    "C7504": "vertebroplasty",
    "C7505": "vertebroplasty",
    "22513": "kyphoplasty",
    "22514": "kyphoplasty",
    "22515": "kyphoplasty",
    "C7507": "kyphoplasty",
    "C7508": "kyphoplasty",
    "C1062": "kyphoplasty",
    "0200T": "sacroplasty",
    "0201T": "sacroplasty",
}
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
# score, highest score, severity), as kb/concepts.lp severity/1 reads it.
SEVERITY_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "none"),
    (1, 3, "mild"),
    (4, 6, "moderate"),
    (7, 10, "severe"),
)

_P, _D, _E = Kind.PICTURE, Kind.DOCUMENTATION, Kind.EXCLUSION

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
    Predicate("onset_days", (LEVELS, DAYS), _D, single=True),
    Predicate("imaging", (LEVELS, IMAGING), _D),
    Predicate("pain_concordant", (LEVELS,), _D),
    Predicate("pain_severity", (SEVERITIES,), _D, single=True),
    Predicate("pain_score", (SCORE,), _D, single=True),
    Predicate("functional_impairment", (), _D),
    Predicate("hospitalized_for_pain", (), _D),
    Predicate("ambulation_prevented", (), _D),
    Predicate("transfers_prevented", (), _D),
    Predicate("incapacitated", (), _D),
    Predicate("therapy", (THERAPIES, DAYS), _D, single=True),
    Predicate("therapy_failed", (), _D),
    Predicate("therapy_contraindicated", (THERAPIES,), _D),
    Predicate("osteoporosis_program", (), _D),
    Predicate("lesion_trait", (LEVELS, LESION_TRAITS), _D),
    # exclusion (closed)
    Predicate("condition", (CONDITIONS,), _E),
    Predicate("finding", (LEVELS, FINDINGS), _E),
)

BY_SIGNATURE: dict[tuple[str, int], Predicate] = {(p.name, len(p.args)): p for p in PREDICATES}

# Multi-valued documentation items where `none` states "none was done".
NONE_VALUE_ITEMS = {"imaging": 1, "therapy": 0}


def severity_of_score(score: int) -> str:
    """The pain severity a pain score implies (SEVERITY_BANDS)."""
    return next(severity for low, high, severity in SEVERITY_BANDS if low <= score <= high)


def icd10_valid(code: str) -> bool:
    return re.fullmatch(ICD10.pattern, code) is not None
