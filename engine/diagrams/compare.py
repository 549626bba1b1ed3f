"""Side by side: every policy's indications for one procedure, row by row.

A row is what an indication is about: a fracture cause, a lesion, a purpose
(engine/diagrams/topics.py reads them from the facts the rules require).
A cell lists the indications of one policy that accept it, each with the
further conditions it requires for that cause (alternatives for other causes
are left out), so a committee sees at a glance which policy covers what, and
on which terms. The last rows give what happens otherwise: the exclusions
and the default status.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.model import EXCLUSION, FACT, FORCES, OTHERWISE, Diagram
from engine.diagrams.styles import FONT, GREY_TEXT, NEUTRAL, STATUS_COLOURS
from engine.diagrams.topics import (
    NESTED,
    indications,
    plain,
    terms,
    topic_label,
    topic_order,
    topics_of,
    unnamed,
)
from engine.diagrams.wording import effective_text
from engine.vocabulary import BY_SIGNATURE, Kind
from engine.wording import pretty

if TYPE_CHECKING:
    import graphviz

CELL_WIDTH = 46  # characters per line in a cell


def _common_prefix(ids: Sequence[str]) -> str:
    """The dotted prefix all ids share ('CMM-607.3.'), if they share one."""
    if len(ids) < 2:
        return ""
    prefix = ids[0]
    for other in ids[1:]:
        while not other.startswith(prefix):
            prefix = prefix[:-1]
    return prefix[: prefix.rfind(".") + 1] if "." in prefix else ""


class Column(NamedTuple):
    policy: str
    diagram: Diagram | None  # None: the policy does not address the procedure


def comparison_table(columns: Sequence[Column], procedure: str, titles: Mapping[str, str]) -> str:
    """The side-by-side table as a graphviz HTML label."""
    diagrams = [c.diagram for c in columns if c.diagram is not None]
    topics: dict[str, None] = {}
    for diagram in diagrams:
        for indication in indications(diagram):
            topics.update(dict.fromkeys(topics_of(diagram, indication)))
    ordered = topic_order(list(topics))
    rows = [_header_row(columns, procedure, titles)]
    earlier: dict[tuple[str, str], Earlier] = {}
    for topic in ordered:
        rows.append(_topic_row(columns, topic, topic_label(diagrams, topic), earlier))
    if any(unnamed(c.diagram) for c in columns if c.diagram is not None):
        rows.append(_unnamed_row(columns))
    if len(rows) == 1:
        rows.append(
            f'<TR><TD ALIGN="LEFT" BGCOLOR="#f2f2f2"><B>indications</B></TD><TD COLSPAN='
            f'"{len(columns)}" ALIGN="LEFT">none: no policy makes {_escape(pretty(procedure))} '
            "medically necessary for any indication</TD></TR>"
        )
    rows.append(_exclusion_row(columns))
    rows.append(_default_row(columns))
    title = (
        f'<TR><TD COLSPAN="{len(columns) + 1}" ALIGN="LEFT"><FONT POINT-SIZE="18"><B>'
        f"{_escape(pretty(procedure).capitalize())}: the policies side by side</B></FONT><BR "
        'ALIGN="LEFT"/>A row is what an indication is about; a cell, the indications of a '
        "policy that accept it and the further conditions they require for it. Drawn from "
        'the rules in kb/.<BR ALIGN="LEFT"/></TD></TR>'
    )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" COLOR="#bfbfbf">'
        f"{title}{''.join(rows)}</TABLE>>"
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _header_row(columns: Sequence[Column], procedure: str, titles: Mapping[str, str]) -> str:
    cells = ['<TD BGCOLOR="#f2f2f2" ALIGN="LEFT" VALIGN="BOTTOM"><B>indication about</B></TD>']
    for column in columns:
        text = f"<B>{_escape(column.policy)}</B><BR/>"
        text += "<BR/>".join(_escape(line) for line in textwrap.wrap(titles[column.policy], 34))
        if column.diagram is not None:
            info = column.diagram.policy
            period = effective_text(info.effective_from, info.effective_to)
            text += f'<BR/><FONT POINT-SIZE="9" COLOR="{GREY_TEXT}">{_escape(period)}</FONT>'
        else:
            text += f"<BR/><I>does not address {_escape(procedure)}</I>"
        cells.append(f'<TD BGCOLOR="#f2f2f2" VALIGN="TOP">{text}</TD>')
    return f"<TR>{''.join(cells)}</TR>"


def _topic_row(
    columns: Sequence[Column], topic: str, label: str, earlier: dict[tuple[str, str], Earlier]
) -> str:
    cells = [f'<TD ALIGN="LEFT" VALIGN="TOP" BGCOLOR="#f2f2f2"><B>{_escape(label)}</B></TD>']
    for column in columns:
        cells.append(_topic_cell(column, topic, label, earlier))
    return f"<TR>{''.join(cells)}</TR>"


class Earlier(NamedTuple):
    """An indication's terms as a previous row gave them."""

    row: str
    lines: tuple[str, ...]


