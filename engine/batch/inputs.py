"""The cases of a batch: a directory of .lp files or a .jsonl file of
{"id": str, "facts": str} lines, read lazily (memory flat in their number)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import NamedTuple

from engine.errors import BatchError


class CaseInput(NamedTuple):
    """One case of a batch, or the input line that could not be read as one."""

    id: str | None
    text: str
    source: str  # what a refusal names: the .lp file, or the .jsonl file
    line: int = 0  # the .jsonl line (0 for a file)
    problem: str = ""  # why the input line is not a case

    @property
    def key(self) -> str:
        """What a written record is found by on --resume."""
        return self.id if self.id is not None else f"line {self.line}"


def check_input(path: str) -> None:
    """Refuse an input that is neither a readable directory nor a .jsonl file."""
    if os.path.isdir(path):
        if not os.access(path, os.R_OK | os.X_OK):
            raise BatchError(f"{path}: cannot read the directory")
        return
    if not path.endswith(".jsonl"):
        raise BatchError(f"{path}: INPUT must be a directory of .lp files or a .jsonl file")
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        raise BatchError(f"{path}: cannot read the input: {error.strerror or error}") from None


def count_inputs(path: str) -> int:
    """How many cases (or input lines) the input holds, without keeping them."""
    if os.path.isdir(path):
        return len(_case_files(path))
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def read_inputs(path: str) -> Iterator[CaseInput]:
    """Each case of the input, in order (file names sorted, or line order)."""
    check_input(path)
    if os.path.isdir(path):
        yield from _directory(path)
    else:
        yield from _jsonl(path)


def _case_files(directory: str) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".lp"))


def _directory(directory: str) -> Iterator[CaseInput]:
    for name in _case_files(directory):
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            text, problem = data.decode("utf-8"), ""
        except OSError as error:
            text, problem = "", f"cannot read the case file: {error.strerror or error}"
        except UnicodeDecodeError:
            text, problem = "", "the case file is not UTF-8 text"
        yield CaseInput(name[:-3], text, path, 0, problem)


def _jsonl(path: str) -> Iterator[CaseInput]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield _case_line(raw, path, number)


def _case_line(raw: bytes, path: str, number: int) -> CaseInput:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return CaseInput(None, "", path, number, f"not a JSON object: {_reason(error)}")
    if not isinstance(value, dict):
        return CaseInput(None, "", path, number, 'expected {"id": ..., "facts": ...}')
    case_id, facts = value.get("id"), value.get("facts")
    if not isinstance(case_id, str) or not case_id:
        return CaseInput(None, "", path, number, '"id" must be a non-empty string')
    if not isinstance(facts, str):
        return CaseInput(case_id, "", path, number, '"facts" must be a string of ASP facts')
    return CaseInput(case_id, facts, path, number)


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (column {error.colno})"
    return "not UTF-8 text"
