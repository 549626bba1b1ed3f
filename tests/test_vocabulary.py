"""The case vocabulary (engine/vocabulary.py) agrees with every other place that
states it: the knowledge base's own tables, read with clingo (levels, CPT codes,
pain score bands in kb/concepts.lp; candidate values and documentation items in
kb/completion.lp; value sets in kb/case_space.lp), and the tables of
docs/case-vocabulary.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import clingo
import pytest
from clingo import ast

from engine import vocabulary
from engine.knowledge_base import KnowledgeBase
from engine.vocabulary import PREDICATES, Kind, Values

KB = KnowledgeBase()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "case-vocabulary.md"
DOCUMENTATION = [p for p in PREDICATES if p.kind is Kind.DOCUMENTATION]


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
    control = _ground(["completion.lp"])
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
    flags = _values(_ground(["completion.lp"]), "flag")
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
    "trait_value": set(vocabulary.LESION_TRAITS.members),
    "condition_value": set(vocabulary.CONDITIONS.members),
    "finding_value": set(vocabulary.FINDINGS.members),
    "flag_item": {p.name for p in DOCUMENTATION if not p.args},
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
