"""Which grounding solves a closed-world case of a batch.

A solve costs about in proportion to the levels grounded: every level's rules
are propagated, whatever the case states (measured: 0.2 ms for one level,
3 ms for all 30 of the spine). A batch names some levels far more than others
(most fractures are at T12 and L1), so the levels it names most, HOT of them,
are grounded apart, and a case naming another level is solved over every
level. With the other levels' facts false, either grounding answers as the
whole case space does.

Until the batch has named more than HOT levels, the hot grounding holds them
all (built again, from 15 to 40 ms, when a case names one more). Past that,
which levels are named most changes as the batch goes on: the hot grounding
is built again once REGROUND cases solved over every level would have fitted
the new one. Building it costs about as much as that many solves over every
level (measured), so this never costs more than twice the best choice (ski
rental).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

HOT = 8
REGROUND = 16


class _Grounding(Protocol):
    @property
    def levels(self) -> frozenset[str]: ...


G = TypeVar("G", bound=_Grounding)


class LevelSpaces(Generic[G]):
    """The hot grounding and the one of every level, each built when needed."""

    def __init__(self, ground: Callable[[frozenset[str]], G], every: frozenset[str]) -> None:
        self._ground = ground
        self._every = every
        self._whole: G | None = None
        self._hot: G | None = None
        self._named: Counter[str] = Counter()
        self._owed = 0  # cases solved over every level that the hottest levels hold

    def space(self, levels: frozenset[str]) -> G:
        """The grounding to solve a case naming these levels over."""
        self._named.update(levels)
        hot = self._hot
        if hot is not None and levels <= hot.levels:
            return hot
        if len(self._named) <= HOT:
            self._hot = self._ground(frozenset(self._named))
            return self._hot
        hottest = frozenset(level for level, _ in self._named.most_common(HOT))
        if levels <= hottest:
            self._owed += 1
            if self._owed >= REGROUND:
                self._owed = 0
                self._hot = self._ground(hottest)
                return self._hot
        return self.whole

    @property
    def whole(self) -> G:
        """The grounding of every level."""
        if self._whole is None:
            self._whole = self._ground(self._every)
        return self._whole
