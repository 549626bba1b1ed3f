"""Boundary cases per policy, taken from the policy texts: one table per policy,
`<policy id>.toml` in this directory (fields: engine.boundary_cases).

One parametrized test (`tests/test_policy_cases.py`) runs every case through
the engine; `load_cases(policy)` reads one table for any test or bench.
"""

from __future__ import annotations

from pathlib import Path

from engine.boundary_cases import Case, table_policies
from engine.boundary_cases import read_table as _read_table

TABLES = Path(__file__).resolve().parent

__all__ = ["TABLES", "Case", "all_cases", "case_policies", "load_cases", "read_table"]


def case_policies() -> list[str]:
    """The policies that have a table of cases, sorted."""
    return table_policies(str(TABLES))


def read_table(path: Path) -> list[Case]:
    """The cases of a table file, in table order."""
    return _read_table(str(path))


def load_cases(policy: str) -> list[Case]:
    """The cases of one policy's table, in table order."""
    return read_table(TABLES / f"{policy}.toml")


def all_cases() -> list[tuple[str, Case]]:
    """Every policy's cases, as (policy id, case) pairs."""
    return [(policy, case) for policy in case_policies() for case in load_cases(policy)]
