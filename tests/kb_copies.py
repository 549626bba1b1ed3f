"""Copies of the knowledge base that a test edits: what the engine reads from
the knowledge base must follow the copy, so no Python restates it."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.knowledge_base import DEFAULT_DIRECTORY, KnowledgeBase


def copy_of_kb(tmp_path: Path, source: str = DEFAULT_DIRECTORY) -> KnowledgeBase:
    """Every file of a knowledge base, copied under tmp_path/kb."""
    directory = tmp_path / "kb"
    shutil.copytree(source, directory)
    return KnowledgeBase(str(directory))


def edit(kb: KnowledgeBase, name: str, old: str, new: str) -> None:
    """Replace text that file `name` of the copy must hold."""
    path = Path(kb.path(name))
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} no longer holds {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def swap_status_ranks(kb: KnowledgeBase, first: str, second: str) -> None:
    """Exchange two statuses' places in the precedence (status_rank/2 of
    determination.lp)."""
    edit(kb, "determination.lp", f"status_rank({first},", "status_rank(FIRST,")
    edit(kb, "determination.lp", f"status_rank({second},", f"status_rank({first},")
    edit(kb, "determination.lp", "status_rank(FIRST,", f"status_rank({second},")


def append(kb: KnowledgeBase, name: str, text: str) -> None:
    """Add text at the end of file `name` of the copy."""
    with open(kb.path(name), "a", encoding="utf-8") as handle:
        handle.write(text)
