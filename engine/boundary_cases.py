"""Boundary-case tables: one TOML table per policy (tests/policy_cases/<policy>.toml).

Each `[[case]]` has these fields:

- `name`: the one sentence of the policy the case tests;
- `tests`: the criterion ids of the policy the case tests;
- `facts`: the case file body, written out in full;
- `status`: the policy's expected overall status;
- `levels` (optional): the expected status per target level;
- `decided_by` (optional): criterion ids expected among those that decided
  the status (a subset check);
- `closed_world` (optional, default false): evaluate with every unknown
  documentation item taken as false.

The tables are data, read here once for the tests, the benches and the
committee report (which links each criterion to the cases that test it).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from typing import Any

from engine.errors import PolicyKbError

_REQUIRED = {"name", "tests", "facts", "status"}
_OPTIONAL = {"levels", "decided_by", "closed_world"}


class CaseTableError(PolicyKbError):
    """A boundary-case table is unreadable or has a malformed entry."""


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


def table_policies(directory: str) -> list[str]:
    """The policies that have a table in `directory`, sorted."""
    return sorted(name[:-5] for name in os.listdir(directory) if name.endswith(".toml"))


def read_table(path: str) -> list[Case]:
    """The cases of a table file, in order; a malformed entry is an error that names it."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as table:
            entries = tomllib.load(table).get("case", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CaseTableError(f"{path}: cannot be read: {error}") from None
    return [_case(entry, f"{name} case {n}") for n, entry in enumerate(entries, 1)]


def _case(entry: dict[str, Any], where: str) -> Case:
    keys = set(entry)
    if not _REQUIRED <= keys <= _REQUIRED | _OPTIONAL:
        missing, unknown = _REQUIRED - keys, keys - _REQUIRED - _OPTIONAL
        raise CaseTableError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return Case(
        name=entry["name"],
        facts=entry["facts"],
        status=entry["status"],
        tests=tuple(entry["tests"]),
        levels=dict(entry.get("levels", {})),
        decided_by=tuple(entry.get("decided_by", ())),
        closed_world=bool(entry.get("closed_world", False)),
    )
