"""A case file is untrusted: everything that is not a ground fact of the
vocabulary is refused before solving, with the line and the problem."""

from __future__ import annotations

import pytest

from engine.case import read_case, read_case_file
from engine.errors import CaseError

VALID = "procedure(vertebroplasty).\ntarget(l1).\n"

# (name, case text, line of the problem, fragment of the message)
REFUSED = [
    ("a rule", VALID + "fracture(L, osteoporotic) :- target(L).\n", 3, "a rule is not allowed"),
    ("a constraint", VALID + ":- target(l1).\n", 3, "constraint"),
    ("a choice rule", VALID + "{ hospitalized_for_pain }.\n", 3, "choice rule"),
    ("a disjunction", VALID + "hospitalized_for_pain ; ambulation_prevented.\n", 3, "disjunction"),
    ("#script", VALID + "#script (python)\nimport os\n#end.\n", 3, "'#script' is not allowed"),
    ("#include", VALID + '#include "/etc/passwd".\n', 3, "'#include' is not allowed"),
    ("#external", VALID + "#external hospitalized_for_pain.\n", 3, "'#external'"),
    ("#show", VALID + "#show target/1.\n", 3, "'#show'"),
    ("#const", VALID + "#const n = 3.\n", 3, "'#const'"),
    ("#program", VALID + "#program base.\n", 3, "'#program'"),
    ("#minimize", VALID + "#minimize { 1 : target(l1) }.\n", 3, "'#minimize'"),
    ("a block comment", VALID + "%* hidden *%\n", 3, "block comments"),
    ("a variable", VALID + "fracture(X, osteoporotic).\n", 3, "variable 'X'"),
    ("default negation", VALID + "not hospitalized_for_pain.\n", 3, "'not' is not allowed"),
    ("an interval", VALID + "onset_days(l1, 1..3).\n", 3, "interval"),
    ("a pool", VALID + "target(l1; l2).\n", 3, "pool"),
    ("arithmetic", VALID + "onset_days(l1, 40+2).\n", 3, "a plain value"),
    (
        "an unknown predicate, near miss",
        VALID + "onset_dys(l1, 3).\n",
        3,
        "did you mean 'onset_days'",
    ),
    ("a wrong arity", VALID + "fracture(l1).\n", 3, "fracture/2"),
    (
        "an unknown value, near miss",
        VALID + "fracture(l1, osteoporosis).\n",
        3,
        "did you mean 'osteoporotic'",
    ),
    (
        "a level out of range (L6)",
        VALID + "fracture(l6, osteoporotic).\n",
        3,
        "'l6' is not a level",
    ),
    ("a level out of range (T13)", VALID + "target(t13).\n", 3, "'t13' is not a level"),
    ("negative days", VALID + "onset_days(l1, -3).\n", 3, "'-3' is out of range"),
    ("a pain score above 10", VALID + "pain_score(11).\n", 3, "out of range"),
    ("days as a string", VALID + 'onset_days(l1, "21").\n', 3, "is not a number"),
    ("an unquoted CPT code", "cpt(22513).\ntarget(l1).\n", 1, "must be quoted"),
    ("an unknown CPT code", 'cpt("22520").\ntarget(l1).\n', 1, "not a known code"),
    ("a malformed ICD-10 code", VALID + 'icd10("M80 08").\n', 3, "not a valid ICD-10-CM code"),
    ("an impossible date", VALID + "service_date(20250231).\n", 3, "not a valid date"),
    (
        "a fact true and false",
        VALID + "hospitalized_for_pain.\n-hospitalized_for_pain.\n",
        4,
        "both true and false",
    ),
    (
        "classical negation of a closed predicate",
        VALID + "-condition(pregnancy).\n",
        3,
        "closed-world",
    ),
    (
        "two onsets for one level",
        VALID + "onset_days(l1, 20).\nonset_days(l1, 50).\n",
        4,
        "takes one value per level",
    ),
    (
        "imaging none with a modality",
        VALID + "imaging(l1, none).\nimaging(l1, ct).\n",
        4,
        "none was done",
    ),
    (
        "therapy none with a therapy",
        VALID + "therapy(none, 0).\ntherapy(nsaids, 30).\n",
        4,
        "none was done",
    ),
    (
        "a score contradicting the severity",
        VALID + "pain_severity(mild).\npain_score(8).\n",
        4,
        "contradicts",
    ),
    ("no procedure", "target(l1).\n", 0, "no procedure"),
    (
        "two procedures",
        "procedure(vertebroplasty).\nprocedure(kyphoplasty).\ntarget(l1).\n",
        2,
        "more than one procedure",
    ),
    (
        "a code contradicting the procedure",
        'procedure(vertebroplasty).\ncpt("22513").\ntarget(l1).\n',
        2,
        "more than one procedure",
    ),
    ("no target", "procedure(vertebroplasty).\n", 0, "no target/1"),
    ("an empty file", "% only a comment\n", 0, "empty"),
    ("a syntax error", VALID + "target(l2\n", 3, "syntax error"),
]


