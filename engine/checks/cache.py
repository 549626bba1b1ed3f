"""The findings of `kb check`, kept between runs: the check takes tens of
seconds, the knowledge base changes rarely, and `kb report` needs the same
findings. A report is reused only when nothing it depends on has changed:
the key hashes every .lp file of the knowledge base, the engine's source,
the installed clingo and the check's options.

The cache is a directory of pickles ($KB_CACHE_DIR, else
$XDG_CACHE_HOME/policy-kb, else ~/.cache/policy-kb), each written to a
temporary file and renamed into place; one that cannot be read or written
is recomputed, never an error. Before computing, the committed findings of
the knowledge base (kb/findings.json, engine.checks.snapshot) are used when
they were computed from exactly its files and these options; `--fresh`
always computes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import clingo

from engine.cache import add_file, cache_directory, load, store
from engine.checks.findings import Report, check
from engine.checks.snapshot import read_findings
from engine.knowledge_base import KnowledgeBase

T = TypeVar("T")

_ENGINE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cached_check(
    kb: KnowledgeBase,
    policies: Sequence[str] | None = None,
    *,
    procedure: str | None = None,
    levels: int = 1,
    jobs: int | None = None,
    fresh: bool = False,
) -> Report:
    """engine.checks.findings.check, from the cache when its inputs are unchanged."""
    chosen = kb.check_policies(list(policies)) if policies else kb.policy_ids()
    files = [kb.path(name) for name in sorted(os.listdir(kb.directory)) if name.endswith(".lp")]
    key = input_key(files, chosen, procedure, levels)

    def compute() -> Report:
        committed = None if fresh else read_findings(kb, chosen, procedure, levels)
        if committed is not None:
            return committed
        return check(kb, policies, procedure=procedure, levels=levels, jobs=jobs)

    return cached(f"check-{key}", Report, compute, fresh=fresh)


def cached(name: str, kind: type[T], compute: Callable[[], T], *, fresh: bool = False) -> T:
    """The value stored under `name` if there is one of this type, else computed and stored."""
    path = os.path.join(cache_directory(), f"{name}.pickle")
    if not fresh:
        found = load(path)
        if isinstance(found, kind):
            return found
    value = compute()
    store(path, value)
    return value


def input_key(files: Iterable[str], *options: object) -> str:
    """A hash of the files, the engine's source, the installed clingo and the options."""
    digest = hashlib.sha256()
    digest.update(repr((options, clingo.__version__)).encode())
    for path in files:
        add_file(digest, path)
    for folder, _subfolders, names in sorted(os.walk(_ENGINE)):
        for name in sorted(names):
            if name.endswith(".py"):
                add_file(digest, os.path.join(folder, name))
    return digest.hexdigest()[:32]
