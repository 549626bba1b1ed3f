"""A case drawn on a criteria diagram: what held, what failed, what is not documented.

Every node of the criteria diagram carries the ASP body that makes it hold
(engine/diagrams/build.py). One extra solve of the knowledge base with the
case asks, per target level, which of them hold: the program text added is
ours (`diagram_holds/2` rules and a `#show`), the case's facts are the
validated ones. The statuses and the deciding criteria come from
engine.query.determine, so the diagram shows exactly the determination the
text output gives.

A node that does not hold is *unknown* rather than failed when it reads a
documentation item (open: not stated = unknown) that the case leaves
undocumented for that level: the documentation items of engine/vocabulary.py
(from which kb/completion.lp's known/1 is generated).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import clingo

from engine.case import Case
from engine.determination import MEDICALLY_NECESSARY, Determination
from engine.diagrams.asp import LEVEL
from engine.diagrams.model import (
    ALL,
    BLOCKS,
    DEFAULT,
    EXCLUSION,
    FACT,
    FALSE,
    HELPER,
    INDICATION,
    STATUS,
    TRUE,
    UNKNOWN,
    Diagram,
    Node,
    Overlay,
    State,
    status_key,
)
from engine.knowledge_base import KnowledgeBase
from engine.solve import solve_once
from engine.vocabulary import BY_SIGNATURE, DOCUMENTATION, ITEMS, LEVELS, Domain, Values


def requested_procedure(case: Case) -> str:
    """The case's procedure (a valid case requests one), or '' if it names none."""
    return next(iter(case.procedures), "")


def evaluation_program(diagram: Diagram) -> str:
    """Rules deriving diagram_holds(Node, Level) for every node that has a body."""
    lines = []
    for node, data in diagram.nodes.items():
        body = data.evaluation
        if body:
            key = str(clingo.String(node))
            lines.append(f"diagram_holds({key},{LEVEL}) :- target({LEVEL}), {body}.")
    lines.append("#show diagram_holds/2.")
    return "\n".join(lines) + "\n"


def holding(diagram: Diagram, case: Case, kb: KnowledgeBase) -> set[tuple[str, str]]:
    """(node, level) for every node whose body holds at a target level."""
    policy = diagram.policy.id
    atoms = solve_once(kb.files([policy]), case.program() + evaluation_program(diagram))
    return {
        (a.arguments[0].string, a.arguments[1].name) for a in atoms if a.name == "diagram_holds"
    }


def case_overlay(
    diagram: Diagram, case: Case, kb: KnowledgeBase, determination: Determination
) -> Overlay:
    """The case on the policy's diagram: each node's state per level, and the path
    to each level's determination."""
    held = holding(diagram, case, kb)
    documented = _documented_items(case)
    levels = tuple(case.targets)
    states: dict[str, dict[str, State]] = {}
    decided = {level: set(d.decided_by) for level, d in determination.levels.items()}
    for level in levels:
        reading = _Reading(diagram, level, held, documented, decided.get(level, set()))
        for node in diagram.nodes:
            states.setdefault(node, {})[level] = reading.state(node)
    statuses = {level: d.status for level, d in determination.levels.items()}
    path = _path(diagram, determination, states)
    return Overlay(
        case=case.source,
        levels=levels,
        states=states,
        path=frozenset(path),
        statuses=statuses,
        overall=determination.status,
        missing=_missing(determination),
    )


def _missing(determination: Determination) -> tuple[str, ...]:
    """Each alternative set of items whose documentation would make a level
    medically necessary, as text."""
    found: dict[str, None] = {}
    for outcome in determination.levels.values():
        for alternative in outcome.missing:
            items = "; ".join(map(str, alternative.items))
            found[f"{outcome.level.upper()}: {{{items}}}"] = None
    return tuple(found)


