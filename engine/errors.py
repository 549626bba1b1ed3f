"""Domain exceptions. The CLI turns each into a message and an exit code."""

from __future__ import annotations

from typing import NamedTuple


class PolicyKbError(Exception):
    """Base of every error the engine reports to a user."""


class Problem(NamedTuple):
    """One thing wrong with a case file, located as precisely as we can."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class CaseError(PolicyKbError):
    """The case file is not a valid case: it is refused before solving."""

    def __init__(self, problems: list[Problem], count: int | None = None) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.message))
        # How many problems the case has: more than listed when a long list was cut short.
        self.count = len(self.problems) if count is None else count
        super().__init__("\n".join(str(p) for p in self.problems))


class KnowledgeBaseError(PolicyKbError):
    """The knowledge base itself is broken (missing file, clingo error, no answer)."""


class UnknownPolicyError(PolicyKbError):
    """A policy id that the knowledge base does not hold."""
