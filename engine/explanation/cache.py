"""What does not depend on the case, kept between runs: the rule table and the
tracking program of a set of policies (engine.explanation.tracking).

Reading and transforming every rule costs more than solving a case, and a
one-shot `kb query --explain` would pay it on every call. The result is kept
in memory for the process and pickled in a cache directory ($KB_CACHE_DIR, else
$XDG_CACHE_HOME/policy-kb, else ~/.cache/policy-kb), under a key that hashes
the knowledge base files it was read from and the engine modules that read
them: editing either makes a new entry. A cache that cannot be read or
written is skipped, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_MEMORY: dict[str, Any] = {}


def cached(kind: str, sources: Sequence[str], build: Callable[[], T]) -> T:
    """build(), or its result from an earlier run with the same sources."""
    key = _key(kind, sources)
    if key in _MEMORY:
        found: T = _MEMORY[key]
        return found
    path = os.path.join(cache_directory(), f"{kind}-{key}.pickle")
    value = _load(path)
    if value is None:
        value = build()
        _store(path, value)
    _MEMORY[key] = value
    result: T = value
    return result


def cache_directory() -> str:
    explicit = os.environ.get("KB_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "policy-kb")


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
    for name in ("rules.py", "asp_text.py", os.path.join("explanation", "tracking.py"))
)


def _load(path: str) -> Any:
    try:
        with open(path, "rb") as stored:
            return pickle.load(stored)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def _store(path: str, value: object) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "wb") as stored:
            pickle.dump(value, stored, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)  # atomic: a concurrent reader sees all or nothing
    except OSError:
        return
