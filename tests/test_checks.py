"""Consistency checks (`kb check`): the case space, each kind of finding on a
purpose-made knowledge base, and every witness of the full report replayed
through the `kb query` pipeline."""

from __future__ import annotations

import json
import multiprocessing
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import clingo
import pytest

from engine.case import read_case
from engine.checks.cache import cached, cached_check, input_key
from engine.checks.findings import (
    EXCLUSION_OVER_INDICATION,
    Conflict,
    Derivation,
    Report,
    check,
)
from engine.checks.report import to_json, to_text
from engine.checks.search import READ_ON_DEMAND, Witness, answer_from
from engine.checks.summary import picture as indication_picture
from engine.checks.summary import split_conflicts
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import DEFAULT_DIRECTORY, GENERATED, KnowledgeBase
from engine.query import evaluate
from tests.kb_copies import swap_status_ranks

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
SHARED_FILES = ("concepts.lp", "determination.lp", "completion.lp", *GENERATED)
# Documentation values every witness states (one each); the rest is the picture.
ALWAYS = ("onset_days(", "imaging(", "pain_severity(")


def toy_kb(tmp_path: Path, *policies: str) -> KnowledgeBase:
    """A knowledge base of the real prologue and epilogue and some fixture policies."""
    for name in SHARED_FILES:
        shutil.copy(Path(DEFAULT_DIRECTORY) / name, tmp_path / name)
    for policy in policies:
        shutil.copy(FIXTURES / f"{policy}.lp", tmp_path / f"{policy}.lp")
    return KnowledgeBase(str(tmp_path))


def picture(witness: Witness) -> set[str]:
    """The counted facts other than the values every witness states."""
    return {fact for fact in witness.counted if not fact.startswith(ALWAYS)}


def statuses(witness: Witness, kb: KnowledgeBase, policies: list[str]) -> dict[str, str]:
    """The statuses `kb query` gives the witness (validation, solve, completion)."""
    return {
        d.policy.id: d.status
        for d in evaluate(witness.case_file(), policies=policies, kb=kb, source="witness")
    }


# --- The case space -------------------------------------------------------------


def _case_space_atoms(*extra: str) -> dict[str, set[str]]:
    control = clingo.Control(["--warn=none"])
    control.load(str(Path(DEFAULT_DIRECTORY) / "concepts.lp"))
    for path in extra:
        control.load(path)
    control.load(str(Path(DEFAULT_DIRECTORY) / "case_space.lp"))
    control.ground([("base", [])])
    found: dict[str, set[str]] = {}
    for atom in control.symbolic_atoms:
        if atom.is_fact and len(atom.symbol.arguments) == 1:
            found.setdefault(atom.symbol.name, set()).add(str(atom.symbol.arguments[0]))
    return found


def test_case_space_documentation_items_are_those_the_checks_read() -> None:
    """The case space's values are the vocabulary's (tests/test_vocabulary.py); its
    documentation items are those the checks restrict to the items a policy reads."""
    assert _case_space_atoms()["yes_no_item"] == set(READ_ON_DEMAND)


def test_durations_and_dates_come_from_the_policies() -> None:
    policies = [str(Path(DEFAULT_DIRECTORY) / f"{p}.lp") for p in KnowledgeBase().policy_ids()]
    atoms = _case_space_atoms(*policies)
    assert atoms["candidate_days"] == {str(t + d) for t in (28, 42, 84, 182) for d in (-1, 0, 1)}
    # First and last day of each effective period and the day either side
    # (carefirst_pvp has no dates; open ends have no day after).
    assert atoms["candidate_date"] == {
        "20250914", "20250915", "20251102", "20251103",  # nd_x5025
        "20250930", "20251001",  # providence_196
        "20250630", "20250701",  # cigna_cmm607
        "20231231", "20240101",  # bcbsm_sacral
    }  # fmt: skip


