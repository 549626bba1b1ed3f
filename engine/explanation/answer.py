"""The tracked answer set (engine.explanation.tracking's atoms) as the
explanation reads it: atoms by predicate, rule instances by the head they
derived, the first failed literal of each rule by its bindings."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import NamedTuple

import clingo

from engine.case import Case
from engine.explanation.model import Because, Failure, Served, Step, WalkMemo
from engine.explanation.printed import is_tracked, split_tracked, term_of_text, tuple_of_text
from engine.explanation.tracking import (
    FAILED,
    FIRED,
    FIRED_USE,
    TrackedRule,
    Tracking,
)
from engine.rule_reader import (
    Binding,
    Term,
    of_symbol,
    show,
)
from engine.symbol_text import symbol_texts
from engine.vocabulary import LEVELS
from engine.wording import TABLES, Tables, tables_from

# --- The model -------------------------------------------------------------------


_LABELLED = ("met", "indication", "exclusion", "otherwise")

# A failure of a rule: (body position, bindings before it, the bindings as printed).
FailedAt = tuple[int, Binding, str]
# A fired/3 atom filed by its head: (rule id, the bindings as printed, the atom).
_Fired = tuple[str, str, clingo.Symbol]
# An atom as printed, with the atom it was shown as or in (read into a term on demand).
_Atom = tuple[str, clingo.Symbol]


def _start_names(rule: TrackedRule) -> tuple[str, ...]:
    """The head variables every failure of the rule binds (where it starts):
    none for a rule tracked once for every level (TrackedRule.level_blind)."""
    if rule.demand:
        return rule.demand
    return (rule.level_variable,) if rule.level_variable and not rule.level_blind else ()


class TrackedAnswer:
    """The tracked answer set: atoms by predicate, rule instances by the head
    they derived, and the first failed literal of each rule by its bindings.

    Atoms arrive as clingo symbols; each is printed once and filed by the
    parts of its text (engine.explanation.printed), read into terms only when
    asked for.
    """

    def __init__(self, atoms: list[clingo.Symbol], case: Case, tracking: Tracking) -> None:
        self.tracking = tracking
        self._symbols: dict[str, list[_Atom]] = defaultdict(list)
        self._by_signature: dict[tuple[str, int, bool], list[Term]] = {}
        self._fired_by_policy: dict[str, list[tuple[Term, TrackedRule]]] | None = None
        self._locations: dict[str, str] | None = None
        self.words: dict[Term, str] = {}  # atoms in words, each worded once
        self.derivations: dict[tuple[Term, Served], Step | None] = {}
        self.failures: dict[tuple[str, Term, int, Served], Failure | None] = {}
        self.reasons: dict[tuple[str, int, Term, int, Served, tuple[str, ...]], Because] = {}
        # fired/3 by the text of the head: (rule id, bindings as printed, the
        # atom); the bindings are read on demand.
        self._fired_symbols: dict[str, list[_Fired]] = defaultdict(list)
        self._fired: dict[Term, list[tuple[TrackedRule, Binding, str]]] = {}
        # fired_use/5, failed/3, failed_witness/4 by what they are looked up by.
        self._uses: dict[tuple[str, str, str, int], list[_Atom]] = defaultdict(list)
        self._failed: dict[str, list[tuple[int, str, clingo.Symbol]]] = defaultdict(list)
        self._witnesses: dict[tuple[str, int, str], list[_Atom]] = defaultdict(list)
        self._failed_index: dict[str, dict[tuple[Term, ...] | None, list[FailedAt]]] = {}
        self._failed_for: dict[tuple[str, Term], list[FailedAt]] = {}
        self._demanded: dict[tuple[str, Term], TrackedRule] = {}
        # Rule heads as failed() reads them, by rule id (read as asked).
        self._head_shapes: dict[str, HeadShape] = {}
        # What the walk works out once per answer (engine.explanation.model).
        self.memo = WalkMemo()
        for symbol, text in zip(atoms, symbol_texts(atoms), strict=True):
            self._add(symbol, text)
        self.tables = self._tables()
        self.case_facts = {of_symbol(fact.symbol) for fact in case.facts}
        # The case facts in a fixed order (by their text), read once.
        self.ordered_facts = sorted(self.case_facts, key=show)
        self.fact_terms = {show(fact): fact for fact in self.ordered_facts}
        self.rules_by_head: dict[str, list[TrackedRule]] = defaultdict(list)
        for rule in tracking.rules.values():
            self.rules_by_head[rule.head_name].append(rule)

    def _add(self, symbol: clingo.Symbol, text: str) -> None:
        """File an atom by its printed text (engine.symbol_text; its parts are
        read into terms only when asked for: engine.explanation.printed)."""
        name = text.partition("(")[0]
        if not is_tracked(name):
            self._symbols[name.lstrip("-")].append((text, symbol))
            return
        rule_id, *arguments = split_tracked(name, text) or _split_by_accessors(symbol)
        if name == FIRED:
            head, bindings = arguments
            self._fired_symbols[head].append((rule_id, bindings, symbol))
        elif name == FIRED_USE:
            head, bindings, position, atom = arguments
            self._uses[(rule_id, head, bindings, int(position))].append((atom, symbol))
        elif name == FAILED:
            position, bindings = arguments
            self._failed[rule_id].append((int(position), bindings, symbol))
        else:
            position, bindings, atom = arguments
            self._witnesses[(rule_id, int(position), bindings)].append((atom, symbol))

    def fired(self, atom: Term) -> list[tuple[TrackedRule, Binding, str]]:
        """The rule instances that derived an atom (rule, bindings, bindings as
        clingo prints them), in a fixed order."""
        found = self._fired.get(atom)
        if found is None:
            found = []
            for rule_id, printed, symbol in self._fired_symbols.get(show(atom), []):
                rule = self.tracking.rules[rule_id]
                bound = _bindings(printed, symbol)
                binding = dict(zip(rule.variables, bound, strict=True))
                found.append((rule, binding, printed))
            found.sort(key=lambda item: (item[0].id, item[2]))
            self._fired[atom] = found
        return found

    def uses(self, rule: TrackedRule, head: Term, bindings: str, position: int) -> list[Term]:
        """The atoms a body literal stood for in a fired instance (fired_use/5)."""
        found = self._uses.get((rule.id, show(head), bindings, position + 1), [])
        return sorted((_term(text, symbol, 4) for text, symbol in found), key=show)

    def demanded(self, rule: TrackedRule, wanted: Term) -> TrackedRule:
        """Tracking.demanded, once per rule and head."""
        key = (rule.id, wanted)
        found = self._demanded.get(key)
        if found is None:
            found = self._demanded[key] = self.tracking.demanded(rule, wanted)
        return found

    def failed(self, rule: TrackedRule, wanted: Term) -> list[FailedAt]:
        """Where the rule failed for heads like `wanted`: (body position, bindings
        before it, as printed) of the failures whose head can be `wanted`, read
        once per rule and indexed by the values of the head variables every
        failure binds (the level, the demand), then kept per head."""
        key = (rule.id, wanted)
        found = self._failed_for.get(key)
        if found is None:
            index = self._failed_index.get(rule.id)
            if index is None:
                index = self._failed_index[rule.id] = self._index_failed(rule)
            start, any_head = self._start(rule, wanted)
            found = self._failed_for[key] = [
                failure
                for failure in index.get(start, ())
                if any_head or head_compatible(rule.head, failure[1], wanted)
            ]
        return found

    def _index_failed(self, rule: TrackedRule) -> dict[tuple[Term, ...] | None, list[FailedAt]]:
        index: dict[tuple[Term, ...] | None, list[FailedAt]] = defaultdict(list)
        start = _start_names(rule)
        for position, printed, symbol in self._failed.get(rule.id, []):
            names = rule.bound_before[position - 1]
            bound = dict(zip(names, _bindings(printed, symbol), strict=True))
            failure = (position - 1, bound, printed)
            if start:
                index[tuple([bound[name] for name in start])].append(failure)
            index[None].append(failure)
        return index

    def witnesses(self, rule_id: str, position: int, bindings: str) -> list[Term]:
        found = self._witnesses.get((rule_id, position + 1, bindings), [])
        return sorted((_term(text, symbol, 3) for text, symbol in found), key=show)

    def candidates(self, name: str, arity: int, positive: bool) -> list[Term]:
        key = (name, arity, positive)
        found = self._by_signature.get(key)
        if found is None:
            terms = [_term(text, symbol) for text, symbol in self._symbols.get(name, [])]
            found = [t for t in terms if len(t[2]) == arity and t[3] == positive]
            self._by_signature[key] = found
        return found

    def _tables(self) -> Tables:
        """Thresholds, ranges and levels, to word the facts (wording.Tables)."""
        rows = {
            name: [
                tuple(argument_text(a) or "" for a in term[2])
                for term in self.candidates(name, arity, True)
            ]
            for name, arity in TABLES.items()
        }
        return tables_from(rows)

    def locations(self) -> dict[str, str]:
        """file:line of every rule id (one table for all the policies explained)."""
        if self._locations is None:
            self._locations = {r.id: r.location for r in self.tracking.rules.values()}
        return self._locations

    def fired_by_policy(self, policy_id: str) -> list[tuple[Term, TrackedRule]]:
        """Each labelled head the policy's rules derived, with the rule."""
        if self._fired_by_policy is None:
            self._fired_by_policy = defaultdict(list)
            for head, instances in self._fired_symbols.items():
                if head.split("(", 1)[0] not in _LABELLED:
                    continue
                term = _term(head, instances[0][2], 1)
                for rule_id, _, _ in instances:
                    rule = self.tracking.rules[rule_id]
                    self._fired_by_policy[rule.policy].append((term, rule))
        return self._fired_by_policy.get(policy_id, [])

    # --- Lookups the walk keeps with the answer (engine.explanation.why_not) ---

    @cached_property
    def facts_by_signature(self) -> dict[tuple[str, int], list[Term]]:
        """The case facts by predicate name and arity, each list in the fixed
        order of ordered_facts."""
        found: dict[tuple[str, int], list[Term]] = defaultdict(list)
        for fact in self.ordered_facts:
            found[(str(fact[1]), len(fact[2]))].append(fact)
        return dict(found)

    @cached_property
    def copied(self) -> frozenset[str]:
        """Ids of the rules that have demanded copies (the others are their own
        demanded rule: Tracking.demanded)."""
        return frozenset(copy.source for copy in self.tracking.copies.values())

    def _start(self, rule: TrackedRule, wanted: Term) -> tuple[tuple[Term, ...] | None, bool]:
        """The values `wanted` gives the rule's start variables (None if it
        leaves one open), and whether every failure indexed under them has a
        head that can be `wanted` (head_compatible holds: `wanted` is the head
        with the start values put in and nothing else bound), the head read
        once per rule (HeadShape)."""
        shape = self._head_shapes.get(rule.id)
        if shape is None:
            shape = self._head_shapes[rule.id] = HeadShape.of(rule)
        values = shape.start_values(wanted)
        return values, values is not None and shape.any_head(wanted)

    def has_fired_text(self, text: str) -> bool:
        """Whether a rule that fired derived the atom clingo prints as `text`."""
        return text in self._fired_symbols


