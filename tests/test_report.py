"""The committee report (`kb report`): its data, its bad-input handling, and the
site in a real browser (headless Chromium, tests/browser.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from engine.checks.findings import Report
from engine.knowledge_base import KnowledgeBase
from engine.report.interpretations import read_interpretations
from engine.report.pages import anchor, page_name
from engine.report.site import PAGES, gather, render
from tests.browser import Chromium, chromium_path

ROOT = Path(__file__).resolve().parent.parent
KB_DIR = ROOT / "kb"
OUTPUT = ROOT / "test-output"  # screenshots and the PDF for people to look at (git-ignored)


def kb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).parent / "kb"
    command = str(beside_python) if beside_python.exists() else shutil.which("kb")
    assert command, "the kb console script is not installed: run ./dev test (pip install .)"
    return subprocess.run(
        [command, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


# --- The pages' data, without the consistency checks --------------------------------------


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """Every page rendered with empty findings (the checks take a minute; the
    browser tests below render the real ones)."""
    import engine.report.site as site_module

    knowledge_base = KnowledgeBase(str(KB_DIR))
    policies = tuple(knowledge_base.policy_ids())
    empty = Report(policies, (), 1, (), (), (), (), ())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(site_module, "cached_check", lambda _kb: empty)
        return render(gather(knowledge_base, str(ROOT / "tests" / "policy_cases")))


def test_every_interpretation_block_of_the_kb_is_in_the_register(pages: dict[str, str]) -> None:
    register = pages["interpretations.html"]
    blocks = [
        (path.name, number)
        for path in sorted(KB_DIR.glob("*.lp"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.lstrip("% ").startswith("Interpretation:")
    ]
    assert len(blocks) > 80
    for name, number in blocks:
        assert f"kb/{name}:{number}" in register, f"kb/{name}:{number} is not in the register"


def test_each_note_is_linked_to_the_criterion_it_stands_under() -> None:
    notes = read_interpretations(KnowledgeBase(str(KB_DIR)))
    by_place = {(n.policy, n.line): n for n in notes}
    # providence_196.lp: the note under I.A.2 ("optimal non-surgical management").
    text = (KB_DIR / "providence_196.lp").read_text().splitlines()
    line = next(
        i
        for i, row in enumerate(text, start=1)
        if "Interpretation:" in row and "optimal non-surgical" in row
    )
    assert by_place[("providence_196", line)].criterion == "I.A.2"
    # nd_x5025.lp: the header note (before any criterion) belongs to no criterion.
    first = min((n for n in notes if n.policy == "nd_x5025"), key=lambda n: n.line)
    assert first.criterion == ""
    assert "MN.1, MN.2, MN.3" in first.text
    assert not any("-----" in n.text or "=====" in n.text for n in notes)


def test_every_criterion_has_its_text_rules_and_anchor_on_its_policy_page(
    pages: dict[str, str],
) -> None:
    result = kb("policies", "--format", "json")
    assert result.returncode == 0, result.stderr
    for policy in json.loads(result.stdout)["policies"]:
        page = pages[page_name(policy["policy"])]
        for criterion in policy["criteria"]:
            assert f'id="{anchor(criterion["id"])}"' in page, (policy["policy"], criterion["id"])


def test_a_criterion_links_to_the_boundary_cases_that_test_it(pages: dict[str, str]) -> None:
    page = pages[page_name("providence_196")]
    section = page[page.index('id="c-I.B"') :]
    section = section[: section.index("</section>")]
    assert re.search(r'href="#case-\d+"', section), "I.B lists no boundary case"
    assert "Multiple myeloma; or" in section
    assert "lesion_at" in section, "the rule's source is shown"


def test_without_the_case_tables_the_report_omits_their_links(tmp_path: Path) -> None:
    import engine.report.site as site_module

    knowledge_base = KnowledgeBase(str(KB_DIR))
    empty = Report(tuple(knowledge_base.policy_ids()), (), 1, (), (), (), (), ())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(site_module, "cached_check", lambda _kb: empty)
        rendered = render(gather(knowledge_base, None))
    assert 'href="#case-' not in rendered[page_name("providence_196")]
    assert "not installed" in rendered[page_name("providence_196")]


def test_the_register_groups_the_words_several_payers_read(pages: dict[str, str]) -> None:
    register = pages["interpretations.html"]
    assert "Symptomatic" in register
    assert "Failed conservative or non-surgical management" in register


# --- Bad input ---------------------------------------------------------------------------


def test_a_non_empty_output_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = kb("report", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr == f"error: {out} is not empty; use --force to replace it\n"
    assert (out / "keep.txt").read_text() == "mine"


def test_a_broken_policy_is_reported_with_file_and_line_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(KB_DIR, broken)
    policy = broken / "nd_x5025.lp"
    text = policy.read_text()
    line = len(text.splitlines()) + 1
    policy.write_text(text + 'met(nd_x5025, "MN.1.a", L) :- target(L) cause_at(L, osteoporotic).\n')
    out = tmp_path / "site"
    result = kb("report", "--kb", str(broken), "--out", str(out))
    assert result.returncode == 1
    assert f"nd_x5025.lp:{line}:" in result.stderr
    assert "syntax error" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["kb"], "no temporary directory is left"


# --- In a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium: ./dev test installs Debian's chromium when run as root; "
            "elsewhere install it (apt-get install chromium) to run the browser tests"
        )
    pytest.importorskip("websocket", reason="websocket-client is a test dependency")
    with Chromium(executable) as browser:
        yield browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kb report` into a fresh directory (the checks come from the cache that
    `kb check` and the check tests fill)."""
    out = tmp_path_factory.mktemp("report") / "site"
    result = kb("report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").exists()
    return out


