"""How a case shows on a diagram: each node's fill and marks, and the path to
the determination. A node under an exclusion or a default is read in the
negative: there, holding counts against the request."""

from __future__ import annotations

from collections.abc import Mapping

from engine.diagrams.layout import Layout
from engine.diagrams.model import FORCES, HELPER, OTHERWISE, TRUE, UNKNOWN, Overlay, State
from engine.diagrams.styles import ABSENT_FILL, MARKS, MIXED_FILL, PRESENT_FILL, STATE_FILLS


class CaseMarks:
    """The overlay's reading of each node (nothing without an overlay)."""

    def __init__(self, layout: Layout, overlay: Overlay | None) -> None:
        self.layout = layout
        self.overlay = overlay
        self.negative = _negative_nodes(layout)

    def states(self, node: str) -> dict[str, State]:
        if self.overlay is None:
            return {}
        return dict(self.overlay.states.get(node, {}))

    def fill(self, node: str) -> str:
        """The node's background for the case ('' without a case)."""
        states = set(self.states(node).values())
        if not states:
            return ""
        if len(states) > 1:
            return MIXED_FILL
        (state,) = states
        if node in self.negative:
            if state == UNKNOWN:
                return STATE_FILLS[UNKNOWN]
            root = self.states(self.negative[node])
            return PRESENT_FILL if state == TRUE and TRUE in root.values() else ABSENT_FILL
        return STATE_FILLS[state]

    def marks(self, node: str, leading: bool = False) -> str:
        """✓, ✗ or ? (per level when the levels differ), as text after a title
        or (leading) before a line."""
        states = self.states(node)
        if not states:
            return ""
        if len(set(states.values())) == 1:
            text = MARKS[next(iter(states.values()))]
        else:
            text = " ".join(f"{MARKS[s]}{level.upper()}" for level, s in states.items())
        return f"{text} " if leading else f"  {text}"

    def on_path(self, node: str) -> bool:
        return self.overlay is not None and node in self.overlay.path

    def pen(self, node: str, normal: float) -> str:
        return "3" if self.on_path(node) else str(int(normal))


def _negative_nodes(layout: Layout) -> Mapping[str, str]:
    """Nodes read in the negative, each with the exclusion or default it
    stands under: there holding counts against the request. A NOT group
    flips the reading of what it contains."""
    diagram = layout.diagram
    negative: dict[str, str] = {}
    seen: set[str] = set()

    def visit(node: str, flipped: bool, root: str) -> None:
        if node in seen:
            return
        seen.add(node)
        if flipped:
            negative[node] = root
        data = diagram.node(node)
        turn = data.kind == HELPER and data.negated
        for child in layout.children(node):
            visit(child, flipped != turn, root)

    for status in diagram.statuses():
        for child in layout.children(status):
            kind = diagram.edge(status, child).kind
            visit(child, kind in (FORCES, OTHERWISE), child)
    return negative
