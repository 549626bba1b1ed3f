"""The consistency report (engine.checks.findings) as text for people or as JSON."""

from __future__ import annotations

import os
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from engine.checks.findings import (
    INDICATIONS,
    PROCEDURES,
    Cell,
    Conflict,
    DeadRule,
    Difference,
    Gap,
    Matrix,
    Report,
)
from engine.checks.search import Witness
from engine.checks.summary import (
    DifferenceGroup,
    by_pair,
    covered_only_by,
    matrix_columns,
    split_conflicts,
    status_rows,
)
from engine.rules import CriterionText

PROCEDURE_ORDER = {p: i for i, p in enumerate(PROCEDURES)}

SHORT_STATUS = {
    "medically_necessary": "MN",
    "not_medically_necessary": "NMN",
    "investigational": "INV",
    "not_covered": "NC",
    "insufficient_information": "II",
    "not_addressed": "NA",
    "not_in_effect": "NIE",
}


# --- Witness headers ---------------------------------------------------------------


def _decided(policy: str, status: str, criteria: Iterable[str]) -> str:
    return f"{policy} {status} ({', '.join(criteria)})"


def difference_header(d: Difference) -> list[str]:
    first, second = d.policies
    return [
        f"kb check: {d.procedure}, {first} and {second} disagree",
        _decided(first, d.statuses[first], d.criteria[first]),
        _decided(second, d.statuses[second], d.criteria[second]),
    ]


def conflict_header(c: Conflict) -> list[str]:
    first, second = c.derivations
    return [
        f"kb check: {c.policy} derives two statuses for {c.level}",
        f"{first.criterion} ({first.kind}) {first.status}; "
        f"{second.criterion} ({second.kind}) {second.status}",
        _decided(c.policy, c.status, c.decided_by),
    ]


def gap_header(g: Gap) -> list[str]:
    return [f"kb check: no rule of {g.policy} decides {g.level} ({g.procedure})"]


# --- JSON --------------------------------------------------------------------------


def to_json(report: Report) -> str:
    from engine.json_text import indented

    document = {
        "case_space": {
            "policies": list(report.policies),
            "procedures": list(report.procedures),
            "levels": report.levels,
        },
        "differences": [_difference_json(d) for d in report.differences],
        "conflicts": [_conflict_json(c) for c in report.conflicts],
        "gaps": [_gap_json(g) for g in report.gaps],
        "dead_rules": [_dead_rule_json(d) for d in report.dead_rules],
        "matrix": [_matrix_json(m) for m in report.matrices],
    }
    return indented(document)


def _difference_json(d: Difference) -> dict[str, Any]:
    return {
        "policies": list(d.policies),
        "procedure": d.procedure,
        "statuses": d.statuses,
        "criteria": {p: list(c) for p, c in d.criteria.items()},
        "size": len(d.witness.counted),
        "witness": d.witness.case_file(difference_header(d)),
    }


def _citation(criterion: CriterionText) -> dict[str, str]:
    found = {"id": criterion.id, "role": criterion.role, "text": criterion.text}
    if criterion.interpretation:
        found["interpretation"] = criterion.interpretation
    return found


def _conflict_json(c: Conflict) -> dict[str, Any]:
    return {
        "policy": c.policy,
        "level": c.level,
        "rules": [d._asdict() for d in c.derivations],
        "winner": c.winner.criterion,
        "reason": c.reason,
        "ground": [_citation(t) for t in c.ground],
        "status": c.status,
        "decided_by": list(c.decided_by),
        "witness": c.witness.case_file(conflict_header(c)),
    }


def _gap_json(g: Gap) -> dict[str, Any]:
    return {
        "policy": g.policy,
        "procedure": g.procedure,
        "level": g.level,
        "witness": g.witness.case_file(gap_header(g)),
    }


def _dead_rule_json(d: DeadRule) -> dict[str, Any]:
    rule = d.rule
    return {
        "policy": rule.policy,
        "rule": rule.id,
        "criterion": rule.criterion,
        "file": os.path.basename(rule.file),
        "line": rule.line,
        "text": rule.text,
        "relaxations": [
            {
                "without": r.condition,
                "status": r.status,
                "witness": r.witness.case_file(
                    [f"kb check: {rule.id} would fire here without {r.condition}"]
                ),
            }
            for r in d.relaxations
        ],
    }


