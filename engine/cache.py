"""Pickles kept between runs, for results that do not depend on the case
(the rule table of `kb query --explain`, the findings of `kb check`).

The cache is a directory of pickles ($KB_CACHE_DIR, else
$XDG_CACHE_HOME/policy-kb, else ~/.cache/policy-kb), each written to a
temporary file and renamed into place; one that cannot be read or written
is recomputed, never an error. Callers choose the key: it must hash
everything the value depends on.
"""

from __future__ import annotations

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
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def store(path: str, value: object) -> None:
    """Pickle value at path atomically; a failure leaves the cache as it was."""
    import tempfile  # only to write (a warm run reads): tempfile imports costly modules

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError):
        return


def add_file(digest: Any, path: str) -> None:
    """Add a file's name and content (or that it cannot be read) to a hash for a key."""
    digest.update(os.path.basename(path).encode() + b"\0")
    try:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    except OSError:
        digest.update(b"(unreadable)")
    digest.update(b"\0")
