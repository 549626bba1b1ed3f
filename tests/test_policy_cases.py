"""Every named boundary case of every policy, run through the engine."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from engine.query import evaluate
from tests import policy_cases
from tests.policy_cases import Case


def _all_cases() -> list[tuple[str, Case]]:
    found: list[tuple[str, Case]] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(policy_cases.__path__)):
        cases = importlib.import_module(f"tests.policy_cases.{module}").CASES
        found.extend((module, case) for case in cases)
    return found


CASES = _all_cases()


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
