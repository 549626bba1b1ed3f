"""The case vocabulary (engine/vocabulary.py) is the one source of its tables:
the knowledge base's side is generated from it and current (kb/vocabulary.lp,
kb/vocabulary_completion.lp, kb/vocabulary_case_space.lp), no hand-written .lp file restates
it, the programs that read it see the vocabulary's values (read with clingo:
levels, CPT codes and pain score bands through kb/concepts.lp, candidate values
and documentation items through kb/completion.lp, value sets through
kb/case_space.lp), and the tables of docs/case-vocabulary.md say the same."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import clingo
import pytest
from clingo import ast

from engine import vocabulary, vocabulary_program
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import GENERATED, SHARED, KnowledgeBase
from engine.query import evaluate
from engine.vocabulary import PREDICATES, Kind, Values

KB = KnowledgeBase()
ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "case-vocabulary.md"
DOCUMENTATION = list(vocabulary.DOCUMENTATION)


# --- The generated files --------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATED)
def test_generated_file_is_current(name: str) -> None:
    """kb/<name> is what engine/vocabulary_program.py generates from the vocabulary now."""
    committed = Path(KB.path(name)).read_text(encoding="utf-8")
    assert committed == vocabulary_program.programs()[name], (
        f"kb/{name} is out of date: run `{vocabulary_program.COMMAND}`"
    )


def test_the_generator_writes_every_file(tmp_path: Path) -> None:
    assert vocabulary_program.main([str(tmp_path)]) == 0
    written = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}
    assert written == vocabulary_program.programs()


def test_the_generator_refuses_a_directory_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert vocabulary_program.main([str(tmp_path / "missing")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{tmp_path / 'missing' / 'vocabulary.lp'}: cannot be written")


def _defined_by(path: Path) -> Iterator[tuple[str, int, int]]:
    """(name, arity, line) of each atom in a head of the file itself (not of
    the files it includes)."""
    statements: list[ast.AST] = []
    ast.parse_files([str(path)], statements.append)
    for statement in statements:
        if statement.ast_type != ast.ASTType.Rule:
            continue
        location = statement.location.begin
        if Path(location.filename).resolve() != path.resolve():
            continue
        for rule in statement.unpool():
            head = rule.head
            if head.ast_type == ast.ASTType.Literal:
                term = head.atom.symbol if head.atom.ast_type == ast.ASTType.SymbolicAtom else None
                if term is not None and term.ast_type == ast.ASTType.Function:
                    yield term.name, len(term.arguments), location.line


HAND_WRITTEN = sorted(p for p in Path(KB.directory).glob("*.lp") if p.name not in GENERATED)


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=[p.name for p in HAND_WRITTEN])
def test_no_hand_written_file_restates_the_vocabulary(path: Path) -> None:
    """The tables of the generated files are defined there only."""
    generated = set().union(*vocabulary_program.DEFINED.values())
    restated = [
        f"{path.name}:{line}: {name}/{arity}"
        for name, arity, line in _defined_by(path)
        if (name, arity) in generated
    ]
    assert not restated, f"defined in kb/vocabulary.lp & co., restated in {restated}"


def test_each_generated_file_defines_what_it_is_said_to() -> None:
    for name, defined in vocabulary_program.DEFINED.items():
        assert {(n, a) for n, a, _ in _defined_by(Path(KB.path(name)))} == defined, name


def test_the_calendar_is_the_vocabularys_dates() -> None:
    """days_in_month/3 (kb/vocabulary_case_space.lp) admits exactly the dates the
    validator admits."""
    control = _ground(["vocabulary_case_space.lp"])
    admitted = {
        (year, month, day)
        for symbol in _facts(control, "days_in_month", 3)
        for year, month, days in [[a.number for a in symbol.arguments]]
        for day in range(1, days + 1)
    }
    date = vocabulary.Date()
    for year in (date.first_year - 1, 1900, 1996, 2000, 2024, 2025, 2100, date.last_year + 1):
        for month in range(1, 13):
            for day in range(1, 32):
                number = year * 10000 + month * 100 + day
                assert date.contains(number) == ((year, month, day) in admitted), number


def test_a_knowledge_base_without_the_vocabulary_is_refused(tmp_path: Path) -> None:
    for name in ("concepts.lp", "determination.lp"):
        shutil.copy(KB.path(name), tmp_path / name)
    with pytest.raises(KnowledgeBaseError, match=r"vocabulary\.lp is missing"):
        KnowledgeBase(str(tmp_path))


def test_a_copied_knowledge_base_with_a_renamed_policy_answers(tmp_path: Path) -> None:
    """kb --kb DIR: a copy of the shared files (the generated ones included, as
    bench/generated.py makes them) and a renamed policy is a working knowledge base."""
    for name in SHARED:
        shutil.copy(KB.path(name), tmp_path / name)
    text = Path(KB.path("nd_x5025.lp")).read_text(encoding="utf-8")
    (tmp_path / "nd_copy.lp").write_text(text.replace("nd_x5025", "nd_copy"), encoding="utf-8")
    case = ROOT / "examples" / "acute_osteoporotic_l1_hospitalized.lp"
    copied = evaluate(case.read_text(), kb=KnowledgeBase(str(tmp_path)), source=str(case))
    original = evaluate(case.read_text(), policies=["nd_x5025"], kb=KB, source=str(case))
    assert [(d.policy.id, d.status) for d in copied] == [("nd_copy", original[0].status)]


def _ground(files: list[str], facts: str = "") -> clingo.Control:
    control = clingo.Control(["--warn=none"])
    for name in files:
        control.load(KB.path(name))
    control.add("base", [], facts)
    control.ground([("base", [])])
    return control


def _facts(control: clingo.Control, name: str, arity: int) -> list[clingo.Symbol]:
    """The atoms of name/arity that grounding made facts, in the program's order."""
    return [a.symbol for a in control.symbolic_atoms.by_signature(name, arity) if a.is_fact]


