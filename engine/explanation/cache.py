"""What does not depend on the case, kept between runs: the rule table and the
tracking program of a set of policies (engine.explanation.tracking).

Reading and transforming every rule costs more than solving a case, and a
one-shot `kb query --explain` would pay it on every call. The result is kept
in memory for the process and pickled in the cache directory of
engine/cache.py, under a key that hashes the knowledge base files it was read
from and the engine modules that read them: editing either makes a new entry.

Reading and hashing those files costs more than the rest of a warm lookup, and
every run would do it again: each key is also kept (`_KEYS`) beside the files'
status (os.stat) when it was hashed, and the key is reused while that status
is unchanged (see `_settled` for why that is safe).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from engine.cache import cache_directory, load, store

T = TypeVar("T")

_MEMORY: dict[str, Any] = {}


def cached(kind: str, sources: Sequence[str], build: Callable[[], T]) -> T:
    """build(), or its result from an earlier run with the same sources."""
    key = _key(kind, sources)
    if key in _MEMORY:
        found: T = _MEMORY[key]
        return found
    path = os.path.join(cache_directory(), f"{kind}-{key}.pickle")
    value: Any = load(path)
    if value is None:
        value = build()
        store(path, value)
    _MEMORY[key] = value
    result: T = value
    return result


# A file's status: device, inode, size, modification and change times (ns).
Status = tuple[int, int, int, int, int]
# (kind, the files hashed) -> (their status when hashed, the key).
Known = dict[tuple[str, tuple[str, ...]], tuple[tuple[Status, ...], str]]

_KEYS = "keys.pickle"
_known: Known | None = None  # read once per process


def _key(kind: str, sources: Sequence[str]) -> str:
    """The content key of these files, reused while their status is that of
    when it was worked out (a stat of each: no file read)."""
    paths = (*sources, *_READERS)
    found_sources, readers = _statuses(sources), _readers_status()
    statuses = None if found_sources is None or readers is None else found_sources + readers
    known = _known_keys()
    found = known.get((kind, paths))
    if (
        statuses is not None
        and isinstance(found, tuple)
        and len(found) == 2  # the shape written (a file of another version is not)
        and found[0] == statuses
    ):
        return found[1]
    key = _content_key(kind, paths)
    if statuses is not None and all(_settled(status) for status in statuses):
        known[(kind, paths)] = (statuses, key)
        store(os.path.join(cache_directory(), _KEYS), _present(known))
    return key


def _content_key(kind: str, paths: Sequence[str]) -> str:
    """A hash of the kind, and of the files' names and contents."""
    import hashlib  # only when a key is worked out afresh (it loads OpenSSL)

    digest = hashlib.sha256(kind.encode())
    for path in paths:
        digest.update(path.encode())
        with open(path, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:32]


def _statuses(paths: Sequence[str]) -> tuple[Status, ...] | None:
    """Each file's status, or None if one cannot be read (then the key is
    worked out from the contents, which says why)."""
    try:
        found = [os.stat(path) for path in paths]
    except OSError:
        return None
    return tuple((s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in found)


@functools.cache
def _readers_status() -> tuple[Status, ...] | None:
    """The engine modules' status, taken once per process: it runs the code
    it imported (every cached kind of a run hashes them)."""
    return _statuses(_READERS)


# Longer than the tick of any file system's timestamps (a jiffy on ext4 or
# tmpfs, 2 s on FAT).
_SETTLE_NS = 2_000_000_000


def _settled(status: Status) -> bool:
    """Whether a key may be kept for a file with this status: its last change
    is older than a timestamp's tick. Every write to a file sets its change
    time (ctime) to the time of the write, and nothing can set it back
    (`touch -d` sets only the modification time); so a write after the key
    was worked out gives the file another status, and so does a write within
    the tick of the last one hashed (the racy case that git's index guards
    against the same way)."""
    return time.time_ns() - max(status[3], status[4]) > _SETTLE_NS


def _present(known: Known) -> Known:
    """The keys whose files all still exist (those of a deleted copy of the
    knowledge base, say a test's, would only make the file longer to read)."""
    return {
        entry: found
        for entry, found in known.items()
        if all(os.path.exists(path) for path in entry[1])
    }


def _known_keys() -> Known:
    global _known
    if _known is None:
        found = load(os.path.join(cache_directory(), _KEYS))
        _known = found if isinstance(found, dict) else {}  # else unreadable: worked out again
    return _known


_ENGINE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The modules whose code decides what is cached (with the tables of words and
# the case vocabulary that engine.explanation.tracking reads).
_READERS = tuple(
    os.path.join(_ENGINE, name)
    for name in (
        "rules.py",
        "rule_reader.py",
        "interpretations.py",
        os.path.join("explanation", "tracking.py"),
        "vocabulary.py",
        "wording.py",
        "vocabulary_program.py",
    )
)
