"""Inside a worker: a chunk of cases in, one record per case out.

Each worker process (or Dask worker thread) keeps one Adjudicator per batch
settings: the knowledge base is grounded once (engine.batch.grounded) and
every case after the first is a change of externals and a solve.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any, NamedTuple

from engine.batch.inputs import CaseInput
from engine.batch.outputs import Written
from engine.errors import BatchError, CaseError


class Settings(NamedTuple):
    """What every worker needs to adjudicate a batch's cases alike."""

    kb_directory: str
    kb_sha256: str
    policies: tuple[str, ...]
    closed_world: bool = False
    explain: bool = False


def kb_digest(directory: str) -> str:
    """sha256 over the knowledge base's .lp files, names and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(n for n in os.listdir(directory) if n.endswith(".lp")):
        with open(os.path.join(directory, name), "rb") as handle:
            content = handle.read()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def case_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_local = threading.local()


def adjudicate(settings: Settings, chunk: list[CaseInput]) -> list[Written]:
    """The records of a chunk of cases, encoded (the function workers run)."""
    engines: dict[Settings, Adjudicator] = _local.__dict__.setdefault("engines", {})
    engine = engines.get(settings)
    if engine is None:
        engine = engines[settings] = Adjudicator(settings)
    return [Written.of(engine.record(item)) for item in chunk]


class Adjudicator:
    """The knowledge base grounded once; one record per case."""

    def __init__(self, settings: Settings) -> None:
        from engine.batch.grounded import GroundedKnowledgeBase
        from engine.knowledge_base import KnowledgeBase
        from engine.query import describe_policies

        if kb_digest(settings.kb_directory) != settings.kb_sha256:
            raise BatchError(
                f"the knowledge base at {settings.kb_directory} on this worker differs from "
                "the one the batch was started with (install the same version on every worker)"
            )
        self.settings = settings
        self.kb = KnowledgeBase(settings.kb_directory)
        chosen = list(settings.policies)
        self.grounded = None if settings.explain else GroundedKnowledgeBase(self.kb, chosen)
        described = describe_policies(self.kb) if self.grounded is None else None
        policies = self.grounded.described.values() if self.grounded else described or []
        self.versions = {p.id: p.version for p in policies if p.id in chosen}

    def record(self, item: CaseInput) -> dict[str, Any]:
        record: dict[str, Any] = {"id": item.id}
        if item.problem:
            record["error"] = {"line": item.line, "message": f"{_where(item)}: {item.problem}"}
        else:
            try:
                record["determinations"] = self._determinations(item)
            except CaseError as error:
                first = error.problems[0]
                message = "; ".join(str(p) for p in error.problems)
                record["error"] = {"line": first.line, "message": message}
        record["case_sha256"] = case_digest(item.text)
        record["kb_sha256"] = self.settings.kb_sha256
        record["policy_versions"] = self.versions
        return record

    def _determinations(self, item: CaseInput) -> list[dict[str, Any]]:
        from engine.case import read_case
        from engine.render import determination_json

        case = read_case(item.text, item.source if not item.line else item.key)
        if self.grounded is None:
            from engine.query import determine_and_explain

            determinations, explanations = determine_and_explain(
                case, self.kb, self.settings.policies, closed_world=self.settings.closed_world
            )
            return [
                determination_json(d, e, case)
                for d, e in zip(determinations, explanations, strict=True)
            ]
        found = self.grounded.determine(case, closed_world=self.settings.closed_world)
        return [determination_json(d, case=case) for d in found]


def _where(item: CaseInput) -> str:
    return f"{item.source}:{item.line}" if item.line else item.source
