"""What the committee report's pages show, gathered from the engine's own
functions: `kb policies` (describe_policies), the rule catalogue
(engine.rules), `kb check` (engine.checks, cached), `kb diagram`
(engine.diagrams) and the interpretation notes. Nothing here re-parses the
text those commands print.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import NamedTuple

from engine.checks.findings import Report
from engine.checks.summary import (
    Contradictions,
    DifferenceGroup,
    by_indication,
    matrix_columns,
    split_conflicts,
)
from engine.determination import PolicyInfo
from engine.report.cases import BoundaryCase
from engine.report.diagrams import Diagram
from engine.report.interpretations import Interpretation, Theme, themes
from engine.rules import Catalogue, CriterionText


class RuleView(NamedTuple):
    id: str
    location: str  # kb/<file>:<line>
    source: str  # the rule as written in the file


class CriterionView(NamedTuple):
    id: str
    role: str
    text: str
    anchor: str
    depth: int  # 0 for a top-level clause, 1 for its parts, ...
    location: str
    rules: tuple[RuleView, ...]
    notes: tuple[Interpretation, ...]
    cases: tuple[BoundaryCase, ...]


class PolicyPage(NamedTuple):
    info: PolicyInfo
    effective: str
    criteria: tuple[CriterionView, ...]
    section_notes: tuple[Interpretation, ...]  # notes about a section, not one criterion
    diagrams: tuple[Diagram, ...]
    cases: tuple[BoundaryCase, ...]


class Site(NamedTuple):
    policies: tuple[PolicyPage, ...]
    report: Report
    contradictions: Contradictions
    differences: tuple[DifferenceGroup, ...]  # per procedure and indication
    notes: tuple[Interpretation, ...]
    themes: tuple[Theme, ...]
    diagrams_note: str  # why there are no diagrams, if there are none
    cases_note: str  # why there are no boundary-case links, if there are none

    def columns(self, procedure: str) -> list[str]:
        matrix = next(m for m in self.report.matrices if m.procedure == procedure)
        return matrix_columns(matrix, self.report.policies)


def page_name(policy: str) -> str:
    return f"policy-{policy}.html"


def anchor(criterion: str) -> str:
    return "c-" + re.sub(r"[^A-Za-z0-9_.-]", "_", criterion)


def case_anchor(case: BoundaryCase) -> str:
    return f"case-{case.number}"


def criterion_link(policy: str, criterion: str) -> str:
    return f"{page_name(policy)}#{anchor(criterion)}"


def policy_page(
    info: PolicyInfo,
    catalogue: Catalogue,
    notes: Sequence[Interpretation],
    diagrams: Sequence[Diagram],
    cases: Sequence[BoundaryCase],
    effective: str,
) -> PolicyPage:
    """A policy's criteria in the file's (the policy's own) order, each with its
    rules, notes and boundary cases."""
    texts = sorted(
        (c for (p, _), c in catalogue.criteria.items() if p == info.id), key=lambda c: c.line
    )
    sources = _SourceLines()
    views = tuple(
        CriterionView(
            c.id,
            c.role,
            c.text,
            anchor(c.id),
            _depth(c, texts),
            _location(c.file, c.line),
            _rules(catalogue, info.id, c.id, sources),
            tuple(n for n in notes if n.policy == info.id and n.criterion == c.id),
            tuple(case for case in cases if c.id in case.criteria),
        )
        for c in texts
    )
    section_notes = tuple(n for n in notes if n.policy == info.id and not n.criterion)
    ids = {c.id for c in texts}
    linked = tuple(
        case._replace(criteria=tuple(c for c in case.criteria if c in ids)) for case in cases
    )
    return PolicyPage(info, effective, views, section_notes, tuple(diagrams), linked)


def _depth(criterion: CriterionText, texts: Sequence[CriterionText]) -> int:
    """How many other criteria of the policy this one's id extends (I.A.1 under I.A under I)."""
    ids = {c.id for c in texts}
    parts = criterion.id.split(".")
    return sum(1 for n in range(1, len(parts)) if ".".join(parts[:n]) in ids)


def _location(path: str, line: int) -> str:
    return f"kb/{os.path.basename(path)}:{line}"


def _rules(
    catalogue: Catalogue, policy: str, criterion: str, sources: _SourceLines
) -> tuple[RuleView, ...]:
    """The labelled rules of a criterion, then the policy's helper rules written under it."""
    views = [
        RuleView(r.id, _location(r.file, r.line), sources.text(r.file, r.line, r.node, r.text))
        for r in catalogue.rules_of(policy)
        if r.criterion == criterion
    ]
    views += [
        RuleView(h.id, _location(h.file, h.line), sources.text(h.file, h.line, h.node, h.text))
        for h in catalogue.helpers
        if h.policy == policy and h.criterion == criterion
    ]
    return tuple(views)


class _SourceLines:
    """A rule's text as written: its lines in the file (clingo's location)."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}

    def text(self, path: str, line: int, node: object, printed: str) -> str:
        location = getattr(node, "location", None)
        if location is None:
            return printed
        if path not in self._files:
            with open(path, encoding="utf-8") as handle:
                self._files[path] = handle.read().splitlines()
        lines = self._files[path][line - 1 : location.end.line]
        return "\n".join(lines).strip() or printed


def site(
    pages: Sequence[PolicyPage],
    report: Report,
    notes: Sequence[Interpretation],
    diagrams_note: str,
    cases_note: str,
) -> Site:
    return Site(
        tuple(pages),
        report,
        split_conflicts(report.conflicts, report.policies),
        tuple(by_indication(report.differences)),
        tuple(notes),
        tuple(themes(notes)),
        diagrams_note,
        cases_note,
    )