def _matrix_json(m: Matrix) -> dict[str, Any]:
    return {
        "procedure": m.procedure,
        "rows": [
            {
                "indication": row.indication,
                "policies": {p: _cell_json(cell, m.procedure, p) for p, cell in row.cells.items()},
            }
            for row in m.rows
        ],
    }


def _cell_json(cell: Cell, procedure: str, policy: str) -> dict[str, Any]:
    return {
        "status": cell.status,
        "routes": [
            {
                "criteria": list(route.criteria),
                "conditions": list(route.conditions),
                "witness": route.witness.case_file(
                    [f"kb check: {procedure}, {_decided(policy, cell.status, route.criteria)}"]
                ),
            }
            for route in cell.routes
        ],
    }


# --- Text --------------------------------------------------------------------------


def to_text(report: Report, *, verbose: bool = False) -> str:
    """The summary (what differs between the payers, counts, dead rules, gaps,
    real contradictions); with `verbose`, then every finding with its witness."""
    lines = [
        f"Consistency checks of {len(report.policies)} policies ({', '.join(report.policies)})",
        f"Case space: {', '.join(report.procedures) or 'no procedure'}; "
        f"up to {report.levels} target level{'s' if report.levels != 1 else ''}.",
        "",
    ]
    lines += _summary_text(report)
    if not verbose:
        lines.append(
            "Every finding with its witness: kb check --verbose; "
            "witnesses as complete case files: --format json."
        )
        return "\n".join(lines).rstrip("\n") + "\n"
    lines += [
        "FULL LISTING",
        "Each witness is a minimal, fully documented case. Shown here are its facts",
        "beyond the usual record (concordant pain, no therapy, every yes/no item false,",
        "...: see kb/case_space.lp); `--format json` gives each as a complete case file.",
        "",
    ]
    lines += _conflicts_text(report.conflicts)
    lines += _gaps_text(report.gaps)
    lines += _dead_rules_text(report.dead_rules, report.levels)
    lines += _differences_text(report.differences)
    for matrix in report.matrices:
        lines += _matrix_text(matrix, report.policies)
    return "\n".join(lines).rstrip("\n") + "\n"


def _witness_line(witness: Witness, indent: str = "      ") -> str:
    return f"{indent}witness: {witness.summary()}"


def _conflicts_text(conflicts: tuple[Conflict, ...]) -> list[str]:
    lines = [
        f"CONFLICTS: {len(conflicts)} (two criteria of one policy decide a level "
        "differently, before precedence)",
    ]
    by_policy: dict[str, list[Conflict]] = defaultdict(list)
    for conflict in conflicts:
        by_policy[conflict.policy].append(conflict)
    for policy, found in by_policy.items():
        lines.append(f"  {policy}: {len(found)}")
        grounds: dict[str, CriterionText] = {}
        for c in found:
            loser = c.derivations[1] if c.derivations[0] == c.winner else c.derivations[0]
            lines.append(
                f"    {c.winner.criterion} ({c.winner.status}) over {loser.criterion} "
                f"({loser.status}): {_reason_short(c)}"
            )
            lines.append(_witness_line(c.witness))
            grounds.update((t.id, t) for t in c.ground[1:])
        for ground in grounds.values():
            lines.append(f'    ground {ground.id}: "{ground.text}"')
    return [*lines, ""]


def _reason_short(conflict: Conflict) -> str:
    if conflict.winner.kind == "exclusion" and any(
        d.kind != "exclusion" for d in conflict.derivations
    ):
        return "an exclusion decides whatever the indications say"
    return f"{conflict.winner.status} comes first in the precedence of statuses"


def _gaps_text(gaps: tuple[Gap, ...]) -> list[str]:
    lines = [f"GAPS: {len(gaps)} (a level that no rule of the policy decides)"]
    for gap in gaps:
        lines.append(f"  {gap.policy} {gap.procedure} at {gap.level}")
        lines.append(_witness_line(gap.witness, "    "))
    return [*lines, ""]


