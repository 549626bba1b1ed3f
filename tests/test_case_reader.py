"""The case language's grammar (engine/case_reader.py): what is a statement,
what each refusal says, and how the reader goes on after one."""

from __future__ import annotations

import pytest

from engine.case_reader import Statement, Term, TermKind, excerpt, read_statements


def read(text: str) -> tuple[list[Statement], list[tuple[int, str]]]:
    reading = read_statements(text, "case.lp")
    return reading.statements, [(p.line, p.message) for p in reading.problems]


def test_the_three_kinds_of_term_and_documented_absence() -> None:
    statements, problems = read('-onset_days( l1 ,21 ) .\ticd10("M80.08XA").\nx.')
    assert problems == []
    assert statements == [
        Statement(
            1,
            False,
            "onset_days",
            (Term(TermKind.CONSTANT, "l1", "l1"), Term(TermKind.INTEGER, 21, "21")),
        ),
        Statement(1, True, "icd10", (Term(TermKind.STRING, "M80.08XA", '"M80.08XA"'),)),
        Statement(2, True, "x", ()),
    ]


def test_a_huge_integer_is_never_converted() -> None:
    (statement,), problems = read(f"pain_score({'7' * 5000}).")
    assert problems == [] and statement.arguments[0].value is None


REFUSED = [
    ("variable", "target(L).", "variable 'L' is not allowed"),
    ("anonymous variable", "target(_).", "variable '_' is not allowed"),
    ("upper case in a name", "Target(l1).", "variable 'Target'"),
    ("mixed-case name", "tarGet(l1).", "'tarGet' is not a name"),
    ("primed name", "target(l1').", "'l1'' is not a name"),
    ("constraint", ":- target(l1).", "a constraint is not allowed"),
    ("rule with an empty body", "target(l1) :- .", "a rule is not allowed"),
    ("disjunction", "a ; b.", "a disjunction is not allowed (';')"),
    ("pool", "target(l1; l2).", "a pool is not allowed (';')"),
    ("choice", "{ a }.", "a choice rule is not allowed"),
    ("condition", "a : b.", "a condition is not allowed"),
    ("comparison", "a(1) = 2.", "a comparison is not allowed ('=')"),
    ("arithmetic", "a(1+2).", "arithmetic is not allowed ('+')"),
    ("external function", "a(@f(1)).", "an external function is not allowed"),
    ("interval", "a(1..3).", "an interval is not allowed"),
    ("directive", "#show a/1.", "directive '#show' is not allowed"),
    ("default negation", "not a.", "'not' is not allowed in a case: use '-'"),
    ("function term", "target(f(l1)).", "function term 'f(...)' is not allowed"),
    ("empty argument list", "target().", "empty argument list in 'target()'"),
    ("hexadecimal", "a(0x1F).", "'0x1F' is not a decimal integer (only the digits 0-9)"),
    ("leading zero", "a(007).", "'007' is not a decimal integer (leading zeros)"),
    ("double minus", "a(--3).", "expected a number after 'a(-', found '-'"),
    ("classical negation of an argument", "a(-b).", "expected a number after 'a(-'"),
    ("two dashes", "--a.", "expected a predicate name after '-', found '-'"),
    ("a missing comma", "a(b c).", "expected ',' or ')' after 'a(b', found 'c'"),
    ("a square bracket", "a[1].", "unexpected '['"),
    ("a backslash", 'icd10("M80\\n").', "a backslash is not allowed in a string"),
    ("a long name", "a" * 65 + ".", "a name of 65 characters is too long"),
    ("a block comment", "%* x *%", "block comments (%* ... *%) are not allowed"),
    ("a tab-free control", "a.\x1b[31m", "control character U+001B (ESC) in the text"),
    ("DEL in a comment", "a. % \x7f", "control character U+007F (DEL) in a comment"),
    ("a line separator in a string", 'a("\u2028").', "U+2028 in a string"),
    ("a bidi override in a comment", "a. % \u202e", "U+202E in a comment"),
    ("an undecodable byte", "a. % caf\udce9", "invalid UTF-8 (byte 0xE9) in a comment"),
]


@pytest.mark.parametrize(("name", "text", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_on_its_line(name: str, text: str, message: str) -> None:
    _, problems = read("ok.\n" + text + "\n")
    assert len(problems) == 1 and problems[0][0] == 2, problems
    assert message in problems[0][1]


def test_after_a_refusal_the_next_statements_are_still_read() -> None:
    statements, problems = read("a(X). b(1.5).\nc(1). d(l1 e).\nf(\nl1).")
    assert [(s.line, s.name) for s in statements] == [(2, "c"), (3, "f")]
    assert [line for line, _ in problems] == [1, 1, 2]


def test_a_missing_period_at_a_line_end_costs_one_message_not_the_next_fact() -> None:
    statements, problems = read("a(1)\nb(2).\n")
    assert [s.name for s in statements] == ["a", "b"]
    assert problems == [(1, "missing '.' after 'a(1)'")]


def test_a_script_block_is_skipped_to_its_end_without_running_or_reading_it() -> None:
    statements, problems = read('#script (python)\nimport os.path\nx = "\n#end.\nb.\n')
    assert [(s.line, s.name) for s in statements] == [(5, "b")]
    assert problems == [(1, "directive '#script' is not allowed: a case file holds only facts")]


def test_a_block_comment_is_skipped_to_its_end_with_its_lines_counted() -> None:
    statements, problems = read("%* a.\r\nb. *% c.\rd.")
    assert [(s.line, s.name) for s in statements] == [(2, "c"), (3, "d")]
    assert [line for line, _ in problems] == [1]


def test_one_lexical_problem_per_line_and_no_syntax_problem_on_top() -> None:
    _, problems = read("a(\u00e9\u00e9\u00e9). b(X).\nc(X).")
    assert [line for line, _ in problems] == [1, 2]
    assert "U+00E9" in problems[0][1]


def test_a_hash_in_a_string_or_comment_is_text() -> None:
    statements, problems = read('a("#include"). % #include "x".\n')
    assert problems == [] and statements[0].arguments[0].value == "#include"


def test_excerpts_are_short_printable_ascii() -> None:
    assert excerpt("abc") == "'abc'"
    assert excerpt("x" * 100) == "'" + "x" * 37 + "...'"
    assert excerpt("\x00\u00e9\udcff") == "'\\x00\\xe9\\xff'"
