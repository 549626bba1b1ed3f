"""Determinations as typed values, read from the atoms the knowledge base shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import clingo

from engine.errors import KnowledgeBaseError

MEDICALLY_NECESSARY = "medically_necessary"
INSUFFICIENT_INFORMATION = "insufficient_information"


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


def _text(symbol: clingo.Symbol) -> str:
    return symbol.string if symbol.type == clingo.SymbolType.String else str(symbol)


class _Atoms:
    """The shown atoms grouped by predicate name, each as its argument list."""

    def __init__(self, atoms: Iterable[clingo.Symbol]) -> None:
        self.by_name: dict[str, list[list[clingo.Symbol]]] = defaultdict(list)
        for atom in atoms:
            self.by_name[atom.name].append(atom.arguments)

    def __getitem__(self, name: str) -> list[list[clingo.Symbol]]:
        return self.by_name.get(name, [])


def read_policies(atoms: Iterable[clingo.Symbol]) -> dict[str, PolicyInfo]:
    """Policy metadata and the criteria the atoms cite, per policy id."""
    return _policies(_Atoms(atoms))


def _policies(shown: _Atoms) -> dict[str, PolicyInfo]:
    fields: dict[str, dict[str, str]] = defaultdict(dict)
    for name in ("policy_title", "payer", "version", "source"):
        for policy, value in shown[name]:
            fields[policy.name][name] = _text(value)
    dates = {p.name: (start.number, end.number) for p, start, end in shown["effective"]}
    procedures: dict[str, list[str]] = defaultdict(list)
    for policy, procedure in shown["addresses"]:
        procedures[policy.name].append(procedure.name)
    criteria: dict[str, dict[str, Criterion]] = defaultdict(dict)
    for policy, cid, role, text in shown["criterion"]:
        criterion = Criterion(policy.name, _text(cid), role.name, _text(text))
        criteria[policy.name][criterion.id] = criterion
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


def read_determinations(
    atoms: Iterable[clingo.Symbol],
    targets: list[str],
    missing: Mapping[tuple[str, str], tuple[Missing, ...]] | None = None,
) -> list[Determination]:
    """Determinations per policy as kb/determination.lp decided them, with the
    missing documentation of each level the search could complete."""
    missing = missing or {}
    shown = _Atoms(atoms)
    policies = _policies(shown)
    overall = {policy.name: status.name for policy, status in shown["overall"]}
    statuses = {(p.name, level.name): s.name for p, level, s in shown["level_status"]}
    by_level: dict[str, dict[tuple[str, str], list[str]]] = {}
    for name in ("decided_by", "met", "unmet"):
        grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
        for policy, cid, level in shown[name]:
            grouped[(policy.name, level.name)].append(_text(cid))
        by_level[name] = grouped
    request: dict[str, list[str]] = defaultdict(list)
    for policy, cid in shown["request_decided_by"]:
        request[policy.name].append(_text(cid))

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