@pytest.mark.slow
def test_cases_of_the_space_are_valid_case_files() -> None:
    """The first cases the generator enumerates all pass case validation."""
    control = clingo.Control(["--warn=none", "--opt-mode=ignore", "--models=200", "-c", "levels=2"])
    for name in ("concepts.lp", "case_space.lp"):
        control.load(str(Path(DEFAULT_DIRECTORY) / name))
    control.ground([("base", [])])
    seen = 0
    with control.solve(yield_=True) as handle:
        for model in handle:
            witness = answer_from(model.symbols(atoms=True)).witness
            case = read_case(witness.case_file(["generated"]), "generated")
            assert case.targets
            seen += 1
            if seen == 200:
                break
    assert seen == 200


# --- Purpose-made knowledge bases -------------------------------------------------


def test_a_deliberate_conflict_is_found_with_its_winner_and_a_minimal_witness(
    tmp_path: Path,
) -> None:
    kb = toy_kb(tmp_path, "toy_conflict")
    report = check(kb, matrix=False, jobs=1)
    found = {
        tuple(sorted((d.criterion, d.status) for d in c.derivations)): c for c in report.conflicts
    }
    assert set(found) == {
        (("A", "medically_necessary"), ("X", "not_medically_necessary")),
        (("A", "medically_necessary"), ("Y", "investigational")),
        (("X", "not_medically_necessary"), ("Y", "investigational")),
    }
    over_indication = found[(("A", "medically_necessary"), ("X", "not_medically_necessary"))]
    assert over_indication.winner.criterion == "X"
    assert "exclusion decides" in over_indication.reason
    between_exclusions = found[(("X", "not_medically_necessary"), ("Y", "investigational"))]
    assert between_exclusions.winner.criterion == "Y"
    assert "investigational comes before not_medically_necessary" in between_exclusions.reason
    for conflict in found.values():
        # The fewest facts: the procedure, one target, what it is treated for
        # (the fracture of indication A, or anything for X and Y), pregnancy.
        level = conflict.level
        facts = picture(conflict.witness)
        assert {"procedure(vertebroplasty)", f"target({level})", "condition(pregnancy)"} < facts
        assert len(facts) == 4, facts
        if conflict in (
            over_indication,
            found[(("A", "medically_necessary"), ("Y", "investigational"))],
        ):
            assert f"fracture({level},osteoporotic)" in facts
        assert conflict.status == "investigational"
        assert statuses(conflict.witness, kb, ["toy_conflict"]) == {
            "toy_conflict": "investigational"
        }
    assert report.gaps == () and report.dead_rules == ()


def test_the_conflict_winner_follows_the_precedence_the_knowledge_base_states(
    tmp_path: Path,
) -> None:
    """kb/checks.lp decides the winner from kb/determination.lp's status_rank/2:
    with investigational and not_medically_necessary swapped there, the other
    exclusion wins, and an exclusion still wins over an indication."""
    kb = toy_kb(tmp_path, "toy_conflict")
    swap_status_ranks(kb, "investigational", "not_medically_necessary")
    report = check(kb, matrix=False, jobs=1)
    found = {
        tuple(sorted((d.criterion, d.status) for d in c.derivations)): c for c in report.conflicts
    }
    between_exclusions = found[(("X", "not_medically_necessary"), ("Y", "investigational"))]
    assert between_exclusions.winner == Derivation("exclusion", "X", "not_medically_necessary")
    assert "not_medically_necessary comes before investigational" in between_exclusions.reason
    over_indication = found[(("A", "medically_necessary"), ("Y", "investigational"))]
    assert over_indication.winner.criterion == "Y"
    assert over_indication.reason == EXCLUSION_OVER_INDICATION


