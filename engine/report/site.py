"""`kb report`: the committee report, a static site written atomically.

Everything is gathered before anything is written (a broken knowledge base
fails with its file and line, and leaves no directory behind); the pages are
rendered with jinja2 into a temporary directory beside the output, which then
takes the output's place. The site is offline: one stylesheet, no script,
no font or image from elsewhere; the diagrams are inline SVG.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from engine.checks.cache import cached_check
from engine.checks.report import SHORT_STATUS
from engine.checks.summary import covered_only_by, picture
from engine.errors import PolicyKbError
from engine.knowledge_base import KnowledgeBase
from engine.report.cases import BoundaryCase, ReportInputError, boundary_cases
from engine.report.diagrams import DiagramsUnavailable, policy_diagrams
from engine.report.interpretations import note_location, read_interpretations
from engine.report.pages import (
    Site,
    anchor,
    case_anchor,
    criterion_link,
    page_name,
    policy_page,
    site,
)

_HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(_HERE, "templates")
STATIC = os.path.join(_HERE, "static")
PAGES = ("index.html", "interpretations.html", "findings.html")


class OutputExistsError(PolicyKbError):
    """The output directory holds something and --force was not given."""


def gather(
    kb: KnowledgeBase,
    cases_directory: str | None,
    progress: Callable[[str], None] = lambda _: None,
) -> Site:
    """Every page's data, from the engine's own functions."""
    from engine.diagrams.wording import effective_text
    from engine.query import describe_policies
    from engine.rules import read_catalogue

    infos = describe_policies(kb)
    ids = [info.id for info in infos]
    catalogue = read_catalogue(kb, ids)
    notes = read_interpretations(kb, ids)
    cases: dict[str, tuple[BoundaryCase, ...]] = {}
    cases_note = "the boundary-case tables (tests/policy_cases/) are not installed"
    if cases_directory is not None:
        cases = boundary_cases(kb, cases_directory)
        cases_note = ""

    def box_anchor(policy: str, criterion: str) -> str | None:
        return anchor(criterion) if (policy, criterion) in catalogue.criteria else None

    drawn = policy_diagrams(kb, ids, box_anchor)
    diagrams_note = drawn.reason if isinstance(drawn, DiagramsUnavailable) else ""
    progress("consistency checks (the committed findings, else kb check: about a minute once)")
    report = cached_check(kb)
    pages = [
        policy_page(
            info,
            catalogue,
            notes,
            [] if isinstance(drawn, DiagramsUnavailable) else drawn[info.id],
            cases.get(info.id, ()),
            effective_text(info.effective_from, info.effective_to),
        )
        for info in infos
    ]
    return site(pages, report, notes, diagrams_note, cases_note)


def check_output(out: str, force: bool) -> None:
    """Refuse an existing non-empty output directory (or a file) unless forced."""
    if os.path.isdir(out):
        if os.listdir(out) and not force:
            raise OutputExistsError(f"{out} is not empty; use --force to replace it")
    elif os.path.exists(out):
        raise OutputExistsError(f"{out} exists and is not a directory")


def render(data: Site) -> dict[str, str]:
    """File name -> HTML for every page."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(_helpers())
    pages = {name: environment.get_template(name).render(site=data) for name in PAGES}
    policy_template = environment.get_template("policy.html")
    for page in data.policies:
        pages[page_name(page.info.id)] = policy_template.render(site=data, page=page)
    return pages


def _helpers() -> dict[str, Any]:
    from markupsafe import Markup

    lexer, formatter = _highlighter()

    def highlight(source: str) -> Markup:
        import pygments

        return Markup(pygments.highlight(source, lexer, formatter))

    return {
        "anchor": anchor,
        "short": lambda status: SHORT_STATUS.get(status, status or "NA"),
        "criterion_link": criterion_link,
        "page_name": page_name,
        "case_anchor": case_anchor,
        "note_location": note_location,
        "covered_only_by": covered_only_by,
        "picture": picture,
        "highlight": highlight,
        "pretty": lambda name: name.replace("_", " "),
    }


def _highlighter() -> tuple[Any, Any]:
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PrologLexer

    return PrologLexer(), HtmlFormatter(cssclass="asp")


def highlight_css() -> str:
    _, formatter = _highlighter()
    css: str = formatter.get_style_defs(".asp")
    return css


def write_site(pages: dict[str, str], out: str) -> list[str]:
    """Write the pages and the stylesheets into a fresh directory that then
    replaces `out`; the files written, relative to `out`."""
    parent = os.path.dirname(os.path.abspath(out))
    try:
        os.makedirs(parent, exist_ok=True)
        building = tempfile.mkdtemp(prefix=".kb-report-", dir=parent)
    except OSError as error:
        raise ReportInputError(f"cannot write into {parent}: {error.strerror}") from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(building, 0o777 & ~mask)  # mkdtemp's directory is private
        written = _write_files(pages, building)
        _replace(building, out)
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise ReportInputError(f"cannot write {out}: {error.strerror}") from None
    return written


def _write_files(pages: dict[str, str], directory: str) -> list[str]:
    os.makedirs(os.path.join(directory, "static"))
    files = dict(pages)
    with open(os.path.join(STATIC, "report.css"), encoding="utf-8") as handle:
        files["static/report.css"] = handle.read()
    files["static/highlight.css"] = highlight_css()
    for name, text in files.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    return sorted(files)


def _replace(building: str, out: str) -> None:
    """Move the built directory to `out`, the old one (if any) out of the way first."""
    if not os.path.exists(out):
        os.rename(building, out)
        return
    old = tempfile.mkdtemp(prefix=".kb-report-old-", dir=os.path.dirname(os.path.abspath(out)))
    os.rmdir(old)
    os.rename(out, old)
    os.rename(building, out)
    shutil.rmtree(old, ignore_errors=True)


def build_report(
    kb: KnowledgeBase,
    out: str,
    *,
    force: bool = False,
    cases_directory: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[str]:
    """Gather, render and write the site; the files written, relative to `out`."""
    check_output(out, force)
    pages = render(gather(kb, cases_directory, progress))
    return write_site(pages, out)
