"""`kb query --explain` as a utilization-review nurse reads it: each
reproduction of issue 10's audit, worded from engine/wording.py, never as
machinery, with no line said twice."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from engine.case import read_case, read_case_file
from engine.explanation.render import unmet_json
from engine.query import determine_and_explain
from engine.render import to_json, to_text
from tests.test_output_contract import GENERATED, asp_in

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Subacute (60 days), no therapy documented, not incapacitated: Cigna's urgent
# branch fails on the fracture cause, a value of a table of the knowledge base.
SUBACUTE_OSTEOPOROTIC = """procedure(vertebroplasty).
target(l1).
fracture(l1, osteoporotic).
onset_days(l1, 60).
imaging(l1, mri_edema).
pain_concordant(l1).
functional_impairment.
osteoporosis_program.
-incapacitated.
-therapy_failed.
"""

OSTEOBLASTIC_T8 = """procedure(vertebroplasty).
target(t8).
fracture(t8, osteoblastic_metastasis).
imaging(t8, mri).
pain_concordant(t8).
functional_impairment.
"""


@cache
def explained_text(text: str, name: str, policy: str | None = None) -> str:
    case = read_case(text, name)
    determinations, explanations = determine_and_explain(
        case, policies=[policy] if policy else None
    )
    return to_text(case, determinations, explanations)


def _example(name: str, policy: str | None = None) -> str:
    return explained_text((EXAMPLES / name).read_text(), name, policy)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_sacral_request_lists_no_indication_of_another_procedure() -> None:
    """The reproduction: on examples/sacral_insufficiency_hmo.lp, cigna_cmm607 listed
    CMM-607.2.malignant / nonmalignant / surgical as not met because 'the criterion
    needs procedure requested: vertebroplasty' (Providence I.A-I.G likewise)."""
    text = _example("sacral_insufficiency_hmo.lp")
    assert "procedure requested:" not in text
    assert "CMM-607.2.malignant not met" not in text
    assert "I.A not met" not in text
    case = read_case_file(str(EXAMPLES / "sacral_insufficiency_hmo.lp"))
    _, explanations = determine_and_explain(case, policies=["cigna_cmm607", "providence_196"])
    for explanation in explanations:
        (level,) = explanation.levels
        assert unmet_json(level.why_not) == []


def test_a_value_missing_from_a_kb_table_reads_as_words() -> None:
    """The reproduction: 'the criterion needs malignant kind osteoporotic'."""
    text = _flat(explained_text(SUBACUTE_OSTEOPOROTIC, "subacute.lp", "cigna_cmm607"))
    assert "malignant kind" not in text
    assert (
        "the record states fracture at L1, cause: osteoporotic; "
        "osteoporotic is not a malignant cause" in text
    )


def test_a_policy_table_is_named_without_its_policy() -> None:
    """cigna_cmm607_malignant_finding/1 lists the malignant lesions Cigna accepts."""
    text = _flat(explained_text(OSTEOBLASTIC_T8, "osteoblastic.lp", "cigna_cmm607"))
    assert "cigna cmm607" not in text
    assert "osteoblastic metastasis is not a malignant finding" in text


def test_alternatives_that_read_the_same_record_say_it_once() -> None:
    """Cigna's non-malignant imaging accepts six findings: the fracture stated is
    said once, then what each alternative needs."""
    text = _flat(explained_text(OSTEOBLASTIC_T8, "osteoblastic.lp", "cigna_cmm607"))
    line = next(
        row
        for row in text.split("CMM-607.2.nonmalignant not met")
        if row.startswith(" (CMM-607.2.nonmalignant.imaging)")
    )
    assert line.count("the record states fracture at T8") == 1, line
    assert "the criterion needs one of: fracture at T8: osteoporotic;" in line


def test_an_open_argument_reads_as_any_not_as_a_variable() -> None:
    """The reproduction: 'the criterion needs lesion at L1: any'."""
    text = _flat(explained_text(SUBACUTE_OSTEOPOROTIC, "subacute.lp", "cigna_cmm607"))
    assert ": any" not in text.replace(": any kind", "")
    assert "the criterion needs a lesion at L1" in text


def test_not_addressed_names_the_procedure_and_not_in_effect_the_date_and_period() -> None:
    """The reproduction: 'why not addressed: given: date of service'."""
    text = _example("myeloma_l2_kyphoplasty.lp")
    assert "given: date of service" not in text
    assert (
        "why not addressed:\n    the procedure requested is kyphoplasty; "
        "the policy addresses sacroplasty only" in text
    )
    assert (
        "why not in effect:\n    the date of service is 2025-11-10; "
        "the policy is in effect 2025-09-15 to 2025-11-02" in text
    )


def test_an_exclusion_taken_as_absent_reads_as_what_it_looks_for() -> None:
    """The reproduction: 'exclusions taken as absent: ALL_OTHER: a purpose is
    stated' read as if a purpose were stated; it is what ALL_OTHER looks for."""
    text = _example("sacral_insufficiency_hmo.lp", "carefirst_pvp")
    assert "exclusions taken as absent" not in text
    assert "exclusions that do not apply (what they look for is not recorded):" in text
    assert "ALL_OTHER looks for: a purpose is stated" in text


def test_a_fact_documented_false_looked_for_reads_documented_not() -> None:
    """ALL_OTHER fires on pain documented as not concordant: that is what it looks for."""
    text = _flat(_example("undocumented_osteoporotic_l1.lp", "carefirst_pvp"))
    assert "documented: not pain concordant with L1" in text


