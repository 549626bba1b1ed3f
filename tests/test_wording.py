"""Plain English for people: every predicate a person can be shown has a
wording (engine/wording.py), and the text output of every example quotes the
policy's words in full, with no ASP notation (the first ten lines:
tests/test_first_screen.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.case import read_case_file
from engine.determination import MissingItem
from engine.knowledge_base import KnowledgeBase
from engine.query import determine, determine_and_explain
from engine.render import to_text
from engine.rule_reader import read_program
from engine.vocabulary import PREDICATES, Kind
from engine.wording import DOCUMENT, MACHINERY, PHRASES, item_words
from tests.test_output_contract import asp_in

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(path.name for path in EXAMPLES.glob("*.lp"))


def test_every_case_predicate_has_a_wording() -> None:
    for predicate in PREDICATES:
        assert predicate.name in PHRASES, predicate.name
        if predicate.kind == Kind.DOCUMENTATION:
            assert predicate.name in DOCUMENT, predicate.name


def test_every_concept_is_worded_or_machinery() -> None:
    heads = set()
    for statement in read_program(KnowledgeBase().path("concepts.lp")):
        if statement.kind == "rule":
            heads.add(statement.text.split("(", 1)[0].split(" ", 1)[0].rstrip("."))
    unworded = {h for h in heads if h not in PHRASES and h not in MACHINERY}
    assert not unworded


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (
            MissingItem("onset_days", "l1", days=((0, 41),)),
            "symptom onset at L1 within the last 41 days",
        ),
        (MissingItem("onset_days", "l1", days=((43, 182),)), "symptom onset at L1 43-182 days ago"),
        (MissingItem("ambulation_prevented", None), "pain prevents walking (ambulation)"),
        (
            MissingItem("therapy", None, ("nsaids", "physical_therapy"), ((42, None),)),
            "conservative therapy (NSAIDs or physical therapy) for at least 42 days",
        ),
        (MissingItem("imaging", "t8", ("mri_edema",)), "imaging of T8: MRI with bone marrow edema"),
        (
            MissingItem("imaging", "l1", ("bone_scan", "ct", "ct_cleft", "mri", "mri_edema")),
            "imaging of L1: bone scan, CT, CT showing an intravertebral cleft, MRI or MRI with "
            "bone marrow edema",
        ),
        (
            MissingItem(
                "imaging",
                "l1",
                ("bone_scan", "ct", "ct_cleft", "mri", "mri_edema", "spect_ct", "xray"),
            ),
            "imaging of L1: any kind",
        ),
    ],
)
def test_missing_items_read_as_words(item: MissingItem, words: str) -> None:
    assert item_words(item) == words


@pytest.mark.parametrize("name", NAMES)
def test_text_quotes_the_policy_in_full_and_shows_no_asp(name: str) -> None:
    case = read_case_file(str(EXAMPLES / name))
    determinations, explanations = determine_and_explain(case)
    for output in (to_text(case, determinations), to_text(case, determinations, explanations)):
        assert not asp_in(output), asp_in(output)
        flat = " ".join(output.split())
        for determination in determinations:
            for criterion in determination.deciding_criteria():
                assert f'"{" ".join(criterion.text.split())}"' in flat
        assert all(len(row) <= 96 or not row.startswith(" ") for row in output.splitlines())


def test_not_in_effect_shows_the_date_and_the_period() -> None:
    case = read_case_file(str(EXAMPLES / "myeloma_l2_kyphoplasty.lp"))
    text = to_text(case, determine(case, policies=["nd_x5025"]))
    assert "the date of service 2025-11-10 is outside" in text
    assert "(2025-09-15 to 2025-11-02)" in text


def test_not_addressed_names_the_procedure() -> None:
    case = read_case_file(str(EXAMPLES / "myeloma_l2_kyphoplasty.lp"))
    text = to_text(case, determine(case, policies=["bcbsm_sacral"]))
    assert "does not speak of kyphoplasty; it addresses sacroplasty" in text
