"""What the cheaper explanations (issue 10, cost) must keep: the JSON text of
the standard library's encoder, and explanations of the program as decided."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.case import read_case_file
from engine.json_text import indented
from engine.query import determine_and_explain

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# JSON values as the renderers build them: text with any character (control
# characters, quotes, non-ASCII, line separators), integers of clingo's range.
_SCALARS = st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text()
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS)
def test_the_json_text_is_the_standard_encoders(document: Any) -> None:
    assert indented(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class _Pair(NamedTuple):
    first: str
    second: tuple[int, ...]


def test_tuples_are_written_as_lists_as_the_standard_encoder_does() -> None:
    document = {"pair": _Pair("é\u2028", (1, 2)), "empty": (), "nested": [{}, []]}
    assert indented(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_each_level_is_explained_with_the_status_it_was_decided() -> None:
    # The tracking rules are grounded after the decision (with the levels that
    # documentation can complete fed back): a level decided
    # insufficient_information is explained as that, not as the status the
    # case's facts alone give it.
    statuses = set()
    for example in sorted(EXAMPLES.glob("*.lp")):
        determinations, explanations = determine_and_explain(read_case_file(str(example)))
        for determination, explanation in zip(determinations, explanations, strict=True):
            policy = determination.policy.id
            for level in explanation.levels:
                decided = determination.levels[level.level].status
                statuses.add(decided)
                assert level.why is not None, (example.name, policy, level.level)
                assert level.why.atom == f"level_status({policy},{level.level},{decided})"
    assert "insufficient_information" in statuses  # the case the order matters for


def _with_full_bodies(program: str) -> str:
    """The tracking program with each fired_use/5 rule's fired/3 atom replaced
    by the body of the rule that derives it (the former formulation)."""
    bodies = {}
    for line in program.splitlines():
        if line.startswith("fired("):
            head, body = line.split(" :- ", 1)
            bodies[head] = body.removesuffix(".")
    rewritten = []
    for line in program.splitlines():
        if line.startswith("fired_use("):
            head, body = line.split(" :- ", 1)
            fired, rest = body.split("; ", 1)
            line = f"{head} :- {bodies[fired]}; {rest}"
        rewritten.append(line)
    return "\n".join(rewritten) + "\n"


def test_fired_use_from_fired_is_the_same_as_from_the_rule_body() -> None:
    from engine.explanation.tracking import track
    from engine.knowledge_base import KnowledgeBase
    from engine.solve import Solver

    kb = KnowledgeBase()
    policies = kb.policy_ids()
    program = track(kb, policies).program
    assert program.count("fired_use(") > 10
    former = _with_full_bodies(program)
    assert former != program
    for example in sorted(EXAMPLES.glob("*.lp")):
        facts = read_case_file(str(example)).program()
        answers = [
            Solver(kb.files(policies), facts + text).last_model([]) or []
            for text in (program, former)
        ]
        uses = [sorted(str(a) for a in answer if a.name == "fired_use") for answer in answers]
        assert uses[0], example.name
        assert uses[0] == uses[1], example.name


def _explained(case_text: str) -> tuple[int, str]:
    """The length of the tracking program grounded for a case, and its
    explanations as text and as JSON."""
    from engine.case import read_case
    from engine.render import to_json, to_text
    from engine.solve import Solver

    grounded: list[int] = []
    extend = Solver.extend

    def measured(solver: Solver, part: str, facts: str) -> None:
        grounded.append(len(facts))
        extend(solver, part, facts)

    case = read_case(case_text, "<case>")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Solver, "extend", measured)
        determinations, explanations = determine_and_explain(case)
    rendered = to_text(case, determinations, explanations) + to_json(
        case, determinations, explanations
    )
    return sum(grounded), rendered


def _same_explanations_with_fewer_rules(case_text: str) -> bool:
    """The explanations with the tracking rules the case's explanation reads
    are those with every tracking rule; True when they are fewer."""
    from engine.explanation.tracking import Tracking

    gated_size, gated = _explained(case_text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Tracking, "program_for", lambda tracking, _: tracking.program)
        full_size, full = _explained(case_text)
    assert gated == full
    return gated_size < full_size


def test_tracking_rules_no_explanation_reads_are_left_out_and_it_is_the_same() -> None:
    # Every policy decides L1 medically necessary: no indication needs its why
    # not; bcbsm_sacral has no status at L1; no rule for kyphoplasty or
    # sacroplasty can start.
    fewer = {
        example.name: _same_explanations_with_fewer_rules(example.read_text())
        for example in sorted(EXAMPLES.glob("*.lp"))
    }
    assert fewer["acute_osteoporotic_l1_hospitalized.lp"]
    assert fewer["myeloma_l2_kyphoplasty.lp"]


@pytest.mark.slow
def test_the_explanations_with_the_tracking_rules_read_are_those_with_all_generated() -> None:
    from bench.generated import case_text

    rng = random.Random(20261201)
    fewer = [_same_explanations_with_fewer_rules(case_text(rng)) for _ in range(40)]
    assert any(fewer)


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab  \t\n\r\x0b\x0c\u00a0\u2028-é"), max_size=60),
    st.sampled_from(["", " ", "  ", "    "]),
    st.integers(1, 30),
)
def test_wrapped_text_is_textwraps(text: str, indent: str, width: int) -> None:
    # engine.wording.wrapped: a text that fits on one line is not handed to
    # textwrap; the line it gives is the one textwrap would.
    import textwrap

    from engine.wording import wrapped

    expected = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert wrapped(text, indent, width) == expected


def _tracking_program() -> str:
    from engine.explanation.tracking import track
    from engine.knowledge_base import KnowledgeBase

    kb = KnowledgeBase()
    return track(kb, kb.policy_ids()).program


def test_the_copies_of_the_rules_of_one_head_start_from_one_demand_rule() -> None:
    # concepts.lp derives lesion_at/2 by two rules: a failed lesion_at literal
    # of a policy rule demands both copies with one rule, not one rule each.
    program = _tracking_program().splitlines()
    demands = [line for line in program if line.startswith("demand(")]
    assert len(demands) == len(set(demands))
    copies = ('"concepts:lesion_at:1@K,L"', '"concepts:lesion_at:2@K,L"')
    started = {
        line.split(" :- ", 1)[1].split(";", 1)[0]
        for line in program
        if any(f"({copy}," in line.split(" :- ", 1)[0] for copy in copies)
    }
    assert started == {'demand("lesion_at(L,K)@K,L",(K,L))'}
    asked = [line for line in demands if line.startswith('demand("lesion_at(L,K)@K,L",')]
    assert len(asked) > 5


def test_the_why_not_of_labelled_rules_starts_where_it_is_derived_once() -> None:
    # explained_target/1 and explained_short/2 are derived once; a labelled
    # rule's why not starts from one of them, not from their bodies again.
    program = _tracking_program()
    assert program.count("explained_level(L)") == 1
    assert program.count("not level_status(cigna_cmm607,L,medically_necessary)") == 1
    assert 'failed("bcbsm_sacral:BCN.HMO",1,(L,)) :- explained_target(L); ' in program


def test_an_explained_query_with_a_warm_cache_imports_no_rule_reading_modules() -> None:
    # The cached tracking is read without engine.rules (and what it imports),
    # and the cache is read without tempfile (only writing needs it).
    import subprocess
    import sys

    from engine.explanation.tracking import track
    from engine.knowledge_base import KnowledgeBase

    kb = KnowledgeBase()
    track(kb, kb.policy_ids())  # the cache is warm
    script = (
        "import sys\n"
        "from engine.knowledge_base import KnowledgeBase\n"
        "from engine.query import determine_and_explain\n"
        "from engine.case import read_case_file\n"
        f"determine_and_explain(read_case_file({str(EXAMPLES / 'myeloma_l2_kyphoplasty.lp')!r}))\n"
        "print(sorted(m for m in ('engine.rules', 'engine.interpretations', 'tempfile')"
        " if m in sys.modules))\n"
    )
    root = EXAMPLES.parent
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_levels_are_told_apart_by_their_facts() -> None:
    # engine.level_symmetry: two levels are alike only if the case states the
    # same facts, of the same sign, at each.
    from engine.case import read_case
    from engine.knowledge_base import KnowledgeBase
    from engine.level_symmetry import level_kinds

    kb = KnowledgeBase()
    request = "procedure(vertebroplasty). target(t6). target(t7).\n"
    levels = "fracture(t6, osteoporotic). fracture(t7, osteoporotic).\n"

    def kinds(facts: str) -> dict[str, object]:
        return dict(level_kinds(read_case(request + levels + facts, "<case>"), kb, ["nd_x5025"]))

    alike = kinds("lesion_trait(t6, painful). lesion_trait(t7, painful).")
    assert alike["t6"] == alike["t7"]
    negated = kinds("lesion_trait(t6, painful). -lesion_trait(t7, painful).")
    assert negated["t6"] != negated["t7"]
    onset = kinds("onset_days(t6, 10). onset_days(t7, 100).")
    assert onset["t6"] != onset["t7"]


def test_each_fact_is_worded_once_for_every_policys_explanation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import engine.explanation.render as explanation_render
    from engine.render import to_text

    case = read_case_file(str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"))
    determinations, explanations = determine_and_explain(case)
    expected = to_text(case, determinations, explanations)
    worded: list[str] = []
    fact_words = explanation_render.fact_words

    def counted(symbol: Any, tables: Any) -> str:
        worded.append(str(symbol))
        return fact_words(symbol, tables)

    monkeypatch.setattr(explanation_render, "fact_words", counted)
    assert to_text(case, determinations, explanations) == expected
    assert worded and len(worded) == len(set(worded))


def test_a_rule_reading_its_level_only_in_target_is_tracked_once_for_every_level() -> None:
    # providence_196 II.B ("Osteomyelitis ... is present") reads the level only
    # in target(L): it fails alike at every level, so its why not has no level
    # in its bindings and starts once; one reading a level's facts does not.
    program = _tracking_program()
    once = "any_explained_target; not condition(osteomyelitis)."
    assert f'failed("providence_196:II.B:1",2,()) :- {once}' in program
    assert 'failed("providence_196:II.G:2",2,(L,)) :- explained_target(L); ' in program


_THREE_LEVELS = """procedure(vertebroplasty). pain_severity(severe). hospitalized_for_pain.
target(t8). fracture(t8, osteoporotic). onset_days(t8, 10). imaging(t8, mri_edema).
target(t9). fracture(t9, osteoporotic). onset_days(t9, 20). pain_concordant(t9).
target(l1). fracture(l1, traumatic). onset_days(l1, 200). finding(l1, burst).
"""


def _explained_json(text: str) -> str:
    from engine.case import read_case
    from engine.render import to_json

    case = read_case(text, "<case>")
    determinations, explanations = determine_and_explain(case)
    return to_json(case, determinations, explanations)


def _explained_tracking_each_level(
    text: str, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> str:
    """_explained_json with every rule's why not tracked level by level (no rule
    taken as reading its level only in target(L)), its tracking read afresh."""
    import engine.explanation.cache as explanation_cache
    import engine.explanation.tracking as tracking

    with monkeypatch.context() as patched:
        patched.setenv("KB_CACHE_DIR", str(cache))
        patched.setattr(explanation_cache, "_MEMORY", {})
        patched.setattr(tracking, "_level_blind", lambda rule: False)
        return _explained_json(text)


def test_rules_tracked_once_for_every_level_explain_each_level_as_tracked_level_by_level(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Three levels unlike each other (onset, imaging, a finding at one: an
    # exclusion read level by level that applies at one), with exclusions
    # read once assumed absent at every level (osteomyelitis: Providence II.B).
    explained = _explained_json(_THREE_LEVELS)
    assert explained == _explained_tracking_each_level(_THREE_LEVELS, monkeypatch, tmp_path)
    document = json.loads(explained)
    providence = next(d for d in document["determinations"] if d["policy"] == "providence_196")
    absent = [
        {item["rule"] for item in level["assumed_absent"]} for level in providence["levels"]
    ]
    assert all("providence_196:II.B:1" in rules for rules in absent)


@pytest.mark.slow
def test_generated_cases_explain_each_level_as_tracked_level_by_level(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bench.generated import case_text

    rng = random.Random(20261202)
    for _ in range(25):
        text = case_text(rng)
        assert _explained_json(text) == _explained_tracking_each_level(text, monkeypatch, tmp_path)


def _tracked_answer(case_text: str, rules: str) -> tuple[frozenset[str], int]:
    """The shown atoms of a case's tracked answer, and the number of tracking
    rules grounded: those the decided case is given (`rules` 'kept') or those
    its gates alone keep ('gated': every atom held)."""
    from engine import query
    from engine.case import read_case
    from engine.explanation.tracking import TRACKING_PART, track
    from engine.knowledge_base import KnowledgeBase
    from engine.level_symmetry import first_of_each_kind, level_kinds
    from engine.solve import Solver

    case = read_case(case_text, "<case>")
    kb = KnowledgeBase()
    policies = kb.policy_ids()
    solver = Solver(kb.files(policies), case.program())
    determinations, _ = query.decide(case, kb, solver)
    tracking = track(kb, policies)
    kinds = level_kinds(case, kb, policies) if len(case.targets) > 1 else {}
    levels = first_of_each_kind(case.targets, kinds)
    with pytest.MonkeyPatch.context() as patch:
        if rules == "gated":
            patch.setattr(query, "_lacking", lambda _solver, _needed: frozenset())
        program = query.tracking_program(tracking, solver, determinations, levels)
    solver.extend(TRACKING_PART, program)
    shown = solver.last_model([])
    assert shown is not None
    return frozenset(str(atom) for atom in shown), program.count(":-")


def _same_answer_with_fewer_rules_than_gated(case_text: str) -> bool:
    """The tracked answer is the same with the rules kept and those the gates
    keep; True when the rules kept are fewer."""
    kept, kept_rules = _tracked_answer(case_text, "kept")
    gated, gated_rules = _tracked_answer(case_text, "gated")
    assert kept == gated
    return kept_rules < gated_rules


def test_tracking_rules_needing_an_atom_the_decided_case_lacks_are_left_out() -> None:
    # A rule whose body needs an atom the decided program does not hold (a
    # condition the case does not state, a fact the policy does not have), or
    # whose failure needs one to fail that is a fact, has no instance: the
    # answer's shown atoms are the same without it.
    fewer = [
        _same_answer_with_fewer_rules_than_gated(example.read_text())
        for example in sorted(EXAMPLES.glob("*.lp"))
    ]
    assert all(fewer)


@pytest.mark.slow
def test_tracking_rules_needing_an_atom_a_generated_case_lacks_are_left_out() -> None:
    from bench.generated import case_text, undocumented

    rng = random.Random(20261203)
    texts = [case_text(rng) for _ in range(40)] + [undocumented(3)]
    assert all(_same_answer_with_fewer_rules_than_gated(text) for text in texts)
