"""The first screen of `kb query` (engine/headline.py): in its first ten lines a
nurse reads every policy's decision, its reason with the policy's words quoted
(the service date and period for not_in_effect, the procedure for
not_addressed) and, for insufficient_information, what to document in words;
on every example and on generated cases (bench/generated.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.generated import cases
from engine.case import Case, read_case, read_case_file
from engine.determination import INSUFFICIENT_INFORMATION, Determination
from engine.headline import ELISION, service_date
from engine.query import determine
from engine.render import to_text
from engine.wording import date_words, status_words
from tests.test_output_contract import asp_in

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(path.name for path in EXAMPLES.glob("*.lp"))
GENERATED = {f"generated_{number:02d}": text for number, text in enumerate(cases(40, seed=10))}


def _head(case: Case, determinations: list[Determination]) -> list[str]:
    return to_text(case, determinations).splitlines()[:10]


def _lines_of(head: list[str], policy: str) -> str:
    """A policy's headline in the first ten lines: its line and the indented ones after it."""
    found: list[str] = []
    for row in head:
        if row.startswith(f"{policy} ") or found and row.startswith(" ") and row.strip():
            found.append(row)
        elif found:
            break
    assert found, f"{policy} is not in the first ten lines:\n" + "\n".join(head)
    return " ".join(" ".join(found).split())


def _quotes(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


def _is_policy_words(quote: str, determination: Determination) -> bool:
    """A quote is a criterion's words, whole or shortened at a word boundary."""
    shortened = quote.endswith(ELISION)
    words = quote.removesuffix(ELISION).split()
    for criterion in determination.policy.criteria.values():
        text = criterion.text.split()
        if shortened and [w.rstrip(",;:.") for w in text[: len(words)]] == [
            w.rstrip(",;:.") for w in words
        ]:
            return True
        if not shortened and text == words:
            return True
    return False


def check_first_screen(case: Case, determinations: list[Determination]) -> None:
    head = _head(case, determinations)
    assert head[0].startswith(f"Case {case.source}")
    for determination in determinations:
        said = _lines_of(head, determination.policy.id)
        assert not asp_in(said), (said, asp_in(said))
        if not determination.levels:
            _check_request_status(case, determination, said)
            continue
        for level in determination.levels.values():
            assert status_words(level.status) in said, (level.status, said)
            assert level.level.upper() in said, said
        quotes = _quotes(said)
        assert all(_is_policy_words(q, determination) for q in quotes), quotes
        statuses = {level.status for level in determination.levels.values()}
        if statuses != {INSUFFICIENT_INFORMATION}:
            assert quotes, f"no policy words quoted: {said}"
        if INSUFFICIENT_INFORMATION in statuses:
            assert re.search(r"Document [a-z]{3,}", said), said


def _check_request_status(case: Case, determination: Determination, said: str) -> None:
    assert status_words(determination.status) in said, said
    policy = determination.policy
    if determination.status == "not_in_effect":
        date = service_date(case)
        assert date is not None and date_words(date) in said, said
        assert date_words(policy.effective_from) in said, said
    if determination.status == "not_addressed":
        assert all(procedure in said for procedure in case.procedures), said
        assert all(procedure in said for procedure in policy.procedures), said


@pytest.mark.parametrize("name", NAMES)
def test_a_nurse_reads_every_decision_reason_and_what_is_missing_in_ten_lines(name: str) -> None:
    case = read_case_file(str(EXAMPLES / name))
    check_first_screen(case, determine(case))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GENERATED))
def test_the_first_ten_lines_hold_on_generated_cases(name: str) -> None:
    case = read_case(GENERATED[name], name)
    check_first_screen(case, determine(case))


def test_the_first_screen_quotes_the_alternative_a_heading_was_met_by() -> None:
    """Cigna's indications are headings ("Non-Malignant Conditions"): the first
    screen quotes the condition that says how the case met it, acute or subacute."""
    for name, opening in (
        ("acute_osteoporotic_l1_hospitalized.lp", '"Acute (0-6 weeks) axial pain'),
        ("subacute_osteoporotic_t8_failed_therapy.lp", '"Subacute (>6 weeks) axial pain'),
    ):
        case = read_case_file(str(EXAMPLES / name))
        said = _lines_of(_head(case, determine(case)), "cigna_cmm607")
        assert '"Non-Malignant Conditions": ' + opening in said, said


def test_an_undocumented_request_shows_one_short_set_and_points_below() -> None:
    """The reproduction: cigna_cmm607 on examples/undocumented_osteoporotic_l1.lp
    ran to five wrapped lines; now at most two, the rest below."""
    case = read_case_file(str(EXAMPLES / "undocumented_osteoporotic_l1.lp"))
    text = to_text(case, determine(case))
    head = text.splitlines()[:10]
    cigna = [row for row in head if row.startswith("cigna_cmm607 ")]
    rows = head[head.index(cigna[0]) :]
    assert rows[1].startswith(" ") and not rows[2].startswith(" "), rows[:3]
    said = _lines_of(head, "cigna_cmm607")
    assert "Document daily pain with functional impairment" in said
    assert "or 6 other sets below" in said
    assert "7. " in text  # every set follows in the policy's block


def test_a_shortened_quote_ends_at_a_word_with_a_visible_elision() -> None:
    case = read_case_file(str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"))
    determinations = determine(case)
    for determination in determinations:
        said = _lines_of(_head(case, determinations), determination.policy.id)
        for quote in _quotes(said):
            assert _is_policy_words(quote, determination), quote
            if quote.endswith(ELISION):
                assert not quote.removesuffix(ELISION).endswith((" ", "(")), quote
