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
from engine.rules import Catalogue, CriterionText, read_catalogue, read_statements

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
    # The criterion a labelled rule encodes (its second head argument) or a
    # helper's '% serves:' pin; '' when the rule serves whichever criterion
    # uses it (helpers, concepts) or none (the epilogue's glue).
    criterion: str
    labelled: bool  # head met/indication/exclusion/otherwise of a policy

    @property
    def location(self) -> str:
        return f"kb/{os.path.basename(self.file)}:{self.line}"

    @property
    def head_name(self) -> str:
        return str(self.head[1]) if self.head[0] == "fun" else ""


class Tracking(NamedTuple):
    rules: dict[str, TrackedRule]
    program: str  # the fired/3 rules, to be added to the solved program
    criteria: dict[tuple[str, str], CriterionText]  # (policy, id) -> its words and role

    def citation(self, policy: str, criterion: str | None) -> str | None:
        """The criterion's words exactly as the policy file states them."""
        found = self.criteria.get((policy, criterion)) if criterion else None
        return found.text if found is not None else None

    def role(self, policy: str, criterion: str) -> str:
        found = self.criteria.get((policy, criterion))
        return found.role if found is not None else ""


def track(kb: KnowledgeBase, policies: list[str]) -> Tracking:
    """Every rule of the program for these policies, and its tracking rules
    (read once, then cached: engine.explanation.cache)."""
    from engine.explanation.cache import cached

    return cached("tracking", kb.files(policies), lambda: _track(kb, policies))


def _track(kb: KnowledgeBase, policies: list[str]) -> Tracking:
    catalogue = read_catalogue(kb, policies)
    rules: list[TrackedRule] = []
    rules.extend(_shared_rules(kb.path(PROLOGUE)))
    for policy in policies:
        rules.extend(_policy_rules(catalogue, policy))
    rules.extend(_shared_rules(kb.path(EPILOGUE)))
    program = "".join(_tracking_rule(rule) for rule in rules)
    return Tracking({rule.id: rule for rule in rules}, program, catalogue.criteria)


def _tracking_rule(rule: TrackedRule) -> str:
    bindings = ",".join(rule.variables) + ("," if len(rule.variables) == 1 else "")
    body = "; ".join(literal.text for literal in rule.body)
    return f'{FIRED}("{rule.id}",{show(rule.head)},({bindings})) :- {body}.\n'


def _policy_rules(catalogue: Catalogue, policy: str) -> list[TrackedRule]:
    tracked = []
    sources = [
        (r.id, r.file, r.line, r.text, r.criterion, r.parsed, True)
        for r in catalogue.rules_of(policy)
    ]
    sources += [
        (h.id, h.file, h.line, h.text, h.criterion, h.parsed, False)
        for h in catalogue.helpers
        if h.policy == policy
    ]
    for rule_id, path, line, text, criterion, parsed, labelled in sources:
        if parsed is None or not parsed.body or parsed.head is None:
            continue
        tracked.append(_tracked(rule_id, path, line, text, parsed, policy, criterion, labelled))
    return sorted(tracked, key=lambda r: r.line)


def _shared_rules(path: str) -> list[TrackedRule]:
    """Rules of the prologue and epilogue: they cite no words of their own (a
    concept serves the criterion that uses it; the glue serves none)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    drafts: list[tuple[str, int, str, ParsedRule]] = []
    for statement, kind, printed in read_statements(path):
        if kind != ast.ASTType.Rule:
            continue
        parsed = parse_rule(printed)
        if parsed.body and parsed.head is not None and parsed.head[0] == "fun":
            name = str(parsed.head[1])
            drafts.append((name, statement.location.begin.line, printed, parsed))
    counts: dict[str, int] = defaultdict(int)
    for name, *_ in drafts:
        counts[name] += 1
    seen: dict[str, int] = defaultdict(int)
    tracked = []
    for name, line, printed, parsed in drafts:
        seen[name] += 1
        suffix = f":{seen[name]}" if counts[name] > 1 else ""
        rule_id = f"{stem}:{name}{suffix}"
        tracked.append(_tracked(rule_id, path, line, printed, parsed, "", "", False))
    return tracked


def _tracked(
    rule_id: str,
    path: str,
    line: int,
    text: str,
    parsed: ParsedRule,
    policy: str,
    criterion: str,
    labelled: bool,
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
        labelled,
    )
