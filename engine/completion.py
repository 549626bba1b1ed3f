"""Missing documentation: which undocumented items would make a level medically necessary?

Runs kb/completion.lp over the short policies and the case, grounded once
for every level of the request that the documented facts leave short of
medically_necessary (short/2), and asks the solver three questions, each in
one call for all of those levels at once:
1. the minimal sets: one enumeration (clingo's domain heuristic,
   --enum-mode=domRec: one answer set per inclusion-minimal set of *items*,
   with the level it completes) yields, for every short level, the sets of
   items (the onset at a level, one kind of therapy, a yes/no item...) whose
   documentation would make it medically necessary; the items of the
   request's other levels stay undocumented;
2. the values: the sets of a level that differ only in a kind of therapy are
   grouped, and one brave-consequence call over every group (each answer set
   documents one group) gives the values each item may take;
3. the examples: each group's least completion in a fixed order (numbers by
   value, names alphabetically) is checked, with the indications it meets,
   in one more brave-consequence call; a group whose least values do not go
   together is completed item by item (one solve per value tried).
Each answer is a property of the program (minimal sets, brave consequences,
the least example in a fixed order), not of the order the solver found models
in, so it is the same whatever policies are chosen and whatever was solved
before. Each fact to document is its own item: two therapies (one per arm of
a policy) are two items. The solver shows only what the engine reads.

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

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import NamedTuple

import clingo

from engine.case import Case
from engine.determination import Level, Missing, MissingItem
from engine.knowledge_base import KnowledgeBase
from engine.level_symmetry import level_kinds, renamed
from engine.solve import Solver
from engine.vocabulary import DOCUMENTATION, ITEMS, THERAPIES

# At most this many minimal item sets are searched per level (before the sets
# that differ only in a kind of therapy are merged).
MAX_ALTERNATIVES = 400
# At most this many short levels (of whole policies) share one grounding.
PACK = 32
# domRec enumeration: after each model, supersets of its true items (and its
# goal) are excluded, so each model is one inclusion-minimal item set of one
# level (projected on the items without a #project directive, which would
# also project the brave-consequence calls on the same grounding).
ITEM_SEARCH = ["--heuristic=Domain", "--enum-mode=domRec", "--models=0"]
# What the three calls read (kb/completion.lp): goal/2 and item/1 (the sets),
# value/3, kind/2 and days/2 (the values), ok/1 and meets/2 (the examples).
SHOWN = "".join(
    f"#show {signature}.\n"
    for signature in ("goal/2", "item/1", "value/3", "kind/2", "days/2", "ok/1", "meets/2")
)

# (policy, level) -> the alternative sets of items that would complete the level
MissingByLevel = dict[Level, tuple[Missing, ...]]
ItemSet = frozenset[clingo.Symbol]


def completion_facts(case: Case) -> str:
    """The case's facts plus stated(F) / denied(F) for every one of them."""
    lines = [case.program()]
    for fact in case.facts:
        positive = clingo.Function(fact.symbol.name, fact.symbol.arguments)
        lines.append(f"{'stated' if fact.positive else 'denied'}({positive}).\n")
    return "".join(lines)


def missing_documentation(
    case: Case, kb: KnowledgeBase, short: Iterable[Level]
) -> MissingByLevel:
    """For each (policy, level) short of medically necessary on the documented
    facts, the minimal sets of items whose documentation would complete it
    (levels no documentation can complete are left out).

    Levels alike (engine.level_symmetry: the same place for the policies, the
    same documented facts) have the same sets but for the level's name: only
    the first of each kind is searched, and its sets are renamed for the others."""
    levels = sorted(set(short))
    twins = _twins(levels, level_kinds(case, kb, sorted({policy for policy, _ in levels})))
    known = completion_facts(case)
    found: MissingByLevel = {}
    for pack in _packs(sorted(twins)):
        facts = known + "".join(f"short({policy},{level}).\n" for policy, level in pack)
        policies = sorted({policy for policy, _ in pack})
        found.update(_Search(kb, policies, facts).run(len(pack), twins))
    return found


def _twins(levels: list[Level], kinds: Mapping[str, Hashable]) -> dict[Level, list[str]]:
    """The levels to search (the first of each policy and kind), each with the
    other short levels of its policy alike to it."""
    twins: dict[Level, list[str]] = {}
    first: dict[tuple[str, Hashable], Level] = {}
    for policy, level in levels:
        searched = first.setdefault((policy, kinds[level]), (policy, level))
        alike = twins.setdefault(searched, [])
        if searched != (policy, level):
            alike.append(level)
    return twins


def _packs(levels: list[Level]) -> Iterator[list[Level]]:
    """The short levels in groundings of whole policies, in id order, each of
    at most PACK levels unless one policy alone has more: grounding once for
    several policies saves the grounding of what they share, and a bound on
    the levels of one grounding keeps every answer set small (the cost of
    the search grows with the levels and policies, not with their square)."""
    by_policy: dict[str, list[Level]] = {}
    for level in levels:
        by_policy.setdefault(level[0], []).append(level)
    pack: list[Level] = []
    for policy_levels in by_policy.values():
        if pack and len(pack) + len(policy_levels) > PACK:
            yield pack
            pack = []
        pack += policy_levels
    if pack:
        yield pack


