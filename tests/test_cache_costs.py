"""What the cheaper fixed costs of an explained query (issue 10, cost) must
keep: a cached value read back equal, a cache key that follows every edit of
the files it hashes, and a case's targets and level pictures those of the
case asked about."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from engine.cache import load, store


class _Pair(NamedTuple):
    first: object
    second: object


def test_a_stored_value_reads_back_equal_with_its_types(tmp_path: Path) -> None:
    # engine.cache.store shares equal immutables and writes named tuples as
    # tuple.__new__(cls, items): the value read back is equal, type for type.
    value = {
        "pairs": [_Pair(("var", "L"), 1), _Pair(("var", "L"), True), _Pair((1,), (True,))],
        "sets": (frozenset({"a", 1}), frozenset({"a", True}), frozenset({"a", 1})),
        "nested": {("k", 1): [_Pair("x", ("y", ("z",)))]},
    }
    path = str(tmp_path / "value.pickle")
    store(path, value)
    found = load(path)
    assert found == value
    assert isinstance(found, dict)
    pairs = found["pairs"]
    assert [type(pair) for pair in pairs] == [_Pair, _Pair, _Pair]
    # Equal but not alike (1 and True) stay apart: their types are read back.
    assert type(pairs[1].second) is bool and type(pairs[0].second) is int
    assert type(pairs[2].second[0]) is bool and type(pairs[2].first[0]) is int
    assert [type(next(iter(s - {"a"}))) for s in found["sets"]] == [int, bool, int]
    # Equal tuples are one object once read.
    assert pairs[0].first is pairs[1].first


def test_a_cached_value_follows_an_edit_of_a_file_it_was_read_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # engine.explanation.cache keeps each key beside the files' status; an
    # edit changes the status (its ctime), so the key is worked out again
    # from the contents, even right after the key was kept.
    import engine.explanation.cache as explanation_cache

    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(explanation_cache, "_MEMORY", {})
    monkeypatch.setattr(explanation_cache, "_known", None)
    # A file is settled 20 ms after it was written (the test's clock tick).
    monkeypatch.setattr(explanation_cache, "_SETTLE_NS", 20_000_000)
    source = tmp_path / "source.lp"
    source.write_text("a.\n")
    time.sleep(0.03)
    built: list[str] = []

    def read() -> str:
        built.append(source.read_text())
        return built[-1]

    assert explanation_cache.cached("test", [str(source)], read) == "a.\n"
    assert explanation_cache.cached("test", [str(source)], read) == "a.\n"
    assert built == ["a.\n"]
    assert ("test", (str(source), *explanation_cache._READERS)) in explanation_cache._known_keys()
    before = os.stat(source)
    source.write_text("b.\n")  # the same size, at once
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # even the same mtime
    assert explanation_cache.cached("test", [str(source)], read) == "b.\n"
    assert built == ["a.\n", "b.\n"]
    # A new process reads the keys kept, and finds the value of the contents.
    monkeypatch.setattr(explanation_cache, "_MEMORY", {})
    monkeypatch.setattr(explanation_cache, "_known", None)
    assert explanation_cache.cached("test", [str(source)], read) == "b.\n"
    assert built == ["a.\n", "b.\n"]


def test_a_key_is_kept_only_for_files_settled_and_is_their_contents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import engine.explanation.cache as explanation_cache

    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(explanation_cache, "_known", None)
    source = tmp_path / "source.lp"
    source.write_text("a.\n")
    paths = (str(source), *explanation_cache._READERS)
    key = explanation_cache._key("test", [str(source)])
    assert key == explanation_cache._content_key("test", paths)
    assert ("test", paths) not in explanation_cache._known_keys()  # written just now
    monkeypatch.setattr(explanation_cache, "_SETTLE_NS", -(10**18))
    assert explanation_cache._key("test", [str(source)]) == key
    assert explanation_cache._known_keys()[("test", paths)][1] == key


def test_a_case_s_targets_and_pictures_are_those_of_the_case_asked_about() -> None:
    # engine.case.per_case keeps the last case's result, by identity.
    from engine.case import read_case
    from engine.level_symmetry import _pictures

    request = "procedure(vertebroplasty). fracture(t6, osteoporotic). fracture(t7, osteoporotic).\n"
    first = read_case(request + "target(t6). target(t7). onset_days(t6, 10).", "<case>")
    second = read_case(request + "target(t7). onset_days(t7, 10).", "<case>")
    for _ in range(2):
        assert first.targets == ["t6", "t7"]
        assert second.targets == ["t7"]
        assert ("onset_days" in str(_pictures(first)["t6"])) is True
        assert ("onset_days" in str(_pictures(second)["t6"])) is False
    first.targets.append("t8")  # each caller gets its own list
    assert first.targets == ["t6", "t7"]
