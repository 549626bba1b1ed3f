"""Explanations: which rules fired, which criteria were not met, and why, per
example case and policy, as the policy texts say they should be."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.case import read_case, read_case_file
from engine.determination import Determination
from engine.explanation.model import Explanation, Step
from engine.explanation.tracking import track
from engine.knowledge_base import KnowledgeBase
from engine.query import determine, determine_and_explain

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# example -> policy -> (fired labelled rule ids, indications not met). Read
# from the texts: e.g. the acute hospitalized L1 fracture meets Providence
# I.A through I.A.1 (under 12 weeks, MRI edema) and the first branch of
# I.A.2 (hospitalized with severe pain); ND through MN.2 (under 6 weeks,
# hospitalization and no ambulation: both MN.2.d rules fire).
EXPECTED: dict[str, dict[str, tuple[set[str], set[str]]]] = {
    "acute_osteoporotic_l1_hospitalized.lp": {
        "providence_196": ({"I.A", "I.A.1", "I.A.2:1"}, set()),
        "nd_x5025": (
            {
                "MN.2",
                "MN.2.a",
                "MN.2.b",
                "MN.2.c",
                "MN.2.d:1",
                "MN.2.d:2",
                "MN.1.a",
                "MN.1.b",
                "MN.3.b",
                "MN.3.c",
            },
            set(),
        ),
        "carefirst_pvp": ({"PVP.2", "PVP.3.a", "PVP.3.b", "PVP.3.c"}, set()),
        "cigna_cmm607": (
            {
                "CMM-607.2.nonmalignant",
                "CMM-607.2.nonmalignant.imaging",
                "CMM-607.2.nonmalignant.levels",
                "CMM-607.2.nonmalignant.pain",
                "CMM-607.2.nonmalignant.acute",
                "CMM-607.2.nonmalignant.either:1",
                "CMM-607.2.nonmalignant.osteoporosis_program:2",
                "CMM-607.2.malignant.pain",
                "CMM-607.2.surgical.levels",
            },
            set(),
        ),
    },
    "subacute_osteoporotic_t8_failed_therapy.lp": {
        # 70 days: subacute for Providence (<= 84) with moderate pain despite
        # failed management (second branch); ND/CareFirst bullet 1 (6 weeks of
        # failed therapy); Cigna's subacute arm with both 4-week courses.
        "providence_196": ({"I.A", "I.A.1", "I.A.2:2"}, set()),
        "nd_x5025": ({"MN.1", "MN.1.a", "MN.1.b", "MN.1.c", "MN.2.a", "MN.2.b", "MN.3.c"}, set()),
        "carefirst_pvp": ({"PVP.1", "PVP.3.a", "PVP.3.b", "PVP.3.c"}, set()),
        "cigna_cmm607": (
            {
                "CMM-607.2.nonmalignant",
                "CMM-607.2.nonmalignant.imaging",
                "CMM-607.2.nonmalignant.levels",
                "CMM-607.2.nonmalignant.pain",
                "CMM-607.2.nonmalignant.either:2",
                "CMM-607.2.nonmalignant.subacute:1",
                "CMM-607.2.nonmalignant.subacute.medication:1",
                "CMM-607.2.nonmalignant.subacute.exercise:1",
                "CMM-607.2.nonmalignant.osteoporosis_program:2",
                "CMM-607.2.malignant.pain",
                "CMM-607.2.surgical.levels",
            },
            set(),
        ),
    },
    "myeloma_l2_kyphoplasty.lp": {
        "providence_196": ({"I.B"}, set()),
        "carefirst_pvp": ({"PKP.3", "PKP.3.a", "PKP.3.b", "PKP.3.c"}, set()),
        "cigna_cmm607": (
            {
                "CMM-607.2.malignant",
                "CMM-607.2.malignant.imaging",
                "CMM-607.2.malignant.pain",
                "CMM-607.1.urgent:1",
                "CMM-607.1.urgent.neoplastic",
                "CMM-607.2.nonmalignant.levels",
                "CMM-607.2.nonmalignant.pain",
                "CMM-607.2.nonmalignant.osteoporosis_program:1",
                "CMM-607.2.surgical.levels",
            },
            set(),
        ),
    },
    "aggressive_hemangioma_t6.lp": {
        # Providence I.C (painful and/or aggressive: both rules fire); the
        # BCBSA-based policies have no hemangioma indication.
        "providence_196": ({"I.C:1", "I.C:2", "I.A.2:2"}, set()),
        "nd_x5025": ({"MN.1.b", "MN.1.c", "MN.2.b", "MN.3.c"}, {"MN.1", "MN.2", "MN.3"}),
        # A vertebroplasty request: the kyphoplasty bullets (PKP.*) are not its why-not.
        "carefirst_pvp": ({"PVP.3.b", "PVP.3.c"}, {"PVP.1", "PVP.2", "PVP.3"}),
    },
    "sacral_insufficiency_hmo.lp": {
        "bcbsm_sacral": ({"BCN.HMO"}, set()),
        # Providence's indications serve vertebroplasty and kyphoplasty only: on a
        # sacroplasty request they are no why-not (a request's own procedure only).
        "providence_196": ({"III", "I.A.2:1"}, set()),
        "nd_x5025": (
            {
                "INV.2",
                "MN.1.a",
                "MN.1.b",
                "MN.2.a",
                "MN.2.b",
                "MN.2.c",
                "MN.2.d:1",
                "MN.3.b",
                "MN.3.c",
            },
            # A sacroplasty request: the vertebroplasty indications are not its why-not.
            set(),
        ),
        "carefirst_pvp": ({"PSP"}, set()),
    },
}

CASES = [
    (example, policy, fired, unmet)
    for example, policies in EXPECTED.items()
    for policy, (fired, unmet) in policies.items()
]


@pytest.fixture(scope="module")
def explained() -> dict[str, dict[str, Explanation]]:
    found: dict[str, dict[str, Explanation]] = {}
    for example in EXPECTED:
        case = read_case_file(str(EXAMPLES / example))
        _, explanations = determine_and_explain(case)
        found[example] = {e.policy: e for e in explanations}
    return found


@pytest.mark.parametrize(
    ("example", "policy", "fired", "unmet"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_fired_rules_and_unmet_criteria(
    explained: dict[str, dict[str, Explanation]],
    example: str,
    policy: str,
    fired: set[str],
    unmet: set[str],
) -> None:
    (level,) = explained[example][policy].levels
    assert {rule.split(":", 1)[1] for rule in level.fired} == fired
    assert {failure.criterion for failure in level.why_not} == unmet


def _steps(step: Step) -> list[Step]:
    return [step, *(s for child in step.children for s in _steps(child))]


def test_an_approval_names_every_required_criterion_and_its_facts() -> None:
    case = read_case_file(str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"))
    _, explanations = determine_and_explain(case, policies=["providence_196"])
    (level,) = explanations[0].levels
    assert level.why is not None
    steps = {s.rule: s for s in _steps(level.why)}
    # I.A needs I.A.1 and I.A.2; each appears with its citation and file:line.
    assert {"providence_196:I.A", "providence_196:I.A.1", "providence_196:I.A.2:1"} <= set(steps)
    citation = steps["providence_196:I.A.1"].citation
    assert citation is not None and citation.startswith("Acute (<6 weeks)")
    assert steps["providence_196:I.A.1"].location.startswith("kb/providence_196.lp:")
    # The onset is traced to the case fact; the concept serves I.A.1, which uses it.
    onset = steps["concepts:onset_le"]
    assert ("onset_days(l1,21)", "fact") in [(u.literal, u.kind) for u in onset.uses]
    assert onset.criterion == "I.A.1"
    assert onset.citation == citation


def test_a_denial_names_the_exact_criterion_and_fact() -> None:
    # 17 weeks by symptom onset: past Providence's subacute window (6-12 weeks).
    case = read_case(
        "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic).\n"
        "onset_days(l1, 120). imaging(l1, mri_edema). pain_concordant(l1).\n"
        "pain_severity(severe). hospitalized_for_pain.\n",
        "case.lp",
    )
    determinations, explanations = determine_and_explain(case, policies=["providence_196"])
    assert determinations[0].status == "not_medically_necessary"
    (level,) = explanations[0].levels
    (indication,) = [f for f in level.why_not if f.criterion == "I.A"]
    (onset,) = indication.inner
    assert onset.criterion == "I.A.1"
    assert onset.condition == "onset_le(l1,twelve_weeks(providence_196))"
    assert onset.facts == ("onset_days(l1,120)",)
    assert onset.reason == (
        "the record states symptom onset at L1: 120 days; "
        "the criterion needs symptom onset at L1 ≤ 84 days (twelve weeks)"
    )


def test_a_documented_exclusion_is_the_why_of_a_denial() -> None:
    case = read_case(
        "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic).\n"
        "onset_days(l1, 21). imaging(l1, mri_edema). -pain_concordant(l1).\n"
        "pain_severity(severe). hospitalized_for_pain.\n",
        "case.lp",
    )
    _, explanations = determine_and_explain(case, policies=["providence_196"])
    (level,) = explanations[0].levels
    assert level.why is not None
    exclusion = next(s for s in _steps(level.why) if s.rule == "providence_196:II.A")
    assert ("-pain_concordant(l1)", "fact") in [(u.literal, u.kind) for u in exclusion.uses]


def test_exclusions_not_stated_are_listed_as_assumed_absent() -> None:
    case = read_case_file(str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"))
    _, explanations = determine_and_explain(case, policies=["providence_196"])
    (level,) = explanations[0].levels
    absent = {(a.criterion, a.looked_for, a.reading) for a in level.assumed_absent}
    taken = "(not stated, taken as absent)"
    assert ("II.C", "condition(pregnancy)", f"condition: pregnancy {taken}") in absent
    assert ("II.K", "finding(l1,retropulsion)", f"finding at L1: retropulsion {taken}") in absent
    # II.A fires only on documented discordance; here concordance is documented:
    # that is no assumption, so it is not listed.
    assert "II.A" not in {a.criterion for a in level.assumed_absent}


def test_explaining_does_not_change_a_determination() -> None:
    for example in sorted(EXAMPLES.glob("*.lp")):
        case = read_case_file(str(example))
        plain = determine(case)
        explained_determinations, _ = determine_and_explain(case)

        def outcome(d: Determination) -> tuple[object, ...]:
            return (d.policy.id, d.status, d.levels, d.request_decided_by)

        assert [outcome(d) for d in plain] == [outcome(d) for d in explained_determinations]


def test_every_labelled_rule_cites_a_criterion_of_its_policy() -> None:
    kb = KnowledgeBase()
    tracking = track(kb, kb.policy_ids())
    for rule in tracking.rules.values():
        assert rule.id and rule.location, rule
        if rule.labelled:
            assert tracking.citation(rule.policy, rule.criterion), f"{rule.id} cites nothing"
            assert tracking.role(rule.policy, rule.criterion) != "note", f"{rule.id}: a note"


def test_the_longest_therapy_is_the_one_cited() -> None:
    # Issue 10: '#max' lines cited a therapy that was not the maximum.
    case = read_case(
        "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic).\n"
        "therapy(physical_therapy, 14). therapy(nsaids, 90). therapy_failed.\n"
        "pain_severity(severe). pain_concordant(l1).\n",
        "case.lp",
    )
    determinations, explanations = determine_and_explain(case, policies=["carefirst_pvp"])
    assert determinations[0].status == "medically_necessary"
    (level,) = explanations[0].levels
    assert level.why is not None
    facts = {u.literal for step in _steps(level.why) for u in step.uses if u.kind == "fact"}
    assert "therapy(nsaids,90)" in facts
    assert "therapy(physical_therapy,14)" not in facts