class _Alternative(NamedTuple):
    """One reported set: for each item, the facts it may be documented with,
    and one completion (item -> fact) with the indications it meets."""

    values: dict[clingo.Symbol, frozenset[clingo.Symbol]]
    example: dict[clingo.Symbol, clingo.Symbol]
    criteria: tuple[str, ...]


class _Group(NamedTuple):
    """Minimal sets equal but for one item of a kind family (the varying item)."""

    members: list[ItemSet]
    varying: tuple[clingo.Symbol, ...]  # () for a set alone


class _Stated(NamedTuple):
    """A group of one level's sets, as kb/completion.lp's values part states it."""

    level: Level
    group: _Group

    @property
    def common(self) -> list[clingo.Symbol]:
        varying = set(self.group.varying)
        return sorted(item for item in self.group.members[0] if item not in varying)

    def facts(self, number: int) -> str:
        policy, level = self.level
        lines = [f"group({number},{policy},{level})."]
        lines += [f"common({number},{item})." for item in self.common]
        lines += [f"varying({number},{item})." for item in self.group.varying]
        return "\n".join(lines) + "\n"

    def reported(self, item: clingo.Symbol) -> clingo.Symbol:
        """The item a value is listed under: the varying items are reported as
        one, the varying item of the group's first set."""
        if item not in self.group.varying:
            return item
        return next(i for i in sorted(self.group.members[0]) if i in self.group.varying)


