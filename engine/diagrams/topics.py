"""The indications of a diagram read per topic: what an indication is about
(a fracture cause, a lesion, a purpose, from the facts its rules require) and
what further conditions it requires for one of them, alternatives for other
topics left out. engine/diagrams/compare.py lays these out side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.model import ALL, FACT, HELPER, INDICATES, Diagram, status_key
from engine.vocabulary import CAUSES, PURPOSES
from engine.wording import pretty

INLINE_CHOICE = 60  # a choice this short stays on one line
NESTED = "\u2003"  # indentation of the alternatives of a choice (an em space)


class Terms(NamedTuple):
    """An indication read for one topic: the further conditions, and whether
    the topic itself is required somewhere (matched)."""

    lines: tuple[str, ...]
    matched: bool


def topics_of(diagram: Diagram, node: str) -> list[str]:
    """Every topic (cause, lesion, purpose) a fact under this node names."""
    found: dict[str, None] = {}
    for child in [node, *diagram.descendants(node)]:
        for topic in diagram.node(child).topics:
            found[topic.split(":", 1)[1]] = None
    return list(found)


def terms(diagram: Diagram, node: str, topic: str) -> Terms | None:
    """What a node requires beyond the topic; None if it excludes the topic."""
    data = diagram.node(node)
    if data.kind == FACT:
        named = {t.split(":", 1)[1] for t in data.topics}
        if named:
            return Terms((), True) if topic in named else None
        return Terms((" and ".join(data.label.split("\n")),), False)
    children = diagram.children(node)
    if data.kind == HELPER and data.negated:
        return Terms((f"none of: {' | '.join(plain(diagram, c) for c in children)}",), False)
    found = [terms(diagram, child, topic) for child in children]
    if data.gate == ALL:
        return _all_of(found)
    return _any_of(found)


def _all_of(found: Sequence[Terms | None]) -> Terms | None:
    if any(t is None for t in found):
        return None
    present = [t for t in found if t is not None]
    lines: list[str] = []
    for line in (line for t in present for line in t.lines):
        nested = line.startswith(NESTED) or line.endswith(":")
        if nested or line not in lines:
            lines.append(line)
    return Terms(tuple(lines), any(t.matched for t in present))


def _any_of(found: Sequence[Terms | None]) -> Terms | None:
    possible = [t for t in found if t is not None]
    if not possible:
        return None
    matched = [t for t in possible if t.matched]
    chosen = list(dict.fromkeys(matched or possible))
    if len(chosen) == 1:
        return chosen[0]
    if any(not t.lines for t in chosen):
        return Terms((), bool(matched))
    inline = " | ".join(t.lines[0] for t in chosen)
    if all(len(t.lines) == 1 for t in chosen) and len(inline) <= INLINE_CHOICE:
        return Terms((f"one of: {inline}",), bool(matched))
    lines = ["one of:"]
    for choice in chosen:
        lines.append(f"{NESTED}– {choice.lines[0]}")
        lines += [f"{NESTED}{NESTED}{line}" for line in choice.lines[1:]]
    return Terms(tuple(lines), bool(matched))


def plain(diagram: Diagram, node: str) -> str:
    """A node in words, its gates as 'and', 'or', 'none of'."""
    data = diagram.node(node)
    if data.kind == FACT:
        return " and ".join(data.label.split("\n"))
    parts = [plain(diagram, c) for c in diagram.children(node)]
    if data.negated:
        return "none of (" + " | ".join(parts) + ")"
    joined = (" and " if data.gate == ALL else " or ").join(parts)
    return joined if len(parts) == 1 else f"({joined})"


def indications(diagram: Diagram) -> list[str]:
    status = status_key(MEDICALLY_NECESSARY)
    children = diagram.children(status)
    return [c for c in children if diagram.edge(status, c).kind == INDICATES]


def topic_order(topics: Sequence[str]) -> list[str]:
    known = list(CAUSES.members) + list(PURPOSES.members)
    return sorted(topics, key=lambda t: (known.index(t) if t in known else len(known), t))


def topic_label(diagrams: Sequence[Diagram], topic: str) -> str:
    for diagram in diagrams:
        for data in diagram.nodes.values():
            for found in data.topics:
                predicate, value = found.split(":", 1)
                if value == topic:
                    if predicate == "purpose":
                        return f"purpose: {pretty(value)}"
                    kind = "fracture" if predicate in ("cause_at", "fracture") else "lesion"
                    return f"{pretty(value)} {kind}"
    return pretty(topic)


def unnamed(diagram: Diagram) -> list[str]:
    """Indications that name no cause, lesion or purpose."""
    return [i for i in indications(diagram) if not topics_of(diagram, i)]
