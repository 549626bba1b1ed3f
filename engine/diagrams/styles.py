"""How diagrams look: fonts, status colours, and the marks and fills of a case overlay.

Colour marks statuses only (and what they decide), and on a case overlay
what was met, failed or not documented.
"""

from __future__ import annotations

from engine.determination import MEDICALLY_NECESSARY
from engine.diagrams.model import FALSE, TRUE, UNKNOWN

FONT = "Helvetica"

# Status colours: (fill, line). Used for statuses and what they decide only.
STATUS_COLOURS = {
    MEDICALLY_NECESSARY: ("#d9f0d3", "#1b7837"),
    "not_covered": ("#e0e0e0", "#404040"),
    "investigational": ("#e7d4e8", "#762a83"),
    "not_medically_necessary": ("#fee0b6", "#b35806"),
    "insufficient_information": ("#fff7bc", "#8c6d00"),
}
NEUTRAL = ("#f2f2f2", "#8c8c8c")
BLOCK_COLOUR = "#b2182b"
GREY_TEXT = "#595959"

# Case overlay: the state of a node at a level.
MARKS = {TRUE: "✓", FALSE: "✗", UNKNOWN: "?"}
STATE_FILLS = {TRUE: "#c7e9c0", FALSE: "#fde0dd", UNKNOWN: "#fee391"}
ABSENT_FILL = "#ffffff"
PRESENT_FILL = "#fc9272"
MIXED_FILL = "#deebf7"


def lighter(colour: str) -> str:
    """Half way to white."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{(c + 255) // 2:02x}" for c in (red, green, blue))