def _site_pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


@pytest.mark.slow
def test_every_page_loads_without_errors_or_outside_requests(
    chromium: Chromium, site: Path
) -> None:
    assert {p.name for p in _site_pages(site)} >= set(PAGES)
    for page in _site_pages(site):
        loaded = chromium.load(page.as_uri())
        assert loaded.errors == [], (page.name, loaded.errors)
        assert loaded.failed == [], (page.name, loaded.failed)
        outside = [u for u in loaded.requests if not u.startswith("file://")]
        assert outside == [], (page.name, outside)
        assert len(loaded.requests) == 3, (page.name, loaded.requests)  # page + 2 stylesheets


_LINKS = """Array.from(document.querySelectorAll('a')).map(
    a => a.getAttribute('href') || a.getAttribute('xlink:href')).filter(h => h)"""
_IDS = "Array.from(document.querySelectorAll('[id]')).map(e => e.id)"


@pytest.mark.slow
def test_every_internal_link_resolves(chromium: Chromium, site: Path) -> None:
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    for page in _site_pages(site):
        chromium.load(page.as_uri())
        ids[page.name] = set(chromium.evaluate(_IDS))
        links[page.name] = chromium.evaluate(_LINKS)
    broken = []
    for name, found in links.items():
        for href in found:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, (name, href)
            target = parts.path or name
            fragment = unquote(parts.fragment)
            if target not in ids or (fragment and fragment not in ids[target]):
                broken.append(f"{name}: {href}")
    assert broken == []
    assert sum(len(found) for found in links.values()) > 1000


@pytest.mark.slow
def test_every_criterion_is_on_its_policy_page_and_two_clicks_from_the_index(
    chromium: Chromium, site: Path
) -> None:
    result = kb("policies", "--format", "json")
    policies = json.loads(result.stdout)["policies"]
    chromium.load((site / "index.html").as_uri())
    from_index = set(chromium.evaluate(_LINKS))
    for policy in policies:
        page = page_name(policy["policy"])
        assert page in from_index
        chromium.load((site / page).as_uri())
        shown = set(
            chromium.evaluate(
                "Array.from(document.querySelectorAll('section.criterion .cid'))"
                ".map(e => e.textContent)"
            )
        )
        on_page = set(chromium.evaluate(_LINKS))
        diagram_links = chromium.evaluate(
            "Array.from(document.querySelectorAll('figure.diagram a')).length"
        )
        for criterion in policy["criteria"]:
            assert criterion["id"] in shown, (policy["policy"], criterion["id"])
            assert f"#{anchor(criterion['id'])}" in on_page, (policy["policy"], criterion["id"])
        assert diagram_links > 0, f"{page}: the diagram's boxes link to no criterion"


@pytest.mark.slow
def test_screenshots_and_the_print_layout(chromium: Chromium, site: Path) -> None:
    OUTPUT.mkdir(exist_ok=True)
    for page in ("index.html", page_name("providence_196")):
        chromium.load((site / page).as_uri())
        path = chromium.screenshot(str(OUTPUT / f"report-{page}.png"))
        assert os.path.getsize(path) > 10_000
        print(f"screenshot: {path}")
    chromium.load((site / page_name("providence_196")).as_uri())
    pdf = chromium.pdf()
    (OUTPUT / "report-providence_196.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    print(f"print layout: {OUTPUT / 'report-providence_196.pdf'}, {pages} pages")
    assert 5 <= pages <= 60, pages
