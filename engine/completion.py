"""insufficient_information: which undocumented items would make a level medically necessary?

Runs kb/completion.lp over the same knowledge base and case. For every level
that the documented facts leave short of medically_necessary, it enumerates
the inclusion-minimal sets of *items* (the onset at a level, a kind of
therapy, a yes/no item...) whose documentation would make the level
medically necessary (clingo's domain heuristic, --enum-mode=domRec, items
projected). For each set it then collects the values each item may take
(brave consequences) and one concrete completion with the criteria it meets.
If any set exists the level is insufficient_information; otherwise its
documented status stands.

Durations are searched by class (kb/completion.lp: one representative per
class of days the thresholds tell apart) and reported as ranges, e.g.
"onset_days(l1,D) where D <= 84". Values are listed per item: when two items
constrain each other (a therapy no longer than the onset), any listed value
of one is possible with some listed value of the other; the example is one
consistent completion.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import clingo

from engine.case import Case
from engine.determination import (
    INSUFFICIENT_INFORMATION,
    MEDICALLY_NECESSARY,
    Determination,
    LevelDetermination,
    Missing,
    MissingItem,
    overall_status,
)
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver

# At most this many minimal item sets are searched per level (before the sets
# that differ only in a kind of therapy are merged).
MAX_ALTERNATIVES = 400
ITEM_SEARCH = ["--heuristic=Domain", "--enum-mode=domRec", "--project", "--models=0"]


class _Search(NamedTuple):
    items: Solver  # enumerates minimal item sets (items projected)
    values: Solver  # brave consequences and examples (no projection)
    options: dict[clingo.Symbol, list[clingo.Symbol]]  # item -> facts it may be documented with
    thresholds: list[int]


def completion_facts(case: Case) -> str:
    """The case's facts plus stated(F) / denied(F) for every one of them."""
    lines = [case.program()]
    for fact in case.facts:
        positive = clingo.Function(fact.symbol.name, fact.symbol.arguments)
        lines.append(f"{'stated' if fact.positive else 'denied'}({positive}).\n")
    return "".join(lines)


def complete(
    case: Case,
    kb: KnowledgeBase,
    policies: list[str],
    determinations: list[Determination],
    ranks: dict[str, int],
) -> list[Determination]:
    """The determinations with every level that documentation could rescue
    turned into insufficient_information, listing what is missing."""
    files, facts = kb.files(policies, completion=True), completion_facts(case)
    solver = Solver(files, facts + "#project item/1.\n", ITEM_SEARCH)
    options: dict[clingo.Symbol, list[clingo.Symbol]] = defaultdict(list)
    for option in solver.atoms_of("option", 2):
        fact, item = option.arguments
        options[item].append(fact)
    thresholds = sorted({a.arguments[1].number for a in solver.atoms_of("threshold", 2)})
    search = _Search(solver, Solver(files, facts), dict(options), thresholds)
    completed = []
    for determination in determinations:
        levels = {
            name: _complete_level(search, determination.policy.id, level)
            for name, level in determination.levels.items()
        }
        status = overall_status(levels.values(), ranks) if levels else determination.status
        completed.append(determination._replace(status=status, levels=levels))
    return completed


def _complete_level(search: _Search, policy: str, level: LevelDetermination) -> LevelDetermination:
    if level.status == MEDICALLY_NECESSARY:
        return level
    goal = clingo.Function(
        "level_status",
        [clingo.Function(name) for name in (policy, level.level, MEDICALLY_NECESSARY)],
    )
    if not search.items.has_atom(goal):
        return level
    item_sets = _minimal_item_sets(search, goal)
    if not item_sets:
        return level
    found = [_alternative(search, goal, items, policy, level.level) for items in item_sets]
    described = [_missing(alternative, search.thresholds) for alternative in _merged(found)]
    missing = tuple(sorted(described, key=lambda m: (len(m.items), m.items)))
    return level._replace(status=INSUFFICIENT_INFORMATION, missing=missing)


def _minimal_item_sets(search: _Search, goal: clingo.Symbol) -> list[frozenset[clingo.Symbol]]:
    found: list[frozenset[clingo.Symbol]] = []
    for shown in search.items.models([goal], limit=MAX_ALTERNATIVES):
        found.append(frozenset(a.arguments[0] for a in shown if a.name == "item"))
    return sorted(found, key=lambda items: (len(items), sorted(map(str, items))))


class _Alternative(NamedTuple):
    """One minimal item set: for each item, the facts it may be documented with."""

    values: dict[clingo.Symbol, list[clingo.Symbol]]
    example: tuple[str, ...]
    criteria: tuple[str, ...]


def _alternative(
    search: _Search, goal: clingo.Symbol, items: frozenset[clingo.Symbol], policy: str, level: str
) -> _Alternative:
    """The values each item of a minimal set may take (brave consequences with
    the other items fixed to the set), and one concrete completion."""
    solver = search.values
    base = [(goal, True)] + [(clingo.Function("item", [i]), i in items) for i in search.options]
    solver.set_enumeration("brave", "no")
    possible = {a.arguments[0] for a in solver.last_model(base) or [] if a.name == "add"}
    solver.set_enumeration("auto", "no")
    example = solver.last_model(base, limit=1) or []
    values = {item: [f for f in search.options[item] if f in possible] for item in items}
    facts = tuple(sorted(f"{a.arguments[0]}." for a in example if a.name == "add"))
    criteria = tuple(
        sorted(
            a.arguments[1].string
            for a in example
            if a.name == "decided_by"
            and a.arguments[0].name == policy
            and a.arguments[2].name == level
        )
    )
    return _Alternative(values, facts, criteria)


