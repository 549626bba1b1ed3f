"""The interpretation notes of the knowledge base, read once into typed data.

An interpretation note is a block of comment lines that starts with
`% Interpretation:` (kb/README.md). It belongs to the criterion/4 fact it
stands under, unless a section rule (`% ----` or `% ====`) comes between the
two: then it is about its section (a shared reading, the file's header).
The block ends at a blank line, a statement, a section rule or the next note.

Themes group the notes of several payers that read the same words
("symptomatic", "optimal non-surgical management", ...): the committee's
review agenda, one question answered differently or alike by each payer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from engine.errors import KnowledgeBaseError
from engine.knowledge_base import EPILOGUE, PROLOGUE, KnowledgeBase

_MARK = "Interpretation:"
_RULE = re.compile(r"^%\s*(-{4,}|={4,})\s*$")
_CRITERION = re.compile(r'^criterion\(\s*(\w+)\s*,\s*"((?:[^"\\]|\\.)*)"')


class Interpretation(NamedTuple):
    """One `% Interpretation:` block."""

    policy: str  # the policy file's id; '' for a shared file (concepts.lp, determination.lp)
    criterion: str  # the criterion it stands under; '' when it is about its section
    section: str  # the heading of the section it stands in ('' before any)
    text: str  # the note, its lines joined
    file: str  # the file's name in the knowledge base
    line: int  # the line of `% Interpretation:`


class Theme(NamedTuple):
    """Notes of several policies that read the same words."""

    title: str
    notes: tuple[Interpretation, ...]

    @property
    def policies(self) -> tuple[str, ...]:
        return tuple(sorted({note.policy for note in self.notes if note.policy}))


# Words several payers' texts use and the notes read; a note belongs to every
# theme whose pattern it matches.
THEMES: tuple[tuple[str, str], ...] = (
    ("Symptomatic: pain due to the fracture or lesion", r"symptomatic|pain due to|painful"),
    (
        "Failed conservative or non-surgical management",
        r"conservative|non-surgical|optimal|failed to respond|therapy",
    ),
    ("Acute, subacute and chronic: fracture age from symptom onset", r"acute|onset|chronic"),
    ("Hospitalization and pain preventing ambulation", r"hospitali|ambulat"),
    ("Sacral levels and sacroplasty", r"sacr"),
    ("Spinal levels and level limits", r"\bT[1-5]\b|\bL5\b|level limit|levels"),
    ("Malignant lesions: metastases, myeloma, hemangioma", r"malignan|metasta|myeloma|hemangioma"),
    ("Imaging that confirms the fracture", r"imaging|MRI|edema|X-ray"),
    ("Plans and product lines (Medicare, HMO, Medicaid)", r"medicare|HMO|medicaid|product|plan"),
    ("Cement, devices and approval status", r"cement|FDA|device"),
    ("Contraindications and exclusions", r"contraindicat|exclusion|unstable|instability"),
)


def read_interpretations(
    kb: KnowledgeBase, policies: Sequence[str] | None = None
) -> list[Interpretation]:
    """Every note of the chosen policy files (all by default) and of the shared
    files, in file order."""
    chosen = list(policies) if policies is not None else kb.policy_ids()
    notes: list[Interpretation] = []
    for name in [PROLOGUE, *(f"{p}.lp" for p in chosen), EPILOGUE]:
        policy = name[:-3] if name not in (PROLOGUE, EPILOGUE) else ""
        notes.extend(_read_file(kb.path(name), name, policy))
    return notes


def _read_file(path: str, name: str, policy: str) -> list[Interpretation]:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot be read: {error.strerror}") from None
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
        elif comment is not None and note and not _RULE.match(text):
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
    if _RULE.match(text):
        heading = lines[number].strip() if number < len(lines) else ""
        if heading.startswith("%") and not _RULE.match(heading):
            section = heading.lstrip("%").strip()
        return "", section
    match = _CRITERION.match(text)
    if match:
        return match.group(2).replace('\\"', '"'), section
    return criterion, section


def themes(notes: Iterable[Interpretation]) -> list[Theme]:
    """The themes that the notes of at least two policies read, in THEMES order."""
    listed = list(notes)
    found = []
    for title, pattern in THEMES:
        compiled = re.compile(pattern, re.IGNORECASE)
        theme = Theme(title, tuple(n for n in listed if n.policy and compiled.search(n.text)))
        if len(theme.policies) >= 2:
            found.append(theme)
    return found


def note_location(note: Interpretation) -> str:
    return f"kb/{os.path.basename(note.file)}:{note.line}"
