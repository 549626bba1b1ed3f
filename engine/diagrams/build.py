"""From rules to a diagram: one policy's criteria for one procedure as a `Diagram`.

Built from engine.rules.read_catalogue (the rules as clingo's AST reads
them) and the knowledge base's static facts, never from a hand-kept
description, so what is drawn is what is evaluated:

- status nodes at the top: medically_necessary, the policy's default status
  (otherwise/3) and the status of each exclusion;
- indications under medically_necessary, as OR branches (each one suffices);
  several rules with one criterion id are alternatives (OR);
- each rule's body as AND: a met/3 literal points to that condition's own
  node, a policy-local helper predicate (carefirst_pvp_bullet/2,
  nd_x5025_symptomatic/1, ...) is expanded into its rules, and the leaves are
  case-vocabulary facts with thresholds and ranges written out;
- exclusions under the status they force, and a NOT edge from
  medically_necessary (an exclusion blocks every indication);
- the default under its status, as the fall-through.

Which rules hold for the procedure and what their bodies require is
engine/diagrams/analysis.py's; what every alternative shares is drawn once
(engine/diagrams/factoring.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType

import clingo

from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.analysis import CriterionReader
from engine.diagrams.asp import LEVEL
from engine.diagrams.bodies import EVERY_LEVEL, ConditionRef, Conjunction, HelperGroup, Leaf
from engine.diagrams.factoring import factor
from engine.diagrams.facts import leaf_topics
from engine.diagrams.knowledge import Knowledge, open_items, reads
from engine.diagrams.model import (
    ALL,
    ALTERNATIVE,
    ANY,
    BLOCKS,
    CONDITION,
    DEFAULT,
    EXCLUSION,
    FACT,
    FORCES,
    HELPER,
    INDICATES,
    INDICATION,
    ONE_OF,
    OTHERWISE,
    REQUIRES,
    STATUS,
    Diagram,
    Edge,
    EdgeKind,
    Gate,
    Node,
    NodeKind,
    criterion_key,
    edges_by_parent,
    status_key,
)
from engine.diagrams.wording import leaf_lines
from engine.rules import Rule
from engine.wording import pretty

CRITERION_KINDS: dict[str, NodeKind] = {
    "indication": INDICATION,
    "met": CONDITION,
    "exclusion": EXCLUSION,
    "otherwise": DEFAULT,
}


def build_diagram(knowledge: Knowledge, policy: str, procedure: str) -> Diagram:
    """The criteria diagram of one policy for one procedure it addresses."""
    return _DiagramBuilder(knowledge, policy, procedure).build()


class _DiagramBuilder:
    def __init__(self, knowledge: Knowledge, policy: str, procedure: str) -> None:
        self.knowledge = knowledge
        self.policy = policy
        self.procedure = procedure
        self.reader = CriterionReader(knowledge, policy, procedure)
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str], Edge] = {}

    def build(self) -> Diagram:
        self._status(MEDICALLY_NECESSARY)
        criteria = self._criteria()
        for cid, head in criteria:
            if head != "met" and self.reader.bodies(cid, head):
                self._top_level(cid, head)
        referenced = self.reader.referenced()
        for cid, head in criteria:
            if head == "met" and cid not in referenced and self.reader.bodies(cid, head):
                self._criterion(cid, head)  # a condition no rule refers to
        info = self.knowledge.policies[self.policy]
        edges = edges_by_parent(self.edges.values())
        return Diagram(info, self.procedure, MappingProxyType(self.nodes), MappingProxyType(edges))

    def _criteria(self) -> list[tuple[str, str]]:
        """Labelled criteria of the policy in file order, each with each head it has."""
        return list(dict.fromkeys((rule.criterion, rule.head) for rule in self.reader.rules))

    def _add(self, node: Node) -> str:
        self.nodes[node.key] = node
        return node.key

    @property
    def _next(self) -> int:
        """The order of the next node: its place in the order of the rules."""
        return len(self.nodes)

    def _gate(self, key: str, gate: Gate) -> None:
        self.nodes[key] = replace(self.nodes[key], gate=gate)

    def _status(self, status: str) -> str:
        key = status_key(status)
        if key not in self.nodes:
            self._add(Node(key, STATUS, pretty(status), self._status_order(status), status=status))
        return key

    def _status_order(self, status: str) -> int:
        """The goal first, then the statuses in the precedence of
        kb/determination.lp (status_rank/2)."""
        ranks = self.knowledge.status_ranks
        return 0 if status == MEDICALLY_NECESSARY else ranks.get(status, len(ranks) + 1)

    def _top_level(self, cid: str, head: str) -> None:
        key = self._criterion(cid, head)
        if head == "indication":
            self._edge(self._status(MEDICALLY_NECESSARY), key, INDICATES)
            return
        statuses = [rule.status for rule, _ in self.reader.bodies(cid, head)]
        for status in dict.fromkeys(statuses):
            kind: EdgeKind = OTHERWISE if head == "otherwise" else FORCES
            self._edge(self._status(status), key, kind)
        if head == "exclusion":
            self._edge(self._status(MEDICALLY_NECESSARY), key, BLOCKS)

    def _edge(self, parent: str, child: str, kind: EdgeKind) -> None:
        if (parent, child) not in self.edges:
            self.edges[parent, child] = Edge(parent, child, kind, len(self.edges))

    def _criterion(self, cid: str, head: str) -> str:
        kind = CRITERION_KINDS[head]
        key = criterion_key(kind, cid)
        if key in self.nodes:
            return key
        analysed = self.reader.bodies(cid, head)
        rules = [rule for rule, _ in analysed]
        self._add(
            Node(
                key,
                kind,
                cid,
                self._next,
                criterion=cid,
                rules=tuple(r.id for r in rules),
                gate=ALL if len(analysed) == 1 else ANY,
                status=rules[0].status,
                text=self._criterion_text(cid),
                tooltip=self._criterion_tooltip(cid, rules),
                evaluation=self._criterion_evaluation(cid, rules[0]),
            )
        )
        if kind == DEFAULT:
            return key
        if len(analysed) == 1:
            self._items(key, ALL, analysed[0][1])
            return key
        common, rests = factor([body for _, body in analysed])
        parent = key
        if common:
            self._gate(key, ALL)
            parent = self._common(key, common, bool(rests))
        for number, (rule, rest) in enumerate(zip(rules, rests, strict=False), 1):
            self._alternative(parent, rule, rest, number, len(rests))
        return key

    def _common(self, key: str, common: Sequence[Leaf], choice: bool) -> str:
        """What every alternative requires, drawn once; then the choice between
        what is left of them (the key of that choice)."""
        for number, leaf in enumerate(common, 1):
            self._edge(key, self._fact(f"{key}/common/{number}", leaf), REQUIRES)
        if not choice:
            return key
        choice_key = f"{key}/one_of"
        tooltip = "one of these, with the lines above"
        self._add(Node(choice_key, HELPER, "", self._next, gate=ANY, tooltip=tooltip))
        self._edge(key, choice_key, REQUIRES)
        return choice_key

    def _criterion_text(self, cid: str) -> str:
        found = self.knowledge.catalogue.criteria.get((self.policy, cid))
        return found.text if found else ""

    def _criterion_tooltip(self, cid: str, rules: Sequence[Rule]) -> str:
        """The full citation, the interpretation note and the rules that encode it."""
        found = self.knowledge.catalogue.criteria.get((self.policy, cid))
        lines = [f'{cid} ({found.role}): "{found.text}"'] if found else [cid]
        if found and found.interpretation:
            lines.append(f"Interpretation: {found.interpretation}")
        where = ", ".join(f"{r.id} (line {r.line})" for r in rules)
        source = os.path.basename(found.file) if found else ""
        lines.append(f"Encoded in kb/{source} by {where}")
        return "\n".join(lines)

    def _criterion_evaluation(self, cid: str, rule: Rule) -> str:
        quoted = str(clingo.String(cid))
        if rule.head == "met":
            return f"met({self.policy},{quoted},{LEVEL})"
        if rule.head == "indication":
            return f"indication({self.policy},{quoted},{LEVEL})"
        if rule.head == "exclusion":
            return f"exclusion({self.policy},{quoted},{LEVEL},_)"
        return ""

    def _alternative(
        self, parent: str, rule: Rule, body: Conjunction, number: int, of: int
    ) -> None:
        key = f"rule:{rule.id}"
        only = body.items[0] if len(body.items) == 1 else EVERY_LEVEL if not body.items else None
        if isinstance(only, Leaf):
            self._fact(key, only, rules=(rule.id,), tooltip=f"{rule.id}: {rule.text}")
        else:
            self._add(
                Node(
                    key,
                    ALTERNATIVE,
                    f"{rule.criterion}, way {number} of {of}",
                    self._next,
                    criterion=rule.criterion,
                    rules=(rule.id,),
                    gate=ALL,
                    tooltip=f"{rule.id}: {rule.text}",
                    evaluation=body.text,
                )
            )
            self._items(key, ALL, body)
        self._edge(parent, key, ONE_OF)

    def _items(self, parent: str, gate: Gate, body: Conjunction) -> None:
        kind: EdgeKind = REQUIRES if gate == ALL else ONE_OF
        if not body.items:
            self._edge(parent, self._fact(f"{parent}/1", EVERY_LEVEL), kind)
            return
        for number, item in enumerate(body.items, 1):
            key = f"{parent}/{number}"
            if isinstance(item, ConditionRef):
                child = self._criterion(item.criterion, "met")
            elif isinstance(item, HelperGroup):
                child = self._group(key, item)
            else:
                child = self._fact(key, item)
            self._edge(parent, child, kind)

    def _group(self, key: str, group: HelperGroup) -> str:
        name = group.helper.removeprefix(self.policy + "_")
        rules = self.knowledge.catalogue.helpers_of(self.policy, group.helper)
        self._add(
            Node(
                key,
                HELPER,
                pretty(name),
                self._next,
                gate=ANY,
                negated=group.negated,
                tooltip="\n".join(h.text for h in rules),
                evaluation=group.text,
            )
        )
        common: tuple[Leaf, ...] = ()
        alternatives = group.alternatives
        if not group.negated:
            common, alternatives = factor(group.alternatives)
        parent = key
        if common:
            self._gate(key, ALL)
            parent = self._common(key, common, bool(alternatives))
        for number, alternative in enumerate(alternatives, 1):
            child = f"{key}/{number}"
            if len(alternative.items) == 1 and isinstance(alternative.items[0], Leaf):
                self._fact(child, alternative.items[0])
            else:
                self._add(
                    Node(
                        child,
                        ALTERNATIVE,
                        f"{pretty(name)}, way {number}",
                        self._next,
                        gate=ALL,
                        tooltip=alternative.text,
                        evaluation=alternative.text,
                    )
                )
                self._items(child, ALL, alternative)
            self._edge(parent, child, ONE_OF)
        return key

    def _fact(self, key: str, leaf: Leaf, rules: tuple[str, ...] = (), tooltip: str = "") -> str:
        lines = leaf_lines(leaf, self.knowledge, self.policy)
        if leaf.primaries and leaf.primaries[0].text == f"target({LEVEL})":
            lines = ["every target level"]
        predicates = [literal.predicate for literal in leaf.primaries]
        return self._add(
            Node(
                key,
                FACT,
                "\n".join(lines),
                self._next,
                rules=rules,
                tooltip=tooltip or leaf.text,
                evaluation=leaf.text,
                open_items=open_items(self.knowledge, predicates),
                atoms=tuple((lit.predicate, lit.arguments) for lit in leaf.primaries),
                reads=reads(self.knowledge, predicates),
                topics=leaf_topics(leaf, self.knowledge.tables),
            )
        )