def _values(control: clingo.Control, name: str) -> set[str]:
    return {str(symbol.arguments[0]) for symbol in _facts(control, name, 1)}


def _without_none(domain: Values) -> set[str]:
    return set(domain.members) - {"none"}


def test_every_documentation_predicate_and_only_those_documents_an_item() -> None:
    for predicate in PREDICATES:
        item = predicate.item
        assert (item is not None) == (predicate.kind is Kind.DOCUMENTATION), predicate.signature
        if item is not None:
            assert set(item.arguments) <= set(range(len(predicate.args))), predicate.signature


# --- kb/concepts.lp -----------------------------------------------------------------


def test_levels_and_their_order_are_the_vocabulary() -> None:
    levels = sorted(
        (s.arguments[2].number, s.arguments[0].name)
        for s in _facts(_ground(["concepts.lp"]), "level", 3)
    )
    assert tuple(name for _, name in levels) == vocabulary.LEVELS.members


def test_cpt_codes_name_the_vocabulary_procedures() -> None:
    codes = {
        s.arguments[0].string: s.arguments[1].name
        for s in _facts(_ground(["concepts.lp"]), "cpt_procedure", 2)
    }
    assert codes == vocabulary.CPT_PROCEDURE


@pytest.mark.parametrize("score", range(vocabulary.SCORE.low, vocabulary.SCORE.high + 1))
def test_a_pain_score_has_the_vocabulary_severity(score: int) -> None:
    control = _ground(["concepts.lp"], f"pain_score({score}).")
    severities = {
        str(a.symbol.arguments[0]) for a in control.symbolic_atoms.by_signature("severity", 1)
    }
    assert severities == {vocabulary.severity_of_score(score)}


def test_the_severity_bands_cover_every_score_once() -> None:
    scores = [n for low, high, _ in vocabulary.SEVERITY_BANDS for n in range(low, high + 1)]
    assert scores == list(range(vocabulary.SCORE.low, vocabulary.SCORE.high + 1))
    assert [s for _, _, s in vocabulary.SEVERITY_BANDS] == list(vocabulary.SEVERITIES.members)


# --- kb/completion.lp ---------------------------------------------------------------


def test_completion_candidates_are_the_vocabulary_values_but_none() -> None:
    control = _ground(["concepts.lp", "completion.lp"])
    assert _values(control, "candidate_imaging") == _without_none(vocabulary.IMAGING)
    assert _values(control, "candidate_severity") == _without_none(vocabulary.SEVERITIES)
    assert _values(control, "candidate_therapy") == _without_none(vocabulary.THERAPIES)
    assert _values(control, "candidate_trait") == _without_none(vocabulary.LESION_TRAITS)


