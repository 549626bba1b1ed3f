"""The knowledge base's own structure: labels, citations, the frame of each policy."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import clingo
import pytest
from clingo import ast

from engine.knowledge_base import KnowledgeBase

KB = KnowledgeBase()
# The policy texts, copied under the project (policies/README.md names their source).
POLICY_TEXTS = Path(__file__).resolve().parents[1] / "policies"
LABELLED_HEADS = {"met", "indication", "exclusion", "otherwise"}
# Roles whose clauses must be encoded by at least one labelled rule.
RULE_ROLES = {"indication", "condition", "exclusion", "default", "product"}
ROLES = RULE_ROLES | {"scope", "effective", "note"}


def _statements(path: str) -> list[ast.AST]:
    found: list[ast.AST] = []
    ast.parse_files([path], found.append)
    return found


def _criteria_and_labels(policy: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """criterion facts (id -> (role, text)) and ids used in labelled rule heads."""
    criteria: dict[str, tuple[str, str]] = {}
    labels: set[str] = set()
    for statement in _statements(KB.path(f"{policy}.lp")):
        if statement.ast_type != ast.ASTType.Rule:
            continue
        head = statement.head
        if head.ast_type != ast.ASTType.Literal or head.atom.ast_type != ast.ASTType.SymbolicAtom:
            continue
        term = head.atom.symbol
        if term.ast_type != ast.ASTType.Function:
            continue
        args = term.arguments
        if term.name == "criterion" and len(args) == 4 and not statement.body:
            cid, role, text = (
                str(
                    a.symbol.string
                    if a.ast_type == ast.ASTType.SymbolicTerm
                    and a.symbol.type == clingo.SymbolType.String
                    else a
                )
                for a in args[1:]
            )
            criteria[cid] = (role, text)
        elif term.name in LABELLED_HEADS and len(args) >= 2:
            label = args[1]
            assert label.ast_type == ast.ASTType.SymbolicTerm, f"{policy}: unlabelled {term}"
            labels.add(label.symbol.string)
    return criteria, labels


POLICIES = KB.policy_ids()


def test_the_five_policies_are_present() -> None:
    assert POLICIES == [
        "bcbsm_sacral",
        "carefirst_pvp",
        "cigna_cmm607",
        "nd_x5025",
        "providence_196",
    ]


@pytest.mark.parametrize("policy", POLICIES)
def test_every_labelled_rule_cites_a_criterion_and_every_criterion_is_encoded(policy: str) -> None:
    criteria, labels = _criteria_and_labels(policy)
    print(f"{policy}: {len(criteria)} criteria: {', '.join(sorted(criteria))}")
    assert labels - set(criteria) == set(), "labels used in rules without a criterion/4 fact"
    for cid, (role, text) in criteria.items():
        assert role in ROLES, f"{cid}: unknown role {role}"
        assert len(text) >= 3, f"{cid}: no citation text"
        if role in RULE_ROLES:
            assert cid in labels, f"{cid} ({role}) is encoded by no labelled rule"


def _normalise(text: str) -> str:
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    text = re.sub(r"(?m)^\s*[-\u2013]\s+", " ", text)  # list dashes
    text = re.sub(r"[*_]", "", text)  # emphasis markup
    text = re.sub(r"[>\u2022\uf0b7]", " ", text)  # bullets
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.mark.parametrize("policy", POLICIES)
def test_citations_quote_the_policy_text(policy: str) -> None:
    """Every citation is the policy's own words: each quoted passage (the parts
    between '[...]' or '...' elisions) is found in the policy text."""
    source = POLICY_TEXTS / f"{policy}.txt"
    assert source.is_file(), f"the policy text is missing: {source} (see policies/README.md)"
    original = _normalise(source.read_text(encoding="utf-8"))
    criteria, _ = _criteria_and_labels(policy)
    for cid, (_role, text) in criteria.items():
        for passage in re.split(r"\s*(?:\[[^\]]*\]|\.\.\.|\u2026)\s*", text):
            passage = _normalise(passage).strip(" .;:,")
            if len(passage) >= 12:
                assert passage in original, f"{policy} {cid}: not in the policy text: {passage!r}"


@pytest.mark.parametrize("policy", POLICIES)
def test_one_clause_says_which_procedures_the_policy_addresses(policy: str) -> None:
    """Exactly one scope criterion (it decides not_addressed); headings are notes."""
    criteria, _ = _criteria_and_labels(policy)
    assert len([cid for cid, (role, _) in criteria.items() if role == "scope"]) == 1


def test_every_policy_defines_its_frame() -> None:
    """Each policy states its effective period, procedures, and a default."""
    control = clingo.Control()
    for path in KB.files(POLICIES):
        control.load(path)
    control.ground([("base", [])])
    facts: dict[str, set[str]] = defaultdict(set)
    for name in ("effective", "addresses", "otherwise", "policy_title", "payer"):
        for arity in (2, 3):
            for atom in control.symbolic_atoms.by_signature(name, arity):
                facts[name].add(atom.symbol.arguments[0].name)
    for name in ("effective", "addresses", "policy_title", "payer"):
        assert facts[name] == set(POLICIES), name


def test_the_project_copies_of_the_policy_texts_match_the_shared_set() -> None:
    """When the shared set is beside the project, the copies are identical to it."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "policies"
    if not shared.is_dir():
        pytest.skip("no shared policy set beside the project to compare with")
    for policy in POLICIES:
        copy, original = POLICY_TEXTS / f"{policy}.txt", shared / f"{policy}.txt"
        assert copy.read_bytes() == original.read_bytes(), f"{copy} differs from {original}"


DURATION = re.compile(r"\b(four_weeks|six_weeks|twelve_weeks|six_months)\b(\((\w+)\))?")
PARAMETER = re.compile(r'^parameter\((\w+), (\w+), (\d+), (\d+), "([^"]+)"\)\.$')


@pytest.mark.parametrize("policy", POLICIES)
def test_thresholds_are_the_policys_own_dated_cited_parameters(policy: str) -> None:
    """A policy's durations are parameter/5 facts of its own file (value, since-date,
    the criterion that states them), and its rules name them with the policy
    (six_weeks(nd_x5025)), so revising one payer's number changes no other payer."""
    criteria, _ = _criteria_and_labels(policy)
    code = [
        line.split("%", 1)[0].strip()
        for line in Path(KB.path(f"{policy}.lp")).read_text(encoding="utf-8").splitlines()
    ]
    declared: set[str] = set()
    revisions: set[tuple[str, str]] = set()
    for line in code:
        found = PARAMETER.match(line)
        if found is None:
            continue
        owner, name, _days, since, cid = found.groups()
        assert owner == policy, f"{line}: a parameter of another policy"
        assert cid in criteria, f"{line}: cites no criterion of {policy}"
        assert len(since) in (1, 8), f"{line}: since is a YYYYMMDD date (or 0: always)"
        # Two values from one day would both be in force (kb/concepts.lp threshold/2).
        assert (name, since) not in revisions, f"{line}: a second {name} from the same day"
        revisions.add((name, since))
        declared.add(name)
    for line in code:
        if PARAMETER.match(line):
            continue
        for name, _, owner in DURATION.findall(line):
            assert owner == policy, f"{policy}: {line!r} uses {name} without its own policy"
            assert name in declared, f"{policy}: {name} is used but not a parameter"
