"""Criteria diagrams: drawn from the rules, current, deterministic, faithful.

The committed diagrams in diagrams/ are regenerated here and compared; every
labelled rule must be drawn; and on every named boundary case of every
policy, the diagram read as a circuit (its facts as the solver finds them,
combined by the diagram's own ALL / ANY / NONE gates) must give each
criterion the truth value the rules give it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.case import read_case
from engine.diagrams.build import build_diagram
from engine.diagrams.draw import to_digraph
from engine.diagrams.knowledge import Knowledge, read_knowledge
from engine.diagrams.model import ALL, CONDITION, EXCLUSION, FACT, HELPER, INDICATION, Diagram
from engine.diagrams.output import output, policy_drawings, write_diagrams
from engine.diagrams.overlay import case_overlay, holding, requested_procedure
from engine.knowledge_base import KnowledgeBase
from engine.query import determine
from tests.kb_copies import copy_of_kb, swap_status_ranks
from tests.policy_cases import Case, all_cases

ROOT = Path(__file__).resolve().parent.parent
DIAGRAMS = ROOT / "diagrams"
EXAMPLES = ROOT / "examples"
KB = KnowledgeBase()

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' not installed")


@functools.cache
def knowledge() -> Knowledge:
    return read_knowledge(KB)


@functools.cache
def graph(policy: str, procedure: str) -> Diagram:
    return build_diagram(knowledge(), policy, procedure)


POLICIES = KB.policy_ids()


# --- The graph is the rules ----------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_every_labelled_rule_is_drawn_in_its_policy_diagrams(policy: str) -> None:
    drawn: set[str] = set()
    for procedure in knowledge().policies[policy].procedures:
        drawn |= graph(policy, procedure).rule_ids()
    labelled = {rule.id for rule in knowledge().catalogue.rules_of(policy)}
    assert labelled - drawn == set(), "labelled rules missing from the diagrams"
    assert drawn - labelled == set(), "diagram nodes that are no labelled rule"


@pytest.mark.parametrize("policy", POLICIES)
def test_every_labelled_rule_id_is_in_the_committed_dot_files(policy: str) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in DIAGRAMS.glob(f"{policy}_*.dot"))
    for rule in knowledge().catalogue.rules_of(policy):
        assert re.search(re.escape(rule.id) + r"(?![\w.:-])", text), f"{rule.id} not drawn"


def test_a_rule_for_another_procedure_is_not_in_this_procedures_diagram() -> None:
    kyphoplasty = graph("carefirst_pvp", "kyphoplasty").rule_ids()
    vertebroplasty = graph("carefirst_pvp", "vertebroplasty").rule_ids()
    assert not any(":PVP." in r for r in kyphoplasty)
    assert not any(":PKP." in r for r in vertebroplasty)
    # Providence's indications all require vertebroplasty or kyphoplasty
    # (through its providence_196_augmentation/1 helper): none is in the sacroplasty diagram.
    sacroplasty = graph("providence_196", "sacroplasty")
    kinds = {node.kind for node in sacroplasty.nodes.values()}
    assert INDICATION not in kinds
    assert "providence_196:III" in sacroplasty.rule_ids()
    # III (augmentation of a sacral level, whatever it is called) applies to any procedure.
    assert "providence_196:III" in graph("providence_196", "vertebroplasty").rule_ids()


def _labels_under(g: Diagram, node: str) -> list[str]:
    nodes = sorted([node, *g.descendants(node)], key=lambda n: g.node(n).order)
    return [g.node(n).label for n in nodes if g.node(n).kind == FACT]


def test_leaves_write_thresholds_and_ranges_out_from_the_knowledge_base() -> None:
    tables = knowledge().tables
    (twelve_weeks,) = [days for name, days in tables.values("threshold") if name == "twelve_weeks"]
    providence = _labels_under(graph("providence_196", "vertebroplasty"), "condition:I.A.1")
    assert f"symptom onset at the level ≤ {twelve_weeks} days (twelve weeks)" in providence
    assert "the level within T1–L5" in providence
    cigna = _labels_under(
        graph("cigna_cmm607", "vertebroplasty"), "condition:CMM-607.2.surgical.levels"
    )
    assert cigna == ["the level within T5–L5", "number of target levels ≤ 2"]


def test_status_nodes_follow_the_precedence_the_knowledge_base_states(tmp_path: Path) -> None:
    """The goal first, then the statuses in the order of status_rank/2 of
    determination.lp: swapped there, swapped in the diagram."""
    drawn = graph("bcbsm_sacral", "sacroplasty").statuses()
    order = ["medically_necessary", "not_covered", "investigational", "not_medically_necessary"]
    assert drawn == [f"status:{s}" for s in order]
    kb = copy_of_kb(tmp_path)
    swap_status_ranks(kb, "not_covered", "not_medically_necessary")
    swapped = build_diagram(read_knowledge(kb), "bcbsm_sacral", "sacroplasty").statuses()
    order = ["medically_necessary", "not_medically_necessary", "investigational", "not_covered"]
    assert swapped == [f"status:{s}" for s in order]


def test_conditions_inside_policy_helpers_are_drawn() -> None:
    carefirst = _labels_under(graph("carefirst_pvp", "vertebroplasty"), "indication:PVP.1")
    assert "longest conservative therapy ≥ 42 days (six weeks)" in carefirst
    assert "the level is cervical, thoracic or lumbar" in carefirst
    cigna = _labels_under(
        graph("cigna_cmm607", "vertebroplasty"), "condition:CMM-607.2.nonmalignant.acute"
    )
    assert "pain prevents ambulation" in cigna
    assert "pain prevents independent transfers" in cigna


# --- The diagram as a circuit agrees with the solver on every boundary case -----------


def _circuit(g: Diagram, node: str, level: str, held: set[tuple[str, str]]) -> bool:
    """A node's truth computed from the diagram alone: facts from the solver,
    combined by the diagram's own gates."""
    data = g.node(node)
    if data.kind == FACT:
        return (node, level) in held
    children = [c for c in g.children(node) if g.edge(node, c).kind != "blocks"]
    values = [_circuit(g, child, level, held) for child in children]
    if data.kind == HELPER and data.negated:
        return not any(values)
    return all(values) if data.gate == ALL else any(values)


