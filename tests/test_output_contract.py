"""The output contract of `kb query --format json` (../shared/output-contract.md),
checked on every example and on 50 generated cases: citations are the
criterion's words exactly as `kb policies --format json` gives them, notes
never decide, `met` holds only the deciding indication's conditions, a request
cites no criterion of another procedure, sentences carry no ASP syntax, and
each missing set has one example fact per item that completes the level."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import clingo
import pytest

from engine.case import Case, read_case
from engine.query import describe_policies, determine_and_explain, evaluate
from engine.render import policies_json, to_json
from engine.rules import read_catalogue
from engine.vocabulary import CAUSES, CPT_PROCEDURE, PLANS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STATUSES = {
    "medically_necessary",
    "not_medically_necessary",
    "investigational",
    "not_covered",
    "insufficient_information",
    "not_in_effect",
    "not_addressed",
}


# --- Generated cases -----------------------------------------------------------------


def generated_case(seed: int) -> str:
    """A valid case over the vocabulary, varied around the policies' thresholds."""
    rng = random.Random(seed)
    procedure = rng.choice(["vertebroplasty", "vertebroplasty", "kyphoplasty", "sacroplasty"])
    pool = ["s1", "s2"] if procedure == "sacroplasty" else ["t3", "t6", "t8", "t12", "l1", "l2"]
    levels = rng.sample(pool, rng.choice([1, 1, 1, 2]))
    facts = [f"procedure({procedure}).", f"plan({rng.choice(PLANS.members)})."]
    date = rng.choice([None, None, 20251020, 20250101, 20251110])
    if date is not None:
        facts.append(f"service_date({date}).")
    for level in levels:
        facts.append(f"target({level}).")
        facts.append(f"fracture({level}, {rng.choice(CAUSES.members[:6])}).")
        onset = rng.choice([None, 10, 41, 42, 60, 84, 90, 200])
        if onset is not None:
            facts.append(f"onset_days({level}, {onset}).")
        imaging = rng.choice([None, "mri_edema", "bone_scan", "xray", "mri"])
        if imaging is not None:
            facts.append(f"imaging({level}, {imaging}).")
        facts += _documented(rng, f"pain_concordant({level})")
    severity = rng.choice([None, "mild", "moderate", "severe"])
    if severity is not None:
        facts.append(f"pain_severity({severity}).")
    for item in ("hospitalized_for_pain", "ambulation_prevented", "functional_impairment"):
        facts += _documented(rng, item)
    for item in ("therapy_failed", "osteoporosis_program", "incapacitated"):
        facts += _documented(rng, item)
    for kind in rng.sample(["nsaids", "physical_therapy", "exercise_program", "opioids"], 2):
        if rng.random() < 0.4:
            facts.append(f"therapy({kind}, {rng.choice([14, 28, 42, 90])}).")
    if rng.random() < 0.15:
        facts.append(f"finding({levels[0]}, {rng.choice(['unstable', 'osteomyelitis'])}).")
    if rng.random() < 0.1:
        facts.append("condition(pregnancy).")
    return "\n".join(facts) + "\n"


def _documented(rng: random.Random, atom: str) -> list[str]:
    """Documented, documented false, or not documented."""
    return rng.choice([[f"{atom}."], [f"-{atom}."], []])


GENERATED = {f"generated_{seed:02d}": generated_case(seed) for seed in range(50)}
EXAMPLE_TEXTS = {path.name: path.read_text() for path in sorted(EXAMPLES.glob("*.lp"))}
ALL_CASES = {**EXAMPLE_TEXTS, **GENERATED}


# --- What the contract is checked against ------------------------------------------------


@cache
def criteria() -> dict[tuple[str, str], tuple[str, str]]:
    """(policy, id) -> (role, text), from `kb policies --format json`."""
    document = json.loads(policies_json(describe_policies()))
    return {
        (p["policy"], c["id"]): (c["role"], c["text"])
        for p in document["policies"]
        for c in p["criteria"]
    }


@cache
def procedures_of_criteria() -> dict[tuple[str, str], frozenset[str]]:
    """Criteria whose every rule asks for a named procedure: those procedures."""
    asked: dict[tuple[str, str], list[frozenset[str]]] = {}
    for rule in read_catalogue().rules:
        named = frozenset(
            b.arguments[0] for b in rule.body if b.predicate == "requested" and b.arguments
        )
        asked.setdefault((rule.policy, rule.criterion), []).append(named)
    return {key: frozenset().union(*sets) for key, sets in asked.items() if all(s for s in sets)}


_ASP = re.compile(r":-|#[a-z]|<=|>=|\bin \{|\b[a-z][a-z0-9_]*\([^)]*\)")


def asp_in(sentence: str) -> list[str]:
    """ASP syntax outside the quoted policy words."""
    return _ASP.findall(re.sub(r'"[^"]*"', '""', sentence))


def requested(case: Case) -> set[str]:
    named = {s.arguments[0].name for s in case.symbols("procedure")}
    return named | {CPT_PROCEDURE[s.arguments[0].string] for s in case.symbols("cpt")}


