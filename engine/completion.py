"""Missing documentation: which undocumented items would make a level medically necessary?

Runs kb/completion.lp, one grounding per policy, over the policy and the
case. For every level that the documented facts leave short of
medically_necessary:
- one enumeration (clingo's domain heuristic, --enum-mode=domRec: one model
  per inclusion-minimal set) yields the minimal sets of *items* (the onset at
  a level, one kind of therapy, a yes/no item...) whose documentation would
  make the level medically necessary; the items of the request's other levels
  stay undocumented;
- the sets that differ only in a kind of therapy are grouped, and one
  brave-consequence solve per group gives the values each item may take;
- the example is the least completion in a fixed order (numbers by value,
  names alphabetically), checked by a solve that also reads the indications
  it meets.
Every answer is a property of the program, not of the order the solver found
models in, so it is the same whatever policies are chosen and whatever was
solved before (kb batch reuses nothing else). Each fact to document is its
own item: two therapies (one per arm of a policy) are two items.

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
from engine.vocabulary import DOCUMENTATION, ITEMS, THERAPIES

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
    for policy, level in sorted(set(short)):
        by_policy.setdefault(policy, []).append(level)
    facts = completion_facts(case)
    found: MissingByLevel = {}
    for policy, levels in by_policy.items():
        # One grounding per policy: each solve then propagates over one
        # policy's rules, so the cost stays linear in policies and levels.
        search = _Search(kb, [policy], facts)
        for level in levels:
            alternatives = search.level(policy, level)
            if alternatives:
                found[(policy, level)] = alternatives
    return found


class _Alternative(NamedTuple):
    """One reported set: for each item, the facts it may be documented with,
    and one completion (item -> fact) with the indications it meets."""

    values: dict[clingo.Symbol, frozenset[clingo.Symbol]]
    example: dict[clingo.Symbol, clingo.Symbol]
    criteria: tuple[str, ...]


class _Goal(NamedTuple):
    """One level's search: its goal, and the assumptions that hold throughout."""

    policy: str
    level: str
    assumptions: list[tuple[clingo.Symbol, bool] | int]  # the goal; other levels' items absent
    deciding: list[clingo.Symbol]  # decided_by/3 atoms of the policy's indications there