def _dead_rules_text(dead: tuple[DeadRule, ...], levels: int) -> list[str]:
    lines = [
        f"DEAD RULES: {len(dead)} (fire for no case of any procedure the policy addresses, "
        f"with up to {levels} target level{'s' if levels != 1 else ''})"
    ]
    for d in dead:
        lines.append(f"  {d.rule.id} ({os.path.basename(d.rule.file)}:{d.rule.line})")
        lines.append(f"    {d.rule.text}")
        if not d.relaxations:
            lines.append("    no single condition stops it")
        for r in d.relaxations:
            lines.append(f"    fires without `{r.condition}` ({d.rule.policy} {r.status}):")
            lines.append(_witness_line(r.witness))
    return [*lines, ""]


def _differences_text(differences: tuple[Difference, ...]) -> list[str]:
    lines = [
        f"DIFFERENCES: {len(differences)} (two policies give different statuses; "
        "one witness per pair of deciding criteria)"
    ]
    groups: dict[tuple[tuple[str, str], str], list[Difference]] = defaultdict(list)
    for d in differences:
        groups[(d.policies, d.procedure)].append(d)
    for (pair, procedure), found in groups.items():
        first, second = pair
        lines.append(f"  {first} / {second}, {procedure}: {len(found)}")
        ordered = sorted(found, key=lambda d: (d.statuses[first], d.statuses[second]))
        for d in ordered:
            lines.append(
                f"    {_short(d.statuses[first])} {', '.join(d.criteria[first])}"
                f"  /  {_short(d.statuses[second])} {', '.join(d.criteria[second])}"
            )
            lines.append(_witness_line(d.witness))
    return [*lines, ""]


def _short(status: str) -> str:
    return SHORT_STATUS.get(status, status)


def _matrix_text(matrix: Matrix, policies: tuple[str, ...]) -> list[str]:
    columns = [p for p in policies if any(p in row.cells for row in matrix.rows)]
    header = ["indication", *columns]
    table = [header]
    notes: list[str] = []
    for row in matrix.rows:
        cells = [row.indication]
        for policy in columns:
            cell = row.cells.get(policy)
            cells.append(_cell_text(cell) if cell else "NA")
            for route in cell.routes if cell and cell.status == "medically_necessary" else ():
                if route.conditions:
                    notes.append(
                        f"  {row.indication} / {policy} {', '.join(route.criteria)}: "
                        f"{', '.join(route.conditions)}"
                    )
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = [
        f"MATRIX {matrix.procedure}: status per indication "
        "(MN medically necessary, NMN not medically necessary, INV investigational,"
        " NC not covered, NA not addressed) and deciding criteria"
    ]
    for r in table:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if notes:
        lines.append(" conditions met for medically necessary:")
        lines.extend(notes)
    return [*lines, ""]


def _cell_text(cell: Cell) -> str:
    criteria = sorted({c for route in cell.routes for c in route.criteria})
    return f"{_short(cell.status)} {', '.join(criteria)}".strip()


# --- The summary ---------------------------------------------------------------------

_WIDTH = 100  # characters per line of the summary
_LISTED = 10  # findings of one kind named in the summary; --verbose lists them all


