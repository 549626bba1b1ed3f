"""Rule identity and provenance: every rule of the knowledge base that can
contribute to a determination, with a stable id, its citation, file and line,
and an AST transformation that makes "which rule fired" data.

For each rule `H :- B.` of the prologue, the policy files and the epilogue,
the transformation adds

    fired("<rule id>", H, (V1, ..., Vn)) :- B.

where V1..Vn are the rule's global variables (sorted by name), so the
answer set holds every ground instance that fired: the head it derived and
the bindings it used. Ids: labelled policy rules keep engine.rules' ids
("providence_196:I.A.1"); other rules are "<file stem>:<head predicate>"
with ":n" when a file has several rules for one predicate.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import NamedTuple

from clingo import ast

from engine.asp_text import Literal, ParsedRule, Term, parse_rule, show
from engine.knowledge_base import EPILOGUE, PROLOGUE, KnowledgeBase
from engine.rules import Catalogue, read_catalogue, read_statements

FIRED = "fired"


class TrackedRule(NamedTuple):
    id: str
    file: str
    line: int
    text: str
    head: Term  # the head atom
    body: tuple[Literal, ...]
    variables: tuple[str, ...]
    policy: str  # '' for the prologue and epilogue
    criterion: str  # the criterion id it encodes or stands under ('' if none)
    citation: str  # the criterion's verbatim text, or the comment above the rule

    @property
    def location(self) -> str:
        return f"kb/{os.path.basename(self.file)}:{self.line}"

    @property
    def head_name(self) -> str:
        return str(self.head[1]) if self.head[0] == "fun" else ""


class Tracking(NamedTuple):
    rules: dict[str, TrackedRule]
    program: str  # the fired/3 rules, to be added to the solved program


def track(kb: KnowledgeBase, policies: list[str]) -> Tracking:
    """Every rule of the program for these policies, and its tracking rules."""
    catalogue = read_catalogue(kb, policies)
    rules: list[TrackedRule] = []
    rules.extend(_shared_rules(kb.path(PROLOGUE)))
    for policy in policies:
        rules.extend(_policy_rules(catalogue, policy))
    rules.extend(_shared_rules(kb.path(EPILOGUE)))
    program = "".join(_tracking_rule(rule) for rule in rules)
    return Tracking({rule.id: rule for rule in rules}, program)


def _tracking_rule(rule: TrackedRule) -> str:
    bindings = ",".join(rule.variables) + ("," if len(rule.variables) == 1 else "")
    body = "; ".join(literal.text for literal in rule.body)
    return f'{FIRED}("{rule.id}",{show(rule.head)},({bindings})) :- {body}.\n'


def _policy_rules(catalogue: Catalogue, policy: str) -> list[TrackedRule]:
    tracked = []
    sources = [
        (r.id, r.file, r.line, r.text, r.criterion, r.parsed) for r in catalogue.rules_of(policy)
    ]
    sources += [
        (h.id, h.file, h.line, h.text, h.criterion, h.parsed)
        for h in catalogue.helpers
        if h.policy == policy
    ]
    for rule_id, path, line, text, criterion, parsed in sources:
        if parsed is None or not parsed.body or parsed.head is None:
            continue
        citation = catalogue.criteria.get((policy, criterion))
        cited = citation.text if citation else ""
        tracked.append(_tracked(rule_id, path, line, text, parsed, policy, criterion, cited))
    return sorted(tracked, key=lambda r: r.line)


def _shared_rules(path: str) -> list[TrackedRule]:
    stem = os.path.splitext(os.path.basename(path))[0]
    comment: list[str] = []
    drafts: list[tuple[str, int, str, ParsedRule, str]] = []
    last_line = 0
    for statement, kind, printed in read_statements(path):
        location = statement.location
        line, end = location.begin.line, location.end.line
        if kind == ast.ASTType.Comment:
            if line > last_line + 1:
                comment = []
            comment.append(printed.lstrip("%").strip().strip("-=").strip())
            last_line = end
            continue
        last_line = end
        if kind != ast.ASTType.Rule:
            continue
        parsed = parse_rule(printed)
        if parsed.body and parsed.head is not None and parsed.head[0] == "fun":
            name = str(parsed.head[1])
            drafts.append((name, line, printed, parsed, " ".join(comment).strip()))
    counts: dict[str, int] = defaultdict(int)
    for name, *_ in drafts:
        counts[name] += 1
    seen: dict[str, int] = defaultdict(int)
    tracked = []
    for name, line, printed, parsed, citation in drafts:
        seen[name] += 1
        suffix = f":{seen[name]}" if counts[name] > 1 else ""
        rule_id = f"{stem}:{name}{suffix}"
        tracked.append(_tracked(rule_id, path, line, printed, parsed, "", "", citation))
    return tracked


def _tracked(
    rule_id: str,
    path: str,
    line: int,
    text: str,
    parsed: ParsedRule,
    policy: str,
    criterion: str,
    citation: str,
) -> TrackedRule:
    assert parsed.head is not None
    return TrackedRule(
        rule_id,
        path,
        line,
        text,
        parsed.head,
        parsed.body,
        parsed.variables,
        policy,
        criterion,
        citation,
    )