def _addressed(case: Case, policy: str) -> str | None:
    procedure = requested_procedure(read_case(case.facts, case.name))
    return procedure if procedure in knowledge().policies[policy].procedures else None


# Boundary cases whose procedure the policy addresses (the others have no diagram).
DRAWN = [(p, c) for p, c in all_cases() if _addressed(c, p) is not None]


@pytest.mark.parametrize(("policy", "case"), DRAWN, ids=[f"{p}: {c.name}" for p, c in DRAWN])
def test_the_diagram_gives_every_criterion_the_truth_the_rules_give_it(
    policy: str, case: Case
) -> None:
    procedure = _addressed(case, policy)
    assert procedure is not None
    g = graph(policy, procedure)
    parsed = read_case(case.facts, case.name)
    held = holding(g, parsed, KB)
    for node, data in g.nodes.items():
        if data.kind not in (INDICATION, CONDITION, EXCLUSION):
            continue
        for level in parsed.targets:
            expected = (node, level) in held
            assert _circuit(g, node, level, held) == expected, f"{node} at {level}"


# --- Rendering ---------------------------------------------------------------------------


@pytest.mark.slow  # draws every diagram twice
@needs_dot
def test_drawing_is_deterministic(tmp_path: Path) -> None:
    """Same knowledge base, same bytes: across processes (string hashing is
    seeded per process) and without graphviz's version comment."""
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "cli.main", "diagram", "--all", "--format", "dot",
             "--format", "svg", "--out", str(tmp_path / seed)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    for first in sorted((tmp_path / "1").iterdir()):
        second = tmp_path / "2" / first.name
        assert first.read_bytes() == second.read_bytes(), first.name
        assert b"Generated by graphviz" not in first.read_bytes()
    again = policy_drawings(knowledge(), ["cigna_cmm607"], "vertebroplasty")
    ((stem, drawing),) = again
    assert output(drawing, "svg") == (tmp_path / "1" / f"{stem}.svg").read_bytes()


def _graphviz_version() -> str:
    found = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    match = re.search(r"version (\S+)", found)
    return match.group(1) if match else ""


def _svg_text(svg: str) -> list[str]:
    """What an SVG says (texts, titles, ids, tooltips), without where it says it."""
    return re.findall(r'<text[^>]*>([^<]*)</text>|<title>([^<]*)</title>|id="([^"]*)"', svg)