def test_a_deliberate_gap_is_found_with_a_minimal_witness(tmp_path: Path) -> None:
    kb = toy_kb(tmp_path, "toy_gap")
    report = check(kb, matrix=False, jobs=1)
    (gap,) = report.gaps
    assert (gap.policy, gap.procedure) == ("toy_gap", "vertebroplasty")
    facts = picture(gap.witness)
    assert len(facts) == 3, facts
    assert {"procedure(vertebroplasty)", f"target({gap.level})"} < facts
    # Something other than an osteoporotic fracture: another picture, or a
    # purpose without one (as small).
    (other,) = facts - {"procedure(vertebroplasty)", f"target({gap.level})"}
    assert other.startswith(("fracture(", "lesion(", "purpose(")), other
    assert "osteoporotic" not in other
    with pytest.raises(KnowledgeBaseError, match="no determination"):
        statuses(gap.witness, kb, ["toy_gap"])


def test_dead_rules_are_found_with_the_condition_that_blocks_them(tmp_path: Path) -> None:
    kb = toy_kb(tmp_path, "toy_dead")
    report = check(kb, matrix=False, jobs=1)
    dead = {d.rule.id: d for d in report.dead_rules}
    assert set(dead) == {"toy_dead:Z", "toy_dead:M"}
    without = {r.condition: r for r in dead["toy_dead:Z"].relaxations}
    assert set(without) == {"cause_at(L,osteoporotic)", "cause_at(L,traumatic)"}
    relaxed = without["cause_at(L,osteoporotic)"].witness
    level = next(f[len("target(") : -1] for f in relaxed.counted if f.startswith("target("))
    assert picture(relaxed) == {
        "procedure(vertebroplasty)",
        f"target({level})",
        f"fracture({level},traumatic)",
    }
    (count,) = dead["toy_dead:M"].relaxations
    assert count.condition == "N > 3"
    # With room for four target levels the count rule fires.
    wider = check(kb, matrix=False, jobs=1, levels=4)
    assert [d.rule.id for d in wider.dead_rules] == ["toy_dead:Z"]


def test_two_policies_differing_in_one_threshold_disagree_between_the_two(
    tmp_path: Path,
) -> None:
    kb = toy_kb(tmp_path, "toy_six_weeks", "toy_twelve_weeks")
    report = check(kb, jobs=1)
    (difference,) = report.differences
    assert difference.policies == ("toy_six_weeks", "toy_twelve_weeks")
    assert difference.statuses == {
        "toy_six_weeks": "not_medically_necessary",
        "toy_twelve_weeks": "medically_necessary",
    }
    assert difference.criteria == {"toy_six_weeks": ("D",), "toy_twelve_weeks": ("A",)}
    witness = difference.witness
    (onset,) = (f for f in witness.counted if f.startswith("onset_days("))
    days = int(onset.rstrip(")").split(",")[1])
    assert 42 <= days < 84
    level = onset[len("onset_days(") :].split(",")[0]
    assert picture(witness) == {
        "procedure(vertebroplasty)",
        f"target({level})",
        f"fracture({level},osteoporotic)",
    }
    assert statuses(witness, kb, list(difference.policies)) == difference.statuses
    # The matrix row of osteoporotic fractures: both medically necessary, by A.
    (matrix,) = report.matrices
    row = next(r for r in matrix.rows if r.indication == "fracture: osteoporotic")
    assert {p: (c.status, c.routes[0].criteria) for p, c in row.cells.items()} == {
        "toy_six_weeks": ("medically_necessary", ("A",)),
        "toy_twelve_weeks": ("medically_necessary", ("A",)),
    }


# --- The full report over the five policies ------------------------------------------


@pytest.fixture(scope="module")
def full_report() -> Report:
    # kb check's own cache (kb report reads the same findings): computed once per
    # version of the knowledge base and the engine.
    return cached_check(KnowledgeBase())


