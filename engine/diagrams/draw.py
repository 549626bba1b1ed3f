"""Criteria diagrams drawn with graphviz, for policy committees.

A diagram reads top-down: the determination statuses on top; under
"medically necessary" one box per indication (any one suffices), each with
its conditions (all must hold); under each other status the exclusions that
force it (any one decides the level, whatever the indications say) and the
default that applies when no indication is met. Each box carries the
criterion id and the start of the policy's words; hovering shows the full
citation and the interpretation note. Colour marks statuses only, and on a
case overlay what was met, failed or not documented.

graphviz and networkx are imported inside functions only.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.determination import INSUFFICIENT_INFORMATION as INSUFFICIENT
from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.graph import (
    ALL,
    ALTERNATIVE,
    BLOCKS,
    CONDITION,
    DEFAULT,
    EXCLUSION,
    FACT,
    FORCES,
    HELPER,
    INDICATES,
    INDICATION,
    OTHERWISE,
    STATUS,
    Knowledge,
    status_key,
)
from engine.diagrams.wording import pretty, short_text
from engine.errors import PolicyKbError
from engine.knowledge_base import KnowledgeBase
from engine.nearest import did_you_mean
from engine.vocabulary import PROCEDURES

if TYPE_CHECKING:
    import graphviz
    import networkx as nx

    from engine.case import Case
    from engine.determination import Determination

FORMATS = ("svg", "png", "pdf", "dot")
INDICATION_COLUMNS = 4
EXCLUSION_COLUMNS = 4
FACT_WIDTH = 50  # characters per line of a fact in a box
FONT = "Helvetica"

# Status colours: (fill, line). Used for statuses and what they decide only.
STATUS_COLOURS = {
    MEDICALLY_NECESSARY: ("#d9f0d3", "#1b7837"),
    "not_covered": ("#e0e0e0", "#404040"),
    "investigational": ("#e7d4e8", "#762a83"),
    "not_medically_necessary": ("#fee0b6", "#b35806"),
    "insufficient_information": ("#fff7bc", "#8c6d00"),
}
NEUTRAL = ("#f2f2f2", "#8c8c8c")
BLOCK_COLOUR = "#b2182b"
GREY_TEXT = "#595959"

# Case overlay: the state of a node at a level.
TRUE, FALSE, UNKNOWN = "true", "false", "unknown"
MARKS = {TRUE: "✓", FALSE: "✗", UNKNOWN: "?"}
STATE_FILLS = {TRUE: "#c7e9c0", FALSE: "#fde0dd", UNKNOWN: "#fee391"}
ABSENT_FILL = "#ffffff"
PRESENT_FILL = "#fc9272"
MIXED_FILL = "#deebf7"


class Overlay(NamedTuple):
    """One case drawn on a policy's graph (engine/diagrams/overlay.py computes it)."""

    case: str
    levels: tuple[str, ...]
    states: Mapping[str, Mapping[str, str]]  # node key -> level -> true/false/unknown
    path: frozenset[str]  # node keys on the way to each level's determination
    statuses: Mapping[str, str]  # level -> status
    overall: str
    missing: tuple[str, ...] = ()


class DiagramRequestError(PolicyKbError):
    """A diagram asked for that the knowledge base cannot draw (bad procedure,
    a policy that does not address it, a format graphviz cannot write)."""


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "&#10;")


def _lines(lines: Iterable[str]) -> str:
    return '<BR ALIGN="LEFT"/>'.join(_escape(line) for line in lines) + '<BR ALIGN="LEFT"/>'


def _date(value: int) -> str:
    text = f"{value:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def effective_text(start: int, end: int) -> str:
    if start <= 0 and end >= 99991231:
        return "always in effect (no date in the text)"
    if end >= 99991231:
        return f"effective from {_date(start)} (no end date)"
    return f"effective {_date(start)} to {_date(end)}"


