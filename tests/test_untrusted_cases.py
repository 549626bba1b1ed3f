"""Issue 9: case files from outside, tried as an attacker and a fuzzer would.

Each reproduction of the issue is a named test. The ones about what `kb`
does as a program (opening files, hanging, exit codes, tracebacks) run the
installed `kb`; the rest call the reader in process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.case import read_case, read_case_file
from engine.case_source import MAX_BYTES
from engine.errors import CaseError, Problem

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acute_osteoporotic_l1_hospitalized.lp"
VALID = EXAMPLE.read_text()
MINIMAL = "procedure(vertebroplasty).\ntarget(l1).\n"


def kb(
    *args: str, stdin: bytes | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[bytes]:
    command = Path(sys.executable).parent / "kb"
    return subprocess.run(
        [str(command), *args], input=stdin, capture_output=True, cwd=ROOT, timeout=timeout
    )


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(CaseError) as caught:
        read_case(text, "case.lp")
    return caught.value.problems


def refused_at(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in problems_of(text)]


# --- A case file can make kb open other files ------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file whose atoms would leak into the messages if it were ever included."""
    path = tmp_path / "secret.lp"
    path.write_text("target(secret_atom).\n")
    return path


@pytest.fixture
def trap(tmp_path: Path) -> Path:
    """A FIFO: opening it for reading blocks until a writer comes, which never happens."""
    path = tmp_path / "trap.fifo"
    os.mkfifo(path)
    return path


def test_include_after_an_unterminated_string_is_refused_not_read(secret: Path) -> None:
    problems = refused_at(f'a("x).\n#include "{secret}".\n')
    assert problems[0] == (1, "unterminated string '\"x).': close it on its line")
    assert problems[1][0] == 2 and "'#include' is not allowed" in problems[1][1]
    assert not any("secret_atom" in message for _, message in problems)


def test_include_after_an_escape_clingo_rejects_is_refused_not_read(secret: Path) -> None:
    problems = refused_at(f'a("\\x. #include "{secret}".')
    assert [line for line, _ in problems] == [1]
    assert "backslash" in problems[0][1]
    assert not any("secret_atom" in message for _, message in problems)


@pytest.mark.parametrize(
    "text",
    ['a("x).\n#include "{trap}".\n', 'a("\\x. #include "{trap}".', '#include "{trap}".\n'],
    ids=["unterminated string", "bad escape", "plain include"],
)
def test_kb_never_opens_an_included_fifo(tmp_path: Path, trap: Path, text: str) -> None:
    case = tmp_path / "case.lp"
    case.write_text(VALID + text.format(trap=trap))
    result = kb("query", "--facts", str(case), timeout=20)  # an open of the FIFO would hang
    assert result.returncode == 2, result.stderr
    line = VALID.count("\n") + 1
    assert result.stderr.startswith(f"{case}:{line}: ".encode())
    assert b"Traceback" not in result.stderr


def test_whatif_add_uses_the_same_reader(trap: Path) -> None:
    added = f'a("x).\n#include "{trap}".'
    result = kb("whatif", str(EXAMPLE), "--add", added, timeout=20)
    assert result.returncode == 2
    assert b"--add:2: directive '#include' is not allowed" in result.stderr


def test_a_fifo_device_or_directory_as_the_case_is_refused_without_reading(
    tmp_path: Path, trap: Path
) -> None:
    for path, kind in ((trap, "a FIFO"), (tmp_path, "a directory"), ("/dev/zero", "a character")):
        with pytest.raises(CaseError) as caught:
            read_case_file(str(path))
        assert f"it is {kind}" in caught.value.problems[0].message
    result = kb("validate", str(trap), timeout=20)
    assert result.returncode == 2 and b"not a regular file" in result.stderr


def test_a_path_with_a_nul_byte_is_refused_not_a_traceback() -> None:
    with pytest.raises(CaseError, match="bad path"):
        read_case_file("case\0.lp")


# --- Silent misreading -----------------------------------------------------------------


def test_a_nul_byte_does_not_truncate_the_file(tmp_path: Path) -> None:
    case = tmp_path / "nul.lp"
    case.write_bytes(VALID.encode() + b"\0condition(pregnancy).\n")
    result = kb("query", "--facts", str(case))
    assert result.returncode == 2, result.stdout
    line = VALID.count("\n") + 1
    assert f"{case}:{line}: control character U+0000 (NUL)".encode() in result.stderr


