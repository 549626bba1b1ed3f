"""kb/findings.json: kb check's findings over the bundled knowledge base, committed
so that `kb report` on a fresh machine does not wait for the check.

Used only for exactly the files they were computed from; CI recomputes them and
fails when they are stale (regenerate with `./dev findings`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from engine.checks import cache
from engine.checks.findings import Report, check
from engine.checks.snapshot import FINDINGS_FILE, read_findings
from engine.knowledge_base import KnowledgeBase
from engine.records import RecordError, from_data, to_data

KB = KnowledgeBase()
STALE = "kb/findings.json is not the check of kb/*.lp as they are: run ./dev findings"


class _Point(NamedTuple):
    name: str
    where: tuple[int, int]
    tags: tuple[str, ...]
    table: dict[tuple[str, str], int]
    note: str | None = None


def test_records_round_trip_through_json() -> None:
    point = _Point("a", (1, 2), ("x", "y"), {("p", "q"): 3}, None)
    assert from_data(to_data(point), _Point) == point


@pytest.mark.parametrize(
    "data",
    [
        {"name": "a", "where": [1, 2], "tags": [], "table": [], "colour": "red"},
        {"name": "a", "where": [1], "tags": [], "table": []},
        {"name": 1, "where": [1, 2], "tags": [], "table": []},
        {"where": [1, 2], "tags": [], "table": []},
        {"name": "a", "where": [1, 2], "tags": [], "table": [["p", 3]]},
    ],
    ids=["unknown field", "short tuple", "wrong type", "missing field", "bad dict key"],
)
def test_records_refuse_data_that_does_not_fit(data: object) -> None:
    with pytest.raises(RecordError):
        from_data(data, _Point)


def test_the_committed_findings_are_for_the_knowledge_base_as_it_is() -> None:
    assert read_findings(KB, KB.policy_ids(), None, 1) is not None, STALE


def _copy_of_the_knowledge_base(tmp_path: Path) -> KnowledgeBase:
    directory = tmp_path / "kb"
    shutil.copytree(KB.directory, directory)
    return KnowledgeBase(str(directory))


def _refuse_to_compute(*_args: object, **_kwargs: object) -> Report:
    raise AssertionError("the check ran although the committed findings apply")


def test_a_fresh_machine_reads_the_committed_findings_without_checking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(cache, "check", _refuse_to_compute)
    kb = _copy_of_the_knowledge_base(tmp_path)
    report = cache.cached_check(kb)
    assert report == read_findings(kb, kb.policy_ids(), None, 1)
    assert report is not None and report.dead_rules


@pytest.mark.parametrize(
    "change",
    ["edit a rule file", "ask for two levels", "ask for one policy", "recompute"],
)
def test_the_committed_findings_are_not_used_for_other_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "empty-cache"))
    computed = Report((), (), 1, (), (), (), (), ())
    monkeypatch.setattr(cache, "check", lambda *_a, **_k: computed)
    kb = _copy_of_the_knowledge_base(tmp_path)
    options: dict[str, object] = {}
    if change == "edit a rule file":
        with open(kb.path("nd_x5025.lp"), "a", encoding="utf-8") as handle:
            handle.write("% a comment changes the file, so the findings are recomputed\n")
    elif change == "ask for two levels":
        options["levels"] = 2
    elif change == "ask for one policy":
        options["policies"] = ["nd_x5025"]
    else:
        options["fresh"] = True
    assert cache.cached_check(kb, **options) is computed  # type: ignore[arg-type]


def test_unreadable_committed_findings_are_ignored(tmp_path: Path) -> None:
    kb = _copy_of_the_knowledge_base(tmp_path)
    Path(kb.path(FINDINGS_FILE)).write_text('{"key": 1, "report": [', encoding="utf-8")
    assert read_findings(kb, kb.policy_ids(), None, 1) is None


@pytest.mark.slow
def test_the_committed_findings_equal_a_fresh_check() -> None:
    assert check(KB) == read_findings(KB, KB.policy_ids(), None, 1), STALE


def test_the_committed_findings_name_rule_files_where_the_knowledge_base_is(
    tmp_path: Path,
) -> None:
    """A checkout elsewhere (CI's clean clone) reads rule files under its own kb/."""
    assert str(Path(KB.directory).resolve()) not in Path(KB.path(FINDINGS_FILE)).read_text(
        encoding="utf-8"
    )
    kb = _copy_of_the_knowledge_base(tmp_path)
    report = read_findings(kb, kb.policy_ids(), None, 1)
    assert report is not None
    files = {c.rule.file for c in report.dead_rules}
    assert files and all(f.startswith(kb.directory) for f in files)
