"""What a fact of a diagram finds in the knowledge base's tables: the values
its lookups bind (threshold(six_weeks, T): T is 42), and the causes, lesions
and purposes it names, which the side-by-side comparison sorts indications by.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.diagrams.asp import is_variable, unquoted
from engine.diagrams.bodies import Leaf, Literal
from engine.wording import Tables

# What an indication is about: fracture causes, lesion kinds, purposes.
TOPIC_PREDICATES = {"cause_at": 1, "fracture": 1, "lesion_at": 1, "lesion": 1, "purpose": 0}


def matching_rows(tables: Tables, literal: Literal, position: int) -> list[tuple[str, ...]]:
    """The rows of a literal's table that agree with its arguments, but at one position."""
    return [
        row
        for row in tables.values(literal.predicate)
        if len(row) == len(literal.arguments)
        and all(
            a == unquoted(b) or i == position
            for i, (a, b) in enumerate(zip(row, literal.arguments, strict=True))
        )
    ]


def table_values(
    supports: Sequence[Literal], tables: Tables
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each table-bound variable's values, and the table it came from."""
    values: dict[str, list[str]] = {}
    origins: dict[str, str] = {}
    for support in supports:
        if support.predicate == "" or len(support.free) != 1:
            continue
        (name,) = support.free
        position = support.arguments.index(name) if name in support.arguments else -1
        if position < 0:
            continue
        rows = matching_rows(tables, support, position)
        found = list(dict.fromkeys(row[position] for row in rows))
        values[name] = [v for v in values[name] if v in found] if name in values else found
        origins[name] = support.predicate if support.predicate == "threshold" else ""
        if support.predicate == "threshold":
            origins[name] = support.arguments[0]
    return values, origins


def leaf_topics(leaf: Leaf, tables: Tables) -> tuple[str, ...]:
    """'predicate:value' for each cause, lesion or purpose a fact requires
    (positively): cause_at:osteoporotic, lesion_at:multiple_myeloma."""
    values, _ = table_values(leaf.supports, tables)
    found: dict[str, None] = {}
    for literal in leaf.primaries:
        position = TOPIC_PREDICATES.get(literal.predicate)
        if position is None or literal.negated or position >= len(literal.arguments):
            continue
        argument = unquoted(literal.arguments[position])
        if not is_variable(argument):
            found[f"{literal.predicate}:{argument}"] = None
        for value in values.get(argument, []):
            found[f"{literal.predicate}:{value}"] = None
    return tuple(found)