class _Search:
    """kb/completion.lp grounded once for a case and the policies searched.

    Every answer is a semantic property of the program (the minimal sets,
    brave consequences, the least example in a fixed order), never the first
    model found, so a policy's answer does not depend on the other policies
    grounded with it or on the order of the searches."""

    def __init__(self, kb: KnowledgeBase, policies: list[str], facts: str) -> None:
        files = kb.files(policies, completion=True)
        self.solver = Solver(files, facts, ITEM_SEARCH, shown=SHOWN)
        self.item_of: dict[clingo.Symbol, clingo.Symbol] = {}
        for option in self.solver.atoms_of("option", 2):
            fact, item = option.arguments
            self.item_of[fact] = item
        items = sorted(set(self.item_of.values()))
        literals = {i: self.solver.literal(clingo.Function("item", [i])) for i in items}
        self.item_literals = {i: lit for i, lit in literals.items() if lit is not None}
        self.targets = {str(a.arguments[0]) for a in self.solver.atoms_of("target", 1)}
        self.indications: dict[str, list[clingo.Symbol]] = {}
        for criterion in self.solver.atoms_of("criterion", 4):
            policy, cid, role, _ = criterion.arguments
            if role.name == "indication":
                self.indications.setdefault(policy.name, []).append(cid)
        self.breaks = sorted({a.arguments[0].number for a in self.solver.atoms_of("day_break", 1)})

    def level(self, policy: str, level: str) -> tuple[Missing, ...]:
        names = [clingo.Function(n) for n in (policy, level, MEDICALLY_NECESSARY)]
        goal = clingo.Function("level_status", names)
        if not self.solver.has_atom(goal):
            return ()
        elsewhere = [
            -literal
            for item, literal in self.item_literals.items()
            if self._other_level(item, level)
        ]
        deciding = [
            clingo.Function("decided_by", [names[0], c, names[1]])
            for c in self.indications.get(policy, [])
        ]
        search = _Goal(policy, level, [(goal, True), *elsewhere], deciding)
        groups = _grouped(self._minimal_sets(search))
        alternatives = _merged([self._alternative(search, group) for group in groups])
        described = [self._missing(alternative) for alternative in alternatives]
        return tuple(sorted(described, key=lambda m: (len(m.items), [str(i) for i in m.items])))

    def _other_level(self, item: clingo.Symbol, level: str) -> bool:
        """An item documented at another target level than this one."""
        places = {str(a) for a in item.arguments} & self.targets
        return bool(places) and level not in places

    def _minimal_sets(self, search: _Goal) -> list[frozenset[clingo.Symbol]]:
        self.solver.set_enumeration("domRec", "no")
        found = {
            frozenset(self.item_of[a.arguments[0]] for a in shown if a.name == "add")
            for shown in self.solver.models(search.assumptions, MAX_ALTERNATIVES)
        }
        return sorted(found, key=lambda items: (len(items), sorted(map(str, items))))

    def _alternative(self, search: _Goal, group: _Group) -> _Alternative:
        """The facts each item of a group of sets may be documented with (brave
        consequences with exactly the group's common items documented and one
        of its varying items, kb/completion.lp one_of/1), and the group's
        least completion."""
        first = group.members[0]
        varying = set(group.varying)
        assumptions = search.assumptions + [
            literal if item in first else -literal
            for item, literal in self.item_literals.items()
            if item not in varying
        ]
        one_of = [(clingo.Function("one_of", [item]), True) for item in group.varying]
        self.solver.assign(one_of)
        try:
            self.solver.set_enumeration("brave", "no")
            shown = self.solver.last_model(assumptions) or []
            # The varying items are reported as one: the item of the first set.
            key = {item: item for item in first}
            reported = [item for item in first if item in varying]
            key.update(dict.fromkeys(group.varying, *reported))
            possible: dict[clingo.Symbol, set[clingo.Symbol]] = {k: set() for k in key.values()}
            for atom in shown:
                fact = atom.arguments[0]
                possible[key[self.item_of[fact]]].add(fact)
            values = {item: frozenset(facts) for item, facts in possible.items()}
            example, criteria = self._least_example(search, assumptions, values)
        finally:
            self.solver.assign((atom, False) for atom, _ in one_of)
        return _Alternative(values, example, criteria)

    def _least_example(
        self,
        search: _Goal,
        assumptions: list[tuple[clingo.Symbol, bool] | int],
        values: dict[clingo.Symbol, frozenset[clingo.Symbol]],
    ) -> tuple[dict[clingo.Symbol, clingo.Symbol], tuple[str, ...]]:
        """The completion taking, item by item in a fixed order, the least value
        that still completes the level; and the indications it meets."""
        self.solver.set_enumeration("auto", "no")
        ordered = {item: sorted(facts, key=_fact_order) for item, facts in sorted(values.items())}
        least = [self._add(facts[0]) for facts in ordered.values()]
        model = self.solver.models(assumptions + least, 1, search.deciding)
        chosen: dict[clingo.Symbol, clingo.Symbol] = {}
        if model:
            chosen = {item: facts[0] for item, facts in ordered.items()}
        else:
            for item, facts in ordered.items():
                fixed = [self._add(fact) for fact in chosen.values()]
                for fact in facts:
                    model = self.solver.models(
                        assumptions + fixed + [self._add(fact)], 1, search.deciding
                    )
                    if model:
                        chosen[item] = fact
                        break
        criteria = tuple(sorted(a.arguments[1].string for a in model[0] if a.name == "decided_by"))
        return chosen, criteria

    def _add(self, fact: clingo.Symbol) -> tuple[clingo.Symbol, bool] | int:
        return (clingo.Function("add", [fact]), True)

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


def _fact_order(fact: clingo.Symbol) -> tuple[tuple[int, int, str], ...]:
    """Facts in a fixed order: numbers by value, names alphabetically."""
    return tuple(
        (0, a.number, "") if a.type == clingo.SymbolType.Number else (1, 0, str(a))
        for a in fact.arguments
    )


# Items that differ only in a kind of therapy (kb/completion.lp names them by
# their kind: therapy(K), contraindicated(K)): alternatives that differ in one
# such item alone are reported once, with the kinds listed.
_KIND_FAMILIES = tuple(ITEMS[p.name].name for p in DOCUMENTATION if p.args[:1] == (THERAPIES,))


class _Group(NamedTuple):
    """Minimal sets equal but for one item of a kind family (the varying item)."""

    members: list[frozenset[clingo.Symbol]]
    varying: tuple[clingo.Symbol, ...]  # () for a set alone


def _grouped(raw: list[frozenset[clingo.Symbol]]) -> list[_Group]:
    """The sets grouped by what they share, largest groups first taken: one
    brave solve per group instead of one per set."""
    Members = list[tuple[frozenset[clingo.Symbol], clingo.Symbol]]
    candidates: dict[tuple[frozenset[clingo.Symbol], str], Members] = {}
    for found in raw:
        for item in sorted(found):
            if item.name in _KIND_FAMILIES:
                candidates.setdefault((found - {item}, item.name), []).append((found, item))
    groups: list[_Group] = []
    taken: set[frozenset[clingo.Symbol]] = set()
    for members in sorted(candidates.values(), key=lambda m: (-len(m), str(m[0][1]))):
        free = [(found, item) for found, item in members if found not in taken]
        if len(free) > 1:
            taken.update(found for found, _ in free)
            groups.append(_Group([f for f, _ in free], tuple(item for _, item in free)))
    groups += [_Group([found], ()) for found in raw if found not in taken]
    return sorted(groups, key=lambda g: (len(g.members[0]), sorted(map(str, g.members[0]))))


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
    return _Alternative(values, first.example, first.criteria)


_PER_LEVEL = tuple(p.name for p in DOCUMENTATION if p.per_level)


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
