"""Fuzzing the case reader with hypothesis: mutations of the example cases and
sequences of hostile tokens.

Whatever the bytes, reading a case either refuses it (CaseError: each problem
on one short printable line, with a line number inside the file) or accepts
it, and then the facts are exactly those clingo itself reads from the same
text (so nothing is misread), and `case.program()` reads back to the same
facts. No file named in a case is ever opened: the cases include a FIFO and a
file whose atoms would show if it were read, and a #script that would leave a
marker file if it ran.

The in-process run is bounded for the normal test run; `./dev fuzz N` runs N
examples (KB_FUZZ_EXAMPLES) and N/50 through the installed `kb`
(KB_FUZZ_CLI_EXAMPLES).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import clingo
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine.case import Case, read_case_file, read_facts
from engine.errors import CaseError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [path.read_bytes() for path in sorted((ROOT / "examples").glob("*.lp"))]
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "1000"))
CLI_EXAMPLES = int(os.environ.get("KB_FUZZ_CLI_EXAMPLES", "24"))
MESSAGE_LIMIT = 200  # characters of a problem's line, after the file name


class Traps(NamedTuple):
    fifo: Path  # opening it for reading blocks: a hang is a failure
    secret: Path  # atoms that must never show up
    marker: Path  # a #script that ran would create it


@pytest.fixture(scope="module")
def traps(tmp_path_factory: pytest.TempPathFactory) -> Traps:
    folder = tmp_path_factory.mktemp("traps")
    fifo, secret = folder / "trap.fifo", folder / "secret.lp"
    os.mkfifo(fifo)
    secret.write_text("target(secret_atom).\nprocedure(secret_atom).\n")
    return Traps(fifo, secret, folder / "script_ran")


HOSTILE = [
    b'#include "{fifo}".',
    b'#include "{secret}".',
    b"#include <{secret}>.",
    b'a("x).\n#include "{secret}".\n',
    b'a("\\x. #include "{fifo}".',
    b'#script (python)\nopen("{marker}", "w")\n#end.',
    b"#const n = 3.",
    b"#show.",
    b'"',
    b"\\",
    b"\x00",
    b"\x1b[31m",
    b"\r",
    b"\r\n",
    b"\n",
    b"\t",
    b"\xc3\xa9",
    b"\xef\xbb\xbf",
    b"\xe2\x80\x9c22511\xe2\x80\x9d",
    b"\xe2\x80\x8b",
    b"\xe2\x80\xae",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b":-",
    b":- .",
    b"%*",
    b"*%",
    b"%",
    b"X",
    b"_",
    b"4294967317",
    b"4315218311",
    b"99999999999999999999999999999999",
    b"-",
    b"(",
    b")",
    b",",
    b".",
    b"..",
    b";",
    b"not ",
    b"f(",
    b"'",
    b"@f",
    b"{",
    b"}",
    b"|",
    b"1..3",
    b"0x10",
    b"007",
    b"-3",
    b"-pain_severity(severe).",
    b"pain_score(9).",
    b"pain_severity(mild).",
    b"condition(pregnancy).",
    b"-hospitalized_for_pain.",
    b"hospitalized_for_pain.",
    b"target(l2).",
    b"procedure(kyphoplasty).",
    b'cpt("22513").',
    b"onset_days(l1, 30).",
]


@st.composite
def mutated_cases(draw: st.DrawFn) -> bytes:
    """An example case with a few insertions, deletions, duplications and byte changes."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["insert", "delete", "duplicate", "byte"]))
        at = draw(st.integers(0, len(data)))
        if operation == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE))
        elif operation == "delete":
            del data[at : draw(st.integers(at, min(len(data), at + 24)))]
        elif operation == "duplicate":
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start : start + draw(st.integers(1, 40))]
        else:
            data[at:at] = bytes([draw(st.integers(0, 255))])
    return bytes(data)


VOCABULARY_TOKENS = [
    b"procedure",
    b"vertebroplasty",
    b"target",
    b"l1",
    b"t13",
    b"fracture",
    b"osteoporotic",
    b"onset_days",
    b"21",
    b"pain_score",
    b"pain_severity",
    b"severe",
    b"icd10",
    b'"M80.08XA"',
    b"service_date",
    b"20251015",
    b" ",
]
# Half of them after a minimal valid case, so that some are accepted and compared with clingo.
token_cases = st.builds(
    lambda valid, tokens: (
        (b"procedure(vertebroplasty). target(l1).\n" if valid else b"") + b"".join(tokens)
    ),
    st.booleans(),
    st.lists(st.sampled_from(HOSTILE + VOCABULARY_TOKENS), max_size=40),
)


