"""Boundary cases per policy, taken from the policy texts: one table per policy.

Each `<policy id>.toml` holds one `[[case]]` per case, with these fields:

- `name`: the one sentence of the policy the case tests;
- `tests`: the criterion ids of the policy the case tests (a committee report
  links criteria to their cases);
- `facts`: the case file body, written out in full;
- `status`: the policy's expected overall status;
- `levels` (optional): the expected status per target level;
- `decided_by` (optional): criterion ids expected among those that decided
  the status (a subset check);
- `closed_world` (optional, default false): evaluate with every unknown
  documentation item taken as false.

One parametrized test (`tests/test_policy_cases.py`) runs every case through
the engine; `load_cases(policy)` reads one table for any test or bench.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TABLES = Path(__file__).resolve().parent

_REQUIRED = {"name", "tests", "facts", "status"}
_OPTIONAL = {"levels", "decided_by", "closed_world"}


@dataclass(frozen=True)
class Case:
    """One named boundary case: a sentence, a case file body, the expected status."""

    name: str
    facts: str
    status: str
    # Criterion ids of the policy this case tests.
    tests: tuple[str, ...] = ()
    # Expected status per target level, when the case has several levels.
    levels: dict[str, str] = field(default_factory=dict)
    # Criterion ids expected among those that decided the status (subset check).
    decided_by: tuple[str, ...] = ()
    # Evaluate with every unknown documentation item taken as false.
    closed_world: bool = False


def case_policies() -> list[str]:
    """The policies that have a table of cases, sorted."""
    return sorted(path.stem for path in TABLES.glob("*.toml"))


def load_cases(policy: str) -> list[Case]:
    """The cases of one policy's table, in table order."""
    return read_table(TABLES / f"{policy}.toml")


def read_table(path: Path) -> list[Case]:
    """The cases of a table file; a malformed entry is an error that names it."""
    with path.open("rb") as table:
        entries = tomllib.load(table).get("case", [])
    return [_case(entry, f"{path.name} case {n}") for n, entry in enumerate(entries, 1)]


def all_cases() -> list[tuple[str, Case]]:
    """Every policy's cases, as (policy id, case) pairs."""
    return [(policy, case) for policy in case_policies() for case in load_cases(policy)]


def _case(entry: dict[str, Any], where: str) -> Case:
    keys = set(entry)
    if not _REQUIRED <= keys <= _REQUIRED | _OPTIONAL:
        missing, unknown = _REQUIRED - keys, keys - _REQUIRED - _OPTIONAL
        raise ValueError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return Case(
        name=entry["name"],
        facts=entry["facts"],
        status=entry["status"],
        tests=tuple(entry["tests"]),
        levels=dict(entry.get("levels", {})),
        decided_by=tuple(entry.get("decided_by", ())),
        closed_world=bool(entry.get("closed_world", False)),
    )