def _witnesses(report: Report) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(what, case file, expected statuses) for every witness of the report."""
    for d in report.differences:
        yield f"difference {d.policies} {d.criteria}", d.witness.case_file(), d.statuses
    for c in report.conflicts:
        yield f"conflict {c.policy} {c.derivations}", c.witness.case_file(), {c.policy: c.status}
    for dead in report.dead_rules:
        for r in dead.relaxations:
            yield f"dead {dead.rule.id}", r.witness.case_file(), {dead.rule.policy: r.status}
    for matrix in report.matrices:
        for row in matrix.rows:
            for policy, cell in row.cells.items():
                for route in cell.routes:
                    what = f"matrix {matrix.procedure} {row.indication} {policy}"
                    yield what, route.witness.case_file(), {policy: cell.status}


def _replay(item: tuple[str, str, dict[str, str]]) -> str:
    """'' if kb query gives the witness the expected statuses, else the mismatch."""
    what, text, expected = item
    got = {d.policy.id: d.status for d in evaluate(text, policies=list(expected), source=what)}
    return "" if got == expected else f"{what}: expected {expected}, kb query gives {got}"


@pytest.mark.slow
def test_every_witness_of_the_full_report_reproduces_its_statuses(full_report: Report) -> None:
    items = list(_witnesses(full_report))
    assert len(items) > 1000
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(mp_context=context) as pool:
        mismatches = [m for m in pool.map(_replay, items, chunksize=32) if m]
    assert mismatches == []


@pytest.mark.slow
def test_the_full_report_has_the_findings_the_readme_describes(full_report: Report) -> None:
    conflicts = {
        (c.policy, c.winner.criterion, *(d.criterion for d in c.derivations if d != c.winner))
        for c in full_report.conflicts
    }
    # Cigna: an unstable fracture nearby overrides the fusion-adjunct indication.
    assert (
        "cigna_cmm607",
        "CMM-607.3.contraindications.unstable",
        "CMM-607.2.surgical",
    ) in conflicts
    # nd_x5025: INV.1.acute never meets MN.2 (the encoding reads MN.2 as the
    # exception), and a sacral level is sacroplasty, where MN.1-MN.3 (vertebral
    # levels) cannot hold: no conflict on one level.
    nd = {c[1:] for c in conflicts if c[0] == "nd_x5025"}
    assert nd == set()
    assert full_report.gaps == ()
    assert [d.rule.id for d in full_report.dead_rules] == ["providence_196:II.D"]


@pytest.mark.slow
def test_json_report_has_the_documented_shape(full_report: Report) -> None:
    document = json.loads(to_json(full_report))
    assert set(document) >= {"differences", "conflicts", "gaps", "dead_rules", "matrix"}
    first = document["differences"][0]
    assert set(first) >= {"policies", "procedure", "statuses", "witness", "criteria"}
    a, b = first["policies"]
    assert set(first["statuses"]) == set(first["criteria"]) == {a, b}
    read_case(first["witness"], "witness")
    assert to_text(full_report).startswith("Consistency checks of 5 policies")


@pytest.mark.slow
def test_the_text_summary_fits_a_screen_and_says_what_differs(full_report: Report) -> None:
    summary = to_text(full_report).splitlines()
    assert len(summary) <= 80
    assert max(len(line) for line in summary) <= 110
    text = "\n".join(summary)
    # Every conflict of the five policies is an overlap their precedence settles.
    overlaps = len(full_report.conflicts)
    assert overlaps > 100
    assert f"0 real contradictions within a policy; {overlaps} overlaps settled" in text
    assert "WHAT EACH PAYER GIVES: vertebroplasty" in text
    assert re.search(r"vertebroplasty +carefirst_pvp / cigna_cmm607 +\d+  MN only", text)
    assert "providence_196:II.D" in text
    verbose = to_text(full_report, verbose=True)
    assert len(verbose.splitlines()) > 1000
    assert verbose.startswith(text.rsplit("Every finding", 1)[0])


def test_real_contradictions_are_told_apart_from_overlaps_the_precedence_settles() -> None:
    witness = Witness(("target(l1).",), ("target(l1).",))
    exclusion = Derivation("exclusion", "X", "investigational")
    indication = Derivation("indication", "A", "medically_necessary")
    other = Derivation("exclusion", "Y", "not_covered")
    settled = Conflict(
        "p",
        "l1",
        (indication, exclusion),
        exclusion,
        EXCLUSION_OVER_INDICATION,
        (),
        "",
        (),
        witness,
    )
    real = Conflict("p", "l1", (exclusion, other), other, "not_covered first", (), "", (), witness)
    found = split_conflicts([settled, real, settled], ["p", "q"])
    assert found.real == (real,)
    assert found.resolved == {"p": 2, "q": 0}


def test_a_difference_is_filed_under_the_picture_of_its_witness() -> None:
    facts = ("procedure(vertebroplasty).", "target(l1)", "fracture(l2,traumatic)")
    assert indication_picture(Witness(("target(l1)", "fracture(l1,osteoporotic)"), ())) == (
        "fracture: osteoporotic"
    )
    assert (
        indication_picture(Witness((*facts, "purpose(prophylaxis)"), ())) == "purpose: prophylaxis"
    )
    assert indication_picture(Witness(facts, ())) == "other"


def test_cached_findings_are_reused_only_for_the_same_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    source = tmp_path / "a.lp"
    source.write_text("a.")
    first = input_key([str(source)], "options")
    assert cached(f"t-{first}", list, compute) == [1]
    assert cached(f"t-{first}", list, compute) == [1], "the second call reads the cache"
    source.write_text("b.")
    second = input_key([str(source)], "options")
    assert second != first
    assert cached(f"t-{second}", list, compute) == [2]
    assert input_key([str(source)], "other options") != second


# --- The command -----------------------------------------------------------------------


def _kb_command() -> str:
    beside_python = Path(sys.executable).parent / "kb"
    found = str(beside_python) if beside_python.exists() else shutil.which("kb")
    assert found, "the kb console script is not installed: run ./dev test (pip install .)"
    return found


def kb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_kb_command(), *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_check_command_json_and_text_on_a_small_knowledge_base(tmp_path: Path) -> None:
    toy_kb(tmp_path, "toy_six_weeks", "toy_twelve_weeks")
    result = kb("check", "--kb", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (difference,) = document["differences"]
    assert difference["policies"] == ["toy_six_weeks", "toy_twelve_weeks"]
    assert difference["procedure"] == "vertebroplasty"
    assert difference["criteria"] == {"toy_six_weeks": ["D"], "toy_twelve_weeks": ["A"]}
    witness = tmp_path / "cases" / "witness.lp"
    witness.parent.mkdir()
    witness.write_text(difference["witness"])
    query = kb("query", "--facts", str(witness), "--kb", str(tmp_path), "--format", "json")
    assert query.returncode == 0, query.stderr
    got = {d["policy"]: d["status"] for d in json.loads(query.stdout)["determinations"]}
    assert got == difference["statuses"]
    text = kb("check", "--kb", str(tmp_path), "--policy", "toy_six_weeks")
    assert text.returncode == 0, text.stderr
    assert "Consistency checks of 1 policies (toy_six_weeks)" in text.stdout
    assert "0 ways two payers differ" in text.stdout
    assert "DIFFERENCES: 0" not in text.stdout, "the full listing needs --verbose"
    verbose = kb("check", "--kb", str(tmp_path), "--policy", "toy_six_weeks", "--verbose")
    assert verbose.stdout.startswith(text.stdout.rsplit("Every finding", 1)[0])
    assert "DIFFERENCES: 0" in verbose.stdout
    again = kb("check", "--kb", str(tmp_path), "--format", "json")
    assert again.stdout == result.stdout, "the report is deterministic"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("check", "--policy", "cigna"), "unknown policy 'cigna' (did you mean 'cigna_cmm607'?)"),
        (("check", "--procedure", "vertebroplast"), "vertebroplast"),
        (("check", "--levels", "0"), "levels"),
    ],
)
def test_check_usage_errors_exit_2(args: tuple[str, ...], fragment: str) -> None:
    result = kb(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