def with_traps(data: bytes, traps: Traps) -> bytes:
    for name, path in traps._asdict().items():
        data = data.replace(b"{" + name.encode() + b"}", str(path).encode())
    return data


def line_count(data: bytes) -> int:
    return len(re.findall(rb"\r\n|\r|\n", data)) + 1


def clingo_reading(text: str) -> set[clingo.Symbol]:
    """The facts clingo reads from an accepted case (line ends as clingo expects)."""
    control = clingo.Control(["--warn=none"])
    control.add("base", [], re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff")))
    control.ground([("base", [])])
    return {atom.symbol for atom in control.symbolic_atoms if atom.is_fact}


def check_refusal(error: CaseError, data: bytes, source: str) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.source == source
        assert 0 <= problem.line <= line_count(data), problem
        assert len(str(problem)) - len(source) <= MESSAGE_LIMIT, problem
        assert problem.message.isascii() and problem.message.isprintable(), problem
        assert "secret_atom" not in problem.message


def check_reading(case: Case, data: bytes) -> None:
    symbols = {fact.symbol for fact in case.facts}
    assert symbols == clingo_reading(data.decode("utf-8"))
    assert symbols == clingo_reading(case.program())
    assert not any("secret_atom" in str(symbol) for symbol in symbols)


def read_and_check(data: bytes, traps: Traps) -> None:
    path = traps.fifo.parent / "case.lp"
    path.write_bytes(data)
    try:
        case = read_case_file(str(path))
    except CaseError as error:
        event("refused")
        check_refusal(error, data, str(path))
    else:
        event("accepted")
        check_reading(case, data)
    assert not traps.marker.exists()


FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.slow  # 1000 examples; the quick loop keeps the line-end and --add fuzz
@FAST
@given(mutated_cases())
def test_mutated_examples_are_refused_cleanly_or_read_exactly(traps: Traps, data: bytes) -> None:
    read_and_check(with_traps(data, traps), traps)


@pytest.mark.slow  # 1000 examples
@FAST
@given(token_cases)
def test_hostile_token_sequences_are_refused_cleanly_or_read_exactly(
    traps: Traps, data: bytes
) -> None:
    read_and_check(with_traps(data, traps), traps)


@FAST
@given(st.sampled_from(SEEDS), st.sampled_from(["\r\n", "\r"]), st.booleans())
def test_every_line_end_and_a_bom_read_the_same_facts(
    traps: Traps, seed: bytes, end: str, bom: bool
) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + seed.replace(b"\n", end.encode())
    read_and_check(data, traps)


@FAST
@given(token_cases)
def test_whatif_fragments_are_refused_cleanly_or_read_exactly(traps: Traps, data: bytes) -> None:
    text = with_traps(data, traps).decode("utf-8", "surrogateescape")
    try:
        facts = read_facts(text, "--add")
    except CaseError as error:
        check_refusal(error, text.encode("utf-8", "surrogateescape"), "--add")
    else:
        assert {fact.symbol for fact in facts} == clingo_reading(text)


@pytest.mark.slow
@settings(
    max_examples=CLI_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.one_of(mutated_cases(), token_cases))
def test_kb_answers_or_refuses_without_a_traceback(traps: Traps, data: bytes) -> None:
    path = traps.fifo.parent / "cli_case.lp"
    path.write_bytes(with_traps(data, traps))
    kb = Path(sys.executable).parent / "kb"
    command = [str(kb), "query", "--facts", str(path), "--format", "json", "--closed-world"]
    result = subprocess.run(command, capture_output=True, timeout=60)  # a FIFO opened would hang
    assert result.returncode in (0, 2), result.stderr
    event(f"exit {result.returncode}")
    if result.returncode == 0:
        assert json.loads(result.stdout)["determinations"]
    else:
        lines = result.stderr.decode("ascii").splitlines()
        assert lines[-1].startswith("case refused: ")
        assert all(line.startswith(f"{path}:") for line in lines[:-1]), lines
    assert b"Traceback" not in result.stderr and b"secret_atom" not in result.stderr
    assert not traps.marker.exists()