def test_integers_never_wrap_around() -> None:
    text = VALID.replace("onset_days(l1, 21)", "onset_days(l1, 4294967317)")
    text = text.replace("service_date(20251015)", "service_date(4315218311)")
    problems = refused_at(text)
    assert [line for line, _ in problems] == [6, 10]
    assert "'4315218311' is not a valid date" in problems[0][1]
    assert "'4294967317' is out of range" in problems[1][1]


def test_a_huge_digit_string_is_refused_with_a_short_message() -> None:
    (problem,) = problems_of(MINIMAL + f"pain_score({'9' * 100_000}).\n")
    assert problem.line == 3 and "is out of range" in problem.message
    assert len(str(problem)) < 200


@pytest.mark.parametrize("rule", ["target(l1):-.", "hospitalized_for_pain :- ."])
def test_a_rule_with_an_empty_body_is_not_a_fact(rule: str) -> None:
    assert refused_at(MINIMAL + rule + "\n") == [
        (3, "a rule is not allowed (':-'): a case states facts only")
    ]


@pytest.mark.parametrize(
    "severity", ["-pain_severity(severe).", "pain_severity(mild).", "pain_severity(none)."]
)
def test_a_pain_score_contradicting_the_severity_is_refused(severity: str) -> None:
    (problem,) = problems_of(MINIMAL + "pain_score(9).\n" + severity + "\n")
    assert problem.line == 4
    assert problem.message.startswith("'pain_score(9)' (line 3) means severe pain, which contr")


def test_a_pain_score_agreeing_with_the_severity_is_accepted() -> None:
    case = read_case(
        MINIMAL + "pain_score(9).\n-pain_severity(mild).\npain_severity(severe).\n", "c"
    )
    assert len(case.facts) == 5


# --- Crashes ---------------------------------------------------------------------------

NON_ASCII = [
    ("an accented letter", "fracture(l1, osteopor\u00e9tic).", "U+00E9"),
    ("a byte-order mark inside", "\ufefftarget(l1).", "U+FEFF"),
    ("smart quotes", "cpt(\u201c22511\u201d).", "use a straight quote"),
    ("a zero-width space", "target(l1).\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("a non-breaking space", "target(\u00a0l1).", "use a plain space"),
]


@pytest.mark.parametrize(("name", "line", "fragment"), NON_ASCII, ids=[n[0] for n in NON_ASCII])
def test_non_ascii_outside_strings_is_refused_cleanly(name: str, line: str, fragment: str) -> None:
    (problem,) = problems_of(MINIMAL + line + "\n")
    assert problem.line == 3 and fragment in problem.message


def test_non_ascii_through_kb_exits_2_without_a_traceback(tmp_path: Path) -> None:
    case = tmp_path / "smart.lp"
    case.write_text(MINIMAL + "cpt(\u201c22511\u201d). % caf\u00e9\n", encoding="utf-8")
    result = kb("query", "--facts", str(case))
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and b"PANIC" not in result.stderr
    assert f"{case}:3: non-ASCII character U+201C".encode() in result.stderr


def test_a_leading_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    case = tmp_path / "bom.lp"
    case.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert len(read_case_file(str(case)).facts) == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("target(" + "f(" * 20_000 + "l1" + ")" * 20_000 + ").", "function term 'f(...)'"),
        ("pain_score(" + "-" * 20_000 + "3).", "expected a number after 'pain_score(-'"),
    ],
    ids=["nested function terms", "repeated minus signs"],
)
def test_deep_nesting_is_refused_in_one_short_message(
    tmp_path: Path, text: str, fragment: str
) -> None:
    case = tmp_path / "deep.lp"
    case.write_text(MINIMAL + text + "\n")
    result = kb("validate", str(case))
    assert result.returncode == 2
    (message, summary) = result.stderr.decode().splitlines()
    assert message.startswith(f"{case}:3: ") and fragment in message
    assert len(message) - len(str(case)) < 200 and summary == "case refused: 1 problem"


# --- Unreadable errors -----------------------------------------------------------------


