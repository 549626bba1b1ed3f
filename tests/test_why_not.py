"""Why not, as clingo computes it: the first failed literal of each rule and
the ground facts that made it fail come from the tracking rules of
engine.explanation.tracking, never from a second evaluator in Python. These
cases failed under the old Python evaluator (aggregates taken as satisfied,
a bounded number of bindings, concepts answered with every related fact)."""

from __future__ import annotations

from pathlib import Path

from engine.case import read_case
from engine.explanation.model import Failure
from engine.explanation.tracking import track
from engine.interpretations import read_file_notes
from engine.knowledge_base import KnowledgeBase
from engine.query import determine_and_explain
from engine.rules import read_catalogue


def _why_not(text: str, policy: str) -> dict[str, list[Failure]]:
    case = read_case(text, "case.lp")
    _, explanations = determine_and_explain(case, policies=[policy])
    return {level.level: list(level.why_not) for level in explanations[0].levels}


def _leaves(failure: Failure) -> list[Failure]:
    if not failure.inner:
        return [failure]
    return [leaf for inner in failure.inner for leaf in _leaves(inner)]


def test_a_max_below_the_threshold_cites_the_decisive_therapy() -> None:
    # MN.1.c: the longest therapy (the #max of therapy days) must last six
    # weeks. 30 days of NSAIDs is the longest: it, not the shorter ones, is why.
    why_not = _why_not(
        "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic).\n"
        "pain_severity(severe). pain_concordant(l1). therapy_failed.\n"
        "therapy(physical_therapy, 14). therapy(nsaids, 30). therapy(rest, 21).\n",
        "nd_x5025",
    )
    (mn1,) = [f for f in why_not["l1"] if f.criterion == "MN.1"]
    (leaf,) = _leaves(mn1)
    assert leaf.criterion == "MN.1.c"
    assert leaf.condition == "longest_therapy_at_least(six_weeks(nd_x5025))"
    assert leaf.facts == ("therapy(nsaids,30)",)
    assert leaf.reason == (
        "the record states conservative therapy: NSAIDs for 30 days; "
        "the criterion needs longest conservative therapy ≥ 42 days (six weeks)"
    )


def test_a_failed_comparison_cites_the_bindings_that_reached_it() -> None:
    # Cigna's medication arm: some medication therapy of four weeks. Two
    # medications fall short (the comparison D >= 28 fails for each); the
    # physical therapy and exercise program (90 and 40 days) are another arm
    # and are not the reason, at either level.
    why_not = _why_not(
        "procedure(vertebroplasty). target(l1). target(l2).\n"
        "fracture(l1, osteoporotic). fracture(l2, osteoporotic).\n"
        "onset_days(l1, 60). onset_days(l2, 60). imaging(l1, mri_edema). imaging(l2, mri_edema).\n"
        "pain_concordant(l1). pain_concordant(l2). functional_impairment. therapy_failed.\n"
        "osteoporosis_program. therapy(nsaids, 14). therapy(steroids, 20).\n"
        "therapy(physical_therapy, 90). therapy(exercise_program, 40).\n",
        "cigna_cmm607",
    )
    for level in ("l1", "l2"):
        leaves = [leaf for f in why_not[level] for leaf in _leaves(f)]
        (medication,) = [
            leaf
            for leaf in leaves
            if leaf.criterion == "CMM-607.2.nonmalignant.subacute.medication"
            and leaf.condition == "D >= 28"
        ]
        assert medication.facts == ("therapy(nsaids,14)", "therapy(steroids,20)")
        assert medication.rule == "cigna_cmm607:CMM-607.2.nonmalignant.subacute.medication:1"


def test_each_level_fails_for_its_own_facts() -> None:
    # Two levels, one acute and one past twelve weeks: only L2 is not
    # medically necessary, and its reason is its own onset, not L1's.
    why_not = _why_not(
        "procedure(vertebroplasty). target(l1). target(l2).\n"
        "fracture(l1, osteoporotic). fracture(l2, osteoporotic).\n"
        "onset_days(l1, 20). onset_days(l2, 120). imaging(l1, mri_edema). imaging(l2, mri_edema).\n"
        "pain_concordant(l1). pain_concordant(l2). pain_severity(severe). hospitalized_for_pain.\n",
        "providence_196",
    )
    assert why_not["l1"] == []
    (indication,) = [f for f in why_not["l2"] if f.criterion == "I.A"]
    (onset,) = _leaves(indication)
    assert onset.condition == "onset_le(l2,twelve_weeks(providence_196))"
    assert onset.facts == ("onset_days(l2,120)",)


def test_a_concept_that_fails_names_the_fact_it_read() -> None:
    # A hemangioma is no osteolytic malignancy: the fracture cause is why
    # (the concept lesion_at/2 of concepts.lp is followed, not guessed).
    why_not = _why_not(
        "procedure(vertebroplasty). target(t6). fracture(t6, hemangioma).\n"
        "pain_severity(severe). pain_concordant(t6).\n",
        "nd_x5025",
    )
    (mn3,) = [f for f in why_not["t6"] if f.criterion == "MN.3"]
    (leaf,) = _leaves(mn3)
    assert leaf.condition == "osteolytic_malignancy_at(t6)"
    assert leaf.facts == ("fracture(t6,hemangioma)",)


def test_the_tracking_program_computes_why_not() -> None:
    kb = KnowledgeBase()
    program = track(kb, kb.policy_ids()).program
    # A failed/3 rule per literal, comparisons and aggregates included, for
    # the heads a failed literal of a policy rule asks about (demand/2).
    at_least = "concepts:longest_therapy_at_least@W"
    assert f'failed("{at_least}",3,(D,T,W)) :- prefix("{at_least}",2,(D,T,W)); not D >= T.' in (
        program
    )
    # The copy starts from the heads demanded (one demand rule for the rules
    # of one head).
    demanded = 'demand("longest_therapy_at_least(W)@W",(six_weeks(nd_x5025),))'
    assert f'{demanded} :- failed("nd_x5025:MN.1.c",' in program
    assert f'prefix("{at_least}",1,(D,W)) :- demand("longest_therapy_at_least(W)@W",(W,));' in (
        program
    )
    assert "#show failed/3." in program


def test_a_section_banner_is_never_part_of_an_interpretation(tmp_path: Path) -> None:
    policy = tmp_path / "demo.lp"
    policy.write_text(
        'criterion(demo, "A", condition, "Some words").\n'
        "% Interpretation: the reading of A.\n"
        "% --- Imaging --------------------------------------------------\n"
        "% Interpretation: a note about the section.\n"
        "% ------------------------------------------------------------------\n"
        "% Next part\n"
        "% ------------------------------------------------------------------\n"
    )
    notes = read_file_notes(str(policy), "demo")
    assert [(n.criterion, n.section, n.text) for n in notes] == [
        ("A", "", "the reading of A."),
        ("", "Imaging", "a note about the section."),
    ]


def test_criteria_and_the_report_read_the_same_notes() -> None:
    kb = KnowledgeBase()
    catalogue = read_catalogue(kb)
    for policy in kb.policy_ids():
        notes = read_file_notes(kb.path(f"{policy}.lp"), policy)
        for criterion in (c for (p, _), c in catalogue.criteria.items() if p == policy):
            expected = " ".join(n.text for n in notes if n.criterion == criterion.id)
            assert criterion.interpretation == expected, criterion.id
            assert "----" not in criterion.interpretation and "====" not in expected