def _summary_text(report: Report) -> list[str]:
    contradictions = split_conflicts(report.conflicts, report.policies)
    settled = sum(contradictions.resolved.values())
    pairs = by_pair(report.differences)
    lines = [
        "SUMMARY",
        f"  {len(report.differences)} ways two payers differ (pairs of deciding criteria),"
        f" in {len(pairs)} pairs of policies and procedures",
        f"  {_count(len(contradictions.real), 'real contradiction')} within a policy; {settled}"
        " overlaps settled by the policy's own precedence",
        *textwrap.wrap(
            "(an exclusion decides whatever the indications say): "
            + ", ".join(f"{p} {n}" for p, n in contradictions.resolved.items() if n),
            width=_WIDTH,
            initial_indent="    ",
            subsequent_indent="    ",
        ),
        f"  {_count(len(report.gaps), 'gap')}; {_count(len(report.dead_rules), 'dead rule')}",
        "",
    ]
    for matrix in report.matrices:
        lines += _status_rows_text(matrix, report.policies)
    lines += _pairs_text(pairs)
    lines += _listed(
        "REAL CONTRADICTIONS",
        [
            f"  {c.policy}: {c.derivations[0].criterion} ({c.derivations[0].status}) / "
            f"{c.derivations[1].criterion} ({c.derivations[1].status}), "
            f"{c.winner.criterion} wins: {c.winner.status}"
            for c in contradictions.real
        ],
    )
    lines += _listed(
        "DEAD RULES",
        [
            f"  {d.rule.id} ({os.path.basename(d.rule.file)}:{d.rule.line}) fires for no case "
            f"with up to {_count(report.levels, 'target level')}"
            for d in report.dead_rules
        ],
    )
    lines += _listed(
        "GAPS", [f"  {g.policy} {g.procedure}: nothing decides {g.level}" for g in report.gaps]
    )
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _listed(title: str, items: list[str]) -> list[str]:
    if not items:
        return [f"{title}: none", ""]
    more = len(items) - _LISTED
    tail = [f"  ... and {more} more (kb check --verbose)"] if more > 0 else []
    return [f"{title}: {len(items)}", *items[:_LISTED], *tail, ""]


def _status_rows_text(matrix: Matrix, policies: tuple[str, ...]) -> list[str]:
    columns = matrix_columns(matrix, policies)
    rows = status_rows(matrix, columns)
    title = f"WHAT EACH PAYER GIVES: {matrix.procedure}"
    if len(rows) == 1 and not rows[0].differs:
        statuses = _short(rows[0].statuses[0]) if rows[0].statuses else "NA"
        return [f"{title}: {', '.join(columns)} {statuses} for every indication", ""]
    widths = [max(len(p), 3) for p in columns]
    header = "  ".join(p.ljust(w) for p, w in zip(columns, widths, strict=True))
    lines = [f"{title} (statuses, then the indications that get them)", f"    {header}"]
    for row in rows:
        cells = "  ".join(
            (_short(s) if s else "NA").ljust(w) for s, w in zip(row.statuses, widths, strict=True)
        )
        lines.append(f"    {cells}{'' if row.differs else '  (all alike)'}".rstrip())
        lines += textwrap.wrap(
            _indication_list(row.indications),
            width=_WIDTH,
            initial_indent="      ",
            subsequent_indent="        ",
            break_on_hyphens=False,
        )
    return [*lines, ""]


def _indication_list(names: tuple[str, ...]) -> str:
    """'fracture: a, b; lesion: c' from 'fracture: a', 'fracture: b', 'lesion: c'."""
    if len(names) == len(INDICATIONS):
        return "every indication"
    kinds: dict[str, list[str]] = {}
    for name in names:
        kind, _, value = name.partition(": ")
        kinds.setdefault(kind, []).append(value)
    return "; ".join(f"{kind}: {', '.join(values)}" for kind, values in kinds.items())


def _pairs_text(groups: list[DifferenceGroup]) -> list[str]:
    lines = [
        "DIFFERENCES per procedure and pair: ways they differ (pairs of deciding criteria),",
        "  and of those, the ways that only one of the two finds medically necessary",
    ]
    width = max((len(g.key) for g in groups), default=0)
    for group in sorted(groups, key=lambda g: (PROCEDURE_ORDER.get(g.procedure, 9), g.key)):
        lines.append(
            f"  {group.procedure:<15} {group.key:<{width}}  {len(group.differences):4}  "
            + _pair_tail(group)
        )
    return [*lines, ""]


def _pair_tail(group: DifferenceGroup) -> str:
    """How the pair differs: MN under one only (each way), else the statuses."""
    first, second = group.pairs[0]
    only = Counter(covered_only_by(d) for d in group.differences)
    if only[first] or only[second]:
        return f"MN only: {first} {only[first]}, {second} {only[second]}"
    statuses = Counter(
        f"{_short(d.statuses[first])}/{_short(d.statuses[second])}" for d in group.differences
    )
    return "neither MN: " + ", ".join(f"{pair} {n}" for pair, n in statuses.most_common())
