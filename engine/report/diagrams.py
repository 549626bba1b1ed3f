"""The criteria diagrams of `kb diagram`, as SVG to inline in a page, each
criterion's box a link to that criterion's section of the page.

The drawings are engine.diagrams' own; only their SVG is adapted: no XML
prologue, element ids prefixed by the diagram's name (two diagrams share one
page), and the boxes' links (graphviz anchors whose id names the criterion)
pointed at the criterion's anchor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from engine.knowledge_base import KnowledgeBase


class Diagram(NamedTuple):
    policy: str
    procedure: str
    svg: str  # markup to inline in an HTML page


class DiagramsUnavailable(NamedTuple):
    reason: str


# A graphviz anchor: <g id="a_<policy>:[box:]<kind>:<criterion>"><a [xlink:href="#"] ...
_ANCHOR = re.compile(r'<g id="a_([^"]+)"><a (?:xlink:href="#" )?')
_SIZE = re.compile(r'\b(width|height)="([0-9.]+)pt"')
_ID = re.compile(r'\bid="([^"]*)"')


def policy_diagrams(
    kb: KnowledgeBase,
    policies: Sequence[str],
    anchor: Callable[[str, str], str | None],
) -> dict[str, list[Diagram]] | DiagramsUnavailable:
    """Per policy, one diagram per procedure it addresses; `anchor(policy,
    criterion)` gives the link target of a criterion's box (None: no link)."""
    import graphviz

    from engine.diagrams.knowledge import read_knowledge
    from engine.diagrams.output import output, policy_drawings

    knowledge = read_knowledge(kb, list(policies))
    found: dict[str, list[Diagram]] = {policy: [] for policy in policies}
    for policy in policies:
        for stem, drawing in policy_drawings(knowledge, [policy]):
            procedure = stem.removeprefix(f"{policy}_")
            try:
                svg = output(drawing, "svg").decode("utf-8")
            except graphviz.ExecutableNotFound:
                return DiagramsUnavailable("graphviz's 'dot' program is not installed")
            found[policy].append(Diagram(policy, procedure, inline_svg(svg, stem, anchor)))
    return found


def inline_svg(svg: str, stem: str, anchor: Callable[[str, str], str | None]) -> str:
    """The SVG element alone, its ids prefixed, its criterion boxes linked."""
    markup = svg[svg.index("<svg") :]

    def link(match: re.Match[str]) -> str:
        reference = match.group(1)
        target = _criterion_anchor(reference, anchor)
        href = f'xlink:href="#{target}" ' if target else ""
        return f'<g id="a_{reference}"><a {href}'

    linked = _ANCHOR.sub(link, markup)
    prefixed = _ID.sub(lambda m: f'id="{stem}-{m.group(1)}"', linked)
    # graphviz sizes in points; a page reads them better at one pixel each (3/4 size)
    return _SIZE.sub(lambda m: f'{m.group(1)}="{m.group(2)}px"', prefixed, count=2)


def _criterion_anchor(reference: str, anchor: Callable[[str, str], str | None]) -> str | None:
    """'<policy>:[box:]<kind>:<criterion>' -> the criterion's anchor, if it has one."""
    policy, _, rest = reference.partition(":")
    rest = rest.removeprefix("box:")
    _kind, _, criterion = rest.partition(":")
    return anchor(policy, criterion) if criterion else None
