"""`kb report`: the committee report as a static site."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.options import KbOption
from engine.errors import PolicyKbError


def report_command(
    out: Annotated[str, typer.Option("--out", help="Directory to write the site into.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output directory if it is not empty.")
    ] = False,
    cases: Annotated[
        str | None,
        typer.Option(
            "--cases",
            help="Boundary-case tables (default: tests/policy_cases beside the knowledge base "
            "or in the current directory, if there).",
        ),
    ] = None,
    kb: KbOption = None,
) -> None:
    """The committee report: each policy's criteria beside their rules, interpretations,
    diagrams and boundary cases; the interpretation register; the findings of kb check."""
    from cli.main import _fail, _knowledge_base
    from engine.report.cases import default_cases_directory
    from engine.report.site import build_report

    try:
        knowledge_base = _knowledge_base(kb)
        directory = cases if cases is not None else default_cases_directory(knowledge_base)
        written = build_report(
            knowledge_base,
            out,
            force=force,
            cases_directory=directory,
            progress=_progress,
        )
    except PolicyKbError as error:
        raise _fail(error) from None
    sys.stdout.write(f"{out}: {len(written)} files; open {out}/index.html\n")


def _progress(step: str) -> None:
    sys.stderr.write(f"kb report: {step}\n")
