"""Every rule cites the criterion it serves: labelled rules their own (the
second argument of met/indication/exclusion/otherwise), helper rules the
criterion of the labelled rule that uses them in each derivation (or a
'% serves: ID' pin), never the criterion that happens to stand above them in
the file. The reproductions are those of issue 10."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.case import read_case, read_case_file
from engine.explanation.model import Failure, Step
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
        if not helper.body:
            continue  # a fact (a table row such as parameter/5), not a rule
        served = catalogue.serves(helper)
        assert served, f"{helper.id} ({helper.file}:{helper.line}) serves no criterion"
        for criterion in served:
            known = catalogue.criteria.get((helper.policy, criterion))
            assert known is not None, f"{helper.id} serves unknown {criterion}"
            assert known.role != "note", f"{helper.id} serves the note {criterion}"


def test_the_symptomatic_reading_serves_the_symptomatic_condition_not_the_plan_note() -> None:
    # The nd_x5025 symptomatic rules stood under the 'plan' note in the file
    # and cited it; now the shared reading symptomatic/1 of concepts.lp cites
    # the condition that uses it.
    case = read_case_file(str(EXAMPLES / "subacute_osteoporotic_t8_failed_therapy.lp"))
    _, explanations = determine_and_explain(case, policies=["nd_x5025"])
    (level,) = explanations[0].levels
    symptomatic = [s for s in _steps(level.why) if s.atom.startswith("symptomatic(")]
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


def test_cigna_sacral_augmentation_cites_the_sacroplasty_criterion_that_uses_it() -> None:
    # cigna_cmm607_sacrococcygeal stood under an alternative-cause bullet; the
    # shared reading augmentation_at/2 now decides. A vertebroplasty at S1 is
    # sacroplasty by its level: what derives it cites CMM-607.3.sacroplasty.
    text = (EXAMPLES / "sacral_insufficiency_hmo.lp").read_text()
    text = text.replace("procedure(sacroplasty).", "procedure(vertebroplasty).")
    case = read_case(text.replace('cpt("0201T").', ""), "case.lp")
    _, explanations = determine_and_explain(case, policies=["cigna_cmm607"])
    (level,) = explanations[0].levels
    exclusion = next(s for s in _steps(level.why) if s.atom.startswith("exclusion("))
    below = _steps(exclusion)[1:]
    assert below
    assert {s.criterion for s in below} == {"CMM-607.3.sacroplasty"}


def test_cigna_arm_contraindication_cites_the_arm_it_waives() -> None:
    # The medication arm contraindicated (all three kinds) waives it: its helper
    # cites the medication arm, not the exercise arm written above it.
    text = (EXAMPLES / "subacute_osteoporotic_t8_failed_therapy.lp").read_text()
    text = text.replace("therapy(nsaids, 42).\ntherapy(prescription_analgesics, 42).\n", "")
    contraindicated = "".join(
        f"therapy_contraindicated({kind}).\n"
        for kind in ("nsaids", "steroids", "prescription_analgesics")
    )
    case = read_case(text + contraindicated, "case.lp")
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
