"""The tracked answer read from the atoms' printed text
(engine.explanation.printed) reads what clingo's accessors read."""

from __future__ import annotations

import tempfile
from pathlib import Path

import clingo
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_explain import thirty_distinct_levels
from engine.case import read_case_file
from engine.explanation.answer import TrackedAnswer
from engine.explanation.printed import split_tracked, term_of_text, tuple_of_text
from engine.explanation.tracking import FAILED, FIRED, FIRED_USE, WITNESS, explained_levels, track
from engine.knowledge_base import KnowledgeBase
from engine.rule_reader import of_symbol
from engine.solve import Solver

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Symbols as clingo prints them: names with primes and underscores, either
# sign, numbers of clingo's range, strings with any of the characters the
# printed text has to escape or split on, the bounds, and terms of those.
_NAMES = st.from_regex(r"_?[a-z][A-Za-z0-9_']{0,6}", fullmatch=True)
_TEXT = st.text(alphabet='ab ,()"\\\n-#é', max_size=6)
_SCALARS = st.one_of(
    st.builds(clingo.Number, st.integers(-(2**31), 2**31 - 1)),
    st.builds(clingo.String, _TEXT),
    st.builds(clingo.Function, _NAMES, st.just([]), st.booleans()),
    st.sampled_from([clingo.Infimum, clingo.Supremum]),
)
_SYMBOLS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.builds(clingo.Function, _NAMES, st.lists(inner, min_size=1, max_size=3), st.booleans()),
        st.builds(clingo.Tuple_, st.lists(inner, max_size=3)),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(_SYMBOLS)
def test_a_printed_term_reads_as_clingos_accessors_read_it(symbol: clingo.Symbol) -> None:
    term = term_of_text(str(symbol))
    if term is None:  # left to the accessors: only a string with escapes
        assert "\\" in str(symbol)
    else:
        assert term == of_symbol(symbol)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SYMBOLS, max_size=4))
def test_a_printed_tuple_of_bindings_reads_as_clingos_accessors_read_it(
    values: list[clingo.Symbol],
) -> None:
    bindings = clingo.Tuple_(values)
    found = tuple_of_text(str(bindings))
    if found is None:
        assert "\\" in str(bindings)
    else:
        assert found == of_symbol(bindings)[2]


def test_a_one_tuple_and_the_bounds_read_as_clingo_prints_them() -> None:
    assert tuple_of_text("(l1,)") == (("fun", "l1", (), True),)
    assert tuple_of_text("()") == ()
    assert term_of_text('-f(#inf,-3,"a,b")') == (
        "fun",
        "f",
        (("other", "#inf"), ("num", -3), ("str", "a,b")),
        False,
    )


_ARITY = {FIRED: 3, FAILED: 3, FIRED_USE: 5, WITNESS: 4}


def _by_accessors(symbol: clingo.Symbol) -> tuple[str, ...]:
    rule_id, *arguments = symbol.arguments
    return (rule_id.string, *(str(argument) for argument in arguments))


def _tracked_atoms(case_path: str) -> list[clingo.Symbol]:
    kb = KnowledgeBase()
    policies = kb.policy_ids()
    case = read_case_file(case_path)
    program = track(kb, policies).program + explained_levels(case.targets)
    return Solver(kb.files(policies), case.program() + program).last_model([]) or []


@pytest.mark.slow
def test_the_tracked_atoms_split_as_clingos_accessors_split_them() -> None:
    # Every tracking atom of the examples and of the thirty distinct levels
    # (heads nested twice: onset_gt(s5,four_weeks(cigna_cmm607))) splits from
    # its text into the rule id and the other arguments as printed.
    cases = [str(path) for path in sorted(EXAMPLES.glob("*.lp"))]
    cases.append(str(thirty_distinct_levels(Path(tempfile.mkdtemp()))))
    split = 0
    for case_path in cases:
        for symbol in _tracked_atoms(case_path):
            if symbol.name in _ARITY:
                found = split_tracked(symbol.name, str(symbol))
                assert found == _by_accessors(symbol), str(symbol)
                split += 1
    assert split > 8_000  # (rules reading their level only in target(L) are tracked once)


def test_an_atom_the_text_cannot_split_is_read_through_the_accessors() -> None:
    # A head nested three deep, a rule id and an atom with escaped quotes: not plain.
    nested = clingo.parse_term('fired("r",h(f(g(a))),(f(g(a)),))')
    quoted = clingo.parse_term('failed_witness("r\\"1",2,(l1,),said("\\"no\\""))')
    assert split_tracked(FIRED, str(nested)) is None
    assert split_tracked(WITNESS, str(quoted)) is None
    kb = KnowledgeBase()
    tracking = track(kb, kb.policy_ids())
    case = read_case_file(str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"))
    answer = TrackedAnswer([nested, quoted], case, tracking)
    assert answer.has_fired_text(str(clingo.parse_term("h(f(g(a)))")))
    said = ("fun", "said", (("str", '"no"'),), True)
    assert answer.witnesses('r"1', 1, "(l1,)") == [said]
