"""The knowledge base read as rules: every labelled rule of every policy file,
with its stable id, its criterion, its body and where it stands.

Read with clingo's own AST parser (engine.rule_reader, the one reader of
rules), so explanations, diagrams and checks are derived from the rules
themselves, never from a second hand-kept table. Interpretation notes are
those of engine.interpretations (the one reader of notes).

A *labelled rule* is a rule whose head is met/3, indication/3, exclusion/4 or
otherwise/3 with the policy id and a criterion id as its first arguments.
Its id is "<policy>:<criterion>", or "<policy>:<criterion>:<n>" (n counted
from 1 in file order) when one criterion needs several rules.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

from clingo import ast

from engine.interpretations import notes_by_criterion, read_file_notes
from engine.knowledge_base import KnowledgeBase
from engine.rule_reader import Literal, ParsedRule, Statement, Term, read_program, value_text

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
    parsed: ParsedRule | None = None  # the rule read into Python values (engine.rule_reader)


class CriterionText(NamedTuple):
    policy: str
    id: str
    role: str
    text: str
    file: str
    line: int
    interpretation: str  # the '% Interpretation:' notes under it (engine.interpretations)


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


class _Draft(NamedTuple):
    """A labelled rule before its id is known (ids count the rules of a criterion)."""

    policy: str
    criterion: str
    head: str
    status: str
    line: int
    statement: Statement


def _read_policy_file(
    policy_id: str, path: str
) -> tuple[list[Rule], dict[tuple[str, str], CriterionText], list[HelperRule]]:
    drafts: list[_Draft] = []
    helpers: list[HelperRule] = []
    criteria: dict[tuple[str, str], CriterionText] = {}
    pinned = ""  # a '% serves: ID' annotation waiting for the next rule
    for statement in read_program(path):
        if statement.kind == "comment":
            text = statement.text.lstrip("%").strip()
            if text.startswith(SERVES):
                pinned = text.removeprefix(SERVES).strip()
            continue
        parsed = statement.rule
        if parsed is None or parsed.head is None:
            continue
        name, args = str(parsed.head[1]), parsed.head[2]
        if name == "criterion" and len(args) == 4 and not parsed.body:
            found = _criterion(args, path, statement.line)
            criteria[(found.policy, found.id)] = found
        elif name in LABELLED_HEADS and len(args) >= 3:
            status = value_text(args[3]) if name == "exclusion" and len(args) == 4 else ""
            if name == "otherwise":
                status = value_text(args[2])
            policy, cid = value_text(args[0]), value_text(args[1])
            drafts.append(_Draft(policy, cid, name, status, statement.line, statement))
        elif name not in METADATA_HEADS:
            helpers.append(_helper(policy_id, statement, parsed, pinned, path))
        pinned = ""
    notes = notes_by_criterion(read_file_notes(path, policy_id))
    for key, note in notes.items():
        if key in criteria:
            criteria[key] = criteria[key]._replace(interpretation=note)
    return _number_rules(drafts, path), criteria, _number_helpers(helpers)


def _criterion(args: tuple[Term, ...], path: str, line: int) -> CriterionText:
    policy, cid, role, text = (value_text(a) for a in args)
    return CriterionText(policy, cid, role, text, path, line, "")


def _helper(
    policy: str, statement: Statement, parsed: ParsedRule, pinned: str, path: str
) -> HelperRule:
    assert parsed.head is not None
    body = tuple(_body_literal(literal) for literal in parsed.body)
    arguments = tuple(value_text(a) for a in parsed.head[2])
    name = str(parsed.head[1])
    return HelperRule(
        policy,
        name,
        arguments,
        body,
        path,
        statement.line,
        statement.text,
        node=statement.node,
        criterion=pinned,
        parsed=parsed,
    )


def _number_rules(drafts: list[_Draft], path: str) -> list[Rule]:
    """Each labelled rule with its id: '<policy>:<criterion>', ':n' when several."""
    ids = _numbered_ids([f"{draft.policy}:{draft.criterion}" for draft in drafts])
    rules = []
    for draft, rule_id in zip(drafts, ids, strict=True):
        parsed = draft.statement.rule
        assert parsed is not None
        body = tuple(_body_literal(literal) for literal in parsed.body)
        rules.append(
            Rule(
                rule_id,
                draft.policy,
                draft.criterion,
                draft.head,
                draft.status,
                body,
                path,
                draft.line,
                parsed.text,
                draft.statement.node,
                parsed,
            )
        )
    return rules


def _body_literal(literal: Literal) -> BodyLiteral:
    if literal.kind != "atom" or literal.atom is None:
        return BodyLiteral(literal.text, "", literal.negated, ())
    atom = literal.atom
    name = ("" if atom[3] else "-") + str(atom[1])
    return BodyLiteral(literal.text, name, literal.negated, tuple(value_text(a) for a in atom[2]))


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
    ids = _numbered_ids([f"{helper.policy}:{helper.head}" for helper in helpers])
    return [helper._replace(id=rule_id) for helper, rule_id in zip(helpers, ids, strict=True)]


def _numbered_ids(names: list[str]) -> list[str]:
    """Each name as an id, with ':1', ':2', ... in order where several rules share it."""
    counts = Counter(names)
    seen: dict[str, int] = defaultdict(int)
    ids = []
    for name in names:
        seen[name] += 1
        ids.append(f"{name}:{seen[name]}" if counts[name] > 1 else name)
    return ids
