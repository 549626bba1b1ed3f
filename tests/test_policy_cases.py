"""Every named boundary case of every policy (tests/policy_cases/<policy>.toml), run
through the engine; and every table well formed: valid case texts, criterion ids
of its policy, one name per case."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from engine.boundary_cases import CaseTableError
from engine.case import read_case
from engine.determination import PolicyInfo
from engine.query import describe_policies, evaluate
from tests.policy_cases import Case, all_cases, case_policies, load_cases, read_table

CASES = all_cases()


@functools.cache
def _policies() -> dict[str, PolicyInfo]:
    return {info.id: info for info in describe_policies()}


def _criterion_ids() -> dict[str, frozenset[str]]:
    return {policy: frozenset(info.criteria) for policy, info in _policies().items()}


@pytest.mark.parametrize(("policy", "case"), CASES, ids=[f"{p}: {c.name}" for p, c in CASES])
def test_policy_case(policy: str, case: Case) -> None:
    (determination,) = evaluate(
        case.facts, policies=[policy], closed_world=case.closed_world, source=case.name
    )
    assert determination.status == case.status, determination.summary()
    for level, status in case.levels.items():
        assert determination.levels[level].status == status, determination.summary()
    decided = {c.id for c in determination.deciding_criteria()}
    assert set(case.decided_by) <= decided, determination.summary()


NOT_ADDRESSED = [(p, c) for p, c in CASES if c.status == "not_addressed"]


@pytest.mark.parametrize(
    ("policy", "case"), NOT_ADDRESSED, ids=[f"{p}: {c.name}" for p, c in NOT_ADDRESSED]
)
def test_not_addressed_is_decided_by_the_one_scope_clause(policy: str, case: Case) -> None:
    """The clause that says which procedures the policy addresses, not its headings."""
    (determination,) = evaluate(case.facts, policies=[policy], source=case.name)
    scope = {c.id for c in _policies()[policy].criteria.values() if c.role == "scope"}
    assert len(scope) == 1, f"{policy}: one clause says what the policy addresses: {scope}"
    assert {c.id for c in determination.deciding_criteria()} == scope
    assert scope <= set(case.tests), "the case names the scope clause it tests"


def test_every_policy_has_a_table_of_cases() -> None:
    assert case_policies() == sorted(_criterion_ids())


@pytest.mark.parametrize("policy", case_policies())
def test_cases_name_criteria_of_their_policy(policy: str) -> None:
    ids = _criterion_ids()[policy]
    for case in load_cases(policy):
        assert case.tests, f"{case.name}: no criterion id in 'tests'"
        assert set(case.tests) <= ids, f"{case.name}: not criteria of {policy}"
        assert set(case.decided_by) <= ids, f"{case.name}: not criteria of {policy}"


@pytest.mark.parametrize("policy", case_policies())
def test_case_texts_are_valid_cases(policy: str) -> None:
    for case in load_cases(policy):
        assert read_case(case.facts, case.name).facts, case.name


@pytest.mark.parametrize("policy", case_policies())
def test_case_names_are_unique(policy: str) -> None:
    names = [case.name for case in load_cases(policy)]
    assert len(set(names)) == len(names), "a case name stands twice"


def test_a_misspelt_field_in_a_table_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "p.toml"
    table.write_text('[[case]]\nname = "n"\ntests = []\nfacts = ""\nstatus = "s"\ndecide_by = []\n')
    refusal = "p.toml case 1: missing \\[\\], unknown \\['decide_by'\\]"
    with pytest.raises(CaseTableError, match=refusal):
        read_table(table)
