"""One level's name put for another's in the texts of an explanation.

Two alike levels (engine.level_symmetry) are explained alike: the explanation
of one is that of the other with the two names swapped. A name appears in an
explanation as a constant of ASP text (`onset_days(l1,20)`) and in words
("symptom onset at L1"); both are replaced as whole tokens, never inside a
longer name (`sacrum_coccyx`) or a range's words ("T5–L5" names a range, not
a level). When the explanation of one level names the other (a count over
the levels, a list of the record's facts), swapping the names could reorder
what was sorted: it is not renamed (`LevelRename.text` says so). Other target
levels it names (the coccyx, for a rule about the sacrococcygeal region) are
named alike for both levels and stay as they are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable


class NamesOtherLevel(Exception):
    """The explanation of one level names the level it would be renamed to."""


class LevelRename:
    """Replaces the level `old` by `new` in ASP text and in words, and refuses
    a text that names `new` already."""

    def __init__(self, old: str, new: str, targets: Iterable[str]) -> None:
        self._replacements = {old: new, old.upper(): new.upper()}
        self._levels = _tokens(frozenset(n for level in targets for n in (level, level.upper())))
        self._pattern = _tokens(frozenset({old, old.upper(), new, new.upper()}))

    def text(self, text: str) -> str:
        """The text with the level renamed (NamesOtherLevel if it names `new`)."""
        return self._pattern.sub(self._replace, text)

    def names_level(self, text: str) -> bool:
        """Whether the text names a target level."""
        return self._levels.search(text) is not None

    def names_renamed(self, text: str) -> bool:
        """Whether the text names either of the two levels."""
        return self._pattern.search(text) is not None

    def texts(self, texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.text(text) for text in texts)

    def _replace(self, match: re.Match[str]) -> str:
        found = self._replacements.get(match.group(0))
        if found is None:
            raise NamesOtherLevel(match.group(0))
        return found


@functools.lru_cache(maxsize=1024)  # a request's target levels, its pairs of levels
def _tokens(names: frozenset[str]) -> re.Pattern[str]:
    """Any of the names as a whole token: not within a longer name, not an end
    of a range's words."""
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<![\w'–])(?:{alternatives})(?![\w'–])")