def test_a_criterion_quoted_in_the_block_is_not_quoted_again_in_its_why() -> None:
    text = _example("sacral_insufficiency_hmo.lp", "bcbsm_sacral")
    quote = '"Commercial HMO (includes Self-Funded groups'
    assert text.count(quote) == 2  # the first screen (shortened) and the block
    assert "why S1 is not covered:\n    BCN.HMO:\n      given: plan: commercial hmo" in text


def test_therapy_reads_as_a_course_of_it() -> None:
    case = (
        "procedure(vertebroplasty).\ntarget(l1).\nfracture(l1, osteoporotic).\n"
        "onset_days(l1, 90).\npain_score(8).\npain_concordant(l1).\ntherapy_failed.\n"
        "therapy(nsaids, 28).\n"
    )
    text = _flat(explained_text(case, "therapy.lp", "carefirst_pvp"))
    assert "the record states conservative therapy: NSAIDs for 28 days" in text


def test_a_level_outside_a_range_reads_as_a_sentence() -> None:
    """The reproduction: 'not T3 within T5–L5'."""
    case = (
        "procedure(vertebroplasty).\ntarget(t3).\nfracture(t3, osteoporotic).\n"
        "imaging(t3, mri).\npain_concordant(t3).\nfunctional_impairment.\n"
    )
    text = _flat(explained_text(case, "t3.lp", "cigna_cmm607"))
    assert "(CMM-607.2.nonmalignant.levels): T3 is not within T5–L5" in text
    assert "not T3 within" not in text


def test_a_why_that_only_repeats_the_quote_above_is_left_out() -> None:
    """Cigna's T1-T4 exclusion reads no fact of the case (the level is the target):
    its why would be its id alone, under a header with nothing else."""
    case = "procedure(vertebroplasty).\ntarget(t3).\nfracture(t3, osteoporotic).\n"
    text = explained_text(case, "t3.lp", "cigna_cmm607")
    assert "decided by CMM-607.3.primary.cervical_t1_t4:" in text
    assert "why T3 is not medically necessary:" not in text


_HEADER = re.compile(r"^(why .*|[A-Z][\w.-]*):$")


def _empty_headers(text: str) -> list[str]:
    """Header lines ('why L1 is ...:', 'MN.2:') with nothing indented under them."""
    rows = text.splitlines()
    return [
        row
        for row, after in zip(rows, [*rows[1:], ""], strict=True)
        if _HEADER.match(row.strip())
        and len(after) - len(after.lstrip()) <= len(row) - len(row.lstrip())
    ]


def _explain_lines(text: str) -> list[str]:
    """The --explain part of each policy block, one entry per logical line
    (wrapped continuations joined), quotes aside."""
    entries: list[str] = []
    for row in text.splitlines():
        stripped = row.strip()
        if not stripped or stripped.startswith('"'):
            continue
        if entries and row.startswith("      ") and not stripped.endswith(":"):
            entries[-1] += " " + stripped
        else:
            entries.append(stripped)
    return entries


EXPLAINED = [
    *(pytest.param(path.name, path.read_text()) for path in sorted(EXAMPLES.glob("*.lp"))),
    *(
        pytest.param(name, GENERATED[name], marks=pytest.mark.slow)
        for name in sorted(GENERATED)[:20]
    ),
]


@pytest.mark.parametrize(("name", "text"), EXPLAINED)
def test_explain_reads_as_words_without_machinery_or_repetition(name: str, text: str) -> None:
    explained = explained_text(text, name)
    assert not asp_in(explained), asp_in(explained)
    flat = _flat(explained)
    policy_words = ("cigna cmm607", "nd x5025", "carefirst pvp", "providence 196", "bcbsm sacral")
    for machinery in ("procedure requested:", " kind ", *policy_words):
        assert machinery not in flat.replace("any kind", ""), machinery
    assert not _empty_headers(explained), _empty_headers(explained)
    for block in explained.split("\n\n")[1:]:
        why_not = block.split("why not (indications not met", 1)[-1].split("exclusions that", 1)[0]
        reasons = [e for e in _explain_lines(why_not) if " not met" in e]
        assert len(reasons) == len(set(reasons)), reasons


def test_a_table_lookup_names_the_facts_of_its_own_level() -> None:
    """Two levels, each an osteoporotic fracture: the why-not of Cigna's
    malignant imaging at T8 names the fracture at T8 (it named the fracture at
    C1, the reason of the first level kept for the same failed lookup)."""
    case = read_case(
        "procedure(vertebroplasty). pain_severity(severe). hospitalized_for_pain.\n"
        "target(c1). fracture(c1, osteoporotic). onset_days(c1, 30).\n"
        "target(t8). fracture(t8, osteoporotic). onset_days(t8, 30).\n",
        "two_levels.lp",
    )
    determinations, explanations = determine_and_explain(case, policies=["cigna_cmm607"])
    levels = json.loads(to_json(case, determinations, explanations))["determinations"][0]["levels"]
    for level in levels:
        reasons = [
            unmet["reason"]
            for unmet in level["unmet"]
            if unmet["condition"] == "CMM-607.2.malignant.imaging"
        ]
        here = level["level"].upper()
        other = "T8" if here == "C1" else "C1"
        assert reasons, here
        assert all(f"fracture at {here}" in r for r in reasons), reasons
        assert not any(f"fracture at {other}" in r for r in reasons), reasons