class _Layout:
    """Which graph nodes become boxes, which become lines inside a box."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.absorbed = {n for n in graph.nodes if self._absorbable(n, 0)}
        self.passthrough = {n for n in graph.nodes if self._passthrough(n)}

    def kind(self, node: str) -> str:
        return str(self.graph.nodes[node]["kind"])

    def children(self, node: str) -> list[str]:
        found = list(self.graph.successors(node))
        found = [c for c in found if self.graph.edges[node, c]["kind"] != BLOCKS]
        return sorted(found, key=lambda c: self.graph.edges[node, c]["order"])

    def _absorbable(self, node: str, depth: int) -> bool:
        if self.kind(node) == FACT:
            return True
        if self.kind(node) not in (ALTERNATIVE, HELPER) or depth > 1:
            return False
        if self.graph.in_degree(node) != 1:
            return False
        return all(self._absorbable(child, depth + 1) for child in self.children(node))

    def _passthrough(self, node: str) -> bool:
        """A rule alternative that is only a met/3 reference: drawn as an edge."""
        children = self.children(node)
        return (
            self.kind(node) == ALTERNATIVE
            and len(children) == 1
            and self.kind(children[0]) == CONDITION
        )

    def boxed(self, node: str) -> bool:
        kind = self.kind(node)
        return kind != FACT and node not in self.absorbed and node not in self.passthrough

    def box_children(self, node: str) -> list[tuple[str, str]]:
        """Boxed nodes a box points to, each with the way it is reached ('' or a rule)."""
        found: list[tuple[str, str]] = []
        for child in self.children(node):
            if child in self.passthrough:
                found.append((self.children(child)[0], child))
            elif self.boxed(child):
                found.append((child, ""))
        return found

    def owned(self, root: str) -> list[str]:
        """Boxes reachable from a top-level box, depth first, in rule order."""
        seen: list[str] = []

        def visit(node: str) -> None:
            if node in seen:
                return
            seen.append(node)
            for child, _ in self.box_children(node):
                visit(child)

        visit(root)
        return seen


class _Renderer:
    def __init__(self, graph: Any, overlay: Overlay | None = None) -> None:
        import graphviz

        self.graph = graph
        self.overlay = overlay
        self.layout = _Layout(graph)
        self.policy = str(graph.graph["policy"])
        self.procedure = str(graph.graph["procedure"])
        self.negative = self._negative_nodes()
        self.dot = graphviz.Digraph(
            name=f"{self.policy}_{self.procedure}",
            graph_attr={
                "rankdir": "TB",
                "compound": "true",
                "newrank": "true",
                "nodesep": "0.3",
                "ranksep": "0.5",
                "fontname": FONT,
                "labelloc": "t",
                "labeljust": "l",
                "label": self._header(),
                "tooltip": f"{self.policy}: {graph.graph['title']}",
            },
            node_attr={"shape": "plaintext", "fontname": FONT, "fontsize": "10", "margin": "0"},
            edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.6", "color": "#7f7f7f"},
        )

    # --- what is where -------------------------------------------------------------

    def _negative_nodes(self) -> dict[str, str]:
        """Nodes read in the negative, each with the exclusion or default it
        stands under: there holding counts against the request. A NOT group
        flips the reading of what it contains."""
        negative: dict[str, str] = {}
        seen: set[str] = set()

        def visit(node: str, flipped: bool, root: str) -> None:
            if node in seen:
                return
            seen.add(node)
            if flipped:
                negative[node] = root
            data = self.graph.nodes[node]
            turn = data["kind"] == HELPER and bool(data.get("negated"))
            for child in self.layout.children(node):
                visit(child, flipped != turn, root)

        for status in self._statuses():
            for child in self.layout.children(status):
                kind = self.graph.edges[status, child]["kind"]
                visit(child, kind in (FORCES, OTHERWISE), child)
        return negative

    def _statuses(self) -> list[str]:
        nodes = [n for n, d in self.graph.nodes(data=True) if d["kind"] == STATUS]
        return sorted(nodes, key=lambda n: self.graph.nodes[n]["order"])

    def _top(self, status: str, edge_kinds: Sequence[str]) -> list[str]:
        return [
            child
            for child in self.layout.children(status)
            if self.graph.edges[status, child]["kind"] in edge_kinds
        ]

    # --- the whole drawing ------------------------------------------------------------

    def render(self) -> Any:
        statuses = self._statuses()
        with self.dot.subgraph(name="statuses") as row:
            row.attr(rank="same")
            for status in statuses:
                self._status_node(row, status)
            row.node("legend", label=self._legend(), tooltip="How to read this diagram")
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
        others = [n for n in self.graph.nodes if self.layout.boxed(n) and n not in drawn]
        for node in others:
            if self.graph.nodes[node]["kind"] != STATUS:
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
        state = str(self.graph.nodes[status]["status"])
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
                penwidth="3" if any(self._on_path(b) for b in boxes) else "1",
                fillcolor=_lighter(fill),
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
        line = STATUS_COLOURS.get(str(self.graph.nodes[status]["status"]), NEUTRAL)[1]
        first = node_name(exclusions[0])
        on_path = any(self._on_path(e) for e in exclusions)
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
            status_node(MEDICALLY_NECESSARY),
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

    def _edge(self, parent: str, child: str, kind: str, way: str = "", tail: str = "") -> None:
        attributes: dict[str, str] = {}
        if kind == INDICATES:
            attributes = {"dir": "back", "color": STATUS_COLOURS[MEDICALLY_NECESSARY][1]}
        elif kind == OTHERWISE:
            status = str(self.graph.nodes[parent]["status"])
            attributes = {
                "dir": "back",
                "style": "dotted",
                "color": STATUS_COLOURS.get(status, NEUTRAL)[1],
                "label": " otherwise ",
                "fontcolor": GREY_TEXT,
            }
        if way:
            data = self.graph.nodes[way]
            attributes["label"] = f" {data['label'].rsplit(', ', 1)[-1]} "
            attributes["fontcolor"] = GREY_TEXT
            attributes["tooltip"] = str(data["tooltip"])
            attributes["id"] = f"{self.policy}:{way}"
        highlighted = self._on_path(child) and (kind == "" or self._on_path(parent))
        if highlighted:
            attributes["penwidth"] = "2.5"
            attributes["color"] = "#000000"
        self.dot.edge(tail or node_name(parent), node_name(child), **attributes)

    # --- boxes ---------------------------------------------------------------------------

    def _status_node(self, row: Any, status: str) -> None:
        data = self.graph.nodes[status]
        fill, line = STATUS_COLOURS.get(data["status"], NEUTRAL)
        kinds = {self.graph.edges[status, c]["kind"] for c in self.graph.successors(status)}
        lines = _status_reading(data["status"], kinds)
        border = "1"
        if self.overlay is not None:
            levels = [lv for lv, s in self.overlay.statuses.items() if s == data["status"]]
            if levels:
                lines.append("this case: " + ", ".join(level.upper() for level in levels))
                border = "3"
            pending = [lv for lv, s in self.overlay.statuses.items() if s == INSUFFICIENT]
            if pending and data["status"] == MEDICALLY_NECESSARY:
                named = ", ".join(level.upper() for level in pending)
                lines.append(f"this case: {named} if documented (see above)")
        label = (
            f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLPADDING="6" CELLSPACING="0" '
            f'BGCOLOR="{fill}" COLOR="{line}"><TR><TD><FONT POINT-SIZE="14"><B>'
            f"{_escape(pretty(data['status']).upper())}</B></FONT></TD></TR>"
            f'<TR><TD><FONT COLOR="{GREY_TEXT}">{_lines(lines)}</FONT></TD></TR></TABLE>>'
        )
        tooltip = " ".join(lines)
        row.node(node_name(status), label=label, tooltip=tooltip, id=f"{self.policy}:{status}")

    def _box(self, cluster: Any, node: str) -> None:
        data = self.graph.nodes[node]
        cluster.node(
            node_name(node),
            label=f"<{self._card(node)}>",
            tooltip=str(data["tooltip"]),
            id=f"{self.policy}:box:{node}",
        )

    def _card(self, node: str) -> str:
        """A box: its heading (id, role, the start of the policy's words), its gate
        and one line per part."""
        data = self.graph.nodes[node]
        rows = [self._heading(node)]
        children = self.layout.children(node)
        gate = _gate_word(data, len(children))
        if gate and data["label"]:
            rows.append(f'<TR><TD ALIGN="LEFT"><I>{gate}</I></TD></TR>')
        for child in children:
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{self._content(child)}</TD></TR>')
        if data["kind"] == DEFAULT:
            rows.append(
                '<TR><TD ALIGN="LEFT"><I>applies to a level that meets no indication<BR '
                'ALIGN="LEFT"/>and has no exclusion (fall-through)</I></TD></TR>'
            )
        colour = "#000000" if self._on_path(node) else "#8c8c8c"
        return (
            f'<TABLE BORDER="{self._pen(node, 1)}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="3" BGCOLOR="#ffffff" COLOR="{colour}">{"".join(rows)}</TABLE>'
        )

    def _heading(self, node: str) -> str:
        data = self.graph.nodes[node]
        kind = data["kind"]
        fill = self._state_fill(node) or _heading_fill(data)
        if kind in (ALTERNATIVE, HELPER):
            title = f"{'NOT ' if data['negated'] else ''}{data['label']}"
            if not data["label"]:
                title = _gate_word(data, len(self.layout.children(node))) or "ALL of:"
            return (
                f'<TR><TD ALIGN="LEFT" BGCOLOR="{fill}"><B>{_escape(title)}</B>'
                f"{self._marks(node)}</TD></TR>"
            )
        text = _lines(short_text(str(data["text"])))
        hover = f'TOOLTIP="{_escape(str(data["tooltip"]))}" HREF="#" ID="{self.policy}:{node}"'
        return (
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{fill}" {hover}>'
            f"<B>{_escape(data['label'])}</B>"
            f'  <FONT COLOR="{GREY_TEXT}" POINT-SIZE="9">{_escape(kind)}</FONT>'
            f'{self._marks(node)}<BR ALIGN="LEFT"/>{text}</TD></TR>'
        )

    def _content(self, node: str) -> str:
        """A node inside a box: a fact line, a nested group, or a pointer to a box."""
        data = self.graph.nodes[node]
        if data["kind"] == FACT:
            return self._fact(node)
        if node in self.layout.absorbed:
            return self._group(node)
        target = self.layout.children(node)[0] if node in self.layout.passthrough else node
        label = self.graph.nodes[target]["label"]
        way = f"{data['label'].rsplit(', ', 1)[-1]}: " if node in self.layout.passthrough else ""
        return f'<FONT COLOR="{GREY_TEXT}"><I>▼ {_escape(way + label)}</I></FONT>'

    def _fact(self, node: str) -> str:
        data = self.graph.nodes[node]
        lines = str(data["label"]).split("\n")
        marks = self._marks(node, leading=True)
        fill = self._state_fill(node)
        tooltip = _escape(str(data["tooltip"]))
        attributes = f'ALIGN="LEFT" BALIGN="LEFT" TOOLTIP="{tooltip}" HREF="#"'
        attributes += f' BGCOLOR="{fill}"' if fill else ""
        attributes += f' ID="{_escape(data["rules"][0])}"' if data["rules"] else ""
        body = _lines(_wrapped(lines, marks or "• "))
        return (
            f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f"<TR><TD {attributes}>{body}</TD></TR></TABLE>"
        )

    def _group(self, node: str) -> str:
        data = self.graph.nodes[node]
        children = self.layout.children(node)
        gate = _gate_word(data, len(children)) or "ALL of:"
        name = str(data["label"]) if data["kind"] == HELPER else ""
        head = f"{_escape(name)}<BR/>" if name else ""
        fill = self._state_fill(node) or "#f2f2f2"
        rows = "".join(
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{self._content(child)}</TD></TR>'
            for child in children
        )
        return (
            f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>'
            f'<TD ROWSPAN="{len(children) + 1}" VALIGN="TOP" ALIGN="LEFT" BGCOLOR="{fill}">'
            f'<FONT POINT-SIZE="9"><I>{head}{gate}</I></FONT>{self._marks(node)}</TD>'
            f"<TD></TD></TR>{rows}</TABLE>"
        )

    def _legend(self) -> str:
        rows = [
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><B>How to read</B></TD></TR>',
            _legend_row("▲ green", "an indication met makes the level medically necessary"),
            _legend_row("ALL of / ANY of", "every line / one line of the box must hold"),
            _legend_row("NOT / NONE of", "must not hold"),
            _legend_row("dashed red ⊣", "NOT: an exclusion present blocks every indication"),
            _legend_row("dotted", "otherwise: the default when no indication is met"),
            _legend_row("▼ id", "see that condition's box"),
            _legend_row("hover", "the policy's words, interpretation and rule"),
        ]
        if self.overlay is not None:
            rows += [
                '<TR><TD COLSPAN="2" ALIGN="LEFT"><B>This case</B></TD></TR>',
                _legend_row("✓", "met", STATE_FILLS[TRUE]),
                _legend_row("✗", "not met", STATE_FILLS[FALSE]),
                _legend_row("✓", "exclusion (or its part) present", PRESENT_FILL),
                _legend_row("✗", "exclusion absent (not stated)", ABSENT_FILL),
                _legend_row("?", "not documented: unknown", STATE_FILLS[UNKNOWN]),
                _legend_row("✓L1 ✗L2", "differs by level", MIXED_FILL),
                _legend_row("bold", "the path to the determination"),
            ]
        return (
            '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="#bfbfbf"><TR><TD><TABLE BORDER="0" CELLPADDING="1">{"".join(rows)}'
            "</TABLE></TD></TR></TABLE>>"
        )

    def _header(self) -> str:
        data = self.graph.graph
        period = effective_text(data["effective_from"], data["effective_to"])
        title = f"{data['payer']}: {data['title']}"
        lines = [
            f'<FONT POINT-SIZE="18"><B>{_escape(title)}</B></FONT>',
            _escape(f"{data['version']} · {period} · policy id {data['policy']}"),
            f"<B>Procedure: {_escape(self.procedure)}</B>"
            + _escape(f" · drawn from kb/{data['policy']}.lp; hover a box for the policy's words"),
        ]
        if self.overlay is not None:
            overlay = self.overlay
            levels = ", ".join(f"{lv.upper()} {pretty(s)}" for lv, s in overlay.statuses.items())
            lines.append(
                f"<B>Case {_escape(overlay.case)}: {_escape(pretty(overlay.overall))}</B>"
                + _escape(f" ({levels})" if levels else "")
            )
            if overlay.missing:
                lines.append("<I>medically necessary if one of these is documented:</I>")
                for alternative in overlay.missing:
                    wrapped = textwrap.wrap(alternative, 150, subsequent_indent="      ")
                    lines += [_escape(f"  {line}") for line in wrapped]
        rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in lines)
        return f'<<TABLE BORDER="0" CELLPADDING="2">{rows}</TABLE>>'

    # --- the case ----------------------------------------------------------------------

    def _states(self, node: str) -> dict[str, str]:
        if self.overlay is None:
            return {}
        return dict(self.overlay.states.get(node, {}))

    def _state_fill(self, node: str) -> str:
        states = set(self._states(node).values())
        if not states:
            return ""
        if len(states) > 1:
            return MIXED_FILL
        (state,) = states
        if node in self.negative:
            if state == UNKNOWN:
                return STATE_FILLS[UNKNOWN]
            root = self._states(self.negative[node])
            return PRESENT_FILL if state == TRUE and TRUE in root.values() else ABSENT_FILL
        return STATE_FILLS[state]

    def _marks(self, node: str, leading: bool = False) -> str:
        states = self._states(node)
        if not states:
            return ""
        if len(set(states.values())) == 1:
            text = MARKS[next(iter(states.values()))]
        else:
            text = " ".join(f"{MARKS[s]}{level.upper()}" for level, s in states.items())
        return f"{_escape(text)} " if leading else f"  {_escape(text)}"

    def _on_path(self, node: str) -> bool:
        return self.overlay is not None and node in self.overlay.path

    def _pen(self, node: str, normal: float) -> str:
        return "3" if self._on_path(node) else str(int(normal))


def _wrapped(lines: Sequence[str], bullet: str, width: int = FACT_WIDTH) -> list[str]:
    """A fact's lines wrapped for a box: the bullet first, 'and' before each
    further literal of the same fact, continuation lines indented."""
    wrapped: list[str] = []
    for number, line in enumerate(lines):
        first = bullet if number == 0 else "   and "
        wrapped += textwrap.wrap(
            line, width=width, initial_indent=first, subsequent_indent="      "
        ) or [first]
    return wrapped


def _top_aligned(table: str) -> str:
    """A nested table kept at its own height at the top of a taller cell
    (graphviz stretches a table that is a cell's only content)."""
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f"<TR><TD>{table}</TD></TR><TR><TD></TD></TR></TABLE>"
    )


def _port(key: str) -> str:
    """A graph key as an HTML port name (letters, digits, '_')."""
    return "p_" + re.sub(r"[^A-Za-z0-9]", "_", key)


def node_name(key: str) -> str:
    """A graph key as a graphviz node name (':' would read as a port)."""
    return key.replace(":", "|")


def status_node(status: str) -> str:
    return node_name(f"status:{status}")


def _status_reading(status: str, kinds: set[str]) -> list[str]:
    if status == MEDICALLY_NECESSARY:
        if INDICATES in kinds:
            return ["when ANY indication below is met", "and NO exclusion is present"]
        return ["never: no indication for this procedure"]
    reasons = []
    if FORCES in kinds:
        reasons.append("when an exclusion below is present")
    if OTHERWISE in kinds:
        reasons.append("otherwise (no indication met)")
    return reasons


def _gate_word(data: Mapping[str, Any], children: int) -> str:
    if children <= 1 and not data.get("negated"):
        return ""
    if data.get("negated"):
        return "NONE of:" if data.get("gate") != ALL else "NOT ALL of:"
    return "ALL of:" if data.get("gate") == ALL else "ANY of:"


def _heading_fill(data: Mapping[str, Any]) -> str:
    if data["kind"] in (EXCLUSION, DEFAULT):
        return STATUS_COLOURS.get(str(data["status"]), NEUTRAL)[0]
    if data["kind"] == INDICATION:
        return "#eef6ec"
    return "#f2f2f2"


def _lighter(colour: str) -> str:
    """Half way to white."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{(c + 255) // 2:02x}" for c in (red, green, blue))


def _legend_row(key: str, meaning: str, fill: str = "") -> str:
    background = f' BGCOLOR="{fill}"' if fill else ""
    return (
        f'<TR><TD ALIGN="LEFT"{background}><FONT POINT-SIZE="9"><B>{_escape(key)}</B></FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{_escape(meaning)}</FONT></TD></TR>'
    )


# --- Output ------------------------------------------------------------------------------

_VERSION_COMMENT = re.compile(rb"<!-- Generated by graphviz version[^>]*-->\n")


def to_digraph(graph: nx.DiGraph, overlay: Overlay | None = None) -> graphviz.Digraph:
    """The graphviz drawing of a criteria graph, with a case if one is given."""
    drawing: graphviz.Digraph = _Renderer(graph, overlay).render()
    return drawing


def output(drawing: graphviz.Digraph, fmt: str) -> bytes:
    """The drawing in one format; SVG without graphviz's version comment, so the
    same knowledge base gives the same bytes."""
    if fmt == "dot":
        return str(drawing.source).encode("utf-8")
    data: bytes = drawing.pipe(format=fmt)
    return _VERSION_COMMENT.sub(b"", data) if fmt == "svg" else data


def write(drawing: graphviz.Digraph, path_stem: str, formats: Sequence[str]) -> list[str]:
    """Write the drawing as path_stem.<format> for each format; the paths written."""
    import graphviz

    written = []
    for fmt in formats:
        path = f"{path_stem}.{fmt}"
        try:
            data = output(drawing, fmt)
        except graphviz.ExecutableNotFound:
            raise DiagramRequestError(
                "drawing needs graphviz's 'dot' program (e.g. apt-get install graphviz)"
            ) from None
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise DiagramRequestError(f"cannot write {path}: {error.strerror}") from None
        written.append(path)
    return written


def _check_request(
    knowledge: Knowledge, policies: Sequence[str], procedure: str | None, formats: Sequence[str]
) -> None:
    for fmt in formats:
        if fmt not in FORMATS:
            raise DiagramRequestError(f"unknown format '{fmt}'; known: {', '.join(FORMATS)}")
    if procedure is None:
        return
    if procedure not in PROCEDURES.members:
        hint = did_you_mean(procedure, PROCEDURES.members)
        raise DiagramRequestError(
            f"unknown procedure '{procedure}'{hint}; known: {', '.join(PROCEDURES.members)}"
        )
    if not any(procedure in knowledge.policies[p].procedures for p in policies):
        raise DiagramRequestError(f"{', '.join(policies)} does not address {procedure}")


def policy_drawings(
    knowledge: Knowledge, policies: Sequence[str], procedure: str | None = None
) -> list[tuple[str, graphviz.Digraph]]:
    """(file stem, drawing) for every chosen policy and every procedure it addresses."""
    from engine.diagrams.graph import build_graph

    drawings = []
    for policy in policies:
        for addressed in knowledge.policies[policy].procedures:
            if procedure in (None, addressed):
                graph = build_graph(knowledge, policy, addressed)
                drawings.append((f"{policy}_{addressed}", to_digraph(graph)))
    return drawings


def comparison_drawings(
    knowledge: Knowledge, procedure: str | None = None
) -> list[tuple[str, graphviz.Digraph]]:
    """(file stem, drawing) of the side-by-side figure for each procedure."""
    from engine.diagrams.compare import Column, comparison_digraph
    from engine.diagrams.graph import build_graph

    policies = sorted(knowledge.policies)
    addressed = {p for info in knowledge.policies.values() for p in info.procedures}
    titles = {p: f"{i.payer}: {i.title}" for p, i in knowledge.policies.items()}
    drawings = []
    for chosen in PROCEDURES.members:
        if chosen not in addressed or procedure not in (None, chosen):
            continue
        columns = [
            Column(p, build_graph(knowledge, p, chosen))
            if chosen in knowledge.policies[p].procedures
            else Column(p, None)
            for p in policies
        ]
        drawings.append((f"compare_{chosen}", comparison_digraph(columns, chosen, titles)))
    return drawings


def write_diagrams(
    kb: KnowledgeBase,
    directory: str,
    policies: Sequence[str] | None = None,
    procedure: str | None = None,
    formats: Sequence[str] = ("svg",),
) -> list[str]:
    """Write the criteria diagrams (and, for every policy, the comparisons) into
    a directory; the paths written, in order."""
    from engine.diagrams.graph import read_knowledge

    chosen = kb.check_policies(list(policies)) if policies else kb.policy_ids()
    knowledge = read_knowledge(kb)
    _check_request(knowledge, chosen, procedure, formats)
    drawings = policy_drawings(knowledge, chosen, procedure)
    if not policies:
        drawings += comparison_drawings(knowledge, procedure)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise DiagramRequestError(f"cannot write into {directory}: {error.strerror}") from None
    written: list[str] = []
    for stem, drawing in drawings:
        written += write(drawing, os.path.join(directory, stem), formats)
    return written


def case_diagram_format(path: str) -> str:
    """The format a `kb query --diagram` path names by its extension (svg if none)."""
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "svg"
    if fmt not in FORMATS:
        raise DiagramRequestError(f"cannot draw '{path}': use .{', .'.join(FORMATS)}")
    return fmt


def write_case_diagrams(
    path: str, case: Case, kb: KnowledgeBase, determinations: Sequence[Determination]
) -> list[str]:
    """Each determined policy's diagram with the case drawn on it, in the format
    the path's extension names: the path itself for one policy, else
    <stem>-<policy>.<ext> per policy. Notes for the user, one per diagram."""
    from engine.diagrams.graph import build_graph, read_knowledge
    from engine.diagrams.overlay import case_overlay, requested_procedure

    stem, fmt = os.path.splitext(path)[0], case_diagram_format(path)
    knowledge = read_knowledge(kb, [d.policy.id for d in determinations])
    procedure = requested_procedure(case)
    notes: list[str] = []
    for determination in determinations:
        policy = determination.policy.id
        if procedure not in knowledge.policies[policy].procedures:
            notes.append(f"no diagram for {policy}: it does not address {procedure}")
            continue
        graph = build_graph(knowledge, policy, procedure)
        drawing = to_digraph(graph, case_overlay(graph, case, kb, determination))
        target = stem if len(determinations) == 1 else f"{stem}-{policy}"
        notes += [f"diagram: {written}" for written in write(drawing, target, [fmt])]
    return notes
