"""The interpretation notes of the knowledge base grouped for the committee:
the notes themselves are read by engine.interpretations (the one reader,
re-exported here).

Themes group the notes of several payers that read the same words
("symptomatic", "optimal non-surgical management", ...): the committee's
review agenda, one question answered differently or alike by each payer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from engine.interpretations import Interpretation, note_location, read_interpretations

__all__ = ["THEMES", "Interpretation", "Theme", "note_location", "read_interpretations", "themes"]

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