def test_messages_quote_a_short_excerpt_not_the_input() -> None:
    problems = problems_of(MINIMAL + "x(" + "a" * 500_000 + ").\n" + "y z " * 50_000 + ".\n")
    assert [p.line for p in problems] == [3, 4]
    assert all(len(str(p)) <= 200 for p in problems)


def test_a_whole_case_message_stays_short_however_many_facts_it_names() -> None:
    (problem,) = problems_of(
        "target(l1).\n" + "procedure(vertebroplasty).\n" * 5000 + 'cpt("22513").\n'
    )
    assert problem.line == 5002 and len(problem.message) < 200
    assert "(kyphoplasty, vertebroplasty, lines 2, 3, 4, 5, 6, 7, ...)" in problem.message


def test_an_unterminated_string_does_not_shift_later_lines() -> None:
    text = MINIMAL + 'icd10("M80.08XA).\nonset_dys(l1, 3).\n'
    assert [line for line, _ in refused_at(text)] == [3, 4]


def test_a_statement_cut_by_the_end_of_the_file_is_reported_on_its_own_line() -> None:
    assert [line for line, _ in refused_at(MINIMAL + "target(l2\n\n")] == [3]
    assert refused_at(MINIMAL + "target(l2)") == [(3, "missing '.' after 'target(l2)'")]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_numbers_for_every_line_end(end: str) -> None:
    text = end.join(["% a comment first", *MINIMAL.splitlines(), "onset_dys(l1, 3).", ""])
    assert [line for line, _ in refused_at(text)] == [4]


def test_a_cr_only_file_starting_with_a_comment_is_not_empty() -> None:
    case = read_case("% patient\rprocedure(vertebroplasty).\rtarget(l1).\r", "cr.lp")
    assert [fact.line for fact in case.facts] == [2, 3]


# --- Limits ----------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    case = tmp_path / "big.lp"
    case.write_bytes(MINIMAL.encode() + b"% " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(CaseError, match="larger than 1,048,576 bytes"):
        read_case_file(str(case))


def test_standard_input_is_bounded_too() -> None:
    result = kb("validate", "-", stdin=b"% " + b"x" * (3 * MAX_BYTES))
    assert result.returncode == 2
    assert result.stderr.startswith(b"<stdin>: the case is larger than 1,048,576 bytes")


def test_ten_thousand_statements_are_read_and_one_more_is_refused() -> None:
    body = "target(l1).\n" * 9_998
    assert len(read_case(MINIMAL + body, "c").facts) == 10_000
    assert refused_at(MINIMAL + body + "target(l2).\n") == [
        (10_001, "more than 10,000 statements: a case is one request; reading stopped here")
    ]


def test_problems_beyond_the_first_hundred_are_counted_not_listed() -> None:
    with pytest.raises(CaseError) as caught:
        read_case("x.\n" * 500, "case.lp")
    problems = caught.value.problems
    assert (len(problems), caught.value.count) == (101, 500)
    assert (problems[-1].line, problems[-1].message) == (
        101,
        "and 400 more problems from this line on (not listed)",
    )


def test_a_valid_case_still_answers(tmp_path: Path) -> None:
    case = tmp_path / "crlf.lp"
    case.write_bytes(b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode())
    result = kb("query", "--facts", str(case), "--format", "json", "--closed-world")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["determinations"]) == 5


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("(" * 500_000, "more than 160,000 tokens"),
        ("\u00e9\n" * 300_000, "lexical problems on more than 1,000 lines"),
    ],
    ids=["a million tokens", "a lexical problem on every line"],
)
def test_hostile_text_stops_the_reader_and_says_so(text: str, stop: str) -> None:
    with pytest.raises(CaseError) as caught:
        read_case(text, "case.lp")
    assert caught.value.problems[-1].message.startswith(stop)
    assert caught.value.problems[-1].message.endswith("reading stopped here")


def test_a_file_name_cannot_forge_a_message_line(tmp_path: Path) -> None:
    case = tmp_path / "x.lp\nother.lp:1: all good"
    case.write_text("target(l1).\n")
    with pytest.raises(CaseError) as caught:
        read_case_file(str(case))
    assert all("\n" not in str(problem) for problem in caught.value.problems)
    assert caught.value.problems[0].source.endswith("x.lp\\x0aother.lp:1: all good")
