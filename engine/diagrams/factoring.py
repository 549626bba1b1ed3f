"""Boolean factoring of a criterion's alternatives, so a diagram draws once
what every way of meeting the criterion requires."""

from __future__ import annotations

from collections.abc import Sequence

from engine.diagrams.asp import LEVEL, rename_variables, variables_in
from engine.diagrams.bodies import Conjunction, Item, Leaf, item_text


def factor(alternatives: Sequence[Conjunction]) -> tuple[tuple[Leaf, ...], tuple[Conjunction, ...]]:
    """(A and B) or (A and C) as A and (B or C): the facts every alternative
    requires (with no variable shared with the rest of it), and what is left of
    each alternative; none left if one alternative is only the common facts."""
    if len(alternatives) < 2:
        return (), tuple(alternatives)
    keys = [
        {_canonical(i): i for i in a.items if isinstance(i, Leaf) and _shareable(i, a)}
        for a in alternatives
    ]
    shared = set.intersection(*(set(k) for k in keys))
    if not shared:
        return (), tuple(alternatives)
    common = tuple(leaf for key, leaf in keys[0].items() if key in shared)
    rests = []
    for alternative, found in zip(alternatives, keys, strict=True):
        dropped = {id(item) for key, item in found.items() if key in shared}
        items = tuple(i for i in alternative.items if id(i) not in dropped)
        if not items:
            return common, ()
        rests.append(Conjunction(items, ", ".join(item_text(i) for i in items)))
    return common, tuple(rests)


def _shareable(item: Leaf, alternative: Conjunction) -> bool:
    """A fact whose own variables no other part of the alternative uses."""
    own = {v for lit in item.primaries + item.supports for v in lit.free}
    others = {v for i in alternative.items if i is not item for v in variables_in(item_text(i))}
    return not own & others


def _canonical(item: Item) -> str:
    """A fact's text with its own variables renamed in order of appearance."""
    text = item_text(item)
    names = {name: f"V{n}" for n, name in enumerate(variables_in(text)) if name != LEVEL}
    return rename_variables(text, names)
