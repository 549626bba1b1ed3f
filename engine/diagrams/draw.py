"""Criteria diagrams drawn with graphviz, for policy committees.

A diagram reads top-down: the determination statuses on top; under
"medically necessary" one box per indication (any one suffices), each with
its conditions (all must hold); under each other status the exclusions that
force it (any one decides the level, whatever the indications say) and the
default that applies when no indication is met. Each box carries the
criterion id and the start of the policy's words; hovering shows the full
citation and the interpretation note. Colour marks statuses only, and on a
case overlay what was met, failed or not documented.

This module places the boxes and edges; what a box says is
engine/diagrams/cards.py's. graphviz is imported inside functions only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.cards import Cards
from engine.diagrams.layout import Layout
from engine.diagrams.marks import CaseMarks
from engine.diagrams.model import (
    FORCES,
    INDICATES,
    OTHERWISE,
    STATUS,
    Diagram,
    EdgeKind,
    Overlay,
    status_key,
)
from engine.diagrams.styles import (
    BLOCK_COLOUR,
    FONT,
    GREY_TEXT,
    NEUTRAL,
    STATUS_COLOURS,
    lighter,
)
from engine.wording import pretty

if TYPE_CHECKING:
    import graphviz

INDICATION_COLUMNS = 4
EXCLUSION_COLUMNS = 4


def to_digraph(diagram: Diagram, overlay: Overlay | None = None) -> graphviz.Digraph:
    """The graphviz drawing of a criteria diagram, with a case if one is given."""
    drawing: graphviz.Digraph = _Renderer(diagram, overlay).render()
    return drawing


class _Renderer:
    def __init__(self, diagram: Diagram, overlay: Overlay | None = None) -> None:
        import graphviz

        self.diagram = diagram
        self.layout = Layout(diagram)
        self.marks = CaseMarks(self.layout, overlay)
        self.cards = Cards(self.layout, self.marks)
        self.policy = diagram.policy.id
        self.dot = graphviz.Digraph(
            name=f"{self.policy}_{diagram.procedure}",
            graph_attr={
                "rankdir": "TB",
                "compound": "true",
                "newrank": "true",
                "nodesep": "0.3",
                "ranksep": "0.5",
                "fontname": FONT,
                "labelloc": "t",
                "labeljust": "l",
                "label": self.cards.header(),
                "tooltip": f"{self.policy}: {diagram.policy.title}",
            },
            node_attr={"shape": "plaintext", "fontname": FONT, "fontsize": "10", "margin": "0"},
            edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.6", "color": "#7f7f7f"},
        )

    def _top(self, status: str, edge_kinds: Sequence[EdgeKind]) -> list[str]:
        return [
            child
            for child in self.layout.children(status)
            if self.diagram.edge(status, child).kind in edge_kinds
        ]

    def render(self) -> Any:
        statuses = self.diagram.statuses()
        with self.dot.subgraph(name="statuses") as row:
            row.attr(rank="same")
            for status in statuses:
                label, tooltip = self.cards.status(status)
                name, identifier = node_name(status), f"{self.policy}:{status}"
                row.node(name, label=label, tooltip=tooltip, id=identifier)
            row.node("legend", label=self.cards.legend(), tooltip="How to read this diagram")
        drawn: set[str] = set()
        medically_necessary = statuses[0]
        indications = self._top(medically_necessary, [INDICATES])
        bottoms: list[str] = []
        for number, indication in enumerate(indications, 1):
            boxes = self._cluster(f"cluster_indication_{number}", indication, drawn, "")
            self._edge(medically_necessary, indication, INDICATES)
            if number > INDICATION_COLUMNS:
                above = bottoms[number - 1 - INDICATION_COLUMNS]
                self.dot.edge(node_name(above), node_name(indication), style="invis")
            bottoms.append(boxes[-1] if boxes else indication)
        self._rows(indications, INDICATION_COLUMNS)
        for status in statuses:
            self._exclusions(status, drawn)
            for default in self._top(status, [OTHERWISE]):
                self._cluster(f"cluster_default_{status}", default, drawn, "")
                self._edge(status, default, OTHERWISE)
        others = [n for n in self.diagram.nodes if self.layout.boxed(n) and n not in drawn]
        for node in others:
            if self.diagram.node(node).kind != STATUS:
                self._cluster(f"cluster_other_{len(drawn)}", node, drawn, "")
        return self.dot

    def _cluster(self, name: str, root: str, drawn: set[str], label: str) -> list[str]:
        boxes = [b for b in self.layout.owned(root) if b not in drawn]
        drawn.update(boxes)
        with self.dot.subgraph(name=name if len(boxes) > 1 else None) as cluster:
            if len(boxes) > 1:
                cluster.attr(style="rounded", color="#bfbfbf", label=label, fontsize="10")
            for box in boxes:
                self._box(cluster, box)
        for box in boxes:
            for child, way in self.layout.box_children(box):
                self._edge(box, child, "", way)
        return boxes

    def _exclusions(self, status: str, drawn: set[str]) -> None:
        """The exclusions forcing one status, in a frame under it (a grid of
        boxes, in the policy's order), one edge to the status and one NOT edge
        to medically necessary."""
        exclusions = self._top(status, [FORCES])
        if not exclusions:
            return
        drawn.update(exclusions)
        state = self.diagram.node(status).status
        title = f"Exclusions: any one present makes the level {pretty(state)}"
        frame = f"cluster_exclusions_{state}"
        self._exclusion_frame(frame, title, state, exclusions)
        self._grid(exclusions, min(len(exclusions), EXCLUSION_COLUMNS))
        for exclusion in exclusions:
            for child, way in self.layout.box_children(exclusion):
                self._cluster(f"cluster_{_port(child)}", child, drawn, "")
                self._edge(exclusion, child, "", way)
        self._exclusion_edges(status, frame, title, exclusions)

    def _exclusion_frame(self, frame: str, title: str, state: str, boxes: Sequence[str]) -> None:
        fill, line = STATUS_COLOURS.get(state, NEUTRAL)
        with self.dot.subgraph(name=frame) as cluster:
            cluster.attr(
                label=title,
                style="rounded,filled",
                color=line,
                penwidth="3" if any(self.marks.on_path(b) for b in boxes) else "1",
                fillcolor=lighter(fill),
                fontcolor=line,
                fontsize="12",
                tooltip=title,
            )
            for box in boxes:
                self._box(cluster, box)

    def _grid(self, boxes: Sequence[str], columns: int) -> None:
        """Rows of `columns` boxes, each below the one above it."""
        rows = [boxes[i : i + columns] for i in range(0, len(boxes), columns)]
        for upper, lower in zip(rows, rows[1:], strict=False):
            for index, box in enumerate(lower):
                self.dot.edge(node_name(upper[index]), node_name(box), style="invis")
        self._rows(boxes, columns)

    def _exclusion_edges(
        self, status: str, frame: str, title: str, exclusions: Sequence[str]
    ) -> None:
        """To the status the exclusions force; NOT to medically necessary."""
        line = STATUS_COLOURS.get(self.diagram.node(status).status, NEUTRAL)[1]
        first = node_name(exclusions[0])
        on_path = any(self.marks.on_path(e) for e in exclusions)
        self.dot.edge(
            node_name(status),
            first,
            lhead=frame,
            dir="back",
            color=line,
            penwidth="3" if on_path else "1.2",
            tooltip=title,
        )
        if not self._top(status_key(MEDICALLY_NECESSARY), [INDICATES]):
            return  # nothing to block
        self.dot.edge(
            node_name(status_key(MEDICALLY_NECESSARY)),
            first,
            lhead=frame,
            dir="back",
            arrowtail="tee",
            style="dashed",
            color=BLOCK_COLOUR,
            fontcolor=BLOCK_COLOUR,
            label=" NOT: blocks ",
            constraint="false",
            tooltip="an exclusion present blocks every indication",
        )

    def _rows(self, boxes: Sequence[str], columns: int) -> None:
        """Keep boxes in reading order: rows of `columns`, left to right."""
        for start in range(0, len(boxes), columns):
            row = boxes[start : start + columns]
            with self.dot.subgraph() as same:
                same.attr(rank="same")
                for box in row:
                    same.node(node_name(box))
            for left, right in zip(row, row[1:], strict=False):
                self.dot.edge(node_name(left), node_name(right), style="invis")

    def _edge(self, parent: str, child: str, kind: EdgeKind | str, way: str = "") -> None:
        attributes: dict[str, str] = {}
        if kind == INDICATES:
            attributes = {"dir": "back", "color": STATUS_COLOURS[MEDICALLY_NECESSARY][1]}
        elif kind == OTHERWISE:
            status = self.diagram.node(parent).status
            attributes = {
                "dir": "back",
                "style": "dotted",
                "color": STATUS_COLOURS.get(status, NEUTRAL)[1],
                "label": " otherwise ",
                "fontcolor": GREY_TEXT,
            }
        if way:
            data = self.diagram.node(way)
            attributes["label"] = f" {data.label.rsplit(', ', 1)[-1]} "
            attributes["fontcolor"] = GREY_TEXT
            attributes["tooltip"] = data.tooltip
            attributes["id"] = f"{self.policy}:{way}"
        highlighted = self.marks.on_path(child) and (kind == "" or self.marks.on_path(parent))
        if highlighted:
            attributes["penwidth"] = "2.5"
            attributes["color"] = "#000000"
        self.dot.edge(node_name(parent), node_name(child), **attributes)

    def _box(self, cluster: Any, node: str) -> None:
        cluster.node(
            node_name(node),
            label=f"<{self.cards.card(node)}>",
            tooltip=self.diagram.node(node).tooltip,
            id=f"{self.policy}:box:{node}",
        )


def _port(key: str) -> str:
    """A diagram key as an HTML port name (letters, digits, '_')."""
    return "p_" + re.sub(r"[^A-Za-z0-9]", "_", key)


def node_name(key: str) -> str:
    """A diagram key as a graphviz node name (':' would read as a port)."""
    return key.replace(":", "|")
