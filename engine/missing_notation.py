"""A missing item in ASP notation, for the JSON atoms and developers:
'onset_days(l1,D) where D <= 41'. People read engine.render's words instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.determination import MissingItem


def item_notation(item: MissingItem) -> str:
    """The item as a pattern with its admissible values."""
    durations = item.predicate in ("therapy", "onset_days")
    if not item.days and len(item.values) <= 1 and not durations:
        return item.example.rstrip(".")
    conditions = []
    if item.predicate == "therapy":
        kind = item.values[0] if len(item.values) == 1 else "K"
        arguments = [kind, "D"]
    elif item.days:
        arguments = [item.level or "", "D"]
    else:
        kind = "K" if item.predicate == "therapy_contraindicated" else "X"
        arguments = [*([item.level] if item.level else []), kind]
    if len(item.values) > 1:
        conditions.append(f"{arguments[0 if item.predicate == 'therapy' else -1]} in "
                          f"{{{', '.join(item.values)}}}")
    if item.days:
        conditions.append(" or ".join(_range(low, high) for low, high in item.days))
    pattern = f"{item.predicate}({','.join(arguments)})"
    return f"{pattern} where {' and '.join(conditions)}" if conditions else pattern


def _range(low: int, high: int | None) -> str:
    if high is None:
        return f"D >= {low}"
    if low <= 1:
        return f"D <= {high}"
    if low == high:
        return f"D = {low}"
    return f"{low} <= D <= {high}"
