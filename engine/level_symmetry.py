"""Levels alike: target levels no policy can tell apart, searched once.

The policies tell levels apart by region and by the named ranges of
kb/concepts.lp (region/2, in_range/2), or by naming one in a rule (kb/case_space.lp
reads levels the same way). Two target levels of a case alike in all of these,
with the same documented facts (the level aside), are interchangeable: swapping
their names maps the program onto itself, so the missing-documentation search
of one is that of the other with the names swapped. Only the first level of
each kind is searched; its sets are renamed for the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping

import clingo

from engine import dependencies
from engine.case import Case, per_case
from engine.dependencies import names_used
from engine.explanation.cache import cached
from engine.knowledge_base import PROLOGUE, KnowledgeBase
from engine.solve import solve_once
from engine.vocabulary import PREDICATES

# What a level's place is made of (kb/concepts.lp).
_PLACE = "#show region/2.\n#show in_range/2.\n"


def level_kinds(case: Case, kb: KnowledgeBase, policies: list[str]) -> dict[str, Hashable]:
    """Each target level's kind: alike levels, and only they, have the same."""
    places = _places(kb.path(PROLOGUE))
    named = {name for policy in policies for name in _names(kb.path(f"{policy}.lp"))}
    pictures = _pictures(case)
    return {
        level: (level if level in named else None, places.get(level), pictures.get(level))
        for level in case.targets
    }


def first_of_each_kind(levels: Iterable[str], kinds: Mapping[str, Hashable]) -> list[str]:
    """The first of the levels of each kind (a level without a kind is its own)."""
    firsts: dict[Hashable, str] = {}
    for level in levels:
        firsts.setdefault(kinds.get(level, level), level)
    return list(firsts.values())


def renamed(symbol: clingo.Symbol, old: clingo.Symbol, new: clingo.Symbol) -> clingo.Symbol:
    """The symbol with the constant `old` (a level) replaced by `new` throughout."""
    if symbol == old:
        return new
    if symbol.type != clingo.SymbolType.Function or not symbol.arguments:
        return symbol
    arguments = [renamed(argument, old, new) for argument in symbol.arguments]
    return clingo.Function(symbol.name, arguments, symbol.positive)


@per_case
def _pictures(case: Case) -> dict[str, frozenset[tuple[bool, str, str]]]:
    """The facts the case documents at each level, the level left out (worked
    out once per case: a missing-documentation search and the explanation
    both ask)."""
    pictures: dict[str, set[tuple[bool, str, str]]] = {}
    for fact in case.facts:
        symbol = fact.symbol
        arguments = symbol.arguments
        if (symbol.name, len(arguments)) in _PER_LEVEL:
            level, *rest = arguments
            pictures.setdefault(level.name, set()).add((fact.positive, symbol.name, str(rest)))
    return {level: frozenset(picture) for level, picture in pictures.items()}


_PER_LEVEL = frozenset((p.name, len(p.args)) for p in PREDICATES if p.per_level)


@functools.cache
def _places(prologue: str) -> dict[str, frozenset[clingo.Symbol]]:
    """Each level's region and named ranges, read once (solving the prologue
    costs more than the rest of level_kinds: kept between runs too)."""
    return cached("places", [prologue, __file__], lambda: _read_places(prologue))


def _read_places(prologue: str) -> dict[str, frozenset[clingo.Symbol]]:
    places: dict[str, set[clingo.Symbol]] = {}
    for atom in solve_once([prologue], _PLACE):
        level, place = atom.arguments
        places.setdefault(level.name, set()).add(clingo.Function(atom.name, [place]))
    return {level: frozenset(place) for level, place in places.items()}


@functools.cache
def _names(path: str) -> frozenset[str]:
    """The names a policy file's rules use, read once (reading the rules costs
    more than an explained one-level query's walk: kept between runs too)."""
    return cached("names", [path, dependencies.__file__], lambda: frozenset(names_used(path)))
