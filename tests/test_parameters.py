"""Dated parameters (kb/concepts.lp): a revision of one payer's number is one new
parameter/5 fact with a later since-date. A case reads the value in force on
its date of service (threshold/2); the case space, the missing-documentation
search and the diagrams read every revision (threshold_value/3)."""

from __future__ import annotations

import pytest

from engine.diagrams.build import build_diagram
from engine.diagrams.knowledge import read_knowledge
from engine.knowledge_base import CASE_SPACE, PROLOGUE, KnowledgeBase
from engine.query import evaluate
from engine.solve import solve_once
from tests.kb_copies import append, copy_of_kb

# Providence revises "12 weeks" to 8 (56 days) from 2026-01-01 (a made-up revision).
REVISION = 'parameter(providence_196, twelve_weeks, 56, 20260101, "I.A.1").\n'
TWELVE_WEEKS = "twelve_weeks(providence_196)"


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    kb = copy_of_kb(tmp_path_factory.mktemp("revised"))
    append(kb, "providence_196.lp", REVISION)
    return kb


def _atoms(kb: KnowledgeBase, program: str, name: str, policies: list[str]) -> set[str]:
    shown = f"{program}\n#show {name}."
    return {str(atom) for atom in solve_once(kb.files(policies), shown)}


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("service_date(20251015).", 84),  # before the revision: the first value
        ("service_date(20251231).", 84),  # the day before the revision applies
        ("service_date(20260101).", 56),  # the revision's first day
        ("service_date(20260620).", 56),
        ("", 56),  # no service date: the latest value
        ("service_date(20250101).", 84),  # before any since-date: the first value
    ],
)
def test_a_case_reads_the_value_in_force_on_its_service_date(
    revised: KnowledgeBase, date: str, expected: int
) -> None:
    found = _atoms(revised, date, "threshold/2", ["providence_196"])
    assert {a for a in found if a.startswith(f"threshold({TWELVE_WEEKS},")} == {
        f"threshold({TWELVE_WEEKS},{expected})"
    }


def test_a_revision_changes_only_its_own_payer(revised: KnowledgeBase) -> None:
    program = "service_date(20260301)."
    before = _atoms(KnowledgeBase(), program, "threshold/2", KnowledgeBase().policy_ids())
    after = _atoms(revised, program, "threshold/2", revised.policy_ids())
    assert before - after == {f"threshold({TWELVE_WEEKS},84)"}
    assert after - before == {f"threshold({TWELVE_WEEKS},56)"}


def test_the_date_free_table_holds_every_revision(revised: KnowledgeBase) -> None:
    for date in ("service_date(20251015).", "service_date(20260301).", ""):
        found = _atoms(revised, date, "threshold_value/3", ["providence_196"])
        assert {a for a in found if a.startswith(f"threshold_value({TWELVE_WEEKS},")} == {
            f"threshold_value({TWELVE_WEEKS},84,20251001)",
            f"threshold_value({TWELVE_WEEKS},56,20260101)",
        }


CASE = """procedure(vertebroplasty).
target(l1).
fracture(l1, osteoporotic).
{onset}
imaging(l1, mri_edema).
pain_concordant(l1).
hospitalized_for_pain.
pain_severity(severe).
{date}
"""


@pytest.mark.parametrize(
    ("date", "status"),
    [
        ("service_date(20251215).", "medically_necessary"),  # 70 days <= 84
        ("service_date(20260301).", "not_medically_necessary"),  # 70 days > 56
        ("", "not_medically_necessary"),  # no date: the latest value
    ],
)
def test_a_determination_applies_the_value_in_force_on_the_service_date(
    revised: KnowledgeBase, date: str, status: str
) -> None:
    case = CASE.format(onset="onset_days(l1, 70).", date=date)
    (determination,) = evaluate(case, policies=["providence_196"], kb=revised)
    assert determination.status == status
    assert ("I.A.1" in determination.levels["l1"].met) == (status == "medically_necessary")


@pytest.mark.parametrize(
    ("date", "days"),
    [("service_date(20251215).", ((1, 84),)), ("service_date(20260301).", ((1, 56),))],
)
def test_missing_documentation_asks_for_the_onset_the_dated_value_allows(
    revised: KnowledgeBase, date: str, days: tuple[tuple[int, int], ...]
) -> None:
    """The search tries every revision's break points (kb/completion.lp) and the
    dated threshold decides which of them complete the level."""
    case = CASE.format(onset="", date=date)
    (determination,) = evaluate(case, policies=["providence_196"], kb=revised)
    assert determination.status == "insufficient_information"
    onset = {
        item.days
        for missing in determination.levels["l1"].missing
        for item in missing.items
        if item.predicate == "onset_days"
    }
    assert onset == {days}


def test_the_case_space_tries_the_days_around_every_revision(revised: KnowledgeBase) -> None:
    files = [revised.path(PROLOGUE), revised.path("providence_196.lp"), revised.path(CASE_SPACE)]
    found = {str(a) for a in solve_once(files, "#show candidate_days/1.")}
    assert {f"candidate_days({d})" for d in (55, 56, 57, 83, 84, 85)} <= found


def test_the_diagram_shows_the_latest_value_and_notes_the_earlier(revised: KnowledgeBase) -> None:
    diagram = build_diagram(read_knowledge(revised), "providence_196", "vertebroplasty")
    labels = [node.label for node in diagram.nodes.values()]
    expected = (
        "symptom onset at the level ≤ 56 days (twelve weeks since 2026-01-01; 84 days before)"
    )
    assert any(expected in " ".join(label.split()) for label in labels), labels


def test_the_diagrams_of_the_knowledge_base_as_it_is_note_no_revision() -> None:
    diagram = build_diagram(read_knowledge(KnowledgeBase()), "providence_196", "vertebroplasty")
    labels = " ".join(" ".join(node.label.split()) for node in diagram.nodes.values())
    assert "≤ 84 days (twelve weeks)" in labels and " since " not in labels
