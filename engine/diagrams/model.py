"""The diagram model: one policy's criteria for one procedure, as typed data.

engine/diagrams/build.py makes a `Diagram` from the rules; the renderers
(draw, compare) and the case overlay read it and nothing else. Edges point
from a conclusion to what it depends on; every node and edge keeps its place
in the order of the rules, which the renderers follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal, NamedTuple

from engine.determination import PolicyInfo

NodeKind = Literal[
    "status", "indication", "condition", "exclusion", "default", "alternative", "helper", "fact"
]
STATUS: Final = "status"
INDICATION: Final = "indication"
CONDITION: Final = "condition"
EXCLUSION: Final = "exclusion"
DEFAULT: Final = "default"
ALTERNATIVE: Final = "alternative"  # one of several rules that encode a criterion (OR)
HELPER: Final = "helper"  # a policy-local concept defined by several rules (OR)
FACT: Final = "fact"  # a case-vocabulary fact, the leaves

EdgeKind = Literal["indicates", "requires", "one_of", "forces", "blocks", "otherwise"]
INDICATES: Final = "indicates"  # medically_necessary <- indication (any one suffices)
REQUIRES: Final = "requires"  # an ALL node <- each of its parts
ONE_OF: Final = "one_of"  # an ANY node <- each alternative
FORCES: Final = "forces"  # status <- exclusion
BLOCKS: Final = "blocks"  # medically_necessary <- NOT exclusion
OTHERWISE: Final = "otherwise"  # default status <- default clause (fall-through)

Gate = Literal["all", "any", ""]
ALL: Final = "all"
ANY: Final = "any"


@dataclass(frozen=True)
class Node:
    """A status, a criterion, a rule alternative, a helper group or a fact."""

    key: str
    kind: NodeKind
    label: str
    order: int  # place in the order of the rules (statuses: their precedence)
    status: str = ""  # a status node's status; the status a criterion's rules give
    criterion: str = ""
    rules: tuple[str, ...] = ()  # ids of the labelled rules the node draws
    gate: Gate = ""  # how its children combine
    negated: bool = False  # a helper group read as NONE of its alternatives
    evaluation: str = ""  # the ASP body that makes it hold at LEVEL ('' if none)
    text: str = ""  # a criterion's words in the policy
    tooltip: str = ""
    open_items: tuple[str, ...] = ()  # a fact's documentation predicates (open world)
    # The fact's own atoms (predicate, arguments as written: LEVEL, a constant or
    # a variable), to tell which item of an open predicate it reads.
    atoms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reads: tuple[str, ...] = ()  # the case-vocabulary predicates a fact reads
    topics: tuple[str, ...] = ()  # 'predicate:value' of the causes, lesions, purposes named


@dataclass(frozen=True)
class Edge:
    parent: str
    child: str
    kind: EdgeKind
    order: int  # place in the order of the rules


@dataclass(frozen=True)
class Diagram:
    """One policy's criteria for one procedure."""

    policy: PolicyInfo
    procedure: str
    nodes: Mapping[str, Node]  # in the order they were drawn from the rules
    edges: Mapping[str, tuple[Edge, ...]]  # by parent, in order

    def node(self, key: str) -> Node:
        return self.nodes[key]

    def children(self, key: str) -> list[str]:
        """What a node depends on, in the order of the rules."""
        return [edge.child for edge in self.edges.get(key, ())]

    def edge(self, parent: str, child: str) -> Edge:
        for edge in self.edges.get(parent, ()):
            if edge.child == child:
                return edge
        raise KeyError((parent, child))

    def descendants(self, key: str) -> list[str]:
        """Every node reachable from a node (not itself), in node order."""
        seen: set[str] = set()
        pending = self.children(key)
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(self.children(current))
        seen.discard(key)
        return sorted(seen, key=lambda n: self.nodes[n].order)

    @cached_property
    def _parents(self) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for edges in self.edges.values():
            for edge in edges:
                counts[edge.child] = counts.get(edge.child, 0) + 1
        return counts

    def in_degree(self, key: str) -> int:
        """How many edges point to a node."""
        return self._parents.get(key, 0)

    def statuses(self) -> list[str]:
        """The status nodes in order of precedence."""
        found = [key for key, node in self.nodes.items() if node.kind == STATUS]
        return sorted(found, key=lambda key: self.nodes[key].order)

    def rule_ids(self) -> set[str]:
        """Every labelled rule id drawn."""
        return {rule for node in self.nodes.values() for rule in node.rules}


def status_key(status: str) -> str:
    return f"status:{status}"


def criterion_key(kind: str, cid: str) -> str:
    """indication:I.A, condition:I.A.1, exclusion:II.A, default:II."""
    return f"{kind}:{cid}"


# A node's state at a level in a case overlay.
State = Literal["true", "false", "unknown"]
TRUE: Final = "true"
FALSE: Final = "false"
UNKNOWN: Final = "unknown"


class Overlay(NamedTuple):
    """One case drawn on a policy's diagram (engine/diagrams/overlay.py computes it)."""

    case: str
    levels: tuple[str, ...]
    states: Mapping[str, Mapping[str, State]]  # node key -> level -> state
    path: frozenset[str]  # node keys on the way to each level's determination
    statuses: Mapping[str, str]  # level -> status
    overall: str
    missing: tuple[str, ...] = ()


def edges_by_parent(edges: Iterable[Edge]) -> dict[str, tuple[Edge, ...]]:
    found: dict[str, list[Edge]] = {}
    for edge in edges:
        found.setdefault(edge.parent, []).append(edge)
    return {parent: tuple(group) for parent, group in found.items()}
