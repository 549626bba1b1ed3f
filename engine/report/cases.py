"""The boundary cases that test each criterion, for the committee report.

The case tables (tests/policy_cases/<policy>.py) name a case, its facts and
its expected status; which criteria a case tests is found by running it: the
criteria that decided it and the conditions met under them, with those the
table itself names. Running every case takes seconds, so the links are
cached by a hash of the tables and the knowledge base (engine.checks.cache).

The tables are part of the source tree, not of an installed package: without
them the report simply has no links to boundary cases.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from engine.checks.cache import cached, input_key
from engine.errors import PolicyKbError
from engine.knowledge_base import KnowledgeBase

PACKAGE = "tests.policy_cases"


class ReportInputError(PolicyKbError):
    """Something the report reads besides the knowledge base is unusable."""


class BoundaryCase(NamedTuple):
    policy: str
    number: int  # from 1, in the table's order
    name: str  # one sentence from the policy
    facts: str
    status: str  # the expected status
    criteria: tuple[str, ...]  # the criteria it tests


def default_cases_directory(kb: KnowledgeBase) -> str | None:
    """tests/policy_cases beside the knowledge base, else in the current directory."""
    for root in (os.path.dirname(os.path.abspath(kb.directory)), os.getcwd()):
        candidate = os.path.join(root, "tests", "policy_cases")
        if os.path.isfile(os.path.join(candidate, "__init__.py")):
            return candidate
    return None


def boundary_cases(kb: KnowledgeBase, directory: str) -> dict[str, tuple[BoundaryCase, ...]]:
    """Per policy of the knowledge base, its boundary cases with the criteria each tests."""
    policies = [p for p in kb.policy_ids() if os.path.isfile(os.path.join(directory, f"{p}.py"))]
    kb_files = [kb.path(n) for n in sorted(os.listdir(kb.directory)) if n.endswith(".lp")]
    tables = [
        os.path.join(directory, name) for name in ("__init__.py", *(f"{p}.py" for p in policies))
    ]
    key = input_key([*kb_files, *tables], policies)
    found: dict[str, tuple[BoundaryCase, ...]] = cached(
        f"cases-{key}", dict, lambda: _run_tables(kb, directory, policies)
    )
    return found


def _run_tables(
    kb: KnowledgeBase, directory: str, policies: list[str]
) -> dict[str, tuple[BoundaryCase, ...]]:
    return {policy: tuple(_run_table(kb, directory, policy)) for policy in policies}


def _run_table(kb: KnowledgeBase, directory: str, policy: str) -> Iterator[BoundaryCase]:
    from engine.query import evaluate

    for number, case in enumerate(_table(directory, policy), start=1):
        tested = dict.fromkeys(getattr(case, "decided_by", ()))
        try:
            (determination,) = evaluate(
                case.facts,
                policies=[policy],
                closed_world=getattr(case, "closed_world", False),
                source=case.name,
                kb=kb,
            )
        except PolicyKbError:
            determination = None
        if determination is not None:
            tested.update(dict.fromkeys(c.id for c in determination.deciding_criteria()))
            for level in determination.levels.values():
                tested.update(dict.fromkeys(level.met))
        yield BoundaryCase(
            policy, number, case.name, case.facts.strip(), case.status, tuple(tested)
        )


def _table(directory: str, policy: str) -> list[Any]:
    """The CASES list of tests/policy_cases/<policy>.py."""
    path = os.path.join(directory, f"{policy}.py")
    try:
        with _importable(directory):
            module = importlib.import_module(f"{PACKAGE}.{policy}")
        cases = list(module.CASES)
    except Exception as error:  # a table is code: any failure is the table's
        raise ReportInputError(f"{path}: cannot be read: {type(error).__name__}: {error}") from None
    return cases


@contextmanager
def _importable(directory: str) -> Iterator[None]:
    """`tests.policy_cases` importable from the tree that holds `directory`."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(directory)))
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    try:
        yield
    finally:
        if added:
            sys.path.remove(root)
