"""Which nodes of a diagram are drawn as boxes, which as lines inside a box."""

from __future__ import annotations

from engine.diagrams.model import ALTERNATIVE, BLOCKS, CONDITION, FACT, HELPER, Diagram, NodeKind


class Layout:
    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        self.absorbed = {n for n in diagram.nodes if self._absorbable(n, 0)}
        self.passthrough = {n for n in diagram.nodes if self._passthrough(n)}

    def kind(self, node: str) -> NodeKind:
        return self.diagram.node(node).kind

    def children(self, node: str) -> list[str]:
        """What a node depends on, in rule order (not the NOT edges of exclusions)."""
        return [
            child
            for child in self.diagram.children(node)
            if self.diagram.edge(node, child).kind != BLOCKS
        ]

    def _absorbable(self, node: str, depth: int) -> bool:
        if self.kind(node) == FACT:
            return True
        if self.kind(node) not in (ALTERNATIVE, HELPER) or depth > 1:
            return False
        if self.diagram.in_degree(node) != 1:
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
