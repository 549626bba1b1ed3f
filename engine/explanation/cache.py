"""What does not depend on the case, kept between runs: the rule table and the
tracking program of a set of policies (engine.explanation.tracking).

Reading and transforming every rule costs more than solving a case, and a
one-shot `kb query --explain` would pay it on every call. The result is kept
in memory for the process and pickled in the cache directory of
engine/cache.py, under a key that hashes the knowledge base files it was read
from and the engine modules that read them: editing either makes a new entry.
"""

from __future__ import annotations

import hashlib
import os
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


def _key(kind: str, sources: Sequence[str]) -> str:
    digest = hashlib.sha256(kind.encode())
    for path in [*sources, *_READERS]:
        digest.update(path.encode())
        with open(path, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:32]


_ENGINE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The modules whose code decides what is cached.
_READERS = tuple(
    os.path.join(_ENGINE, name)
    for name in (
        "rules.py",
        "rule_reader.py",
        "interpretations.py",
        os.path.join("explanation", "tracking.py"),
    )
)
