"""The boundary cases that test each criterion, for the committee report.

The case tables (tests/policy_cases/<policy>.toml, read by
engine.boundary_cases) name each case, its facts, its expected status and the
criteria it tests: the report links each criterion to the cases whose `tests`
(or `decided_by`) name it. The tables are data: nothing is imported or run.

The tables are part of the source tree, not of an installed package: without
them the report simply has no links to boundary cases.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from engine.boundary_cases import read_table, table_policies
from engine.errors import PolicyKbError
from engine.knowledge_base import KnowledgeBase


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
        if os.path.isdir(candidate) and table_policies(candidate):
            return candidate
    return None


def boundary_cases(kb: KnowledgeBase, directory: str) -> dict[str, tuple[BoundaryCase, ...]]:
    """Per policy of the knowledge base that has a table, its boundary cases."""
    tabled = set(table_policies(directory))
    return {
        policy: tuple(_cases(policy, os.path.join(directory, f"{policy}.toml")))
        for policy in kb.policy_ids()
        if policy in tabled
    }


def _cases(policy: str, path: str) -> list[BoundaryCase]:
    return [
        BoundaryCase(
            policy,
            number,
            case.name,
            case.facts.strip(),
            case.status,
            tuple(dict.fromkeys((*case.tests, *case.decided_by))),
        )
        for number, case in enumerate(read_table(path), start=1)
    ]
