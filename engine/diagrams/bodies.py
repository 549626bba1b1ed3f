"""A rule body read for a diagram: facts, references to conditions, helper groups.

engine/diagrams/analysis.py reads each rule of a criterion into these items;
engine/diagrams/build.py turns them into the nodes of a `Diagram`.
"""

from __future__ import annotations

from typing import NamedTuple

from engine.diagrams.asp import LEVEL


class Literal(NamedTuple):
    """A body literal after renaming: ASP text for evaluation, parts for wording."""

    text: str
    predicate: str  # '-name' for classical negation, '' for comparisons
    negated: bool  # default negation
    arguments: tuple[str, ...]
    variables: tuple[str, ...]

    @property
    def free(self) -> tuple[str, ...]:
        """Variables other than the rule's level."""
        return tuple(v for v in self.variables if v != LEVEL)

    @property
    def positive_text(self) -> str:
        return self.text.removeprefix("not ").strip() if self.negated else self.text


class Leaf(NamedTuple):
    """Literals that read as one fact: the fact itself and the table lookups
    and comparisons on its variables (longest_therapy(D), threshold(six_weeks,
    T), D >= T)."""

    primaries: tuple[Literal, ...]
    supports: tuple[Literal, ...]

    @property
    def text(self) -> str:
        return ", ".join(lit.text for lit in self.primaries + self.supports)


# A body that always holds for the procedure (requested(sacroplasty) in a
# sacroplasty diagram): drawn as this one fact.
EVERY_LEVEL = Leaf((Literal(f"target({LEVEL})", "target", False, (LEVEL,), (LEVEL,)),), ())


class ConditionRef(NamedTuple):
    """A met/3 literal: the condition's own node."""

    criterion: str
    text: str = ""


class Conjunction(NamedTuple):
    items: tuple[Item, ...]
    text: str  # the whole body as ASP, for evaluation


class HelperGroup(NamedTuple):
    """A policy-local helper with several matching rules: ANY of them
    (NONE of them, negated)."""

    helper: str
    negated: bool
    alternatives: tuple[Conjunction, ...]
    text: str  # the positive helper literal


Item = Leaf | ConditionRef | HelperGroup


def item_text(item: Item) -> str:
    """An item as ASP body text (a NONE-of group with its 'not')."""
    if isinstance(item, HelperGroup):
        return ("not " if item.negated else "") + item.text
    return item.text
