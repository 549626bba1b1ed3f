"""What diagrams read from the knowledge base: its rules, its static facts,
and which case-vocabulary predicates each derived predicate reads.

The dependency analysis itself is engine/dependencies.py's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import clingo

from engine.dependencies import Dependencies
from engine.determination import PolicyInfo, read_policies
from engine.knowledge_base import EPILOGUE, PROLOGUE, KnowledgeBase
from engine.rules import Catalogue, read_catalogue
from engine.solve import solve_once, symbol_text
from engine.vocabulary import PREDICATES, Kind
from engine.wording import Tables, tables_from

DOCUMENTATION = frozenset(p.name for p in PREDICATES if p.kind == Kind.DOCUMENTATION)
CASE_PREDICATES = frozenset(p.name for p in PREDICATES)
# A diagram is drawn for no date in particular: the date of service only
# chooses which revision of a parameter is in force (threshold/2 of
# kb/concepts.lp). Diagrams take the date as fixed, so they read thresholds as
# a table (without a date: the latest values) and note the earlier revisions
# (threshold_value/3).
FIXED_IN_DIAGRAMS = frozenset({"service_date"})


class Knowledge(NamedTuple):
    """What diagrams read from the knowledge base: its rules and static facts."""

    catalogue: Catalogue
    tables: Tables
    static: frozenset[str]  # predicates whose atoms no case fact can change
    depends: Mapping[str, frozenset[str]]  # predicate -> case predicates it reads
    policies: Mapping[str, PolicyInfo]
    status_ranks: Mapping[str, int]  # status -> its place in the precedence (status_rank/2)


def read_knowledge(kb: KnowledgeBase | None = None, policies: list[str] | None = None) -> Knowledge:
    kb = kb or KnowledgeBase()
    chosen = policies or kb.policy_ids()
    catalogue = read_catalogue(kb, chosen)
    atoms = solve_once([kb.path(PROLOGUE), *(kb.path(f"{p}.lp") for p in chosen)], "")
    tables = _tables(atoms)
    dependencies = Dependencies.of_files([kb.path(PROLOGUE)])
    dependencies.add(
        (helper.head, {b.predicate.lstrip("-") for b in helper.body if b.predicate})
        for helper in catalogue.helpers
    )
    drawn = CASE_PREDICATES - FIXED_IN_DIAGRAMS
    static = dependencies.unchanged_by(drawn, {*tables.atoms, *FIXED_IN_DIAGRAMS})
    depends = dependencies.behind_each(drawn)
    ranks = status_ranks(kb)
    return Knowledge(catalogue, tables, static, depends, read_policies(atoms), ranks)


def status_ranks(kb: KnowledgeBase) -> Mapping[str, int]:
    """The precedence of statuses, as kb/determination.lp states it (status_rank/2)."""
    atoms = solve_once([kb.path(EPILOGUE)], "")
    return {
        atom.arguments[0].name: atom.arguments[1].number
        for atom in atoms
        if atom.name == "status_rank" and len(atom.arguments) == 2
    }


def _tables(atoms: Sequence[clingo.Symbol]) -> Tables:
    rows: dict[str, list[tuple[str, ...]]] = {}
    for atom in atoms:
        rows.setdefault(atom.name, []).append(tuple(symbol_text(a) for a in atom.arguments))
    return tables_from(rows)


def depends_on(knowledge: Knowledge, predicate: str) -> frozenset[str]:
    """The case-vocabulary predicates a (possibly derived) predicate reads."""
    name = predicate.lstrip("-")
    if name in CASE_PREDICATES:
        return frozenset({name})
    return knowledge.depends.get(name, frozenset())


def reads(knowledge: Knowledge, predicates: Iterable[str]) -> tuple[str, ...]:
    """Every case-vocabulary predicate some predicates read (directly or derived)."""
    found = {name for predicate in predicates for name in depends_on(knowledge, predicate)}
    return tuple(sorted(found))


def open_items(knowledge: Knowledge, predicates: Iterable[str]) -> tuple[str, ...]:
    """The documentation predicates (open: unstated is unknown) some predicates read."""
    found: dict[str, None] = {}
    for predicate in predicates:
        for name in sorted(depends_on(knowledge, predicate)):
            if name in DOCUMENTATION:
                found[name] = None
    return tuple(found)