# Items that differ only in a kind of therapy: alternatives that differ in one
# such item alone are reported once, with the kinds listed.
_KIND_FAMILIES = ("therapy", "contraindicated")


def _merged(alternatives: list[_Alternative]) -> list[_Alternative]:
    merged = list(alternatives)
    changed = True
    while changed:
        changed = False
        for i, first in enumerate(merged):
            for j in range(i + 1, len(merged)):
                union = _merge(first, merged[j])
                if union is not None:
                    merged[i] = union
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def _merge(first: _Alternative, second: _Alternative) -> _Alternative | None:
    """One alternative for two that differ in a single item of the same kind family."""
    only_first = [i for i in first.values if i not in second.values]
    only_second = [i for i in second.values if i not in first.values]
    if len(only_first) != 1 or len(only_second) != 1:
        return None
    a, b = only_first[0], only_second[0]
    if a.name != b.name or a.name not in _KIND_FAMILIES:
        return None
    common = {i: first.values[i] for i in first.values if i != a}
    if any(common[i] != second.values[i] for i in common):
        return None
    values = {**common, a: first.values[a] + second.values[b]}
    criteria = tuple(sorted(set(first.criteria) | set(second.criteria)))
    return _Alternative(values, first.example, criteria)


def _missing(alternative: _Alternative, thresholds: list[int]) -> Missing:
    facts = [fact for values in alternative.values.values() for fact in values]
    items = tuple(_items(facts, thresholds, alternative.example))
    return Missing(items, alternative.example, alternative.criteria)


def _items(
    added: list[clingo.Symbol], thresholds: list[int], example: tuple[str, ...]
) -> list[MissingItem]:
    """Facts that may be added, grouped by item: a fixed fact as itself, a
    duration as ranges of days, a choice of values as a set."""
    groups: dict[str, list[clingo.Symbol]] = defaultdict(list)
    for fact in added:
        groups[_item_key(fact)].append(fact)
    return [_item(group, thresholds, example) for _, group in sorted(groups.items())]


def _item_key(fact: clingo.Symbol) -> str:
    """Facts of one item differ only in their value; kinds of therapy merged
    into one alternative are listed together."""
    if fact.name in ("onset_days", "imaging", "pain_severity"):
        return f"{fact.name}({','.join(str(a) for a in fact.arguments[:-1])})"
    if fact.name in ("therapy", "therapy_contraindicated"):
        return fact.name
    return str(fact)


def _item(
    group: list[clingo.Symbol], thresholds: list[int], example: tuple[str, ...]
) -> MissingItem:
    first = group[0]
    key = _item_key(first)
    documented = next((fact for fact in example if _item_key(_parse(fact)) == key), f"{first}.")
    level = first.arguments[0].name if first.name in _PER_LEVEL else None
    if first.name == "therapy":
        kinds = tuple(sorted({str(fact.arguments[0]) for fact in group}))
        days = _day_ranges(sorted({fact.arguments[1].number for fact in group}), thresholds)
        return MissingItem("therapy", None, kinds, days, documented)
    if first.name == "therapy_contraindicated":
        kinds = tuple(sorted({str(fact.arguments[0]) for fact in group}))
        return MissingItem(first.name, None, kinds, (), documented)
    if first.name == "onset_days":
        days = _day_ranges(sorted(fact.arguments[1].number for fact in group), thresholds)
        return MissingItem(first.name, level, (), days, documented)
    if first.name in ("imaging", "pain_severity"):
        values = tuple(sorted(str(fact.arguments[-1]) for fact in group))
        return MissingItem(first.name, level, values, (), documented)
    values = (str(first.arguments[1]),) if first.name == "lesion_trait" else ()
    return MissingItem(first.name, level, values, (), documented)


_PER_LEVEL = ("onset_days", "imaging", "pain_concordant", "lesion_trait")


def _parse(fact: str) -> clingo.Symbol:
    return clingo.parse_term(fact.rstrip("."))


def _day_ranges(
    representatives: list[int], thresholds: list[int]
) -> tuple[tuple[int, int | None], ...]:
    """The union of the day classes of these representatives, as inclusive ranges."""
    spans = sorted(_day_class(value, thresholds) for value in representatives)
    merged: list[list[int | None]] = []
    for low, high in spans:
        last = merged[-1] if merged else None
        if last is not None and (last[1] is None or low <= last[1] + 1):
            last[1] = None if last[1] is None or high is None else max(last[1], high)
        else:
            merged.append([low, high])
    return tuple((int(low or 0), high) for low, high in merged)


def _day_class(value: int, thresholds: list[int]) -> tuple[int, int | None]:
    """The class of days a representative stands for: [0,T1-1], {T}, [T+1, next-1]."""
    if value in thresholds:
        return (value, value)
    above = [t for t in thresholds if t > value]
    return (value, above[0] - 1 if above else None)
