"""Determinations as typed values, read from the atoms the knowledge base shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import clingo

MEDICALLY_NECESSARY = "medically_necessary"
INSUFFICIENT_INFORMATION = "insufficient_information"
STATUSES = (
    "medically_necessary",
    "not_medically_necessary",
    "investigational",
    "not_covered",
    "not_addressed",
    "not_in_effect",
    "insufficient_information",
)


@dataclass(frozen=True)
class Criterion:
    """A labelled clause of a policy, with its verbatim text."""

    policy: str
    id: str
    role: str
    text: str


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    title: str = ""
    payer: str = ""
    version: str = ""
    source: str = ""
    effective_from: int = 0
    effective_to: int = 99991231
    procedures: tuple[str, ...] = ()
    criteria: dict[str, Criterion] = field(default_factory=dict)


@dataclass
class LevelDetermination:
    level: str
    status: str
    decided_by: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    # Facts that, documented, would make this level medically necessary.
    missing: list[str] = field(default_factory=list)


@dataclass
class Determination:
    policy: PolicyInfo
    status: str
    levels: dict[str, LevelDetermination] = field(default_factory=dict)

    def deciding_criteria(self) -> list[Criterion]:
        ids: dict[str, None] = {}
        for level in self.levels.values():
            ids.update(dict.fromkeys(level.decided_by))
        if not self.levels:
            role = "effective" if self.status == "not_in_effect" else "scope"
            ids.update(dict.fromkeys(c.id for c in self.policy.criteria.values() if c.role == role))
        return [self.criterion(i) for i in ids]

    def criterion(self, criterion_id: str) -> Criterion:
        found = self.policy.criteria.get(criterion_id)
        return found or Criterion(self.policy.id, criterion_id, "", "")

    def summary(self) -> str:
        parts = [f"{self.policy.id}: {self.status}"]
        for level in self.levels.values():
            parts.append(
                f"  {level.level}: {level.status} decided_by={level.decided_by} "
                f"met={level.met} unmet={level.unmet} missing={level.missing}"
            )
        return "\n".join(parts)


def _text(symbol: clingo.Symbol) -> str:
    return symbol.string if symbol.type == clingo.SymbolType.String else str(symbol)


def read_policies(atoms: Iterable[clingo.Symbol]) -> dict[str, PolicyInfo]:
    """Policy metadata and criteria from the shown atoms."""
    fields: dict[str, dict[str, object]] = defaultdict(dict)
    procedures: dict[str, list[str]] = defaultdict(list)
    criteria: dict[str, dict[str, Criterion]] = defaultdict(dict)
    for atom in atoms:
        args = atom.arguments
        name = atom.name
        if name == "criterion" and len(args) == 4:
            policy, cid = args[0].name, _text(args[1])
            criteria[policy][cid] = Criterion(policy, cid, args[2].name, _text(args[3]))
        elif name in ("policy_title", "payer", "version", "source") and len(args) == 2:
            fields[args[0].name][name] = _text(args[1])
        elif name == "effective" and len(args) == 3:
            fields[args[0].name]["effective_from"] = args[1].number
            fields[args[0].name]["effective_to"] = args[2].number
        elif name == "addresses" and len(args) == 2:
            procedures[args[0].name].append(args[1].name)
    return {
        policy: PolicyInfo(
            id=policy,
            title=str(values.get("policy_title", "")),
            payer=str(values.get("payer", "")),
            version=str(values.get("version", "")),
            source=str(values.get("source", "")),
            effective_from=int(str(values.get("effective_from", 0))),
            effective_to=int(str(values.get("effective_to", 99991231))),
            procedures=tuple(sorted(procedures[policy])),
            criteria=dict(sorted(criteria[policy].items())),
        )
        for policy, values in sorted(fields.items())
    }


def read_determinations(
    atoms: list[clingo.Symbol], policies: dict[str, PolicyInfo], targets: list[str]
) -> tuple[list[Determination], dict[str, int]]:
    """Determinations per policy (closed world), and the status precedence ranks."""
    overall: dict[str, str] = {}
    levels: dict[str, dict[str, LevelDetermination]] = defaultdict(dict)
    per_level: dict[str, dict[tuple[str, str], list[str]]] = {
        "decided_by": defaultdict(list),
        "unmet": defaultdict(list),
        "met": defaultdict(list),
    }
    ranks: dict[str, int] = {}
    for atom in atoms:
        args = atom.arguments
        if atom.name == "overall":
            overall[args[0].name] = args[1].name
        elif atom.name == "level_status":
            policy, level = args[0].name, args[1].name
            levels[policy][level] = LevelDetermination(level, args[2].name)
        elif atom.name in ("decided_by", "unmet"):
            per_level[atom.name][(args[0].name, args[2].name)].append(_text(args[1]))
        elif atom.name == "met":
            per_level["met"][(args[0].name, args[2].name)].append(_text(args[1]))
        elif atom.name == "status_rank":
            ranks[args[0].name] = args[1].number
    determinations = []
    for policy_id, info in policies.items():
        found = levels.get(policy_id, {})
        ordered = {level: found[level] for level in targets if level in found}
        for (policy, level), ids in per_level["decided_by"].items():
            if policy == policy_id and level in ordered:
                ordered[level].decided_by = sorted(ids)
        for (policy, level), ids in per_level["unmet"].items():
            if policy == policy_id and level in ordered:
                ordered[level].unmet = sorted(ids)
        for (policy, level), ids in per_level["met"].items():
            if policy == policy_id and level in ordered:
                ordered[level].met = sorted(ids)
        status = overall.get(policy_id)
        if status is None:
            from engine.errors import KnowledgeBaseError

            raise KnowledgeBaseError(f"{policy_id} derived no determination for this case")
        determinations.append(Determination(info, status, ordered))
    return determinations, ranks


def overall_status(levels: Iterable[LevelDetermination], ranks: dict[str, int]) -> str:
    """The first status present in the precedence; medically necessary only if all are."""
    return min((level.status for level in levels), key=lambda status: ranks[status])
