"""Boundary cases per policy, taken from the policy texts.

Each module `<policy id>.py` defines `CASES: list[Case]`. One parametrized test
(`tests/test_policy_cases.py`) runs every case through the engine and checks
the policy's overall status (and, where given, per-level statuses and the
criterion ids that decided it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One named boundary case: a sentence, a case file body, the expected status."""

    name: str
    facts: str
    status: str
    # Expected status per target level, when the case has several levels.
    levels: dict[str, str] = field(default_factory=dict)
    # Criterion ids expected among those that decided the status (subset check).
    decided_by: tuple[str, ...] = ()
    # Evaluate with every unknown documentation item taken as false.
    closed_world: bool = False