def _topic_cell(
    column: Column, topic: str, label: str, earlier: dict[tuple[str, str], Earlier]
) -> str:
    if column.diagram is None:
        return '<TD BGCOLOR="#fafafa"></TD>'
    blocks = []
    for indication in indications(column.diagram):
        found = terms(column.diagram, indication, topic)
        if found is None or not found.matched:
            continue
        key = (column.policy, indication)
        lines = _compared(found.lines, earlier[key]) if key in earlier else found.lines
        earlier.setdefault(key, Earlier(label, found.lines))
        blocks.append(_indication_block(column.diagram, indication, lines))
    if not blocks:
        return f'<TD ALIGN="LEFT" VALIGN="TOP"><FONT COLOR="{GREY_TEXT}">—</FONT></TD>'
    fill = STATUS_COLOURS[MEDICALLY_NECESSARY][0]
    cell = f'<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT" BGCOLOR="{fill}">'
    return f"{cell}{'<BR/>'.join(blocks)}</TD>"


def _units(lines: Sequence[str]) -> list[tuple[str, ...]]:
    """Lines grouped as a top-level line and the nested lines under it."""
    units: list[list[str]] = []
    for line in lines:
        if line.startswith(NESTED) and units:
            units[-1].append(line)
        else:
            units.append([line])
    return [tuple(unit) for unit in units]


def _compared(lines: Sequence[str], before: Earlier) -> tuple[str, ...]:
    """Terms given again as the difference from a previous row's."""
    now, then = _units(lines), _units(before.lines)
    if now == then:
        return (f"same terms as for {before.row}",)
    result = [f"as for {before.row}, but:"]
    for unit in now:
        if unit not in then:
            result += [f"{NESTED}+ {unit[0]}", *(NESTED + line for line in unit[1:])]
    for unit in then:
        if unit not in now:
            result += [f"{NESTED}− {unit[0]}", *(NESTED + line for line in unit[1:])]
    return tuple(result)


def _indication_block(diagram: Diagram, indication: str, lines: Sequence[str]) -> str:
    text = f"<B>{_escape(diagram.node(indication).label)}</B>"
    if not lines:
        return text + ' <FONT COLOR="#595959">(no further condition)</FONT><BR ALIGN="LEFT"/>'
    wrapped: list[str] = []
    for line in lines:
        words = line.lstrip(NESTED)
        indent = NESTED * (len(line) - len(words))
        bullet = "" if indent else "• "
        wrapped += textwrap.wrap(
            words,
            CELL_WIDTH - len(indent) * 2,
            initial_indent=indent + bullet,
            subsequent_indent=indent + NESTED,
        )
    return text + '<BR ALIGN="LEFT"/>' + "".join(f'{_escape(w)}<BR ALIGN="LEFT"/>' for w in wrapped)


def _unnamed_row(columns: Sequence[Column]) -> str:
    cells = ['<TD ALIGN="LEFT" VALIGN="TOP" BGCOLOR="#f2f2f2"><B>any cause</B></TD>']
    for column in columns:
        blocks = []
        if column.diagram is not None:
            for indication in unnamed(column.diagram):
                found = terms(column.diagram, indication, "")
                lines = found.lines if found else ()
                blocks.append(_indication_block(column.diagram, indication, lines))
        cells.append(f'<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{"<BR/>".join(blocks)}</TD>')
    return f"<TR>{''.join(cells)}</TR>"


