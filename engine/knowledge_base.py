"""Where the knowledge base lives and which files make up a query."""

from __future__ import annotations

import os

from engine.errors import KnowledgeBaseError, UnknownPolicyError
from engine.nearest import did_you_mean

# kb/ sits beside engine/ both in the source tree and once installed.
# (os.path, not pathlib: importing pathlib costs more than a whole solve.)
DEFAULT_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kb")

PROLOGUE = "concepts.lp"
EPILOGUE = "determination.lp"
COMPLETION = "completion.lp"
CASE_SPACE = "case_space.lp"  # the generator of valid cases used by `kb check`
CHECKS = "checks.lp"  # the questions `kb check` asks of the case space
# Generated from engine/vocabulary.py (engine/vocabulary_program.py), each
# included by the file that needs it: the prologue, the completion, the case space.
VOCABULARY = "vocabulary.lp"
COMPLETION_VOCABULARY = "vocabulary_completion.lp"
CASE_SPACE_VOCABULARY = "vocabulary_case_space.lp"
GENERATED = (VOCABULARY, COMPLETION_VOCABULARY, CASE_SPACE_VOCABULARY)
SHARED = (PROLOGUE, EPILOGUE, COMPLETION, CASE_SPACE, CHECKS, *GENERATED)


class KnowledgeBase:
    """A directory of .lp files: the prologue, one file per policy, the epilogue."""

    def __init__(self, directory: str = DEFAULT_DIRECTORY) -> None:
        self.directory = directory
        for name in (PROLOGUE, EPILOGUE, VOCABULARY):
            if not os.path.isfile(os.path.join(directory, name)):
                raise KnowledgeBaseError(
                    f"{self.directory} is not a knowledge base: {name} is missing"
                )

    def policy_ids(self) -> list[str]:
        """Every policy file's id (its file name without .lp), sorted."""
        return sorted(
            name[:-3]
            for name in os.listdir(self.directory)
            if name.endswith(".lp") and name not in SHARED
        )

    def check_policies(self, requested: list[str]) -> list[str]:
        known = self.policy_ids()
        for policy in requested:
            if policy not in known:
                hint = did_you_mean(policy, known)
                raise UnknownPolicyError(
                    f"unknown policy '{policy}'{hint}; known: {', '.join(known)}"
                )
        return sorted(dict.fromkeys(requested))

    def path(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def files(self, policies: list[str], *, completion: bool = False) -> list[str]:
        """The program for these policies: prologue, policy files, epilogue."""
        names = [PROLOGUE, *(f"{p}.lp" for p in policies), EPILOGUE]
        if completion:
            names.append(COMPLETION)
        return [self.path(name) for name in names]
