"""kb batch: the grounded knowledge base, records, inputs, outputs, resume, Dask."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.batch.grounded import GroundedKnowledgeBase
from engine.batch.outputs import read_records
from engine.case import Case, read_case
from engine.determination import Determination
from engine.knowledge_base import KnowledgeBase
from engine.query import determine, evaluate
from engine.render import determination_json
from tests.test_cli import EXAMPLES, ROOT, kb
from tests.test_policy_cases import CASES

KB = KnowledgeBase()


@pytest.fixture(scope="module")
def grounded() -> dict[str, GroundedKnowledgeBase]:
    return {policy: GroundedKnowledgeBase(KB, [policy]) for policy in KB.policy_ids()}


@pytest.mark.slow
def test_the_grounded_kb_meets_every_boundary_case_of_every_policy(
    grounded: dict[str, GroundedKnowledgeBase],
) -> None:
    for policy, case in CASES:
        facts = read_case(case.facts, case.name)
        (found,) = grounded[policy].determine(facts, closed_world=case.closed_world)
        assert found.status == case.status, (case.name, found.summary())
        for level, status in case.levels.items():
            assert found.levels[level].status == status, (case.name, found.summary())
        assert set(case.decided_by) <= {c.id for c in found.deciding_criteria()}, case.name


def _generated(count: int, seed: int) -> list[str]:
    """Cases with numbers on and around every threshold and effective date."""
    rng = random.Random(seed)
    days = [1, 2, 27, 28, 29, 41, 42, 43, 83, 84, 85, 181, 182, 183, 400]
    dates = [
        20231231,
        20240101,
        20250630,
        20250701,
        20250914,
        20250915,
        20251001,
        20251102,
        20251103,
        20260101,
    ]
    causes = [
        "osteoporotic",
        "traumatic",
        "multiple_myeloma",
        "hemangioma",
        "osteolytic_metastasis",
    ]
    levels = ["t3", "t6", "l1", "l4", "s1"]
    cases = []
    for _ in range(count):
        chosen = rng.sample(levels, rng.randint(1, 3))
        lines = [f"procedure({rng.choice(['vertebroplasty', 'kyphoplasty', 'sacroplasty'])})."]
        lines.append(f"service_date({rng.choice(dates)}).")
        lines.append(f"pain_score({rng.randint(0, 10)}).")
        for level in chosen:
            lines += [f"target({level}).", f"fracture({level}, {rng.choice(causes)})."]
            lines.append(f"onset_days({level}, {rng.choice(days)}).")
            lines.append(f"imaging({level}, {rng.choice(['mri_edema', 'xray', 'bone_scan'])}).")
            if rng.random() < 0.7:
                lines.append(f"pain_concordant({level}).")
        for kind in rng.sample(["nsaids", "physical_therapy", "opioids", "rest"], 2):
            lines.append(f"therapy({kind}, {rng.choice(days)}).")
        for flag in (
            "therapy_failed",
            "hospitalized_for_pain",
            "functional_impairment",
            "ambulation_prevented",
            "osteoporosis_program",
        ):
            if rng.random() < 0.5:
                lines.append(f"{flag}.")
        cases.append("\n".join(lines) + "\n")
    return cases


@pytest.mark.slow
def test_the_grounded_kb_equals_a_fresh_solve_on_generated_cases() -> None:
    """Closed-world, the grounded knowledge base reads what a record shows:
    its records equal those of a fresh solve."""
    policies = KB.policy_ids()
    everything = GroundedKnowledgeBase(KB, policies)
    for number, text in enumerate(_generated(120, seed=12)):
        case = read_case(text, f"generated {number}")
        expected = _shown(determine(case, KB, closed_world=True), case)
        found = everything.determine(case, closed_world=True)
        assert _shown(found, case) == expected, text


def _shown(determinations: list[Determination], case: Case) -> list[dict[str, Any]]:
    """Determinations as a record shows them."""
    return [determination_json(d, case=case) for d in determinations]


@pytest.mark.slow
def test_batch_records_with_the_search_equal_kb_query_on_generated_cases() -> None:
    """The records of the search path (the grounded knowledge base, the search
    for every short level at once) equal kb query's JSON, on cases with
    numbers around every threshold, some of them left undocumented."""
    from bench.generated import cases, undocumented
    from engine.batch.inputs import CaseInput
    from engine.batch.work import Settings, adjudicate, kb_digest

    settings = Settings(KB.directory, kb_digest(KB.directory), tuple(KB.policy_ids()))
    texts = _generated(25, seed=5) + cases(25, seed=6) + [undocumented(2)]
    texts = [_undocumented_part(text, number) for number, text in enumerate(texts)]
    items = [CaseInput(f"c{n}", text, "cases.jsonl", n + 1) for n, text in enumerate(texts)]
    for item, written in zip(items, adjudicate(settings, items), strict=True):
        case = read_case(item.text, item.key)
        expected = [determination_json(d, case=case) for d in determine(case, KB)]
        assert written.record["determinations"] == expected, item.text


def _undocumented_part(text: str, number: int) -> str:
    """Every third case without its onsets and imaging: more levels to search."""
    if number % 3:
        return text
    kept = [line for line in text.splitlines() if not line.startswith(("onset_days", "imaging"))]
    return "\n".join(kept) + "\n"


def _at_levels(levels: tuple[str, ...]) -> str:
    lines = ["procedure(vertebroplasty).", "service_date(20251015).", "pain_score(8)."]
    for level in levels:
        lines += [f"target({level}).", f"fracture({level}, osteoporotic)."]
        lines.append(f"onset_days({level}, 20).")
    return "\n".join(lines) + "\n"


def test_closed_world_cases_are_solved_over_the_levels_named_most() -> None:
    """A closed-world case naming only levels the batch names most is solved
    over those (a solve costs about in proportion to the levels grounded),
    any other over every level; past HOT levels named, that grounding is
    built again once REGROUND cases would have fitted it; both answer as a
    fresh solve does."""
    from engine.batch.levels import HOT, REGROUND
    from engine.vocabulary import LEVELS

    grounded = GroundedKnowledgeBase(KB, KB.policy_ids())
    every = set(LEVELS.members)
    first = read_case(_at_levels(("l1",)), "first")
    assert grounded.space_for(first).levels == {"l1"}
    second = read_case(_at_levels(("t12", "l1")), "second")
    assert grounded.space_for(second).levels == {"t12", "l1"}, "it grows to HOT levels"
    assert grounded.space_for(first).levels == {"t12", "l1"}
    many = read_case(_at_levels(LEVELS.members[: HOT + 1]), "many")
    assert grounded.space_for(many).levels == every, "more levels than are hot"
    assert grounded.space_for(first).levels == {"t12", "l1"}
    third = read_case(_at_levels(("l2",)), "third")
    solved_over_every_level = 0
    while grounded.space_for(third).levels == every:
        solved_over_every_level += 1
        assert solved_over_every_level <= REGROUND, "never grounded again"
    assert solved_over_every_level >= REGROUND - 1
    assert {"l1", "l2"} <= grounded.space_for(third).levels
    for case in (first, second, many, third):
        expected = _shown(determine(case, KB, closed_world=True), case)
        found = grounded.determine(case, closed_world=True)
        assert _shown(found, case) == expected, case.source


def test_numbers_are_grounded_by_the_classes_of_their_own_domain(
    grounded: dict[str, GroundedKnowledgeBase],
) -> None:
    """Days and dates are grounded by the classes the knowledge base's numbers
    make within their own range: a class of days above every date, or of
    dates among the days, holds no case's number and is not grounded (it
    made every solve of the batch slower)."""
    space = grounded["nd_x5025"].solver.external_literals()
    days = {a.arguments[1].number for a in space if a.name == "onset_days" and a.positive}
    dates = {a.arguments[0].number for a in space if a.name == "service_date"}
    assert days and dates
    assert max(days) <= 36500, "no class of days above every date"
    assert {42, 43} <= days, "the six weeks of nd_x5025 and the day after"
    # One number stands for every date before the policy's first date.
    assert len([d for d in dates if d < 19000101]) == 1 and days & dates <= {183}


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return kb("batch", *args)


def _records(path: Path) -> list[dict[str, Any]]:
    return list(read_records(str(path)))


def test_batch_records_equal_kb_query_json(tmp_path: Path) -> None:
    sample = sorted(EXAMPLES.glob("*.lp"))[:3]
    cases = tmp_path / "cases"
    cases.mkdir()
    for path in sample:
        (cases / path.name).write_text(path.read_text())
    out = tmp_path / "out.jsonl"
    result = _batch(str(cases), "--out", str(out), "--explain", "--workers", "1")
    assert result.returncode == 0, result.stderr
    records = _records(out)
    assert [r["id"] for r in records] == [p.stem for p in sample]
    for path, record in zip(sample, records, strict=True):
        query = kb("query", "--facts", str(path), "--format", "json")
        assert record["determinations"] == json.loads(query.stdout)["determinations"]


def test_batch_records_without_explanations_are_the_determinations(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = _batch(str(EXAMPLES), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    for record in _records(out):
        text = (EXAMPLES / f"{record['id']}.lp").read_text()
        case = read_case(text, record["id"])
        expected = [determination_json(d, case=case) for d in evaluate(text)]
        assert record["determinations"] == expected, record["id"]
        assert len(record["case_sha256"]) == 64 and len(record["kb_sha256"]) == 64
        assert set(record["policy_versions"]) == set(KB.policy_ids())
    assert "medically_necessary" in result.stderr  # the summary, per policy and status


def _jsonl_input(tmp_path: Path) -> Path:
    lines = [
        json.dumps({"id": "good", "facts": (EXAMPLES / "aggressive_hemangioma_t6.lp").read_text()}),
        '{"id": "broken", "facts": ',
        json.dumps({"id": "refused", "facts": "procedure(vertebroplast).\ntarget(l1).\n"}),
        json.dumps({"id": "last", "facts": (EXAMPLES / "myeloma_l2_kyphoplasty.lp").read_text()}),
    ]
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(lines) + "\n")
    return source


def test_a_malformed_line_and_a_refused_case_never_stop_the_batch(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = _batch(str(_jsonl_input(tmp_path)), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    records = _records(out)
    assert [r["id"] for r in records] == ["good", None, "refused", "last"]
    assert records[1]["error"]["line"] == 2
    assert "cases.jsonl:2: not a JSON object" in records[1]["error"]["message"]
    refused = records[2]["error"]
    assert refused["line"] == 1
    assert refused["message"].startswith("refused:1: procedure/1 argument 1: 'vertebroplast'")
    assert "did you mean 'vertebroplasty'" in refused["message"]
    assert "\n" not in refused["message"]
    assert "determinations" in records[3]


@pytest.mark.parametrize("extension", ["csv", "parquet"])
def test_csv_and_parquet_hold_the_same_records(tmp_path: Path, extension: str) -> None:
    source = _jsonl_input(tmp_path)
    assert _batch(str(source), "--out", str(tmp_path / "a.jsonl"), "--workers", "1").returncode == 0
    other = tmp_path / f"a.{extension}"
    result = _batch(str(source), "--out", str(other), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert _records(other) == _records(tmp_path / "a.jsonl")


@pytest.mark.slow  # a batch process started and killed per format
@pytest.mark.parametrize("extension", ["jsonl", "csv", "parquet"])
def test_a_killed_batch_resumes(tmp_path: Path, extension: str) -> None:
    source = _jsonl_input(tmp_path)
    full = tmp_path / f"full.{extension}"
    assert _batch(str(source), "--out", str(full), "--workers", "1").returncode == 0
    # An interrupted run: the first two records written, the third cut short.
    first = tmp_path / "first.jsonl"
    complete = tmp_path / "complete.jsonl"
    assert _batch(str(source), "--out", str(complete), "--workers", "1").returncode == 0
    lines = complete.read_text().splitlines(keepends=True)
    first.write_text("".join(lines[:2]) + lines[2][:40])
    partial = tmp_path / f"partial.{extension}"
    if extension == "jsonl":
        partial.write_text(first.read_text())
    elif extension == "csv":
        _as_csv(lines[:2], partial)
        with partial.open("a") as handle:
            handle.write('"refused",not_add')
    else:
        Path(f"{partial}.partial.jsonl").write_text(first.read_text())
    result = _batch(str(source), "--out", str(partial), "--workers", "1", "--resume")
    assert result.returncode == 0, result.stderr
    assert "(2 already there)" in result.stderr
    assert _records(partial) == _records(full)


def _as_csv(lines: list[str], path: Path) -> None:
    from engine.batch.outputs import CsvOutput, Written

    output = CsvOutput(str(path), KB.policy_ids(), resume=False)
    for line in lines:
        output.write(Written.of(json.loads(line)))
    output.close()


def test_progress_is_reported_once_per_chunk_of_records(tmp_path: Path) -> None:
    """The progress callback hears of every record, a chunk's worth at a time
    (an update of the bar costs more than writing the record)."""
    from engine.batch.run import CHUNK, run_batch
    from engine.batch.work import Settings, kb_digest

    text = (EXAMPLES / "aggressive_hemangioma_t6.lp").read_text()
    source = tmp_path / "cases.jsonl"
    count = CHUNK * 2 + 3
    lines = [json.dumps({"id": f"c{n}", "facts": text}) for n in range(count)]
    source.write_text("\n".join(lines) + "\n")
    settings = Settings(KB.directory, kb_digest(KB.directory), tuple(KB.policy_ids()), True)
    heard: list[int] = []
    out = str(tmp_path / "o.jsonl")
    summary = run_batch(str(source), out, settings, workers=1, progress=heard.append)
    assert summary.cases == count
    assert heard == [CHUNK, CHUNK, 3]


def test_on_a_terminal_a_progress_bar_shows_the_cases_done(tmp_path: Path) -> None:
    import os
    import pty

    from tests.test_cli import _kb

    leader, follower = pty.openpty()
    out = tmp_path / "out.jsonl"
    command = [_kb(), "batch", str(_jsonl_input(tmp_path)), "--out", str(out), "--workers", "1"]
    process = subprocess.run(command, stderr=follower, stdout=subprocess.DEVNULL, timeout=60)
    os.close(follower)
    shown = b""
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal is closed: everything is read
            break
        if not data:
            break
        shown += data
    os.close(leader)
    assert process.returncode == 0
    text = shown.decode()
    assert "kb batch" in text and "4/4" in text, text
    assert "4 cases written" in text


def test_bad_input_output_and_scheduler_are_one_line_errors(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    missing = _batch(str(tmp_path / "nowhere.jsonl"), "--out", str(out))
    assert missing.returncode == 2 and "cannot read the input" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    wrong = _batch(str(EXAMPLES / "myeloma_l2_kyphoplasty.lp"), "--out", str(out))
    assert wrong.returncode == 2 and "directory of .lp files or a .jsonl file" in wrong.stderr
    unwritable = _batch(str(EXAMPLES), "--out", str(tmp_path / "no" / "dir" / "out.jsonl"))
    assert unwritable.returncode == 2 and "cannot write the output" in unwritable.stderr
    policy = _batch(str(EXAMPLES), "--out", str(out), "--policy", "cigna")
    assert policy.returncode == 2 and "did you mean" in policy.stderr
    assert not out.exists()


@pytest.mark.slow  # the client gives up after its 10 s connection timeout
def test_an_unreachable_scheduler_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "out.jsonl"
    result = _batch(str(EXAMPLES), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2, result.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert not out.exists()


def test_without_dask_the_scheduler_option_says_how_to_install_it(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['distributed'] = None\n"
        "from cli.main import run\n"
        f"sys.argv = ['kb', 'batch', {str(EXAMPLES)!r}, '--out', {str(tmp_path / 'o.jsonl')!r},"
        " '--scheduler', 'tcp://127.0.0.1:9']\n"
        "run()\n"
    )
    import sys

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 2
    assert "pip install 'policy-kb[distributed]'" in result.stderr


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_local_records(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local.jsonl"
    assert _batch(str(EXAMPLES), "--out", str(local), "--workers", "1").returncode == 0
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        processes=True,
    ) as cluster:
        remote = tmp_path / "remote.jsonl"
        result = _batch(
            str(EXAMPLES), "--out", str(remote), "--scheduler", cluster.scheduler_address
        )
        assert result.returncode == 0, result.stderr
    assert _records(remote) == _records(local)