def _example(predicate: vocabulary.Predicate) -> clingo.Symbol:
    """One fact of a documentation predicate, from the first value of each domain."""
    args = [
        clingo.Function(d.members[0]) if isinstance(d, Values) else clingo.Number(d.low)
        for d in predicate.args
        if isinstance(d, Values | vocabulary.Integer)
    ]
    assert len(args) == len(predicate.args), predicate.signature
    return clingo.Function(predicate.name, args)


@pytest.mark.parametrize("predicate", DOCUMENTATION, ids=[p.signature for p in DOCUMENTATION])
def test_completion_knows_every_documentation_item(predicate: vocabulary.Predicate) -> None:
    """Stating (or denying) a documentation fact makes its item known to the search."""
    for wrapper in ("stated", "denied"):
        control = _ground(["completion.lp"], f"{wrapper}({_example(predicate)}).")
        assert _facts(control, "known", 1), f"{wrapper}({_example(predicate)}) makes nothing known"


def _documented_in_known_rules() -> Iterator[str]:
    """The predicate names of documented(...) in the bodies of known/1 rules."""
    statements: list[ast.AST] = []
    ast.parse_files([KB.path("completion.lp")], statements.append)
    for rule in statements:
        if rule.ast_type != ast.ASTType.Rule or not str(rule.head).startswith("known("):
            continue
        for literal in rule.body:
            term = (
                literal.atom.symbol if literal.atom.ast_type == ast.ASTType.SymbolicAtom else None
            )
            if term is not None and term.name == "documented":
                (item,) = term.arguments
                if item.ast_type == ast.ASTType.Function:
                    yield item.name


def test_completion_names_only_documentation_items_of_the_vocabulary() -> None:
    flags = _values(_ground(["concepts.lp", "completion.lp"]), "flag_item")
    named = set(_documented_in_known_rules()) | flags
    assert named == {p.name for p in DOCUMENTATION}
    assert flags == {p.name for p in DOCUMENTATION if not p.args}


# --- kb/case_space.lp ---------------------------------------------------------------

CASE_SPACE_VALUES = {
    "procedure_value": set(vocabulary.PROCEDURES.members),
    "cause_value": set(vocabulary.CAUSES.members),
    "lesion_kind": set(vocabulary.LESIONS.members),
    "device_value": set(vocabulary.DEVICES.members),
    "cement_value": set(vocabulary.CEMENTS.members),
    "purpose_value": set(vocabulary.PURPOSES.members),
    "plan_value": set(vocabulary.PLANS.members),
    "imaging_value": set(vocabulary.IMAGING.members),
    "severity_value": set(vocabulary.SEVERITIES.members),
    "therapy_kind": _without_none(vocabulary.THERAPIES),
    "yes_no_item": {p.name for p in DOCUMENTATION if p.yes_no},
    "trait_value": set(vocabulary.LESION_TRAITS.members),
    "condition_value": set(vocabulary.CONDITIONS.members),
    "finding_value": set(vocabulary.FINDINGS.members),
}


@pytest.mark.parametrize("name", CASE_SPACE_VALUES)
def test_case_space_values_are_the_vocabulary(name: str) -> None:
    control = _ground(["concepts.lp", "case_space.lp"])
    assert _values(control, name) == CASE_SPACE_VALUES[name]


# --- docs/case-vocabulary.md --------------------------------------------------------

SECTIONS = {
    "Picture (closed)": Kind.PICTURE,
    "Documentation (open)": Kind.DOCUMENTATION,
    "Exclusions (closed)": Kind.EXCLUSION,
}
_ROW = re.compile(r"^\| `([a-z][a-z0-9_]*)(?:\(([^)]*)\))?\.` \|(.*)$")
_WORD = re.compile(r"`([a-z][a-z0-9_]*)`")
_CODE = re.compile(r'`"([0-9A-Z]{5})"`(?:\.\.`"([0-9A-Z]{5})"`)?')
_RUN = re.compile(r"`([a-z]+)([0-9]+)`\.\.`[a-z]+([0-9]+)`|`([a-z]+)`")


