"""Missing documentation: which undocumented items would make a level medically necessary?

Runs kb/completion.lp, one policy at a time, over the policy and the case, so
that what a policy's levels need never depends on which other policies were
chosen. For every level that the documented facts leave short of
medically_necessary, one enumeration (clingo's domain heuristic,
--enum-mode=domRec: one model per minimal set of items) yields the inclusion-minimal sets of
*items* (the onset at a level, one kind of therapy, a yes/no item...) whose
documentation would make the level medically necessary, each with a
consistent completion (the example). One brave-consequence solve per set
gives the values each item may take. Each fact to document is its own item:
two therapies (one per arm of a policy) are two items.

The status itself is not decided here: the levels with a set are returned,
and kb/determination.lp makes them insufficient_information (rescuable/2).

Durations are searched by class (kb/completion.lp: one representative per
class of days the thresholds and the documented durations tell apart) and
reported as ranges, e.g. "onset_days(l1,D) where D <= 84"; a duration that
any number of days would do is reported without a range. Values are listed
per item: when two items constrain each other (a therapy no longer than the
onset), any listed value of one is possible with some listed value of the
other; the example is one consistent completion.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import clingo

from engine.case import Case
from engine.determination import MEDICALLY_NECESSARY, Missing, MissingItem
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver

# At most this many minimal item sets are searched per level (before the sets
# that differ only in a kind of therapy are merged).
MAX_ALTERNATIVES = 400
# domRec enumeration: after each model, supersets of its true items are
# excluded, so each model is one inclusion-minimal item set (the enumeration
# is projected on the items without a #project directive, which would also
# project the brave-consequence solves on the same grounding).
ITEM_SEARCH = ["--heuristic=Domain", "--enum-mode=domRec", "--models=0"]
SHOWN = "#show add/1.\n"

# (policy, level) -> the alternative sets of items that would complete the level
MissingByLevel = dict[tuple[str, str], tuple[Missing, ...]]


def completion_facts(case: Case) -> str:
    """The case's facts plus stated(F) / denied(F) for every one of them."""
    lines = [case.program()]
    for fact in case.facts:
        positive = clingo.Function(fact.symbol.name, fact.symbol.arguments)
        lines.append(f"{'stated' if fact.positive else 'denied'}({positive}).\n")
    return "".join(lines)


def missing_documentation(
    case: Case, kb: KnowledgeBase, short: Iterable[tuple[str, str]]
) -> MissingByLevel:
    """For each (policy, level) short of medically necessary on the documented
    facts, the minimal sets of items whose documentation would complete it
    (levels no documentation can complete are left out)."""
    by_policy: dict[str, list[str]] = {}
    for policy, level in short:
        by_policy.setdefault(policy, []).append(level)
    facts = completion_facts(case)
    found: MissingByLevel = {}
    for policy in sorted(by_policy):
        search = _PolicySearch(kb, policy, facts)
        for level in by_policy[policy]:
            alternatives = search.level(level)
            if alternatives:
                found[(policy, level)] = alternatives
    return found


class _RawSet(NamedTuple):
    """One minimal item set as the enumeration found it."""

    items: frozenset[clingo.Symbol]
    example: dict[clingo.Symbol, clingo.Symbol]  # item -> the fact that documents it
    criteria: tuple[str, ...]


class _Alternative(NamedTuple):
    """One reported set: for each item, the facts it may be documented with."""

    values: dict[clingo.Symbol, frozenset[clingo.Symbol]]
    example: dict[clingo.Symbol, clingo.Symbol]
    criteria: tuple[str, ...]


