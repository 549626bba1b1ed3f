"""The committed findings: `kb check`'s report over the bundled knowledge base,
kept as kb/findings.json beside the rules it was computed from.

The check takes tens of seconds; a committee member running `kb report` on a
fresh machine should not wait for it. Like the diagrams, the findings are a
generated file under version control (a change of the knowledge base shows
its effect on the findings in review). They are used only for the same
knowledge base files and options: the file records a hash of every .lp file
and the options, and anything else is computed afresh. A slow test computes
the check and compares it with this file, so an engine change that alters
the findings fails CI until the file is regenerated:

    ./dev findings          (python -m engine.checks.snapshot)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence

from engine.cache import add_file
from engine.checks.findings import Report, check
from engine.knowledge_base import KnowledgeBase
from engine.records import RecordError, from_data, to_data

FINDINGS_FILE = "findings.json"
FORMAT = 1


def knowledge_base_key(kb: KnowledgeBase, options: object) -> str:
    """A hash of every .lp file of the knowledge base (name and content) and the options."""
    digest = hashlib.sha256(repr((FORMAT, options)).encode())
    for name in sorted(os.listdir(kb.directory)):
        if name.endswith(".lp"):
            add_file(digest, kb.path(name))
    return digest.hexdigest()


def read_findings(
    kb: KnowledgeBase, policies: Sequence[str], procedure: str | None, levels: int
) -> Report | None:
    """The committed findings of this knowledge base for these options, if they
    were computed from exactly its files; None otherwise (or if unreadable)."""
    options = (tuple(policies), procedure, levels)
    try:
        with open(kb.path(FINDINGS_FILE), encoding="utf-8") as handle:
            document = json.loads(_here(handle.read(), kb))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("key") != knowledge_base_key(kb, options):
        return None
    try:
        return from_data(document.get("report"), Report)
    except RecordError:
        return None


def findings_text(kb: KnowledgeBase, report: Report) -> str:
    """The findings file for a report of the full check: its key, then the report,
    one finding a line (so that a review shows which findings changed)."""
    options = (tuple(kb.policy_ids()), None, 1)
    lines = ["{", f'"key": {json.dumps(knowledge_base_key(kb, options))},', '"report": {']
    fields = to_data(report)
    for number, (name, value) in enumerate(fields.items()):
        end = "" if number == len(fields) - 1 else ","
        if isinstance(value, list) and value:
            items = ",\n".join(json.dumps(item, separators=(",", ":")) for item in value)
            lines.append(f"{json.dumps(name)}: [\n{items}\n]{end}")
        else:
            lines.append(f"{json.dumps(name)}: {json.dumps(value)}{end}")
    lines.append("}}")
    return _anywhere("\n".join(lines) + "\n", kb)


# The findings name rule files by path; the file names them relative to the
# knowledge base, so that it reads the same wherever the project is.
_KB_PLACEHOLDER = "$KB/"


def _anywhere(text: str, kb: KnowledgeBase) -> str:
    return text.replace(json.dumps(os.path.join(kb.directory, ""))[1:-1], _KB_PLACEHOLDER)


def _here(text: str, kb: KnowledgeBase) -> str:
    return text.replace(_KB_PLACEHOLDER, json.dumps(os.path.join(kb.directory, ""))[1:-1])


def write_findings(kb: KnowledgeBase, jobs: int | None = None) -> str:
    """Compute the full check (every policy, every procedure, one level: what
    `kb check` and `kb report` ask by default) and write it."""
    report = check(kb, jobs=jobs)
    path = kb.path(FINDINGS_FILE)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(findings_text(kb, report))
    return path


if __name__ == "__main__":
    print(f"wrote {write_findings(KnowledgeBase())}")
