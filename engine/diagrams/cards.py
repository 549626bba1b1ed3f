"""The HTML labels of a drawing: each box (its heading, gate and one line per
part), each status, the legend and the header, with a case's marks if one is
drawn. engine/diagrams/draw.py places them."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Sequence

from engine.determination import INSUFFICIENT_INFORMATION as INSUFFICIENT
from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.layout import Layout
from engine.diagrams.marks import CaseMarks
from engine.diagrams.model import (
    ALL,
    ALTERNATIVE,
    DEFAULT,
    EXCLUSION,
    FACT,
    FALSE,
    FORCES,
    HELPER,
    INDICATES,
    INDICATION,
    OTHERWISE,
    TRUE,
    UNKNOWN,
    EdgeKind,
    Node,
)
from engine.diagrams.styles import (
    ABSENT_FILL,
    GREY_TEXT,
    MIXED_FILL,
    NEUTRAL,
    PRESENT_FILL,
    STATE_FILLS,
    STATUS_COLOURS,
)
from engine.diagrams.wording import effective_text, short_text
from engine.wording import pretty

FACT_WIDTH = 50  # characters per line of a fact in a box


def escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "&#10;")


def _lines(lines: Iterable[str]) -> str:
    return '<BR ALIGN="LEFT"/>'.join(escape(line) for line in lines) + '<BR ALIGN="LEFT"/>'


class Cards:
    def __init__(self, layout: Layout, marks: CaseMarks) -> None:
        self.diagram = layout.diagram
        self.layout = layout
        self.marks = marks
        self.overlay = marks.overlay
        self.policy = self.diagram.policy.id

    def status(self, status: str) -> tuple[str, str]:
        """A status node's label, and its tooltip."""
        data = self.diagram.node(status)
        fill, line = STATUS_COLOURS.get(data.status, NEUTRAL)
        kinds = {self.diagram.edge(status, c).kind for c in self.diagram.children(status)}
        lines = _status_reading(data.status, kinds)
        border = "1"
        if self.overlay is not None:
            levels = [lv for lv, s in self.overlay.statuses.items() if s == data.status]
            if levels:
                lines.append("this case: " + ", ".join(level.upper() for level in levels))
                border = "3"
            pending = [lv for lv, s in self.overlay.statuses.items() if s == INSUFFICIENT]
            if pending and data.status == MEDICALLY_NECESSARY:
                named = ", ".join(level.upper() for level in pending)
                lines.append(f"this case: {named} if documented (see above)")
        label = (
            f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLPADDING="6" CELLSPACING="0" '
            f'BGCOLOR="{fill}" COLOR="{line}"><TR><TD><FONT POINT-SIZE="14"><B>'
            f"{escape(pretty(data.status).upper())}</B></FONT></TD></TR>"
            f'<TR><TD><FONT COLOR="{GREY_TEXT}">{_lines(lines)}</FONT></TD></TR></TABLE>>'
        )
        return label, " ".join(lines)

    def card(self, node: str) -> str:
        """A box: its heading (id, role, the start of the policy's words), its gate
        and one line per part."""
        data = self.diagram.node(node)
        rows = [self._heading(node)]
        children = self.layout.children(node)
        gate = _gate_word(data, len(children))
        if gate and data.label:
            rows.append(f'<TR><TD ALIGN="LEFT"><I>{gate}</I></TD></TR>')
        for child in children:
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{self._content(child)}</TD></TR>')
        if data.kind == DEFAULT:
            rows.append(
                '<TR><TD ALIGN="LEFT"><I>applies to a level that meets no indication<BR '
                'ALIGN="LEFT"/>and has no exclusion (fall-through)</I></TD></TR>'
            )
        colour = "#000000" if self.marks.on_path(node) else "#8c8c8c"
        return (
            f'<TABLE BORDER="{self.marks.pen(node, 1)}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="3" BGCOLOR="#ffffff" COLOR="{colour}">{"".join(rows)}</TABLE>'
        )

    def _heading(self, node: str) -> str:
        data = self.diagram.node(node)
        kind = data.kind
        fill = self.marks.fill(node) or _heading_fill(data)
        if kind in (ALTERNATIVE, HELPER):
            title = f"{'NOT ' if data.negated else ''}{data.label}"
            if not data.label:
                title = _gate_word(data, len(self.layout.children(node))) or "ALL of:"
            return (
                f'<TR><TD ALIGN="LEFT" BGCOLOR="{fill}"><B>{escape(title)}</B>'
                f"{self._marks(node)}</TD></TR>"
            )
        text = _lines(short_text(data.text))
        hover = f'TOOLTIP="{escape(data.tooltip)}" HREF="#" ID="{self.policy}:{node}"'
        return (
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{fill}" {hover}>'
            f"<B>{escape(data.label)}</B>"
            f'  <FONT COLOR="{GREY_TEXT}" POINT-SIZE="9">{escape(kind)}</FONT>'
            f'{self._marks(node)}<BR ALIGN="LEFT"/>{text}</TD></TR>'
        )

    def _marks(self, node: str, leading: bool = False) -> str:
        return escape(self.marks.marks(node, leading))

    def _content(self, node: str) -> str:
        """A node inside a box: a fact line, a nested group, or a pointer to a box."""
        data = self.diagram.node(node)
        if data.kind == FACT:
            return self._fact(node)
        if node in self.layout.absorbed:
            return self._group(node)
        passthrough = node in self.layout.passthrough
        target = self.layout.children(node)[0] if passthrough else node
        label = self.diagram.node(target).label
        way = f"{data.label.rsplit(', ', 1)[-1]}: " if passthrough else ""
        return f'<FONT COLOR="{GREY_TEXT}"><I>▼ {escape(way + label)}</I></FONT>'

    def _fact(self, node: str) -> str:
        data = self.diagram.node(node)
        lines = data.label.split("\n")
        marks = self._marks(node, leading=True)
        fill = self.marks.fill(node)
        tooltip = escape(data.tooltip)
        attributes = f'ALIGN="LEFT" BALIGN="LEFT" TOOLTIP="{tooltip}" HREF="#"'
        attributes += f' BGCOLOR="{fill}"' if fill else ""
        attributes += f' ID="{escape(data.rules[0])}"' if data.rules else ""
        body = _lines(_wrapped(lines, marks or "• "))
        return (
            f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f"<TR><TD {attributes}>{body}</TD></TR></TABLE>"
        )

    def _group(self, node: str) -> str:
        data = self.diagram.node(node)
        children = self.layout.children(node)
        gate = _gate_word(data, len(children)) or "ALL of:"
        name = data.label if data.kind == HELPER else ""
        head = f"{escape(name)}<BR/>" if name else ""
        fill = self.marks.fill(node) or "#f2f2f2"
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

    def legend(self) -> str:
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

    def header(self) -> str:
        info = self.diagram.policy
        period = effective_text(info.effective_from, info.effective_to)
        title = f"{info.payer}: {info.title}"
        lines = [
            f'<FONT POINT-SIZE="18"><B>{escape(title)}</B></FONT>',
            escape(f"{info.version} · {period} · policy id {info.id}"),
            f"<B>Procedure: {escape(self.diagram.procedure)}</B>"
            + escape(f" · drawn from kb/{info.id}.lp; hover a box for the policy's words"),
        ]
        if self.overlay is not None:
            overlay = self.overlay
            levels = ", ".join(f"{lv.upper()} {pretty(s)}" for lv, s in overlay.statuses.items())
            lines.append(
                f"<B>Case {escape(overlay.case)}: {escape(pretty(overlay.overall))}</B>"
                + escape(f" ({levels})" if levels else "")
            )
            if overlay.missing:
                lines.append("<I>medically necessary if one of these is documented:</I>")
                for alternative in overlay.missing:
                    wrapped = textwrap.wrap(alternative, 150, subsequent_indent="      ")
                    lines += [escape(f"  {line}") for line in wrapped]
        rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in lines)
        return f'<<TABLE BORDER="0" CELLPADDING="2">{rows}</TABLE>>'


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


def _status_reading(status: str, kinds: set[EdgeKind]) -> list[str]:
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


def _gate_word(data: Node, children: int) -> str:
    if children <= 1 and not data.negated:
        return ""
    if data.negated:
        return "NONE of:" if data.gate != ALL else "NOT ALL of:"
    return "ALL of:" if data.gate == ALL else "ANY of:"


def _heading_fill(data: Node) -> str:
    if data.kind in (EXCLUSION, DEFAULT):
        return STATUS_COLOURS.get(data.status, NEUTRAL)[0]
    if data.kind == INDICATION:
        return "#eef6ec"
    return "#f2f2f2"


def _legend_row(key: str, meaning: str, fill: str = "") -> str:
    background = f' BGCOLOR="{fill}"' if fill else ""
    return (
        f'<TR><TD ALIGN="LEFT"{background}><FONT POINT-SIZE="9"><B>{escape(key)}</B></FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{escape(meaning)}</FONT></TD></TR>'
    )