def _exclusion_row(columns: Sequence[Column]) -> str:
    cells = [
        '<TD ALIGN="LEFT" VALIGN="TOP" BGCOLOR="#f2f2f2"><B>exclusions</B><BR/>'
        '<FONT POINT-SIZE="9">any one present decides</FONT></TD>'
    ]
    for column in columns:
        cells.append(_exclusion_cell(column.diagram))
    return f"<TR>{''.join(cells)}</TR>"


def _exclusion_cell(diagram: Diagram | None) -> str:
    """Per status: the exclusions that turn on the request alone (procedure,
    level, plan, device, purpose), with what they look for; the clinical ones
    (conditions, findings, documentation) by id."""
    if diagram is None:
        return '<TD BGCOLOR="#fafafa"></TD>'
    lines = []
    for status in diagram.statuses():
        exclusions = [
            c
            for c in diagram.children(status)
            if diagram.edge(status, c).kind == FORCES and diagram.node(c).kind == EXCLUSION
        ]
        if not exclusions:
            continue
        _, colour = STATUS_COLOURS.get(diagram.node(status).status, NEUTRAL)
        state = pretty(diagram.node(status).status)
        lines.append(f'<FONT COLOR="{colour}"><B>→ {_escape(state)}</B></FONT>')
        clinical = []
        for exclusion in exclusions:
            facts = _facts(diagram, exclusion)
            if all(_about_the_request(diagram, fact) for fact in facts):
                label = diagram.node(exclusion).label
                lines += _wrapped_lines(f"{label}: {plain(diagram, exclusion).strip('()')}")
            else:
                clinical.append(diagram.node(exclusion).label)
        if clinical:
            prefix = _common_prefix(clinical)
            named = ", ".join(c.removeprefix(prefix) for c in clinical)
            more = f"{len(clinical)} on the clinical picture{f' ({prefix}…)' if prefix else ''}"
            lines += _wrapped_lines(f"{more}: {named}")
    cell = "".join(f'{line}<BR ALIGN="LEFT"/>' for line in lines) or "—"
    return f'<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{cell}</TD>'


def _wrapped_lines(text: str) -> list[str]:
    wrapped = textwrap.wrap(text, CELL_WIDTH, initial_indent="• ", subsequent_indent=NESTED)
    return [_escape(line) for line in wrapped]


def _facts(diagram: Diagram, node: str) -> list[str]:
    found = [node, *diagram.descendants(node)]
    return [n for n in found if diagram.node(n).kind == FACT]


def _about_the_request(diagram: Diagram, fact: str) -> bool:
    """A fact that reads only picture predicates (what is requested, where, for
    whom, with what), no condition, finding or documentation."""
    names = diagram.node(fact).reads
    return all(p.kind == Kind.PICTURE for (name, _), p in BY_SIGNATURE.items() if name in names)


def _default_row(columns: Sequence[Column]) -> str:
    cells = ['<TD ALIGN="LEFT" VALIGN="TOP" BGCOLOR="#f2f2f2"><B>no indication met</B></TD>']
    for column in columns:
        diagram = column.diagram
        if diagram is None:
            cells.append('<TD BGCOLOR="#fafafa"></TD>')
            continue
        texts = []
        fill = "#ffffff"
        for status in diagram.statuses():
            for child in diagram.children(status):
                if diagram.edge(status, child).kind == OTHERWISE:
                    state = diagram.node(status).status
                    fill = STATUS_COLOURS.get(state, NEUTRAL)[0]
                    label = diagram.node(child).label
                    texts.append(f"<B>{_escape(pretty(state))}</B> ({_escape(label)})")
        cells.append(f'<TD ALIGN="LEFT" BGCOLOR="{fill}">{"<BR/>".join(texts)}</TD>')
    return f"<TR>{''.join(cells)}</TR>"


def comparison_digraph(
    columns: Sequence[Column], procedure: str, titles: Mapping[str, str]
) -> graphviz.Digraph:
    """The comparison as a graphviz drawing: one node holding the table."""
    import graphviz

    drawing = graphviz.Digraph(
        name=f"compare_{procedure}",
        graph_attr={"fontname": FONT, "tooltip": f"{procedure}: the policies side by side"},
        node_attr={"shape": "plaintext", "fontname": FONT, "fontsize": "10", "margin": "0"},
    )
    drawing.node("comparison", label=comparison_table(columns, procedure, titles))
    return drawing