class _Reading:
    """Each node's state at one level: true, false, or unknown (undocumented)."""

    def __init__(
        self,
        diagram: Diagram,
        level: str,
        held: set[tuple[str, str]],
        documented: Mapping[str, set[tuple[str, ...]]],
        decided: set[str],
    ) -> None:
        self.diagram = diagram
        self.level = level
        self.held = held
        self.documented = documented
        self.decided = decided
        self.states: dict[str, State] = {}

    def state(self, node: str) -> State:
        """Whether a node holds as it is labelled (a NONE-of group holds when
        none of its parts does)."""
        if node not in self.states:
            self.states[node] = FALSE  # a cycle reads as not holding
            self.states[node] = self._state(node, self.diagram.node(node))
        return self.states[node]

    def _state(self, node: str, data: Node) -> State:
        if data.kind == STATUS:
            return FALSE
        if data.kind == DEFAULT:
            return TRUE if data.criterion in self.decided else FALSE
        if data.kind == FACT:
            if (node, self.level) in self.held:
                return TRUE
            return _unknown_or_false(data, self.level, self.documented)
        children = [
            self.state(child)
            for child in self.diagram.children(node)
            if self.diagram.edge(node, child).kind != BLOCKS
        ]
        return self._combined(node, data, children)

    def _combined(self, node: str, data: Node, children: list[State]) -> State:
        """An ALL / ANY / NONE node: held by the solver (or by its parts when it
        has no body of its own); if not, unknown when undocumented parts could
        still make it hold."""
        if data.evaluation:
            positive = (node, self.level) in self.held
        elif data.gate == ALL:
            positive = all(child == TRUE for child in children)
        else:
            positive = TRUE in children
        if data.kind == HELPER and data.negated:
            return FALSE if positive else TRUE
        if positive:
            return TRUE
        if data.gate == ALL:
            return FALSE if FALSE in children or UNKNOWN not in children else UNKNOWN
        return UNKNOWN if UNKNOWN in children else FALSE


def _unknown_or_false(
    data: Node, level: str, documented: Mapping[str, set[tuple[str, ...]]]
) -> State:
    """A fact that does not hold: unknown if it reads an undocumented item."""
    written = dict(data.atoms)
    for predicate in data.open_items:
        if not _known(predicate, level, documented, written.get(predicate)):
            return UNKNOWN
    return FALSE


def _known(
    predicate: str,
    level: str,
    documented: Mapping[str, set[tuple[str, ...]]],
    written: tuple[str, ...] | None = None,
) -> bool:
    """Whether the case states the items of a documentation predicate that a
    fact reads at a level. The fact's own atom (`written`) names them: the
    level, a constant (`therapy_contraindicated(nsaids)`), or any value (a
    variable). Read through a rule (no atom of its own), an item argument
    other than the level may be any value of its domain: every one must be
    stated."""
    item = ITEMS.get(predicate)
    if item is None:
        return False  # not a documentation item: nothing documents it
    stated = documented.get(item.name, set())
    domains = _DOCUMENTED[predicate].args
    wanted = [_wanted(domains[i], level, written[i] if written else None) for i in item.arguments]
    combinations = itertools.product(*((w,) if w is None else w for w in wanted))
    return all(any(_matches(values, named) for named in stated) for values in combinations)


def _matches(values: tuple[str | None, ...], named: tuple[str, ...]) -> bool:
    return all(value is None or value == name for value, name in zip(values, named, strict=True))


_DOCUMENTED = {p.name: p for p in DOCUMENTATION}


def _wanted(domain: Domain, level: str, written: str | None) -> tuple[str, ...] | None:
    """The values of one item argument that must be stated (None: any one)."""
    if domain == LEVELS:
        return (level,)
    if written is not None:
        return None if written[:1].isupper() or written[:1] == "_" else (written,)
    return domain.members if isinstance(domain, Values) else None


def _documented_items(case: Case) -> dict[str, set[tuple[str, ...]]]:
    """Documentation facts stated (true or false), by item name: their item arguments."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for fact in case.facts:
        symbol = fact.symbol
        signature = BY_SIGNATURE.get((symbol.name, len(symbol.arguments)))
        if signature is None or signature.item is None:
            continue  # not a documentation fact
        item = signature.item
        found.setdefault(item.name, set()).add(
            tuple(str(symbol.arguments[i]) for i in item.arguments)
        )
    return found


def _path(
    diagram: Diagram, determination: Determination, states: Mapping[str, Mapping[str, State]]
) -> set[str]:
    """The nodes and statuses that led to each level's determination."""
    path: set[str] = set()
    for level, outcome in determination.levels.items():
        path.add(status_key(outcome.status))
        for node, data in diagram.nodes.items():
            decisive = data.kind in (INDICATION, EXCLUSION, DEFAULT)
            if decisive and data.criterion in outcome.decided_by:
                if data.kind == INDICATION and outcome.status != MEDICALLY_NECESSARY:
                    continue
                _follow(diagram, node, level, states, path)
    return path


def _follow(
    diagram: Diagram,
    node: str,
    level: str,
    states: Mapping[str, Mapping[str, State]],
    path: set[str],
) -> None:
    if node in path or states.get(node, {}).get(level) != TRUE:
        return
    path.add(node)
    for child in diagram.children(node):
        _follow(diagram, child, level, states, path)
