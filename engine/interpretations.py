"""The interpretation notes of the knowledge base: the one reader of them.

An interpretation note is a block of comment lines that starts with
`% Interpretation:` (kb/README.md). It belongs to the criterion/4 fact it
stands under, unless a section banner (`% ----`, `% ====`, or a titled one
such as `% --- Imaging ---`) comes between the two: then it is about its
section (a shared reading, the file's header). The block ends at a blank
line, a statement, a banner or the next note: a banner is never part of a note.

engine.rules gives each criterion the notes under it; the committee report
(engine.report) lists every note, by criterion, section and theme.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import NamedTuple

from engine.errors import KnowledgeBaseError
from engine.knowledge_base import EPILOGUE, PROLOGUE, KnowledgeBase

_MARK = "Interpretation:"
# A banner: a comment line that starts with a run of dashes or equals signs.
_BANNER = re.compile(r"^%+\s*(-{3,}|={3,})")
_CRITERION = re.compile(r'^criterion\(\s*(\w+)\s*,\s*"((?:[^"\\]|\\.)*)"')


class Interpretation(NamedTuple):
    """One `% Interpretation:` block."""

    policy: str  # the policy file's id; '' for a shared file (concepts.lp, determination.lp)
    criterion: str  # the criterion it stands under; '' when it is about its section
    section: str  # the heading of the section it stands in ('' before any)
    text: str  # the note, its lines joined
    file: str  # the file's name in the knowledge base
    line: int  # the line of `% Interpretation:`


def read_interpretations(
    kb: KnowledgeBase, policies: Sequence[str] | None = None
) -> list[Interpretation]:
    """Every note of the chosen policy files (all by default) and of the shared
    files, in file order."""
    chosen = list(policies) if policies is not None else kb.policy_ids()
    notes: list[Interpretation] = []
    for name in [PROLOGUE, *(f"{p}.lp" for p in chosen), EPILOGUE]:
        policy = name[:-3] if name not in (PROLOGUE, EPILOGUE) else ""
        notes.extend(read_file_notes(kb.path(name), policy))
    return notes


def read_file_notes(path: str, policy: str) -> list[Interpretation]:
    """The notes of one file, in order."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot be read: {error.strerror}") from None
    name = os.path.basename(path)
    found: list[Interpretation] = []
    criterion, section = "", ""
    note: list[str] = []
    start = 0

    def close() -> None:
        if note:
            found.append(Interpretation(policy, criterion, section, " ".join(note), name, start))
            note.clear()

    for number, line in enumerate(lines, start=1):
        text = line.strip()
        comment = text.lstrip("%").strip() if text.startswith("%") else None
        if comment is not None and comment.startswith(_MARK):
            close()
            note.append(comment.removeprefix(_MARK).strip())
            start = number
        elif comment is not None and note and not _BANNER.match(text):
            note.append(comment)
        else:
            close()
            criterion, section = _after(text, criterion, section, lines, number)
    close()
    return [n._replace(text=n.text.strip()) for n in found if n.text.strip()]


def _after(
    text: str, criterion: str, section: str, lines: list[str], number: int
) -> tuple[str, str]:
    """The criterion and section in force after a line that is not part of a note."""
    if _BANNER.match(text):
        title = text.lstrip("%").strip(" -=")
        heading = lines[number].strip() if number < len(lines) else ""
        if title:
            section = title
        elif heading.startswith("%") and not _BANNER.match(heading):
            section = heading.lstrip("%").strip()
        return "", section
    match = _CRITERION.match(text)
    if match:
        return match.group(2).replace('\\"', '"'), section
    return criterion, section


def notes_by_criterion(notes: Sequence[Interpretation]) -> dict[tuple[str, str], str]:
    """(policy, criterion) -> the notes under that criterion, joined."""
    joined: dict[tuple[str, str], list[str]] = {}
    for note in notes:
        if note.criterion:
            joined.setdefault((note.policy, note.criterion), []).append(note.text)
    return {key: " ".join(texts) for key, texts in joined.items()}


def note_location(note: Interpretation) -> str:
    return f"kb/{os.path.basename(note.file)}:{note.line}"
