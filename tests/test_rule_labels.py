"""Every rule cites the criterion it serves: labelled rules their own (the
second argument of met/indication/exclusion/otherwise), helper rules the
criterion of the labelled rule that uses them in each derivation (or a
'% serves: ID' pin), never the criterion that happens to stand above them in
the file. The reproductions are those of issue 10."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.case import read_case, read_case_file
from engine.explanation.tree import Failure, Step
from engine.query import determine_and_explain
from engine.rules import Catalogue, read_catalogue

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return read_catalogue()


def _serves(catalogue: Catalogue, policy: str, head: str) -> set[str]:
    return {c for h in catalogue.helpers_of(policy, head) for c in catalogue.serves(h)}


def _steps(step: Step | None) -> list[Step]:
    if step is None:
        return []
    return [step, *(s for child in step.children for s in _steps(child))]


def _leaves(failure: Failure) -> list[Failure]:
    if not failure.inner:
        return [failure]
    return [leaf for inner in failure.inner for leaf in _leaves(inner)]


def test_every_helper_serves_criteria_of_its_policy_and_no_note(catalogue: Catalogue) -> None:
    for helper in catalogue.helpers:
        served = catalogue.serves(helper)
        assert served, f"{helper.id} ({helper.file}:{helper.line}) serves no criterion"
        for criterion in served:
            known = catalogue.criteria.get((helper.policy, criterion))
            assert known is not None, f"{helper.id} serves unknown {criterion}"
            assert known.role != "note", f"{helper.id} serves the note {criterion}"


def test_nd_symptomatic_helpers_serve_the_symptomatic_condition_not_the_plan_note(
    catalogue: Catalogue,
) -> None:
    # kb/nd_x5025.lp:63-70 stand under the 'plan' note in the file.
    for head in ("nd_x5025_symptomatic", "nd_x5025_documented_asymptomatic"):
        assert _serves(catalogue, "nd_x5025", head) == {"MN.1.b", "MN.2.b"}
    case = read_case_file(str(EXAMPLES / "subacute_osteoporotic_t8_failed_therapy.lp"))
    _, explanations = determine_and_explain(case, policies=["nd_x5025"])
    (level,) = explanations[0].levels
    symptomatic = [s for s in _steps(level.why) if s.atom.startswith("nd_x5025_symptomatic(")]
    assert symptomatic
    assert {(s.criterion, s.citation) for s in symptomatic} == {("MN.1.b", "symptomatic")}


def test_carefirst_osteomyelitis_and_instability_cite_the_no_conditions(
    catalogue: Catalogue,
) -> None:
    assert _serves(catalogue, "carefirst_pvp", "carefirst_pvp_unlocated_osteomyelitis") == {
        "PVP.3.b",
        "PKP.3.b",
    }
    assert _serves(catalogue, "carefirst_pvp", "carefirst_pvp_unstable_fracture") == {
        "PVP.3.c",
        "PKP.3.c",
    }
    # A kyphoplasty request with osteomyelitis at the level: the why-not cites
    # the kyphoplasty bullet's "No osteomyelitis" and states the finding.
    text = (EXAMPLES / "myeloma_l2_kyphoplasty.lp").read_text() + "finding(l2, osteomyelitis).\n"
    _, explanations = determine_and_explain(read_case(text, "case.lp"), policies=["carefirst_pvp"])
    (level,) = explanations[0].levels
    leaves = [leaf for f in level.why_not if f.criterion == "PKP.3" for leaf in _leaves(f)]
    assert [(f.criterion, f.citation) for f in leaves] == [
        ("PKP.3.b", "No osteomyelitis at surgical site.")
    ]
    assert leaves[0].facts == ("finding(l2,osteomyelitis)",)
    assert leaves[0].reason == "the record states finding at L2: osteomyelitis"


def test_a_kyphoplasty_request_cites_no_vertebroplasty_bullet() -> None:
    case = read_case_file(str(EXAMPLES / "myeloma_l2_kyphoplasty.lp"))
    _, explanations = determine_and_explain(case, policies=["carefirst_pvp"])
    (level,) = explanations[0].levels
    cited = {s.criterion for s in _steps(level.why)} - {None}
    assert cited == {"PKP.3", "PKP.3.a", "PKP.3.b", "PKP.3.c"}
    undocumented = (EXAMPLES / "undocumented_osteoporotic_l1.lp").read_text()
    kyphoplasty = read_case(undocumented.replace("vertebroplasty", "kyphoplasty"), "case.lp")
    _, explanations = determine_and_explain(kyphoplasty, policies=["carefirst_pvp"])
    (level,) = explanations[0].levels
    assert {f.criterion for f in level.why_not} == {"PKP.1", "PKP.2", "PKP.3"}


def test_cigna_sacrococcygeal_cites_the_sacroplasty_criterion_that_uses_it() -> None:
    # kb/cigna_cmm607.lp:329-330 stand under an alternative-cause bullet. A
    # vertebroplasty at S1 is sacroplasty by its level (the helper's rule).
    text = (EXAMPLES / "sacral_insufficiency_hmo.lp").read_text()
    text = text.replace("procedure(sacroplasty).", "procedure(vertebroplasty).")
    case = read_case(text.replace('cpt("0201T").', ""), "case.lp")
    _, explanations = determine_and_explain(case, policies=["cigna_cmm607"])
    (level,) = explanations[0].levels
    helpers = [s for s in _steps(level.why) if s.atom.startswith("cigna_cmm607_sacrococcygeal(")]
    assert helpers
    assert {s.criterion for s in helpers} == {"CMM-607.3.sacroplasty"}


def test_cigna_arm_contraindication_cites_the_arm_it_waives() -> None:
    # NSAIDs contraindicated waives the medication arm: its helper cites the
    # medication arm, not the exercise arm written above it.
    text = (EXAMPLES / "subacute_osteoporotic_t8_failed_therapy.lp").read_text()
    text = text.replace("therapy(nsaids, 42).\ntherapy(prescription_analgesics, 42).\n", "")
    case = read_case(text + "therapy_contraindicated(nsaids).\n", "case.lp")
    determinations, explanations = determine_and_explain(case, policies=["cigna_cmm607"])
    assert determinations[0].status == "medically_necessary"
    (level,) = explanations[0].levels
    waived = [
        s for s in _steps(level.why) if s.atom.startswith("cigna_cmm607_arm_contraindicated(")
    ]
    assert waived
    assert {s.criterion for s in waived} == {"CMM-607.2.nonmalignant.subacute.medication"}


def test_shared_rules_cite_no_words_of_their_own() -> None:
    # concepts:requested cited comment fragments; determination rules cited
    # engine notes. A concept serves the criterion that uses it; glue none.
    case = read_case_file(str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"))
    _, explanations = determine_and_explain(case)
    for explanation in explanations:
        for level in explanation.levels:
            steps = _steps(level.why)
            for step in steps:
                if step.rule.startswith("determination:"):
                    assert step.criterion is None, step
            for step in steps:
                for child in step.children:
                    if child.rule.startswith("concepts:"):
                        assert child.criterion == step.criterion, child