@pytest.mark.parametrize(("name", "text", "line", "fragment"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(name: str, text: str, line: int, fragment: str) -> None:
    with pytest.raises(CaseError) as caught:
        read_case(text, "case.lp")
    messages = [(p.line, p.message) for p in caught.value.problems]
    assert any(n == line and fragment in m for n, m in messages), messages
    assert all(p.source == "case.lp" for p in caught.value.problems)


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = "procedure(vertebroplast).\ntarget(x9).\nonset_dys(l1, 3).\n"
    with pytest.raises(CaseError) as caught:
        read_case(text, "case.lp")
    assert [p.line for p in caught.value.problems] == [1, 2, 3]


def test_include_is_refused_before_any_file_is_read() -> None:
    # clingo's parser would open the included file and report its errors; the
    # lexical scan refuses the directive first, so the only problem is ours.
    with pytest.raises(CaseError) as caught:
        read_case(VALID + '#include "/etc/passwd".\n', "case.lp")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (3, "directive '#include' is not allowed: a case file holds only facts")
    ]


ACCEPTED = [
    ("a comment and blank lines", "% a patient\n\n" + VALID),
    ("a '#' inside a string", VALID + 'icd10("M80.08XA"). % note: # in comment\n'),
    ("a procedure code alone", 'cpt("22513").\ncpt("22515").\ntarget(t12).\ntarget(l1).\n'),
    ("a code agreeing with the procedure", 'procedure(kyphoplasty).\ncpt("22514").\ntarget(l2).\n'),
    ("documented absence", VALID + "-hospitalized_for_pain.\n-pain_concordant(l1).\n"),
    ("a score agreeing with the severity", VALID + "pain_severity(severe).\npain_score(8).\n"),
    ("the same fact twice", VALID + "target(l1).\n"),
]


@pytest.mark.parametrize(("name", "text"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted(name: str, text: str) -> None:
    case = read_case(text, "case.lp")
    assert case.targets


def test_facts_are_rebuilt_from_symbols_not_copied() -> None:
    case = read_case("procedure( vertebroplasty ) .\ntarget(l1). % x\n", "case.lp")
    assert case.program() == "procedure(vertebroplasty).\ntarget(l1).\n"


def test_unreadable_and_non_utf8_files(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    with pytest.raises(CaseError, match="cannot read"):
        read_case_file(str(folder / "missing.lp"))
    latin = folder / "latin.lp"
    latin.write_bytes(b"procedure(vertebroplasty).\n% caf\xe9\ntarget(l1).\n")
    with pytest.raises(CaseError) as caught:
        read_case_file(str(latin))
    assert caught.value.problems[0].line == 2
    assert "not UTF-8" in caught.value.problems[0].message


def test_directives_are_reported_with_the_other_problems() -> None:
    text = 'procedure(vertebroplast).\ntarget(l1).\n#include "x.lp".\nonset_dys(l1, 3).\n'
    with pytest.raises(CaseError) as caught:
        read_case(text, "case.lp")
    assert [p.line for p in caught.value.problems] == [1, 3, 4]
    assert "'#include' is not allowed" in caught.value.problems[1].message


def test_nothing_after_a_script_block_reaches_the_parser() -> None:
    text = "procedure(vertebroplasty).\ntarget(l1).\n#script (python)\nimport os\n#end.\n"
    with pytest.raises(CaseError) as caught:
        read_case(text, "case.lp")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (3, "directive '#script' is not allowed: a case file holds only facts"),
    ]
