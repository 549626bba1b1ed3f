"""The `kb` command: one function per subcommand, errors as messages and exit codes.

Exit codes: 0 answered, 2 bad input (case file, option, unknown policy),
1 the knowledge base itself failed. Heavy imports stay out of this module.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import (
    CaseFileArgument,
    ClosedWorldOption,
    Format,
    FormatOption,
    JobsOption,
    KbOption,
    PolicyOption,
)
from engine.errors import CaseError, KnowledgeBaseError, PolicyKbError, UnknownPolicyError
from engine.vocabulary import PROCEDURES

if TYPE_CHECKING:
    from engine.case import Case
    from engine.determination import Determination
    from engine.knowledge_base import KnowledgeBase

app = typer.Typer(
    help="Payers' vertebral augmentation coverage policies as answer-set programs.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _fail(error: PolicyKbError) -> typer.Exit:
    """Print a domain error to stderr and choose its exit code."""
    sys.stderr.write(f"error: {error}\n" if not isinstance(error, CaseError) else f"{error}\n")
    if isinstance(error, CaseError):
        count = error.count
        sys.stderr.write(f"case refused: {count} problem{'s' if count != 1 else ''}\n")
    code = 1 if isinstance(error, KnowledgeBaseError) else 2
    return typer.Exit(code)


def _write_utf8(data: bytes) -> None:
    """UTF-8 text to stdout: as bytes to its buffer when it writes UTF-8
    without translating newlines (the JSON of a 30-level request is two
    megabytes: decoding it to text only for stdout to encode it again costs
    ~2 ms), else as text."""
    import codecs
    import os

    buffer = getattr(sys.stdout, "buffer", None)
    utf8 = codecs.lookup(sys.stdout.encoding or "ascii").name == "utf-8"
    if buffer is None or not utf8 or os.linesep != "\n":
        sys.stdout.write(data.decode())
        return
    sys.stdout.flush()  # what was written as text goes first
    buffer.write(data)


def _one_case() -> None:
    """A command that answers one case and ends the process (run: os._exit)
    switches Python's cyclic garbage collector off. Reference counting frees
    what the query drops; a collection would only scan again the tens of
    thousands of small objects an explanation builds, which the process
    keeps to the end (some 5% of an explained query of 30 levels, in CPU
    time: bench/bench_explain.py). `kb batch` and the checks, which run long,
    keep it."""
    import gc

    gc.disable()


def _knowledge_base(directory: str | None) -> KnowledgeBase:
    from engine.knowledge_base import KnowledgeBase

    return KnowledgeBase(directory) if directory else KnowledgeBase()


@app.command()
def query(
    facts: Annotated[str, typer.Option("--facts", help="Case file (.lp), or - for stdin.")],
    policy: PolicyOption = None,
    output: FormatOption = Format.text,
    closed_world: ClosedWorldOption = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Add why / why-not trees (JSON output always carries them)."
        ),
    ] = False,
    diagram: Annotated[
        str | None,
        typer.Option(
            "--diagram",
            help="Also draw the criteria diagram with this case (OUT.svg|png|pdf|dot; "
            "with several policies, OUT-<policy>.svg each).",
        ),
    ] = None,
    kb: KbOption = None,
) -> None:
    """Every policy's determination for a case, with the criteria that decided it."""
    from engine.case import read_case_file
    from engine.query import determine, determine_and_explain
    from engine.render import to_json_utf8, to_text

    _one_case()
    explained = explain or output == Format.json
    try:
        if diagram:  # refuse a path we cannot draw before any work is done
            from engine.diagrams.output import case_diagram_format

            case_diagram_format(diagram)
        knowledge_base = _knowledge_base(kb)
        case = read_case_file(facts)
        if explained:
            determinations, explanations = determine_and_explain(
                case, knowledge_base, policy, closed_world=closed_world
            )
        else:
            determinations = determine(case, knowledge_base, policy, closed_world=closed_world)
            explanations = None
    except PolicyKbError as error:
        raise _fail(error) from None
    if output == Format.json:
        _write_utf8(to_json_utf8(case, determinations, explanations))
    else:
        sys.stdout.write(to_text(case, determinations, explanations))
    if diagram:
        _draw_case(diagram, case, knowledge_base, determinations)


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"
    dot = "dot"
    svg = "svg"


@app.command(name="explain")
def explain_command(
    file: CaseFileArgument,
    policy: Annotated[str, typer.Option("--policy", help="The policy to explain.")],
    output: Annotated[
        ExplainFormat, typer.Option("--format", help="Output format.")
    ] = ExplainFormat.text,
    closed_world: ClosedWorldOption = False,
    kb: KbOption = None,
) -> None:
    """One policy's derivation for a case: why, why not, exclusions assumed absent."""
    from engine.case import read_case_file
    from engine.explanation.render import explanation_dot, render_svg
    from engine.query import determine_and_explain
    from engine.render import to_json_utf8, to_text

    _one_case()
    try:
        case = read_case_file(file)
        determinations, explanations = determine_and_explain(
            case, _knowledge_base(kb), [policy], closed_world=closed_world
        )
    except PolicyKbError as error:
        raise _fail(error) from None
    if output == ExplainFormat.json:
        _write_utf8(to_json_utf8(case, determinations, explanations))
    elif output == ExplainFormat.text:
        sys.stdout.write(to_text(case, determinations, explanations))
    else:
        dot = explanation_dot(explanations[0])
        sys.stdout.write(dot if output == ExplainFormat.dot else render_svg(dot))