@needs_dot
def test_committed_diagrams_are_current(tmp_path: Path) -> None:
    """Regenerate every diagram (`kb diagram --all --format svg --format dot --out
    diagrams`) and compare: DOT byte for byte; SVG byte for byte when drawn by
    the graphviz version that drew the committed ones, else by its text."""
    written = write_diagrams(KB, str(tmp_path), formats=["svg", "dot"])
    names = sorted(Path(p).name for p in written)
    committed = sorted(p.name for p in DIAGRAMS.iterdir() if p.suffix in (".svg", ".dot"))
    assert names == committed, (
        "regenerate: kb diagram --all --format svg --format dot --out diagrams"
    )
    same_graphviz = f"graphviz {_graphviz_version()}" in (DIAGRAMS / "README.md").read_text()
    for name in names:
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        old = (DIAGRAMS / name).read_text(encoding="utf-8")
        if name.endswith(".dot") or same_graphviz:
            assert fresh == old, f"diagrams/{name} is stale: kb diagram --all ..."
        else:
            assert _svg_text(fresh) == _svg_text(old), f"diagrams/{name} is stale"


# --- The case overlay --------------------------------------------------------------------


def test_overlay_marks_the_path_to_the_determination() -> None:
    case = read_case(
        (EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp").read_text(encoding="utf-8"), "case"
    )
    (determination,) = determine(case, KB, ["providence_196"])
    g = graph("providence_196", "vertebroplasty")
    overlay = case_overlay(g, case, KB, determination)
    assert determination.status == "medically_necessary"
    assert {"status:medically_necessary", "indication:I.A", "condition:I.A.1"} <= overlay.path
    assert overlay.states["indication:I.A"]["l1"] == "true"
    assert overlay.states["indication:I.B"]["l1"] == "false"
    assert overlay.states["exclusion:II.C"]["l1"] == "false"
    assert "exclusion:II.C" not in overlay.path


def test_overlay_tells_undocumented_items_from_failed_ones() -> None:
    text = "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). pain_score(9)."
    case = read_case(text, "undocumented")
    (determination,) = determine(case, KB, ["providence_196"])
    g = graph("providence_196", "vertebroplasty")
    overlay = case_overlay(g, case, KB, determination)
    facts = {g.node(n).label: overlay.states[n]["l1"] for n in g.children("condition:I.A.1")}
    assert facts["fracture at the level: osteoporotic"] == "true"
    assert facts["symptom onset at the level ≤ 84 days (twelve weeks)"] == "unknown"
    assert overlay.states["condition:I.A.1"]["l1"] == "unknown"
    assert overlay.states["indication:I.E"]["l1"] == "false"  # a picture fact: closed


def test_overlay_knows_a_therapy_contraindication_stated_for_its_kind() -> None:
    # The overlay used to compare a documentation item's first argument with the
    # level, so `therapy_contraindicated(nsaids)` (a therapy kind, not a level)
    # was never known: its fact stayed "unknown" even when the record said no.
    base = "procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). pain_score(9). "
    g = graph("cigna_cmm607", "vertebroplasty")
    nsaids = next(n for n in g.nodes if g.node(n).evaluation == "therapy_contraindicated(nsaids)")
    exercise = next(
        n for n in g.nodes if g.node(n).evaluation == "therapy_contraindicated(exercise_program)"
    )

    def states(text: str) -> tuple[str, str]:
        case = read_case(base + text, "contraindications")
        (determination,) = determine(case, KB, ["cigna_cmm607"])
        overlay = case_overlay(g, case, KB, determination)
        return overlay.states[nsaids]["l1"], overlay.states[exercise]["l1"]

    assert states("") == ("unknown", "unknown")
    assert states("-therapy_contraindicated(nsaids).") == ("false", "unknown")
    assert states("therapy_contraindicated(nsaids).") == ("true", "unknown")


@needs_dot
def test_overlay_drawing_shows_the_case() -> None:
    case = read_case("procedure(sacroplasty). target(s1). plan(commercial_hmo).", "hmo")
    (determination,) = determine(case, KB, ["bcbsm_sacral"])
    g = graph("bcbsm_sacral", "sacroplasty")
    dot = output(to_digraph(g, case_overlay(g, case, KB, determination)), "dot").decode()
    assert "Case hmo: not covered" in dot
    assert "this case: S1" in dot


# --- The command line --------------------------------------------------------------------


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_kb_query_imports_neither_networkx_nor_graphviz() -> None:
    case = str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp")
    result = _python("-X", "importtime", "-m", "cli.main", "query", "--facts", case)
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "clingo" in imported  # the measure works
    assert not {m for m in imported if m.split(".")[0] in ("networkx", "graphviz")}


@needs_dot
def test_kb_query_diagram_writes_the_case_diagram(tmp_path: Path) -> None:
    case = str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp")
    out = tmp_path / "case.svg"
    result = _python(
        "-m", "cli.main", "query", "--facts", case, "--policy", "providence_196",
        "--diagram", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Case ")
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "this case: L1" in svg


@needs_dot
def test_kb_diagram_writes_the_chosen_formats(tmp_path: Path) -> None:
    result = _python(
        "-m", "cli.main", "diagram", "--policy", "nd_x5025", "--procedure", "sacroplasty",
        "--format", "dot", "--format", "svg", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "nd_x5025_sacroplasty.dot",
        "nd_x5025_sacroplasty.svg",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--procedure", "vertebroplast"], "did you mean 'vertebroplasty'"),
        (["--policy", "nd_x5025", "--procedure", "kyphoplasty"], "does not address kyphoplasty"),
        (["--policy", "nd_x5025", "--all"], "not both"),
        (["--policy", "nd_x502"], "unknown policy"),
    ],
)
def test_kb_diagram_refuses_what_it_cannot_draw(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    result = _python("-m", "cli.main", "diagram", *arguments, "--out", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr


def test_kb_query_refuses_a_diagram_it_cannot_draw_before_answering(tmp_path: Path) -> None:
    case = ROOT / "examples" / "acute_osteoporotic_l1_hospitalized.lp"
    target = tmp_path / "case.jpeg"
    result = _python("-m", "cli.main", "query", "--facts", str(case), "--diagram", str(target))
    assert result.returncode == 2
    assert "cannot draw" in result.stderr
    assert result.stdout == ""  # refused before any determination was printed
    assert not target.exists()


# --- The package's structure ---------------------------------------------------------------

PACKAGE = ROOT / "engine" / "diagrams"


def _imported_modules(path: Path, package: str = "diagrams") -> set[str]:
    """The package's modules a file imports, anywhere in it (function-level too)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .x import y
                base = ".".join(["engine", package, *filter(None, [base])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith(f"engine.{package}.")}


def _import_cycle(imports: dict[str, set[str]]) -> list[str]:
    """One cycle of the import graph (empty if there is none)."""
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> list[str]:
        state[module] = "open"
        for other in sorted(imports.get(module, ())):
            if state.get(other) == "open":
                return [*trail[trail.index(other) :], other] if other in trail else [other]
            if other not in state and (cycle := visit(other, [*trail, other])):
                return cycle
        state[module] = "done"
        return []

    for module in sorted(imports):
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return []


def _package_imports(package: str = "diagrams") -> dict[str, set[str]]:
    modules = {f"engine.{package}.{p.stem}": p for p in (PACKAGE.parent / package).glob("*.py")}
    return {name: _imported_modules(path, package) & set(modules) for name, path in modules.items()}


def test_the_diagrams_package_imports_no_module_in_a_circle() -> None:
    imports = _package_imports()
    assert "engine.diagrams.build" in imports["engine.diagrams.output"]  # the measure works
    assert _import_cycle(imports) == [], "import cycle"


def test_the_explanation_package_imports_no_module_in_a_circle() -> None:
    """tree assembles answer, why, why_not and absent; none imports it back."""
    imports = _package_imports("explanation")
    assert "engine.explanation.why_not" in imports["engine.explanation.tree"]  # the measure works
    assert _import_cycle(imports) == [], "import cycle"


def test_an_import_cycle_is_found_also_through_a_function_level_import(tmp_path: Path) -> None:
    (tmp_path / "draw.py").write_text("from engine.diagrams.compare import x\n")
    (tmp_path / "compare.py").write_text("def f():\n    from engine.diagrams import draw\n")
    imports = {
        f"engine.diagrams.{p.stem}": _imported_modules(p) for p in sorted(tmp_path.glob("*.py"))
    }
    cycle = _import_cycle(imports)
    assert cycle[0] == cycle[-1] and set(cycle) == {
        "engine.diagrams.draw",
        "engine.diagrams.compare",
    }
