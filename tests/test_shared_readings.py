"""Same words, same reading: one case under every policy whose text uses the words.

Several policies use the same words ("sacroplasty", "symptomatic osteoporotic",
"painful", "failed to respond to conservative treatment ... six weeks"). Each
table entry below names the words, the policies whose criteria use them (the
test checks that list against the criterion texts, so a policy that starts
using the words must join), how a policy's reading of them is observed on a
case, and probe cases. Every probe is evaluated under every such policy (closed
world); the readings must agree, unless an interpretation note of the
dissenting policy says why it differs: a note, in that policy's kb file,
containing `Differs from the shared reading of "<words>"`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from engine.knowledge_base import KnowledgeBase
from engine.rules import read_catalogue
from engine.solve import solve_once

KB = KnowledgeBase()
CATALOGUE = read_catalogue(KB)
SHOWN = "#show indication/3. #show exclusion/4. #show level_status/3. #show overall/2."
# Roles whose words state a criterion (scope headings and notes do not).
STATING_ROLES = {"indication", "condition", "exclusion", "default", "product"}

Reader = Callable[[str, str, str], bool]  # (policy, case facts, level) -> reading


def _atoms(policy: str, facts: str) -> set[str]:
    return {str(s) for s in solve_once(KB.files([policy]), facts + "\n" + SHOWN)}


def _status(policy: str, facts: str, level: str) -> str:
    for atom in _atoms(policy, facts):
        if atom.startswith(f"level_status({policy},{level},"):
            return atom.rsplit(",", 1)[1].rstrip(")")
    return next(
        a.rsplit(",", 1)[1].rstrip(")")
        for a in _atoms(policy, facts)
        if a.startswith(f"overall({policy},")
    )


def criteria_hold(criteria: dict[str, tuple[str, ...]], negated: bool = False) -> Reader:
    """The reading is whether one of the policy's criteria carrying the words
    holds at the level (indication or exclusion), negated for words such as
    "Non-painful" that state the opposite reading."""

    def read(policy: str, facts: str, level: str) -> bool:
        atoms = _atoms(policy, facts)
        held = any(
            atom.startswith(f'{kind}({policy},"{cid}",{level}')
            for cid in criteria[policy]
            for kind in ("indication", "exclusion")
            for atom in atoms
        )
        return held != negated

    return read


def medically_necessary(policy: str, facts: str, level: str) -> bool:
    """The reading is whether the level is medically necessary."""
    return _status(policy, facts, level) == "medically_necessary"


def as_named_by_level(policy: str, facts: str, level: str) -> bool:
    """The reading is whether a request answers as if it named the procedure
    its level implies (sacroplasty for S1-S5, coccygeoplasty for the coccyx)."""
    own = "coccygeoplasty" if level == "coccyx" else "sacroplasty"
    named = re.sub(r"procedure\(\w+\)", f"procedure({own})", facts)
    return _status(policy, facts, level) == _status(policy, named, level)


@dataclass(frozen=True)
class SharedWords:
    words: str  # the name used in notes: Differs from the shared reading of "<words>"
    pattern: str  # regular expression found in the criterion texts that use the words
    policies: tuple[str, ...]
    read: Reader
    probes: tuple[tuple[str, str, str], ...]  # (sentence, case facts, level)


def _mixed(reader_by_policy: dict[str, Reader]) -> Reader:
    def read(policy: str, facts: str, level: str) -> bool:
        return reader_by_policy[policy](policy, facts, level)

    return read


def _variants(
    base: str, level: str, variants: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str, str], ...]:
    """Probes sharing one base record: (sentence, base + what it adds, level)."""
    return tuple((sentence, base + added, level) for sentence, added in variants)


_FIVE = ("bcbsm_sacral", "carefirst_pvp", "cigna_cmm607", "nd_x5025", "providence_196")
_OSTEOPOROTIC_L1 = "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
_HEMANGIOMA_T6 = "procedure(vertebroplasty). target(t6). lesion(t6, hemangioma). imaging(t6, mri). "

SHARED = (
    SharedWords(
        words="sacral augmentation",
        pattern=r"sacroplasty|sacral augmentation",
        policies=_FIVE,
        read=as_named_by_level,
        probes=(
            (
                "a kyphoplasty of S1",
                "procedure(kyphoplasty). target(s1). fracture(s1, osteoporotic).",
                "s1",
            ),
            (
                "a vertebroplasty of S2 for a myeloma lesion with severe pain",
                "procedure(vertebroplasty). target(s2). lesion(s2, multiple_myeloma). "
                "pain_severity(severe). pain_concordant(s2).",
                "s2",
            ),
            (
                "a vertebroplasty of S1, commercial HMO",
                "procedure(vertebroplasty). target(s1). "
                "plan(commercial_hmo). fracture(s1, osteoporotic).",
                "s1",
            ),
            (
                "a kyphoplasty of S1, Medicare",
                "procedure(kyphoplasty). target(s1). plan(medicare). fracture(s1, osteoporotic).",
                "s1",
            ),
            (
                "a kyphoplasty of the coccyx",
                "procedure(kyphoplasty). target(coccyx). "
                "fracture(coccyx, osteoporotic). pain_severity(severe).",
                "coccyx",
            ),
        ),
    ),
    SharedWords(
        words="symptomatic",
        pattern=r"symptomatic osteoporotic",
        policies=("carefirst_pvp", "nd_x5025"),
        read=medically_necessary,
        probes=_variants(
            _OSTEOPOROTIC_L1 + "onset_days(l1, 60). therapy(nsaids, 50). therapy_failed. ",
            "l1",
            (
                ("moderate pain", "pain_severity(moderate)."),
                ("mild pain", "pain_score(2)."),
                ("no pain record: failed treatment shows symptoms", ""),
                (
                    "moderate pain not due to the fracture",
                    "pain_severity(moderate). -pain_concordant(l1).",
                ),
                ("concordant findings, no pain", "pain_severity(none). pain_concordant(l1)."),
                (
                    "functional impairment, pain not due to the fracture",
                    "functional_impairment. -pain_concordant(l1).",
                ),
            ),
        ),
    ),
    SharedWords(
        words="failed to respond to conservative treatment for at least six weeks",
        pattern=r"failed to respond to conservative treatment",
        policies=("carefirst_pvp", "nd_x5025"),
        read=criteria_hold({"carefirst_pvp": ("PVP.1",), "nd_x5025": ("MN.1",)}),
        probes=_variants(
            _OSTEOPOROTIC_L1 + "onset_days(l1, 90). pain_severity(moderate). ",
            "l1",
            (
                ("42 days of analgesics failed", "therapy(analgesics, 42). therapy_failed."),
                ("41 days of analgesics failed", "therapy(analgesics, 41). therapy_failed."),
                (
                    "30 days of NSAIDs and 30 of physical therapy are not added up",
                    "therapy(nsaids, 30). therapy(physical_therapy, 30). therapy_failed.",
                ),
                (
                    "42 days of rest failed (any conservative therapy)",
                    "therapy(rest, 42). therapy_failed.",
                ),
                ("60 days of NSAIDs that helped", "therapy(nsaids, 60). -therapy_failed."),
                (
                    "a contraindication is no substitute",
                    "therapy(none, 0). therapy_contraindicated(nsaids). therapy_failed.",
                ),
            ),
        ),
    ),
    SharedWords(
        words="less than six weeks, hospitalization or no ambulation",
        pattern=r"less than (six \(6\)|6) weeks in duration",
        policies=("carefirst_pvp", "nd_x5025"),
        read=criteria_hold({"carefirst_pvp": ("PVP.2",), "nd_x5025": ("MN.2",)}),
        probes=_variants(
            _OSTEOPOROTIC_L1 + "pain_severity(severe). ",
            "l1",
            (
                ("41 days, hospitalized", "onset_days(l1, 41). hospitalized_for_pain."),
                ("42 days, hospitalized", "onset_days(l1, 42). hospitalized_for_pain."),
                ("20 days, ambulation prevented", "onset_days(l1, 20). ambulation_prevented."),
                ("20 days, only transfers prevented", "onset_days(l1, 20). transfers_prevented."),
                (
                    "20 days, hospitalized, pain not due to the fracture",
                    "onset_days(l1, 20). hospitalized_for_pain. -pain_concordant(l1).",
                ),
            ),
        ),
    ),
    SharedWords(
        words="severe pain due to osteolytic lesions",
        pattern=r"severe pain due to osteolytic lesions",
        policies=("carefirst_pvp", "nd_x5025"),
        read=medically_necessary,
        probes=_variants(
            "procedure(vertebroplasty). target(l2). imaging(l2, bone_scan). ",
            "l2",
            (
                ("myeloma fracture, severe pain", "fracture(l2, multiple_myeloma). pain_score(8)."),
                (
                    "osteolytic metastasis, severe pain not due to it",
                    "fracture(l2, osteolytic_metastasis). pain_severity(severe). "
                    "-pain_concordant(l2).",
                ),
                (
                    "osteolytic metastasis, moderate pain",
                    "fracture(l2, osteolytic_metastasis). pain_severity(moderate).",
                ),
                (
                    "osteoblastic metastasis, severe pain",
                    "fracture(l2, osteoblastic_metastasis). pain_severity(severe).",
                ),
            ),
        ),
    ),
    SharedWords(
        words="painful",
        pattern=r"\bpainful\b",
        policies=("cigna_cmm607", "providence_196"),
        read=_mixed(
            {
                "providence_196": criteria_hold({"providence_196": ("I.C", "I.D")}),
                "cigna_cmm607": criteria_hold(
                    {"cigna_cmm607": ("CMM-607.3.primary.hemangioma",)}, negated=True
                ),
            }
        ),
        probes=_variants(
            _HEMANGIOMA_T6,
            "t6",
            (
                ("documented painful", "lesion_trait(t6, painful)."),
                ("severe pain due to the lesion", "pain_severity(severe). pain_concordant(t6)."),
                ("pain due to the lesion, no severity", "pain_concordant(t6)."),
                ("documented not painful", "-lesion_trait(t6, painful)."),
                ("pain not due to the lesion", "pain_severity(severe). -pain_concordant(t6)."),
                ("no pain at all", "pain_severity(none). pain_concordant(t6)."),
            ),
        ),
    ),
)


def _using(pattern: str) -> set[str]:
    """Policies with a criterion of a stating role whose text matches the words."""
    return {
        text.policy
        for text in CATALOGUE.criteria.values()
        if text.role in STATING_ROLES and re.search(pattern, text.text, re.IGNORECASE)
    }


def _notes(policy: str) -> str:
    return " ".join(t.interpretation for t in CATALOGUE.criteria.values() if t.policy == policy)


@pytest.mark.parametrize("shared", SHARED, ids=[s.words for s in SHARED])
def test_the_table_lists_every_policy_using_the_words(shared: SharedWords) -> None:
    assert _using(shared.pattern) == set(shared.policies)


PROBES = [(shared, probe) for shared in SHARED for probe in shared.probes]


@pytest.mark.parametrize(("shared", "probe"), PROBES, ids=[f"{s.words}: {p[0]}" for s, p in PROBES])
def test_policies_using_the_same_words_read_them_the_same_way(
    shared: SharedWords, probe: tuple[str, str, str]
) -> None:
    _sentence, facts, level = probe
    readings = {policy: shared.read(policy, facts, level) for policy in shared.policies}
    majority, count = Counter(readings.values()).most_common(1)[0]
    tie = count * 2 == len(readings)
    marker = f'Differs from the shared reading of "{shared.words}"'
    unexplained = [
        policy
        for policy, reading in readings.items()
        if (tie or reading != majority) and marker not in _notes(policy)
    ]
    if len(set(readings.values())) > 1:
        assert unexplained == [], f"readings diverge without a note: {readings}"


def test_a_divergence_is_detected() -> None:
    """The comparison can fail: two policies read the same probe differently."""
    shared = SHARED[0]
    reader = _mixed({"nd_x5025": medically_necessary, "cigna_cmm607": as_named_by_level})
    facts, level = shared.probes[0][1], shared.probes[0][2]
    assert reader("nd_x5025", facts, level) != reader("cigna_cmm607", facts, level)