@cache
def document_of(text: str, name: str, policies: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON output for a case (computed once per test session: do not change it)."""
    case = read_case(text, name)
    determinations, explanations = determine_and_explain(case, policies=policies or None)
    result: dict[str, Any] = json.loads(to_json(case, determinations, explanations))
    return result


# --- The checks ------------------------------------------------------------------------


def check_contract(document: dict[str, Any], case: Case) -> None:
    policies = [d["policy"] for d in document["determinations"]]
    assert policies == sorted(policies)
    for determination in document["determinations"]:
        _check_determination(determination, case)


def _check_determination(determination: dict[str, Any], case: Case) -> None:
    policy = determination["policy"]
    assert determination["status"] in STATUSES
    assert not asp_in(determination["summary"]), determination["summary"]
    for cited in determination["decided_by"]:
        _check_cited(policy, cited["id"], cited["text"], case)
    if determination["status"] == "not_in_effect":
        dates = case.symbols("service_date")
        day = f"{dates[0].arguments[0].number:08d}"
        assert f"{day[:4]}-{day[4:6]}-{day[6:]}" in determination["summary"]
    if determination["status"] == "not_addressed":
        assert all(p in determination["summary"] for p in requested(case))
    if determination.get("why"):
        _check_node(policy, determination["why"], case)
    for level in determination["levels"]:
        _check_level(policy, level, case)


def _check_level(policy: str, level: dict[str, Any], case: Case) -> None:
    assert level["status"] in STATUSES
    assert not asp_in(level["summary"]), level["summary"]
    deciding = [c["id"] for c in level["decided_by"]]
    for cited in level["decided_by"]:
        _check_cited(policy, cited["id"], cited["text"], case)
    if level["status"] == "medically_necessary":
        for condition in level["met"]:
            assert any(condition.startswith(f"{i}.") for i in deciding), (condition, deciding)
    else:
        assert level["met"] == []
    for unmet in level["unmet"]:
        assert criteria()[(policy, unmet["indication"])][0] == "indication", unmet
        _check_cited(policy, unmet["condition"], unmet["citation"], case)
        assert unmet["reason"] and not asp_in(unmet["reason"]), unmet["reason"]
        assert "_" not in unmet["reason"], f"a predicate without wording: {unmet['reason']}"
        for fact in unmet["facts"]:
            clingo.parse_term(fact)
    if level["why"] is not None:
        _check_node(policy, level["why"], case)
    for absent in level["assumed_absent"]:
        _check_cited(policy, absent["id"], absent["text"], case)
    for missing in level["missing"]:
        assert len(missing["example"]) == len(missing["items"]), missing
        assert all(item and not asp_in(item) for item in missing["items"]), missing["items"]
        assert not any("_" in item for item in missing["items"]), missing["items"]
        for fact in missing["example"]:
            clingo.parse_term(fact.rstrip("."))
        for criterion in missing["satisfies"]:
            assert criteria()[(policy, criterion)][0] == "indication"


def _check_cited(policy: str, criterion: str, text: str | None, case: Case) -> None:
    role, words = criteria()[(policy, criterion)]
    assert role != "note", f"{policy} {criterion}: a note decides or is cited"
    assert text == words, f"{policy} {criterion}: citation is not the criterion's words"
    asked = procedures_of_criteria().get((policy, criterion))
    if asked is not None and requested(case):
        assert asked & requested(case), f"{policy} {criterion} is for {set(asked)} only"


def _check_node(policy: str, node: dict[str, Any], case: Case) -> None:
    clingo.parse_term(node["atom"])  # ground: a variable does not parse
    if node["criterion"] is None:
        assert node["citation"] is None
    else:
        _check_cited(policy, node["criterion"], node["citation"], case)
    for child in node["children"]:
        _check_node(policy, child, case)


# --- Tests -----------------------------------------------------------------------------


# The examples in the quick loop; the generated cases in the full run (./dev test).
CONTRACT_CASES = [
    pytest.param(name, marks=[pytest.mark.slow] if name in GENERATED else [])
    for name in sorted(ALL_CASES)
]


@pytest.mark.parametrize("name", CONTRACT_CASES)
def test_the_output_contract_holds(name: str) -> None:
    text = ALL_CASES[name]
    check_contract(document_of(text, name), read_case(text, name))


@pytest.mark.slow
def test_the_generated_cases_cover_every_status() -> None:
    seen = {
        level["status"]
        for name, text in GENERATED.items()
        for d in document_of(text, name)["determinations"]
        for level in [d, *d["levels"]]
    }
    assert seen == STATUSES


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXAMPLE_TEXTS))
def test_a_policy_reads_the_same_whatever_the_selection(name: str) -> None:
    everything = document_of(EXAMPLE_TEXTS[name], name)
    searched = []
    for determination in everything["determinations"]:
        (alone,) = document_of(EXAMPLE_TEXTS[name], name, (determination["policy"],))[
            "determinations"
        ]
        assert json.dumps(_unsearched(alone)) == json.dumps(_unsearched(determination))
        if json.dumps(alone) != json.dumps(determination):
            searched.append(determination["policy"])
    assert not searched, f"missing documentation changes with --policy: {searched}"


def _unsearched(determination: dict[str, Any]) -> dict[str, Any]:
    """The determination less what the missing-documentation search words."""
    levels = [
        {k: v for k, v in level.items() if k not in ("missing", "summary")}
        for level in determination["levels"]
    ]
    return {**determination, "summary": "", "levels": levels}


def _completions(text: str, name: str) -> Iterator[tuple[str, str, str, list[str]]]:
    for determination in document_of(text, name)["determinations"]:
        for level in determination["levels"]:
            for missing in level["missing"]:
                yield determination["policy"], level["level"], name, missing["example"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_each_missing_example_completes_its_level(name: str) -> None:
    text = ALL_CASES[name]
    failures = []
    for policy, level, _, example in _completions(text, name):
        completed = text + "\n".join(example) + "\n"
        for closed in (False, True):
            (after,) = evaluate(completed, policies=[policy], closed_world=closed)
            if after.levels[level].status != "medically_necessary":
                failures.append((policy, level, example, closed))
    assert not failures, f"missing examples that do not complete their level: {failures}"
