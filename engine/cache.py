"""Pickles kept between runs, for results that do not depend on the case
(the rule table of `kb query --explain`, the findings of `kb check`).

The cache is a directory of pickles ($KB_CACHE_DIR, else
$XDG_CACHE_HOME/policy-kb, else ~/.cache/policy-kb), each written to a
temporary file and renamed into place; one that cannot be read or written
is recomputed, never an error. Callers choose the key: it must hash
everything the value depends on.

A pickle is read on every run that needs it, and written once: `store`
spends on the writing what saves on the reading (`_shared`, `_Pickler`).
"""

from __future__ import annotations

import _thread
import os
import pickle
from typing import Any


def cache_directory() -> str:
    explicit = os.environ.get("KB_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "policy-kb")


def load(path: str) -> object:
    """The pickled value at path, or None if there is none (or it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()  # at once: unpickling from the file reads it in pieces
        return pickle.loads(data)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def store(path: str, value: object) -> None:
    """Pickle value at path atomically; a failure leaves the cache as it was."""
    directory = os.path.dirname(path)
    # A name no other process or thread writes; not tempfile.mkstemp: importing
    # tempfile costs more than a warm run's reading (which may write a key:
    # engine.explanation.cache).
    temporary = f"{path}.{os.getpid()}-{_thread.get_ident()}.tmp"
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temporary, "wb") as out:
            _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(_shared(value, {}))
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError):
        return


def _shared(value: object, pool: dict[object, object]) -> object:
    """The value with equal strings, tuples and frozensets made one object.

    The pickle then holds each once (a reference for the others), and reading
    it builds each once: the tracking of engine.explanation.cache repeats the
    same terms and names throughout its rules. Only immutable values are
    shared; dicts and lists are copied. A tuple's or frozenset's pool entry is
    keyed by the identities of its (already shared) items, so only values
    equal item for item and type for type are made one (not (1,) and (True,)).
    """
    if type(value) is str:
        return pool.setdefault(value, value)
    if isinstance(value, tuple):
        items = tuple(_shared(item, pool) for item in value)
        kind = type(value)
        made = items if kind is tuple else tuple.__new__(kind, items)
        return pool.setdefault((kind, *map(id, items)), made)
    if type(value) is frozenset:
        members = frozenset(_shared(member, pool) for member in value)
        return pool.setdefault((frozenset, frozenset(map(id, members))), members)
    if type(value) is dict:
        return {_shared(k, pool): _shared(v, pool) for k, v in value.items()}
    if type(value) is list:
        return [_shared(item, pool) for item in value]
    return value


class _Pickler(pickle.Pickler):
    """Named tuples pickled as tuple.__new__(cls, items): read back without
    calling the Python `__new__` that collections.namedtuple writes (one
    frame per object; the tracking holds hundreds)."""

    def reducer_override(self, obj: object) -> Any:
        if isinstance(obj, tuple) and hasattr(type(obj), "_fields"):
            return tuple.__new__, (type(obj), tuple(obj))
        return NotImplemented


def add_file(digest: Any, path: str) -> None:
    """Add a file's name and content (or that it cannot be read) to a hash for a key."""
    digest.update(os.path.basename(path).encode() + b"\0")
    try:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    except OSError:
        digest.update(b"(unreadable)")
    digest.update(b"\0")