@app.command()
def whatif(
    file: CaseFileArgument,
    add: Annotated[
        list[str] | None,
        typer.Option("--add", help="Facts to add, e.g. 'therapy_failed.' (repeatable)."),
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="Facts to remove (repeatable).")
    ] = None,
    policy: PolicyOption = None,
    output: FormatOption = Format.text,
    closed_world: ClosedWorldOption = False,
    kb: KbOption = None,
) -> None:
    """Re-evaluate a case with facts added or removed: which determinations change, and why."""
    from engine.case import read_case_file
    from engine.whatif import what_if, whatif_json, whatif_text

    try:
        case = read_case_file(file)
        result = what_if(
            case,
            "\n".join(add or []),  # each --add its own line, as error messages count them
            "\n".join(remove or []),
            _knowledge_base(kb),
            policy,
            closed_world=closed_world,
            explain=output == Format.json,  # JSON carries explanations, as kb query's does
        )
    except PolicyKbError as error:
        raise _fail(error) from None
    sys.stdout.write(whatif_json(result) if output == Format.json else whatif_text(result))


@app.command()
def validate(
    file: CaseFileArgument,
) -> None:
    """Check a case file against the case vocabulary, without solving."""
    from engine.case import read_case_file

    try:
        case = read_case_file(file)
    except CaseError as error:
        raise _fail(error) from None
    sys.stdout.write(f"{case.source}: valid case, {len(case.facts)} facts\n")


@app.command()
def policies(output: FormatOption = Format.text, kb: KbOption = None) -> None:
    """The policies in the knowledge base: ids, titles, payers, dates, procedures."""
    from engine.query import describe_policies
    from engine.render import policies_json, policies_text

    try:
        found = describe_policies(_knowledge_base(kb))
    except (KnowledgeBaseError, UnknownPolicyError) as error:
        raise _fail(error) from None
    sys.stdout.write(policies_json(found) if output == Format.json else policies_text(found))


class DiagramFormat(StrEnum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"


@app.command()
def diagram(
    policy: PolicyOption = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every policy and the side-by-side figures (the default)."),
    ] = False,
    procedure: Annotated[
        str | None, typer.Option("--procedure", help="Only this procedure.")
    ] = None,
    output: Annotated[
        list[DiagramFormat] | None,
        typer.Option("--format", help="svg, png, pdf or dot (repeatable; default svg)."),
    ] = None,
    out: Annotated[str, typer.Option("--out", help="Directory to write into.")] = ".",
    kb: KbOption = None,
) -> None:
    """Criteria diagrams drawn from the rules: one per policy and procedure, and one
    side-by-side figure per procedure (compare_<procedure>)."""
    from engine.diagrams.output import write_diagrams

    if policy and every:
        sys.stderr.write("error: give --policy or --all, not both\n")
        raise typer.Exit(2)
    formats = [f.value for f in output] if output else ["svg"]
    try:
        written = write_diagrams(_knowledge_base(kb), out, policy, procedure, formats)
    except PolicyKbError as error:
        raise _fail(error) from None
    sys.stdout.write("".join(f"{path}\n" for path in written))


def _draw_case(
    path: str, case: Case, kb: KnowledgeBase, determinations: list[Determination]
) -> None:
    """kb query --diagram: the case drawn on each policy's criteria diagram."""
    from engine.diagrams.output import write_case_diagrams

    try:
        notes = write_case_diagrams(path, case, kb, determinations)
    except PolicyKbError as error:
        raise _fail(error) from None
    sys.stderr.write("".join(f"{note}\n" for note in notes))


# The procedures of the case vocabulary, as a choice for --procedure.
CheckProcedure = StrEnum("CheckProcedure", {p: p for p in PROCEDURES.members})  # type: ignore[misc]


@app.command()
def check(
    policy: PolicyOption = None,
    procedure: Annotated[
        CheckProcedure | None, typer.Option("--procedure", help="Only this procedure.")
    ] = None,
    levels: Annotated[
        int,
        typer.Option("--levels", min=1, max=6, help="Target levels a case may have (at most)."),
    ] = 1,
    output: FormatOption = Format.text,
    jobs: JobsOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="After the summary, every finding with its witness.")
    ] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Recompute even if the findings are cached.")
    ] = False,
    kb: KbOption = None,
) -> None:
    """Consistency checks: conflicts, gaps and dead rules inside each policy, and the
    disagreements between policies, each with a minimal witness case."""
    from engine.checks.cache import cached_check
    from engine.checks.report import to_json as check_json
    from engine.checks.report import to_text as check_text

    try:
        report = cached_check(
            _knowledge_base(kb),
            policy,
            procedure=procedure.value if procedure else None,
            levels=levels,
            jobs=jobs,
            fresh=fresh,
        )
    except PolicyKbError as error:
        raise _fail(error) from None
    text = check_json(report) if output == Format.json else check_text(report, verbose=verbose)
    sys.stdout.write(text)


from cli.report import report_command  # noqa: E402  (after the app it registers with)

app.command(name="report")(report_command)


from cli.batch import batch_command  # noqa: E402  (after the app it joins)

app.command(name="batch")(batch_command)


def run() -> None:
    """Entry point of the `kb` console script.

    An unexpected failure is a bug in policy-kb, not in the input: say so in
    one line (set KB_DEBUG=1 for the traceback) and exit 1.

    The process ends with os._exit once the output is flushed: interpreter
    teardown (freeing typer, click and clingo module state) costs ~9 ms,
    about a sixth of a whole query, and a one-shot command needs none of it
    (bench/bench_query.py measures this).
    """
    import os

    code = 0
    try:
        app()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except Exception as error:  # the last line of defence
        if os.environ.get("KB_DEBUG"):
            raise
        sys.stderr.write(f"internal error (a bug in policy-kb): {type(error).__name__}: {error}\n")
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (e.g. `kb query ... | head`)
        code = code or 1
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