class _PolicySearch:
    """kb/completion.lp grounded once for one policy and one case."""

    def __init__(self, kb: KnowledgeBase, policy: str, facts: str) -> None:
        files = kb.files([policy], completion=True)
        self.policy = policy
        self.solver = Solver(files, facts, ITEM_SEARCH, shown=SHOWN)
        self.item_of: dict[clingo.Symbol, clingo.Symbol] = {}
        for option in self.solver.atoms_of("option", 2):
            fact, item = option.arguments
            self.item_of[fact] = item
        items = sorted(set(self.item_of.values()))
        literals = {i: self.solver.literal(clingo.Function("item", [i])) for i in items}
        self.item_literals = {i: lit for i, lit in literals.items() if lit is not None}
        self.indications = [
            c.arguments[1]
            for c in self.solver.atoms_of("criterion", 4)
            if c.arguments[2].name == "indication"
        ]
        self.breaks = sorted({a.arguments[0].number for a in self.solver.atoms_of("day_break", 1)})

    def level(self, level: str) -> tuple[Missing, ...]:
        goal = clingo.Function(
            "level_status", [clingo.Function(n) for n in (self.policy, level, MEDICALLY_NECESSARY)]
        )
        if not self.solver.has_atom(goal):
            return ()
        raw = self._minimal_sets(goal, level)
        alternatives = _merged([self._values(goal, found) for found in raw])
        described = [self._missing(alternative) for alternative in alternatives]
        return tuple(sorted(described, key=lambda m: (len(m.items), [str(i) for i in m.items])))

    def _minimal_sets(self, goal: clingo.Symbol, level: str) -> list[_RawSet]:
        self.solver.set_enumeration("domRec", "no")
        policy, place = clingo.Function(self.policy), clingo.Function(level)
        deciding = [clingo.Function("decided_by", [policy, c, place]) for c in self.indications]
        found = []
        for shown in self.solver.models([goal], MAX_ALTERNATIVES, deciding):
            added = [a.arguments[0] for a in shown if a.name == "add"]
            criteria = tuple(sorted(a.arguments[1].string for a in shown if a.name == "decided_by"))
            example = {self.item_of[fact]: fact for fact in added}
            found.append(_RawSet(frozenset(example), example, criteria))
        return sorted(found, key=lambda s: (len(s.items), sorted(map(str, s.items))))

    def _values(self, goal: clingo.Symbol, found: _RawSet) -> _Alternative:
        """The facts each item of the set may be documented with (brave
        consequences with exactly this set documented)."""
        assumptions: list[tuple[clingo.Symbol, bool] | int] = [(goal, True)]
        assumptions += [
            literal if item in found.items else -literal
            for item, literal in self.item_literals.items()
        ]
        self.solver.set_enumeration("brave", "no")
        shown = self.solver.last_model(assumptions) or []
        possible: dict[clingo.Symbol, set[clingo.Symbol]] = {item: set() for item in found.items}
        for atom in shown:
            if atom.name == "add":
                fact = atom.arguments[0]
                possible[self.item_of[fact]].add(fact)
        values = {item: frozenset(facts) for item, facts in possible.items()}
        return _Alternative(values, found.example, found.criteria)

    def _missing(self, alternative: _Alternative) -> Missing:
        items = sorted(
            (
                _item(facts, self.breaks, alternative.example[item])
                for item, facts in alternative.values.items()
            ),
            key=str,
        )
        example = tuple(item.example for item in items)
        return Missing(tuple(items), example, alternative.criteria)


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
    values = {**common, a: first.values[a] | second.values[b]}
    criteria = tuple(sorted(set(first.criteria) | set(second.criteria)))
    return _Alternative(values, first.example, criteria)


_PER_LEVEL = ("onset_days", "imaging", "pain_concordant", "lesion_trait")


def _item(
    facts: frozenset[clingo.Symbol], breaks: list[int], example: clingo.Symbol
) -> MissingItem:
    """One item: the facts that may document it, as values and day ranges."""
    name = example.name
    level = example.arguments[0].name if name in _PER_LEVEL else None
    documented = f"{example}."
    if name == "therapy":
        kinds = tuple(sorted({str(fact.arguments[0]) for fact in facts}))
        days = _day_ranges({fact.arguments[1].number for fact in facts}, breaks)
        return MissingItem(name, None, kinds, days, documented)
    if name == "onset_days":
        days = _day_ranges({fact.arguments[1].number for fact in facts}, breaks)
        return MissingItem(name, level, (), days, documented)
    if name in ("imaging", "pain_severity", "therapy_contraindicated"):
        values = tuple(sorted({str(fact.arguments[-1]) for fact in facts}))
        return MissingItem(name, level, values, (), documented)
    values = (str(example.arguments[1]),) if name == "lesion_trait" else ()
    return MissingItem(name, level, values, (), documented)


def _day_ranges(representatives: set[int], breaks: list[int]) -> tuple[tuple[int, int | None], ...]:
    """The union of the day classes of these representatives, as inclusive
    ranges; () when every number of days would do."""
    spans = sorted(_day_class(value, breaks) for value in representatives)
    merged: list[list[int | None]] = []
    for low, high in spans:
        last = merged[-1] if merged else None
        if last is not None and (last[1] is None or low <= last[1] + 1):
            last[1] = None if last[1] is None or high is None else max(last[1], high)
        else:
            merged.append([low, high])
    ranges = tuple((int(low or 0), high) for low, high in merged)
    return () if ranges == ((1, None),) else ranges


def _day_class(value: int, breaks: list[int]) -> tuple[int, int | None]:
    """The class of days a representative stands for: [1,B1-1], {B}, [B+1, next-1]."""
    if value in breaks:
        return (value, value)
    above = [b for b in breaks if b > value]
    return (value, above[0] - 1 if above else None)