class _Search:
    """kb/completion.lp grounded once for a case and its short policies.

    Every answer is a semantic property of the program (the minimal sets,
    brave consequences, the least example in a fixed order), never the first
    model found, so a policy's answer does not depend on the other policies
    grounded with it or on the order of the searches."""

    def __init__(self, kb: KnowledgeBase, policies: list[str], facts: str) -> None:
        files = kb.files(policies, completion=True)
        self.solver = Solver(files, facts, ITEM_SEARCH, shown=SHOWN)
        self.breaks = sorted({a.arguments[0].number for a in self.solver.atoms_of("day_break", 1)})

    def run(self, levels: int, twins: Mapping[Level, list[str]]) -> MissingByLevel:
        """The sets of every short level that documentation can complete, and
        those of the levels alike to each (`twins`), renamed."""
        sets = self._minimal_sets(levels)
        stated = [_Stated(level, g) for level in sorted(sets) for g in _grouped(sets[level])]
        if not stated:
            return {}
        self.solver.extend("values", "".join(s.facts(n) for n, s in enumerate(stated)))
        values = self._values(stated)
        examples = self._examples(stated, values)
        alternatives: dict[Level, list[_Alternative]] = {}
        for group, possible, (example, criteria) in zip(stated, values, examples, strict=True):
            listed = alternatives.setdefault(group.level, [])
            listed.append(_Alternative(possible, example, criteria))
        found = {level: self._described(listed) for level, listed in alternatives.items()}
        for (policy, level), described in list(found.items()):
            for twin in twins.get((policy, level), []):
                found[(policy, twin)] = _ordered(_renamed(m, level, twin) for m in described)
        return found

    def _described(self, alternatives: list[_Alternative]) -> tuple[Missing, ...]:
        return _ordered(self._missing(alternative) for alternative in _merged(alternatives))

    def _minimal_sets(self, levels: int) -> dict[Level, list[ItemSet]]:
        """Every short level's inclusion-minimal sets of items: one enumeration."""
        self.solver.set_enumeration("domRec", "no")
        found: dict[Level, set[ItemSet]] = {}
        for shown in self.solver.models([], MAX_ALTERNATIVES * levels):
            items, level = set(), None
            for atom in shown:
                if atom.name == "item":
                    items.add(atom.arguments[0])
                else:
                    policy, name = atom.arguments
                    level = (policy.name, name.name)
            if level is not None:
                found.setdefault(level, set()).add(frozenset(items))
        return {
            level: sorted(sets, key=lambda items: (len(items), sorted(map(str, items))))
            for level, sets in found.items()
        }

    def _values(self, stated: list[_Stated]) -> list[dict[clingo.Symbol, frozenset[clingo.Symbol]]]:
        """The facts each item of each group may be documented with: the brave
        consequences value(G,F,I), kind(G,K) and days(G,D), one call for every
        group. The varying therapies of a group are one item, documented by
        any of its kinds for any of its days."""
        self.solver.assign([(_VALUES_ON, True)])
        self.solver.set_enumeration("brave", "no")
        shown = self.solver.final_model() or []
        possible: list[dict[clingo.Symbol, set[clingo.Symbol]]] = [{} for _ in stated]
        kinds: list[list[clingo.Symbol]] = [[] for _ in stated]
        days: list[list[clingo.Symbol]] = [[] for _ in stated]
        for atom in shown:
            if atom.name not in ("value", "kind", "days"):
                continue
            number, *rest = atom.arguments
            group = number.number
            if atom.name == "value":
                fact, item = rest
                possible[group].setdefault(stated[group].reported(item), set()).add(fact)
            elif atom.name == "kind":
                kinds[group].append(rest[0])
            elif atom.name == "days":
                days[group].append(rest[0])
        for group, listed in enumerate(stated):
            if kinds[group]:
                item = listed.reported(listed.group.varying[0])
                dated = {_therapy(kind, day) for kind in kinds[group] for day in days[group]}
                possible[group].setdefault(item, set()).update(dated)
        return [{item: frozenset(facts) for item, facts in p.items()} for p in possible]

    def _examples(
        self,
        stated: list[_Stated],
        values: list[dict[clingo.Symbol, frozenset[clingo.Symbol]]],
    ) -> list[tuple[dict[clingo.Symbol, clingo.Symbol], tuple[str, ...]]]:
        """Each group's least completion and the indications it meets: the
        least value of every item if they go together (one call checks every
        group), else the least value item by item."""
        ordered = [
            {item: sorted(facts, key=_fact_order) for item, facts in sorted(v.items())}
            for v in values
        ]
        least = "".join(
            f"least({number},{facts[0]}).\n"
            for number, items in enumerate(ordered)
            for facts in items.values()
        )
        self.solver.extend("least", least)
        self.solver.assign([(_LEAST_ON, True)])
        shown = self.solver.final_model() or []
        self.solver.assign([(_LEAST_ON, False)])
        completes = {a.arguments[0].number for a in shown if a.name == "ok"}
        criteria: dict[int, list[str]] = {}
        for atom in shown:
            if atom.name == "meets":
                group, criterion = atom.arguments
                criteria.setdefault(group.number, []).append(criterion.string)
        examples = []
        for number, items in enumerate(ordered):
            if number in completes:
                chosen = {item: facts[0] for item, facts in items.items()}
                examples.append((chosen, tuple(sorted(criteria.get(number, [])))))
            else:
                examples.append(self._least_by_item(number, stated[number], items))
        return examples

    def _least_by_item(
        self, number: int, group: _Stated, ordered: dict[clingo.Symbol, list[clingo.Symbol]]
    ) -> tuple[dict[clingo.Symbol, clingo.Symbol], tuple[str, ...]]:
        """The completion taking, item by item in a fixed order, the least value
        that still completes the level; and the indications it meets."""
        self.solver.set_enumeration("auto", "no")
        pick = (clingo.Function("pick", [clingo.Number(number)]), True)
        deciding = self._deciding(group.level)
        chosen: dict[clingo.Symbol, clingo.Symbol] = {}
        model: list[list[clingo.Symbol]] = []
        for item, facts in ordered.items():
            fixed = [_add(fact) for fact in chosen.values()]
            for fact in facts:
                model = self.solver.models([pick, *fixed, _add(fact)], 1, deciding)
                if model:
                    chosen[item] = fact
                    break
        held = model[0] if model else []
        met = sorted(a.arguments[1].string for a in held if a.name == "decided_by")
        return chosen, tuple(met)

    def _deciding(self, level: Level) -> list[clingo.Symbol]:
        """The decided_by/3 atoms of the policy's indications at the level."""
        policy, name = (clingo.Function(n) for n in level)
        return [
            clingo.Function("decided_by", [policy, criterion.arguments[1], name])
            for criterion in self.solver.atoms_of("criterion", 4)
            if criterion.arguments[0] == policy and criterion.arguments[2].name == "indication"
        ]

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


_VALUES_ON = clingo.Function("values_on")
_LEAST_ON = clingo.Function("least_on")


def _therapy(kind: clingo.Symbol, days: clingo.Symbol) -> clingo.Symbol:
    return clingo.Function("therapy", [kind, days])


def _add(fact: clingo.Symbol) -> tuple[clingo.Symbol, bool]:
    return (clingo.Function("add", [fact]), True)


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


def _ordered(described: Iterable[Missing]) -> tuple[Missing, ...]:
    """A level's sets, smallest first, then by their items."""
    return tuple(sorted(described, key=lambda m: (len(m.items), [str(i) for i in m.items])))


def _renamed(missing: Missing, level: str, twin: str) -> Missing:
    """A level's set for a level alike to it (engine.level_symmetry)."""
    old, new = clingo.Function(level), clingo.Function(twin)
    items = sorted(
        (
            item._replace(
                level=twin if item.level == level else item.level,
                example=f"{renamed(clingo.parse_term(item.example[:-1]), old, new)}.",
            )
            for item in missing.items
        ),
        key=str,
    )
    return Missing(tuple(items), tuple(item.example for item in items), missing.criteria)


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
