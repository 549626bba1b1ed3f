"""engine.symbol_text prints symbols as str() does, by clingo's binding when it
prints alike, by str() otherwise."""

from __future__ import annotations

import functools
from pathlib import Path

import clingo
import pytest

from engine import symbol_text
from engine.case import read_case_file
from engine.explanation.tracking import TRACKING_PART, explained_levels, track
from engine.knowledge_base import KnowledgeBase
from engine.solve import Solver
from engine.symbol_text import probe, symbol_texts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@functools.cache
def _tracked_answers() -> list[clingo.Symbol]:
    """Every atom the explained answers of the examples show."""
    kb = KnowledgeBase()
    policies = kb.policy_ids()
    tracking = track(kb, policies)
    atoms: list[clingo.Symbol] = []
    for example in sorted(EXAMPLES.glob("*.lp")):
        case = read_case_file(str(example))
        solver = Solver(kb.files(policies), case.program())
        solver.extend(TRACKING_PART, tracking.program + explained_levels(case.targets))
        atoms.extend(solver.last_model([]) or [])
    return atoms


def test_the_binding_prints_on_this_machine() -> None:
    # The clingo this project pins has the binding: the fast path is taken.
    assert symbol_text._printer() is not None


def test_every_atom_of_an_explained_answer_is_printed_as_str_prints_it() -> None:
    atoms = [*_tracked_answers(), probe()]
    assert len(atoms) > 1000
    assert symbol_texts(atoms) == [str(atom) for atom in atoms]


def test_a_text_longer_than_the_buffer_is_printed_by_str() -> None:
    long = clingo.Function("note", [clingo.String("x" * 70_000)])
    assert symbol_texts([long, probe()]) == [str(long), str(probe())]


def test_without_the_binding_str_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(symbol_text.importlib, "import_module", missing)
    monkeypatch.setattr(symbol_text, "_printer", symbol_text._printer.__wrapped__)
    assert symbol_text._printer() is None
    atoms = [probe(), clingo.Function("l1")]
    assert symbol_texts(atoms) == [str(atom) for atom in atoms]
