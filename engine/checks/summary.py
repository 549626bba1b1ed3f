"""The findings of a check (engine.checks.findings.Report) summarised for people:
what `kb check` prints first and what the committee report's digest shows.

- Conflicts split into real contradictions and overlaps that the policy's own
  precedence resolves (an exclusion decides whatever the indications say):
  the overlaps are counted per policy, never listed as conflicts.
- Differences grouped per procedure and pair of policies, and per procedure
  and indication (the clinical picture of the witness, as the matrix rows name
  it), each group with its smallest witness.
- The matrix rows of a procedure grouped by the statuses the policies give.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from engine.checks.findings import (
    EXCLUSION_OVER_INDICATION,
    INDICATIONS,
    Conflict,
    Difference,
    Matrix,
)
from engine.checks.search import Witness
from engine.determination import MEDICALLY_NECESSARY

OTHER_PICTURE = "other"

_FACT = re.compile(r"^(fracture|lesion|purpose|target)\(([^)]*)\)$")


# --- Conflicts ------------------------------------------------------------------------


class Contradictions(NamedTuple):
    real: tuple[Conflict, ...]  # not settled by the policy's own precedence
    resolved: dict[str, int]  # policy -> overlaps its precedence settles


def split_conflicts(conflicts: Iterable[Conflict], policies: Sequence[str]) -> Contradictions:
    """Real contradictions, and per policy the count of exclusion-over-indication overlaps."""
    real = []
    resolved: Counter[str] = Counter()
    for conflict in conflicts:
        if conflict.reason == EXCLUSION_OVER_INDICATION:
            resolved[conflict.policy] += 1
        else:
            real.append(conflict)
    return Contradictions(tuple(real), {p: resolved[p] for p in policies})


# --- Differences ----------------------------------------------------------------------


class DifferenceGroup(NamedTuple):
    """Differences sharing a procedure and a key (a pair of policies, or an indication)."""

    procedure: str
    key: str
    differences: tuple[Difference, ...]

    @property
    def policies(self) -> tuple[str, ...]:
        return tuple(sorted({p for d in self.differences for p in d.policies}))

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({d.policies for d in self.differences}))

    def criteria(self, policy: str) -> tuple[str, ...]:
        """The criteria of one policy that decide any of the group's differences."""
        found = {c for d in self.differences for c in d.criteria.get(policy, ())}
        return tuple(sorted(found))

    @property
    def smallest(self) -> Difference:
        """The difference with the fewest counted facts (first on a tie)."""
        return min(self.differences, key=lambda d: len(d.witness.counted))

    @property
    def others(self) -> tuple[Difference, ...]:
        first = self.smallest
        return tuple(d for d in self.differences if d is not first)


def by_pair(differences: Iterable[Difference]) -> list[DifferenceGroup]:
    """Per procedure and pair of policies, in the order first found."""
    groups: dict[tuple[str, tuple[str, str]], list[Difference]] = defaultdict(list)
    for d in differences:
        groups[(d.procedure, d.policies)].append(d)
    return [
        DifferenceGroup(procedure, f"{pair[0]} / {pair[1]}", tuple(found))
        for (procedure, pair), found in groups.items()
    ]


def by_indication(differences: Iterable[Difference]) -> list[DifferenceGroup]:
    """Per procedure and indication (the witness's clinical picture), in matrix order."""
    groups: dict[tuple[str, str], list[Difference]] = defaultdict(list)
    for d in differences:
        groups[(d.procedure, picture(d.witness))].append(d)
    order = {row.name: i for i, row in enumerate(INDICATIONS)}
    ranked = sorted(groups, key=lambda key: (key[0], order.get(key[1], len(order))))
    return [
        DifferenceGroup(procedure, name, tuple(groups[(procedure, name)]))
        for procedure, name in ranked
    ]


def picture(witness: Witness) -> str:
    """The indication a witness shows, named as the matrix rows are: a fracture
    cause or a lesion at a target, else a purpose, else 'other'."""
    targets: set[str] = set()
    found: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for fact in witness.facts:
        match = _FACT.match(fact)
        if match:
            name, arguments = match.group(1), tuple(match.group(2).split(","))
            if name == "target":
                targets.add(arguments[0])
            else:
                found[name].append(arguments)
    for name in ("fracture", "lesion"):
        for level, value in (a for a in found[name] if len(a) == 2):
            if level in targets:
                return f"{name}: {value}"
    for (value,) in (a for a in found["purpose"] if len(a) == 1):
        return f"purpose: {value}"
    return OTHER_PICTURE


def covered_only_by(difference: Difference) -> str:
    """The policy of the pair under which the case is medically necessary, if one is."""
    covered = [p for p in difference.policies if difference.statuses[p] == MEDICALLY_NECESSARY]
    return covered[0] if len(covered) == 1 else ""


# --- The matrix ------------------------------------------------------------------------


class StatusRow(NamedTuple):
    """Matrix rows of one procedure that every policy answers alike."""

    indications: tuple[str, ...]
    statuses: tuple[str, ...]  # one per policy column ('' not addressed)

    @property
    def differs(self) -> bool:
        return len(set(self.statuses)) > 1


def status_rows(matrix: Matrix, columns: Sequence[str]) -> list[StatusRow]:
    """The matrix's rows grouped by the status each policy gives, in row order."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for row in matrix.rows:
        statuses = tuple(row.cells[p].status if p in row.cells else "" for p in columns)
        grouped.setdefault(statuses, []).append(row.indication)
    return [StatusRow(tuple(names), statuses) for statuses, names in grouped.items()]


def matrix_columns(matrix: Matrix, policies: Sequence[str]) -> list[str]:
    """The policies that address the matrix's procedure."""
    return [p for p in policies if any(p in row.cells for row in matrix.rows)]
