"""The options and arguments several `kb` commands share, each defined once.

Typer `Annotated` aliases: a command declares `kb: KbOption = None` and gets
the same flag, type and help text as every other command that takes it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Format(StrEnum):
    text = "text"
    json = "json"


KbOption = Annotated[
    str | None,
    typer.Option("--kb", help="Knowledge base directory (default: the installed kb/)."),
]
FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]
PolicyOption = Annotated[
    list[str] | None, typer.Option("--policy", help="Only this policy (repeatable).")
]
ClosedWorldOption = Annotated[
    bool, typer.Option("--closed-world", help="Treat every undocumented item as false.")
]
CaseFileArgument = Annotated[str, typer.Argument(help="Case file (.lp), or - for stdin.")]

_WORKERS = "Worker processes (default: one per CPU)."
# kb check names them jobs, kb batch workers: both flags are public.
JobsOption = Annotated[int | None, typer.Option("--jobs", min=1, help=_WORKERS)]
WorkersOption = Annotated[int | None, typer.Option("--workers", min=1, help=_WORKERS)]
