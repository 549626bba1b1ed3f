"""`kb batch`: adjudicate many cases into one file of records.

Heavy imports (the batch package, rich, dask) stay inside the command, off
the `kb query` path.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import ClosedWorldOption, KbOption, PolicyOption, WorkersOption

if TYPE_CHECKING:
    from collections.abc import Callable

    from engine.batch.run import Summary
    from engine.batch.work import Settings


def batch_command(
    source: Annotated[
        str, typer.Argument(metavar="INPUT", help="A directory of .lp cases or a .jsonl file.")
    ],
    out: Annotated[str, typer.Option("--out", help="OUT.jsonl (default), OUT.csv or OUT.parquet.")],
    policy: PolicyOption = None,
    closed_world: ClosedWorldOption = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Add each determination's explanation (slower).")
    ] = False,
    kb: KbOption = None,
    workers: WorkersOption = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="A Dask scheduler, tcp://HOST:PORT (needs the distributed extra)."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the cases OUT already holds; append the rest.")
    ] = False,
) -> None:
    """Adjudicate every case of INPUT: one record per case, in input order."""
    from cli.main import _fail, _knowledge_base
    from engine.batch.run import run_batch
    from engine.batch.work import Settings, kb_digest
    from engine.errors import PolicyKbError

    try:
        knowledge_base = _knowledge_base(kb)
        chosen = knowledge_base.check_policies(policy) if policy else knowledge_base.policy_ids()
        settings = Settings(
            knowledge_base.directory,
            kb_digest(knowledge_base.directory),
            tuple(chosen),
            closed_world,
            explain,
        )
        with _progress(source) as advance:
            summary = run_batch(
                source,
                out,
                settings,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                progress=advance,
            )
    except PolicyKbError as error:
        raise _fail(error) from None
    sys.stderr.write(summary_text(summary, out, settings))


class _progress:
    """A rich progress bar (cases/s, ETA) on a terminal; nothing otherwise."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._bar: object | None = None

    def __enter__(self) -> Callable[[int], None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        from engine.batch.run import total_cases

        bar = Progress(
            TextColumn("[bold]kb batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),  # the terminal it was found on, not stdout
            transient=False,
        )
        self._bar = bar
        task = bar.add_task("cases", total=total_cases(self._source), rate="")
        bar.start()

        def advance(count: int) -> None:
            bar.advance(task, count)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.0f} cases/s" if speed else "")

        return advance

    def __exit__(self, *exc: object) -> None:
        from rich.progress import Progress

        if isinstance(self._bar, Progress):
            self._bar.stop()


def summary_text(summary: Summary, out: str, settings: Settings) -> str:
    lines = [
        f"{summary.cases} cases written to {out}"
        + (f" ({summary.skipped} already there)" if summary.skipped else "")
        + f"; {summary.errors} refused"
    ]
    for policy in settings.policies:
        counts = sorted(
            (status, count) for (p, status), count in summary.statuses.items() if p == policy
        )
        if counts:
            lines.append(f"  {policy}: " + ", ".join(f"{s} {n}" for s, n in counts))
    return "\n".join(lines) + "\n"
