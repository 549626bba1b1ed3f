"""Determinations as typed values, read from the atoms the knowledge base shows."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import clingo

from engine.errors import KnowledgeBaseError

MEDICALLY_NECESSARY = "medically_necessary"
INSUFFICIENT_INFORMATION = "insufficient_information"

# A level of a request under one policy: (policy, level).
Level = tuple[str, str]


class Criterion(NamedTuple):
    """A labelled clause of a policy, with its verbatim text."""

    policy: str
    id: str
    role: str
    text: str


class PolicyInfo(NamedTuple):
    id: str
    title: str
    payer: str
    version: str
    source: str
    effective_from: int
    effective_to: int
    procedures: tuple[str, ...]
    criteria: dict[str, Criterion]


class MissingItem(NamedTuple):
    """One undocumented item of a missing set: what to document, and the values
    it may take for the set to complete the level."""

    predicate: str  # the documentation predicate, e.g. 'onset_days', 'hospitalized_for_pain'
    level: str | None  # the level, for items documented per level
    values: tuple[str, ...] = ()  # admissible constants (modality, severity, therapy kind, trait)
    days: tuple[tuple[int, int | None], ...] = ()  # admissible durations, inclusive (None: no end)
    example: str = ""  # one fact that documents the item, e.g. 'onset_days(l1,20).'

    def __str__(self) -> str:
        """The item in ASP notation, e.g. 'onset_days(l1,D) where D <= 41'."""
        from engine.missing_notation import item_notation

        return item_notation(self)


class Missing(NamedTuple):
    """One inclusion-minimal set of undocumented items whose documentation would
    make a level medically necessary."""

    items: tuple[MissingItem, ...]
    example: tuple[str, ...]  # one concrete completion, as facts
    criteria: tuple[str, ...]  # the criteria the completed level would be decided by


class LevelDetermination(NamedTuple):
    level: str
    status: str
    decided_by: tuple[str, ...] = ()
    met: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()
    # Alternatives: documenting any one set makes the level medically necessary.
    missing: tuple[Missing, ...] = ()


class Determination(NamedTuple):
    policy: PolicyInfo
    status: str
    levels: dict[str, LevelDetermination]
    # Criteria that decided a whole-request status (not_in_effect, not_addressed).
    request_decided_by: tuple[str, ...] = ()

    def deciding_criteria(self) -> list[Criterion]:
        ids = dict.fromkeys(self.request_decided_by)
        for level in self.levels.values():
            ids.update(dict.fromkeys(level.decided_by))
        return [self.criterion(i) for i in ids]

    def criterion(self, criterion_id: str) -> Criterion:
        found = self.policy.criteria.get(criterion_id)
        return found or Criterion(self.policy.id, criterion_id, "", "")

    def summary(self) -> str:
        parts = [f"{self.policy.id}: {self.status} {list(self.request_decided_by)}"]
        for level in self.levels.values():
            parts.append(
                f"  {level.level}: {level.status} decided_by={list(level.decided_by)} "
                f"met={list(level.met)} unmet={list(level.unmet)} missing={list(level.missing)}"
            )
        return "\n".join(parts)


# An argument of a shown atom as a Python value: a constant's name, a
# string's text, a number.
Value = str | int


@functools.lru_cache(maxsize=1 << 16)
def _decoded(atom: clingo.Symbol) -> tuple[str, tuple[Value, ...]]:
    """An atom's name and arguments, read from clingo once per process (the
    same atoms recur from case to case)."""
    return atom.name, tuple(_value(argument) for argument in atom.arguments)


def _value(symbol: clingo.Symbol) -> Value:
    kind = symbol.type
    if kind == clingo.SymbolType.String:
        return symbol.string
    if kind == clingo.SymbolType.Number:
        return symbol.number
    return str(symbol)


class _Atoms:
    """The shown atoms grouped by predicate name, each as its argument values."""

    def __init__(self, atoms: Iterable[clingo.Symbol]) -> None:
        self.by_name: dict[str, list[tuple[Value, ...]]] = defaultdict(list)
        for atom in atoms:
            name, arguments = _decoded(atom)
            self.by_name[name].append(arguments)

    def __getitem__(self, name: str) -> list[tuple[Value, ...]]:
        return self.by_name.get(name, [])


def read_policies(atoms: Iterable[clingo.Symbol]) -> dict[str, PolicyInfo]:
    """Policy metadata and the criteria the atoms cite, per policy id."""
    return _policies(_Atoms(atoms))


def _policies(shown: _Atoms) -> dict[str, PolicyInfo]:
    fields: dict[str, dict[str, str]] = defaultdict(dict)
    for name in ("policy_title", "payer", "version", "source"):
        for policy, value in shown[name]:
            fields[str(policy)][name] = str(value)
    dates = {str(p): (int(start), int(end)) for p, start, end in shown["effective"]}
    procedures: dict[str, list[str]] = defaultdict(list)
    for policy, procedure in shown["addresses"]:
        procedures[str(policy)].append(str(procedure))
    criteria: dict[str, dict[str, Criterion]] = defaultdict(dict)
    for policy, cid, role, text in shown["criterion"]:
        criterion = Criterion(str(policy), str(cid), str(role), str(text))
        criteria[str(policy)][criterion.id] = criterion
    return {
        policy: PolicyInfo(
            id=policy,
            title=values.get("policy_title", ""),
            payer=values.get("payer", ""),
            version=values.get("version", ""),
            source=values.get("source", ""),
            effective_from=dates.get(policy, (0, 0))[0],
            effective_to=dates.get(policy, (0, 99991231))[1],
            procedures=tuple(sorted(procedures[policy])),
            criteria=dict(sorted(criteria[policy].items())),
        )
        for policy, values in sorted(fields.items())
    }


def _cited(described: Mapping[str, PolicyInfo], shown: _Atoms) -> dict[str, PolicyInfo]:
    """Each policy with the criteria the answer cites, as kb/determination.lp
    shows them (cited/2)."""
    cited: dict[str, set[str]] = defaultdict(set)
    for name in ("decided_by", "met", "unmet", "request_decided_by"):
        for arguments in shown[name]:
            cited[str(arguments[0])].add(str(arguments[1]))
    return {
        policy: info._replace(
            criteria={c: v for c, v in info.criteria.items() if c in cited[policy]}
        )
        for policy, info in sorted(described.items())
    }


def read_determinations(
    atoms: Iterable[clingo.Symbol],
    targets: list[str],
    missing: Mapping[tuple[str, str], tuple[Missing, ...]] | None = None,
    described: Mapping[str, PolicyInfo] | None = None,
) -> list[Determination]:
    """Determinations per policy as kb/determination.lp decided them, with the
    missing documentation of each level the search could complete. The
    policies' metadata comes from the atoms, or from `described` (every
    criterion of each policy, read once) for atoms that show only what
    depends on the case."""
    missing = missing or {}
    shown = _Atoms(atoms)
    policies = _policies(shown) if described is None else _cited(described, shown)
    overall = {str(policy): str(status) for policy, status in shown["overall"]}
    statuses = {(str(p), str(level)): str(s) for p, level, s in shown["level_status"]}
    by_level: dict[str, dict[tuple[str, str], list[str]]] = {}
    for name in ("decided_by", "met", "unmet"):
        grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
        for policy, cid, level in shown[name]:
            grouped[(str(policy), str(level))].append(str(cid))
        by_level[name] = grouped
    request: dict[str, list[str]] = defaultdict(list)
    for policy, cid in shown["request_decided_by"]:
        request[str(policy)].append(str(cid))

    determinations = []
    for policy_id, info in policies.items():
        if policy_id not in overall:
            raise KnowledgeBaseError(f"{policy_id} derived no determination for this case")
        levels = {
            level: LevelDetermination(
                level,
                statuses[(policy_id, level)],
                decided_by=tuple(sorted(by_level["decided_by"][(policy_id, level)])),
                met=tuple(sorted(by_level["met"][(policy_id, level)])),
                unmet=tuple(sorted(by_level["unmet"][(policy_id, level)])),
                missing=missing.get((policy_id, level), ()),
            )
            for level in targets
            if (policy_id, level) in statuses
        }
        determinations.append(
            Determination(info, overall[policy_id], levels, tuple(sorted(request[policy_id])))
        )
    return determinations