class DocRow:
    """One row of a predicate table of the docs: its predicate, kind and text."""

    def __init__(self, kind: Kind, name: str, args: str | None, rest: str) -> None:
        self.kind, self.name, self.rest = kind, name, rest
        self.arity = 0 if args is None else len(args.split(","))

    @property
    def signature(self) -> str:
        return f"{self.name}/{self.arity}"


def _doc_rows() -> list[DocRow]:
    rows: list[DocRow] = []
    kind: Kind | None = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            kind = SECTIONS.get(line[3:].strip())
        found = _ROW.match(line)
        if kind is not None and found:
            rows.append(DocRow(kind, found.group(1), found.group(2), found.group(3)))
    return rows


def _value_domains(predicate: vocabulary.Predicate) -> set[str]:
    """The constants a predicate takes, levels aside (the docs name those once)."""
    return {
        member
        for domain in predicate.args
        if isinstance(domain, Values) and domain is not vocabulary.LEVELS
        for member in domain.members
    }


def test_docs_tables_list_every_predicate_with_its_kind() -> None:
    documented = {(row.signature, row.kind) for row in _doc_rows()}
    assert documented == {(p.signature, p.kind) for p in PREDICATES}


@pytest.mark.parametrize(
    "row", [r for r in _doc_rows() if _WORD.search(r.rest)], ids=lambda r: r.signature
)
def test_docs_values_are_the_vocabulary_values(row: DocRow) -> None:
    """A row that lists values lists exactly the predicate's values."""
    predicate = vocabulary.BY_SIGNATURE[(row.name, row.arity)]
    assert set(_WORD.findall(row.rest)) == _value_domains(predicate)


def _codes(text: str) -> set[str]:
    codes: set[str] = set()
    for first, last in _CODE.findall(text):
        if last:
            codes.update(str(n) for n in range(int(first), int(last) + 1))
        else:
            codes.add(first)
    return codes


def test_docs_cpt_codes_are_the_vocabulary_codes() -> None:
    (row,) = [r for r in _doc_rows() if r.name == "cpt"]
    assert _codes(row.rest) == set(vocabulary.CPT_PROCEDURE)


def test_docs_levels_are_the_vocabulary_levels() -> None:
    text = DOCS.read_text(encoding="utf-8").split("## Levels", 1)[1].split("##", 1)[0]
    levels: list[str] = []
    for prefix, first, last, single in _RUN.findall(text):
        if single:
            levels.append(single)
        else:
            levels.extend(f"{prefix}{n}" for n in range(int(first), int(last) + 1))
    assert tuple(levels) == vocabulary.LEVELS.members


def test_docs_pain_score_bands_are_the_vocabulary_bands() -> None:
    (row,) = [r for r in _doc_rows() if r.name == "pain_score"]
    bands = ", ".join(
        f"{low} {s}" if low == high else f"{low}-{high} {s}"
        for low, high, s in vocabulary.SEVERITY_BANDS
    )
    assert bands in row.rest


_SIGNATURE = re.compile(r"`([a-z_]+)/([0-9])`")
_RANGE = re.compile(r"([0-9]+) to ([0-9]+)")


def _range_rows() -> list[str]:
    text = DOCS.read_text(encoding="utf-8").split("The integer arguments and their ranges:", 1)[1]
    return [line for line in text.strip().split("\n\n", 1)[0].splitlines() if "`" in line]


def _numeric_arguments() -> dict[str, vocabulary.Integer | vocabulary.Date]:
    """Each predicate with a number argument (signature: its domain)."""
    return {
        p.signature: domain
        for p in PREDICATES
        for domain in p.args
        if isinstance(domain, vocabulary.Integer | vocabulary.Date)
    }


def test_docs_integer_ranges_are_the_vocabulary_ranges() -> None:
    numeric = _numeric_arguments()
    listed: set[str] = set()
    for row in _range_rows():
        (low, high), *_ = _RANGE.findall(row)
        for name, arity in _SIGNATURE.findall(row):
            domain = numeric[f"{name}/{arity}"]
            listed.add(f"{name}/{arity}")
            if isinstance(domain, vocabulary.Date):
                assert (domain.first_year, domain.last_year) == (int(low), int(high)), row
            else:
                assert (domain.low, domain.high) == (int(low), int(high)), row
    assert listed == set(numeric)
