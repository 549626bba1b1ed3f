"""The knowledge base read as rules: every labelled rule of every policy file,
with its stable id, its criterion, its body and where it stands.

Read with clingo's own AST parser, so explanations, diagrams and checks are
derived from the rules themselves, never from a second hand-kept table.

A *labelled rule* is a rule whose head is met/3, indication/3, exclusion/4 or
otherwise/3 with the policy id and a criterion id as its first arguments.
Its id is "<policy>:<criterion>", or "<policy>:<criterion>:<n>" (n counted
from 1 in file order) when one criterion needs several rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import NamedTuple

from clingo import ast

from engine.asp_text import Literal, ParsedRule, Term, parse_rule, show
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import KnowledgeBase

LABELLED_HEADS = ("met", "indication", "exclusion", "otherwise")

# An annotation line pinning the criterion a helper rule serves: '% serves: MN.1.b'.
SERVES = "serves:"


class BodyLiteral(NamedTuple):
    """One condition of a rule body, as written."""

    text: str  # e.g. 'onset_le(L,twelve_weeks)', 'not region(L,sacral)', 'N > M'
    predicate: str  # '' for comparisons and aggregates
    negated: bool  # default negation ('not')
    arguments: tuple[str, ...]


class Rule(NamedTuple):
    id: str
    policy: str
    criterion: str
    head: str  # met | indication | exclusion | otherwise
    status: str  # the status an exclusion/otherwise rule gives, else ''
    body: tuple[BodyLiteral, ...]
    file: str
    line: int
    text: str
    node: ast.AST | None = None  # the rule as clingo parsed it
    parsed: ParsedRule | None = None  # the rule read into Python values


class CriterionText(NamedTuple):
    policy: str
    id: str
    role: str
    text: str
    file: str
    line: int
    interpretation: str  # the '% Interpretation:' note under it, if any


class HelperRule(NamedTuple):
    """A rule of a policy file that is not labelled: a policy-local concept
    (e.g. nd_x5025_symptomatic/1) that labelled rules use in their bodies."""

    policy: str
    head: str  # predicate name
    arguments: tuple[str, ...]
    body: tuple[BodyLiteral, ...]
    file: str
    line: int
    text: str
    id: str = ""  # "<policy>:<predicate>[:n]"
    node: ast.AST | None = None
    # The criterion pinned by a '% serves: ID' line right above the rule, or ''
    # when the helper serves whichever criterion uses it (Catalogue.serves).
    criterion: str = ""
    parsed: ParsedRule | None = None


class Catalogue(NamedTuple):
    """Every labelled rule and every criterion of the chosen policies."""

    rules: tuple[Rule, ...]
    criteria: dict[tuple[str, str], CriterionText]
    helpers: tuple[HelperRule, ...] = ()

    def helpers_of(self, policy: str, predicate: str) -> list[HelperRule]:
        """The rules defining a policy-local predicate."""
        return [h for h in self.helpers if h.policy == policy and h.head == predicate]

    def serves(self, helper: HelperRule) -> tuple[str, ...]:
        """The criteria a helper rule can serve: its '% serves:' pin, else the
        criteria of the labelled rules whose bodies use its head (directly or
        through other helpers; ground arguments must agree). In a derivation it
        carries the criterion of the labelled rule above it, one of these."""
        if helper.criterion:
            return (helper.criterion,)
        found: set[str] = set()
        waiting = [helper]
        seen: set[str] = set()
        while waiting:
            current = waiting.pop()
            seen.add(current.id)
            for rule in self.rules_of(current.policy):
                if _uses(rule.body, current):
                    found.add(rule.criterion)
            for user in self.helpers:
                fresh = user.policy == current.policy and user.id not in seen
                if fresh and _uses(user.body, current):
                    waiting.append(user)
        return tuple(sorted(found))

    def rules_of(self, policy: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.policy == policy]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def read_catalogue(kb: KnowledgeBase | None = None, policies: list[str] | None = None) -> Catalogue:
    kb = kb or KnowledgeBase()
    rules: list[Rule] = []
    criteria: dict[tuple[str, str], CriterionText] = {}
    helpers: list[HelperRule] = []
    for policy in policies or kb.policy_ids():
        file_rules, file_criteria, file_helpers = _read_policy_file(policy, kb.path(f"{policy}.lp"))
        rules.extend(file_rules)
        criteria.update(file_criteria)
        helpers.extend(file_helpers)
    return Catalogue(tuple(rules), criteria, tuple(helpers))


METADATA_HEADS = {
    "policy",
    "policy_title",
    "payer",
    "source",
    "version",
    "effective",
    "addresses",
    "criterion",
}


def _read_policy_file(
    policy_id: str, path: str
) -> tuple[list[Rule], dict[tuple[str, str], CriterionText], list[HelperRule]]:
    drafts: list[tuple[str, str, str, str, tuple[BodyLiteral, ...], int, ast.AST, ParsedRule]] = []
    helpers: list[HelperRule] = []
    criteria: dict[tuple[str, str], CriterionText] = {}
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    last_criterion: tuple[str, str] | None = None
    in_note = False
    pinned = ""  # a '% serves: ID' annotation waiting for the next rule
    for statement, kind, printed in read_statements(path):
        if kind == ast.ASTType.Comment:
            text = printed.lstrip("%").strip()
            if text.startswith(SERVES):
                pinned = text.removeprefix(SERVES).strip()
                continue
            if text.startswith("Interpretation:"):
                in_note = True
                text = text.removeprefix("Interpretation:").strip()
            if in_note and last_criterion is not None:
                notes[last_criterion].append(text)
            continue
        in_note = False
        if kind != ast.ASTType.Rule:
            continue
        name = printed.split("(", 1)[0].split(" ", 1)[0].rstrip(".")
        if name in METADATA_HEADS and name != "criterion":
            continue
        criterion = _CRITERION.fullmatch(printed) if name == "criterion" else None
        if criterion is not None:
            policy, cid, role, text = criterion.groups()
            last_criterion = (policy, _unquote(cid))
            line = statement.location.begin.line
            criteria[last_criterion] = CriterionText(
                policy, last_criterion[1], role, _unquote(text), path, line, ""
            )
            continue
        parsed = parse_rule(printed)
        if parsed.head is None or parsed.head[0] != "fun" or not parsed.head[1]:
            continue
        args = parsed.head[2]
        line = statement.location.begin.line
        if name in LABELLED_HEADS and len(args) >= 3:
            policy, cid = _value_text(args[0]), _value_text(args[1])
            status = _value_text(args[3]) if name == "exclusion" and len(args) == 4 else ""
            if name == "otherwise":
                status = _value_text(args[2])
            body = tuple(_body_literal(literal) for literal in parsed.body)
            drafts.append((policy, cid, name, status, body, line, statement, parsed))
        elif name not in METADATA_HEADS:
            body = tuple(_body_literal(literal) for literal in parsed.body)
            arguments = tuple(_value_text(a) for a in args)
            helper = HelperRule(policy_id, name, arguments, body, path, line, printed)
            helpers.append(helper._replace(node=statement, criterion=pinned, parsed=parsed))
        pinned = ""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for policy, cid, *_ in drafts:
        counts[(policy, cid)] += 1
    seen: dict[tuple[str, str], int] = defaultdict(int)
    rules = []
    for policy, cid, name, status, body, line, node, parsed in drafts:
        seen[(policy, cid)] += 1
        suffix = f":{seen[(policy, cid)]}" if counts[(policy, cid)] > 1 else ""
        rule_id = f"{policy}:{cid}{suffix}"
        text = (
            parsed.head_text
            + (" :- " if parsed.body else "")
            + "; ".join(b.text for b in parsed.body)
            + "."
        )
        rules.append(Rule(rule_id, policy, cid, name, status, body, path, line, text, node, parsed))
    for key, lines in notes.items():
        criteria[key] = criteria[key]._replace(interpretation=" ".join(lines))
    return rules, criteria, _number_helpers(helpers)


# criterion(P, "Id", Role, "Text"). as clingo prints it.
_CRITERION = re.compile(r'criterion\((\w+),"((?:[^"\\]|\\.)*)",(\w+),"((?:[^"\\]|\\.)*)"\)\.')


def _unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def read_statements(path: str) -> list[tuple[ast.AST, ast.ASTType, str]]:
    """Each statement of a file with its type and clingo's printed text.

    Few AST attributes are read: every access crosses into C (a statement's
    location alone costs ~4 us), so the printed text is parsed in Python
    (engine.asp_text) instead, and lines are read only for rules kept.
    """
    statements: list[ast.AST] = []
    try:
        ast.parse_files([path], statements.append)
    except RuntimeError as error:
        raise KnowledgeBaseError(f"{path}: cannot be parsed: {error}") from None
    return [(s, s.ast_type, str(s)) for s in statements]


def _value_text(term: Term) -> str:
    """A ground argument as text: strings unquoted, constants and numbers as written."""
    if term[0] == "str":
        return str(term[1])
    return show(term)


def _body_literal(literal: Literal) -> BodyLiteral:
    if literal.kind != "atom" or literal.atom is None:
        return BodyLiteral(literal.text, "", literal.negated, ())
    atom = literal.atom
    name = ("" if atom[3] else "-") + str(atom[1])
    return BodyLiteral(literal.text, name, literal.negated, tuple(_value_text(a) for a in atom[2]))


def _uses(body: tuple[BodyLiteral, ...], helper: HelperRule) -> bool:
    """A body has a positive or negative literal the helper rule can derive."""
    return any(
        literal.predicate == helper.head and _agree(literal.arguments, helper.arguments)
        for literal in body
    )


def _agree(used: tuple[str, ...], derived: tuple[str, ...]) -> bool:
    if len(used) != len(derived):
        return False
    pairs = zip(used, derived, strict=True)
    return all(_is_variable(a) or _is_variable(b) or a == b for a, b in pairs)


def _is_variable(text: str) -> bool:
    return text[:1].isupper() or text[:1] == "_"


def _number_helpers(helpers: list[HelperRule]) -> list[HelperRule]:
    """Give each helper rule its id: '<policy>:<predicate>', ':n' when several."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for helper in helpers:
        counts[(helper.policy, helper.head)] += 1
    seen: dict[tuple[str, str], int] = defaultdict(int)
    numbered = []
    for helper in helpers:
        key = (helper.policy, helper.head)
        seen[key] += 1
        suffix = f":{seen[key]}" if counts[key] > 1 else ""
        numbered.append(helper._replace(id=f"{helper.policy}:{helper.head}{suffix}"))
    return numbered