class HeadShape(NamedTuple):
    """A rule's head as failed() reads it: where the start variables are (the
    last argument naming each; None if one is missing), and the arguments
    that are not a start variable named once, each with the term when it is
    ground (None when it has variables)."""

    head: Term
    positions: tuple[int, ...] | None
    others: tuple[tuple[int, Term | None], ...]

    @classmethod
    def of(cls, rule: TrackedRule) -> HeadShape:
        names = _start_names(rule)
        arguments = rule.head[2] if rule.head[0] == "fun" else ()
        last = {
            str(argument[1]): i
            for i, argument in enumerate(arguments)
            if argument[0] == "var" and argument[1] in names
        }
        found = tuple(last[name] for name in names if name in last)
        positions = found if names and len(found) == len(names) else None
        once = {name for name in names if arguments.count(("var", name)) == 1}
        others = tuple(
            (i, argument if is_ground(argument) else None)
            for i, argument in enumerate(arguments)
            if not (argument[0] == "var" and argument[1] in once)
        )
        return cls(rule.head, positions, others)

    def start_values(self, wanted: Term) -> tuple[Term, ...] | None:
        """The values `wanted` gives the start variables, None if it leaves one open."""
        if self.positions is None:
            return None
        arguments = wanted[2]
        found = []
        for i in self.positions:
            if i >= len(arguments):
                return None
            value = arguments[i]
            if value[0] == "var" or (value[0] == "fun" and value[2] and not is_ground(value)):
                return None
            found.append(value)
        return tuple(found)

    def any_head(self, wanted: Term) -> bool:
        """Given that `wanted` gives every start variable a ground value: whether
        every binding of them to those values (and of any other variable to
        anything) has a head that can be `wanted` (head_compatible holds)."""
        head = self.head
        if wanted[0] != "fun" or head[0] != "fun" or self.positions is None:
            return False
        arguments = wanted[2]
        if wanted[1] != head[1] or wanted[3] != head[3] or len(arguments) != len(head[2]):
            return False
        for i, argument in self.others:
            value = arguments[i]
            if value[0] != "var" and (argument is None or value != argument):
                return False
        return True


