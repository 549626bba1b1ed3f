"""The one dependency analysis of the knowledge base (engine/dependencies.py):
what each rule defines, reads and names, and what a predicate rests on."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.checks.search import policy_names
from engine.dependencies import Dependencies, names_used, read_rules
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import PROLOGUE, KnowledgeBase

RULES = """
symptomatic(L) :- target(L), pain_concordant(L), not severity(none).
severity(S) :- pain_severity(S).
-symptomatic(L) :- target(L), -pain_concordant(L).
long_enough(L) :- target(L), #count { D : therapy(D, "NSAID"), D >= six_weeks } > 0.
:- symptomatic(L), -symptomatic(L).
weeks(six_weeks, 42).
"""


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rules.lp"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_rule_defines_its_head_and_reads_its_body_negated_and_aggregated_atoms_too(
    tmp_path: Path,
) -> None:
    readings = read_rules([_write(tmp_path, RULES)])
    first, _, negative, aggregate, constraint, fact = readings
    assert first.defines == {"symptomatic"}
    assert first.reads == {"target", "pain_concordant", "severity"}
    assert negative.defines == {"symptomatic"}  # classical negation defines the same name
    assert aggregate.reads == {"target", "therapy"}
    assert constraint.defines == frozenset()
    assert fact.defines == {"weeks"} and fact.reads == frozenset()


def test_names_used_are_predicates_and_constants_but_not_strings(tmp_path: Path) -> None:
    names = names_used(_write(tmp_path, RULES))
    assert {"symptomatic", "pain_concordant", "none", "six_weeks", "therapy"} <= names
    assert "NSAID" not in names and "L" not in names


def test_what_a_predicate_rests_on_is_followed_through_other_definitions(
    tmp_path: Path,
) -> None:
    dependencies = Dependencies.of_files([_write(tmp_path, RULES)])
    vocabulary = {"target", "pain_concordant", "pain_severity", "therapy"}
    assert dependencies.behind("symptomatic", vocabulary) == vocabulary - {"therapy"}
    assert dependencies.behind("long_enough", vocabulary) == {"target", "therapy"}
    assert dependencies.behind("pain_severity", vocabulary) == {"pain_severity"}
    dependencies.add([("painful", ["symptomatic"])])
    assert dependencies.behind_each(vocabulary)["painful"] == vocabulary - {"therapy"}


def test_a_predicate_no_case_fact_can_change_is_unchanged(tmp_path: Path) -> None:
    dependencies = Dependencies.of_files([_write(tmp_path, RULES)])
    dependencies.add([("sacral_table", ["weeks"])])
    vocabulary = {"target", "pain_concordant", "pain_severity", "therapy"}
    unchanged = dependencies.unchanged_by(vocabulary, facts=["level"])
    assert unchanged == {"weeks", "sacral_table", "level"}


def test_a_file_that_does_not_parse_is_a_knowledge_base_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"^rules\.lp cannot be parsed"):
        read_rules([_write(tmp_path, "broken(L :- target(L).")])


def test_the_prologue_concepts_read_the_case_vocabulary_they_are_defined_from() -> None:
    kb = KnowledgeBase()
    dependencies = Dependencies.of_files([kb.path(PROLOGUE)])
    assert "onset_days" in dependencies.behind("onset_le", {"onset_days", "therapy"})


def test_the_case_space_of_checks_reads_the_names_a_policy_file_uses() -> None:
    kb = KnowledgeBase()
    names = policy_names(kb, "carefirst_pvp")
    assert {"pain_concordant", "met", "carefirst_pvp", "vertebroplasty"} <= names
    assert not {"PVP.1", "PVP", "L"} & names  # criterion ids are strings; L a variable
