"""Where the knowledge base lives and which files make up a query."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import KnowledgeBaseError, UnknownPolicyError
from engine.nearest import did_you_mean

# kb/ sits beside engine/ both in the source tree and once installed.
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "kb"

PROLOGUE = "concepts.lp"
EPILOGUE = "determination.lp"
COMPLETION = "completion.lp"
SHARED = (PROLOGUE, EPILOGUE, COMPLETION)


@dataclass(frozen=True)
class KnowledgeBase:
    directory: Path = DEFAULT_DIRECTORY

    def __post_init__(self) -> None:
        for name in (PROLOGUE, EPILOGUE):
            if not (self.directory / name).is_file():
                raise KnowledgeBaseError(
                    f"{self.directory} is not a knowledge base: {name} is missing"
                )

    def policy_ids(self) -> list[str]:
        """Every policy file's id (its file name without .lp), sorted."""
        return sorted(path.stem for path in self.directory.glob("*.lp") if path.name not in SHARED)

    def check_policies(self, requested: list[str]) -> list[str]:
        known = self.policy_ids()
        for policy in requested:
            if policy not in known:
                hint = did_you_mean(policy, known)
                raise UnknownPolicyError(
                    f"unknown policy '{policy}'{hint}; known: {', '.join(known)}"
                )
        return sorted(dict.fromkeys(requested))

    def files(self, policies: list[str], *, completion: bool = False) -> list[Path]:
        """The program for these policies: prologue, policy files, epilogue."""
        names = [PROLOGUE, *(f"{p}.lp" for p in policies), EPILOGUE]
        if completion:
            names.append(COMPLETION)
        return [self.directory / name for name in names]