def _term(text: str, symbol: clingo.Symbol, argument: int | None = None) -> Term:
    """The term of a printed atom or argument (the symbol's argument at that
    index, or the symbol itself), read through clingo's accessors unless it
    is plain (engine.explanation.printed)."""
    found = term_of_text(text)
    if found is not None:
        return found
    return of_symbol(symbol if argument is None else symbol.arguments[argument])


def _bindings(printed: str, symbol: clingo.Symbol) -> tuple[Term, ...]:
    """The values of the bindings a fired/3 or failed/3 atom shows (its third argument)."""
    found = tuple_of_text(printed)
    if found is not None:
        return found
    values: tuple[Term, ...] = of_symbol(symbol.arguments[2])[2]
    return values


def _split_by_accessors(symbol: clingo.Symbol) -> tuple[str, ...]:
    """split_tracked through clingo's accessors: the rule id and the other
    arguments as printed."""
    rule_id, *arguments = symbol.arguments
    return (rule_id.string, *(str(argument) for argument in arguments))


def is_ground(term: Term) -> bool:
    if term[0] == "var":
        return False
    return term[0] != "fun" or all(is_ground(a) for a in term[2])


def compatible(term: Term, wanted: Term) -> bool:
    """Two terms that can stand for the same atom: equal where both are ground."""
    if term[0] == "var" or wanted[0] == "var":
        return True
    if term[0] == "fun" and wanted[0] == "fun":
        same = term[1] == wanted[1] and term[3] == wanted[3] and len(term[2]) == len(wanted[2])
        return same and all(compatible(a, b) for a, b in zip(term[2], wanted[2], strict=True))
    return term == wanted


def head_compatible(head: Term, binding: Binding, wanted: Term) -> bool:
    """compatible(instantiate(head, binding), wanted), without building the term
    (equal terms first: the usual case, compared in one step)."""
    kind = head[0]
    if kind == "var":
        value = binding.get(str(head[1]))
        return value is None or value == wanted or compatible(value, wanted)
    if wanted[0] == "var" or head == wanted:
        return True
    if kind == "fun" and wanted[0] == "fun":
        arguments, others = head[2], wanted[2]
        if head[1] != wanted[1] or head[3] != wanted[3] or len(arguments) != len(others):
            return False
        for argument, other in zip(arguments, others, strict=True):
            if not head_compatible(argument, binding, other):
                return False
        return True
    return False


def argument_text(term: Term) -> str | None:
    if term[0] == "var":
        return None
    return str(term[1]) if term[0] == "str" else show(term)


def is_level(term: Term) -> bool:
    return term[0] == "fun" and not term[2] and term[1] in _LEVEL_NAMES


_LEVEL_NAMES = frozenset(LEVELS.members)


def constant(name: str) -> Term:
    return ("fun", name, (), True)
