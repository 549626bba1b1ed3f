"""The `kb` command as a user runs it: the installed console script, in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _kb() -> str:
    beside_python = Path(sys.executable).parent / "kb"
    found = str(beside_python) if beside_python.exists() else shutil.which("kb")
    assert found, "the kb console script is not installed: run ./dev test (pip install .)"
    return found


def kb(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_kb(), *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_query_text_names_every_policy_and_the_deciding_criteria() -> None:
    result = kb("query", "--facts", str(EXAMPLES / "sacral_insufficiency_hmo.lp"))
    assert result.returncode == 0, result.stderr
    table = [row for row in result.stdout.split("\n\n")[0].splitlines() if row[:1] != " "]
    assert [row.split('"')[0] for row in table[1:]] == [
        "bcbsm_sacral    not covered at S1: by BCN.HMO ",
        "carefirst_pvp   investigational at S1: by PSP ",
        "cigna_cmm607    not medically necessary at S1: by CMM-607.3.sacroplasty ",
        "nd_x5025        investigational at S1: by INV.2 ",
        "providence_196  not medically necessary at S1: by III ",
    ]
    # The deciding clause is quoted in full (wrapped for the terminal).
    quoted = (
        '"Commercial HMO (includes Self-Funded groups unless otherwise specified) [...] '
        '0200T and 0201T are not covered."'
    )
    assert quoted in " ".join(result.stdout.split())


def test_query_json_has_the_minimal_shape_and_citations() -> None:
    result = kb(
        "query",
        "--facts",
        str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    statuses = {d["policy"]: d["status"] for d in document["determinations"]}
    assert statuses == {
        "bcbsm_sacral": "not_addressed",
        "carefirst_pvp": "medically_necessary",
        "cigna_cmm607": "medically_necessary",
        "nd_x5025": "medically_necessary",
        "providence_196": "medically_necessary",
    }
    providence = next(d for d in document["determinations"] if d["policy"] == "providence_196")
    (level,) = providence["levels"]
    assert level["level"] == "l1"
    assert [c["id"] for c in level["decided_by"]] == ["I.A"]
    assert set(level["met"]) == {"I.A.1", "I.A.2"}
    assert level["summary"].startswith('Medically necessary at L1: meets I.A "For Osteoporotic')


def test_policy_option_selects_and_stdin_is_read() -> None:
    case = "procedure(vertebroplasty).\ntarget(l1).\nfracture(l1, osteoporotic).\n"
    result = kb(
        "query", "--facts", "-", "--policy", "providence_196", "--format", "json", stdin=case
    )
    assert result.returncode == 0, result.stderr
    (determination,) = json.loads(result.stdout)["determinations"]
    assert determination["policy"] == "providence_196"
    assert determination["status"] == "insufficient_information"
    assert determination["levels"][0]["missing"], "the missing documentation is listed"


def test_closed_world_gives_the_closed_status() -> None:
    case = "procedure(vertebroplasty).\ntarget(l1).\nfracture(l1, osteoporotic).\n"
    result = kb("query", "--facts", "-", "--policy", "providence_196", "--closed-world", stdin=case)
    assert result.returncode == 0, result.stderr
    assert "providence_196  not medically necessary at L1: by II " in result.stdout


def test_output_is_byte_identical_for_identical_input() -> None:
    runs = [
        kb("query", "--facts", str(EXAMPLES / "aggressive_hemangioma_t6.lp"), "--format", fmt)
        for fmt in ("json", "json", "text", "text")
    ]
    assert runs[0].stdout == runs[1].stdout
    assert runs[2].stdout == runs[3].stdout


def test_bad_case_is_refused_with_file_line_and_nearest_name(tmp_path: Path) -> None:
    case = tmp_path / "bad.lp"
    case.write_text("procedure(vertebroplasty).\ntarget(l1).\nonset_dys(l1, 3).\n")
    result = kb("query", "--facts", str(case))
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        f"{case}:3: unknown predicate 'onset_dys/2' (did you mean 'onset_days'?)" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_script_in_a_case_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    case = tmp_path / "evil.lp"
    case.write_text(
        "procedure(vertebroplasty).\ntarget(l1).\n"
        f'#script (python)\nopen("{marker}", "w").write("x")\n#end.\n'
    )
    result = kb("query", "--facts", str(case))
    assert result.returncode == 2
    assert "'#script' is not allowed" in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("query", "--facts", "missing.lp"), "cannot read the case file"),
        (
            ("query", "--facts", "examples/myeloma_l2_kyphoplasty.lp", "--policy", "cigna"),
            "unknown policy 'cigna' (did you mean 'cigna_cmm607'?)",
        ),
        (("query", "--facts", "examples/myeloma_l2_kyphoplasty.lp", "--format", "xml"), "xml"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...], fragment: str) -> None:
    result = kb(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_accepts_every_example() -> None:
    for example in sorted(EXAMPLES.glob("*.lp")):
        result = kb("validate", str(example))
        assert result.returncode == 0, result.stderr
        assert "valid case" in result.stdout


def test_policies_lists_the_five_with_dates_and_procedures() -> None:
    result = kb("policies", "--format", "json")
    assert result.returncode == 0, result.stderr
    policies = {p["policy"]: p for p in json.loads(result.stdout)["policies"]}
    assert sorted(policies) == [
        "bcbsm_sacral",
        "carefirst_pvp",
        "cigna_cmm607",
        "nd_x5025",
        "providence_196",
    ]
    assert policies["nd_x5025"]["effective_from"] == 20250915
    assert policies["nd_x5025"]["effective_to"] == 20251102
    assert policies["nd_x5025"]["procedures"] == ["sacroplasty", "vertebroplasty"]
    assert policies["bcbsm_sacral"]["procedures"] == ["sacroplasty"]
    assert "coccygeoplasty" in policies["cigna_cmm607"]["procedures"]


def test_kb_option_points_at_another_knowledge_base(tmp_path: Path) -> None:
    result = kb("policies", "--kb", str(tmp_path))
    assert result.returncode == 1
    assert "is not a knowledge base" in result.stderr


def test_query_explain_prints_why_and_why_not_trees() -> None:
    case = (
        "procedure(vertebroplasty).\ntarget(l1).\nfracture(l1, osteoporotic).\n"
        "onset_days(l1, 120).\n"
    )
    result = kb("query", "--facts", "-", "--policy", "providence_196", "--explain", stdin=case)
    assert result.returncode == 0, result.stderr
    assert "why not (indications not met at L1):" in result.stdout
    assert (
        "I.A not met (I.A.1): the record states symptom onset at L1: 120 days; the criterion"
        in result.stdout
    )


def test_json_always_carries_the_explanation() -> None:
    result = kb(
        "query",
        "--facts",
        str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp"),
        "--format",
        "json",
        "--policy",
        "providence_196",
    )
    assert result.returncode == 0, result.stderr
    (level,) = json.loads(result.stdout)["determinations"][0]["levels"]
    assert set(level["fired"]) == {
        "providence_196:I.A",
        "providence_196:I.A.1",
        "providence_196:I.A.2:1",
    }
    assert level["why"]["atom"] == "level_status(providence_196,l1,medically_necessary)"
    assert level["why"]["criterion"] is None  # the epilogue's glue serves no criterion
    nodes = [level["why"]]
    for node in nodes:
        nodes.extend(node["children"])
    indication = next(n for n in nodes if n["atom"].startswith("indication("))
    assert indication["criterion"] == "I.A"
    assert indication["location"].startswith("kb/providence_196.lp:")
    absent = {(a["id"], a["looked_for"]) for a in level["assumed_absent"]}
    assert ("II.C", "condition(pregnancy)") in absent


NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is not installed")


@pytest.mark.parametrize("fmt", ["text", "json", "dot", pytest.param("svg", marks=NEEDS_DOT)])
def test_explain_command_formats(fmt: str) -> None:
    result = kb(
        "explain",
        str(EXAMPLES / "myeloma_l2_kyphoplasty.lp"),
        "--policy",
        "providence_196",
        "--format",
        fmt,
    )
    assert result.returncode == 0, result.stderr
    expected = {
        "text": "why L2 is medically necessary:\n    I.B:",
        "json": '"rule": "providence_196:I.B"',
        "dot": "digraph explanation",
        "svg": "<svg",
    }[fmt]
    assert expected in result.stdout


def test_whatif_command() -> None:
    result = kb(
        "whatif",
        str(EXAMPLES / "subacute_osteoporotic_t8_failed_therapy.lp"),
        "--remove",
        "therapy_failed.",
        "--add",
        "-therapy_failed.",
        "--policy",
        "providence_196",
    )
    assert result.returncode == 0, result.stderr
    assert "providence_196  medically necessary -> not medically necessary" in result.stdout
    assert "L1: medically necessary -> not medically necessary" not in result.stdout  # T8
    assert "T8: medically necessary -> not medically necessary" in result.stdout
    refused = kb("whatif", str(EXAMPLES / "myeloma_l2_kyphoplasty.lp"), "--add", "target(l9).")
    assert refused.returncode == 2
    assert "'l9' is not a level" in refused.stderr


def test_whatif_adds_every_fact_of_repeated_add_options() -> None:
    """`--add A --add B` adds both (it kept only the last `--add`)."""
    result = kb(
        "whatif",
        str(EXAMPLES / "undocumented_osteoporotic_l1.lp"),
        "--add",
        "pain_concordant(l1).",
        "--add",
        "hospitalized_for_pain.",
    )
    assert result.returncode == 0, result.stderr
    assert "+ pain_concordant(l1)" in result.stdout
    assert "+ hospitalized_for_pain" in result.stdout
    refused = kb(
        "whatif",
        str(EXAMPLES / "undocumented_osteoporotic_l1.lp"),
        "--add",
        "pain_concordant(l1).",
        "--add",
        "target(l9).",
    )
    assert refused.returncode == 2
    assert "--add:2:" in refused.stderr and "'l9' is not a level" in refused.stderr


def test_whatif_json_says_what_query_json_says(tmp_path: Path) -> None:
    """Before and after, each policy's determination reads as `kb query --format json`
    gives it for that case: unmet indications, why and assumed absences included
    (whatif JSON gave an empty `unmet` where query JSON gave three)."""
    case = EXAMPLES / "undocumented_osteoporotic_l1.lp"
    revised = tmp_path / "revised.lp"
    revised.write_text(case.read_text() + "pain_concordant(l1).\n")
    result = kb("whatif", str(case), "--add", "pain_concordant(l1).", "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    for which, path in (("before", case), ("after", revised)):
        query = kb("query", "--facts", str(path), "--format", "json")
        assert query.returncode == 0, query.stderr
        expected = json.loads(query.stdout)["determinations"]
        assert [change[which] for change in changes] == expected, which
    unmet = [level["unmet"] for change in changes for level in change["before"]["levels"]]
    assert any(unmet), "the undocumented case has indications not met"


@pytest.mark.parametrize("command", [["query", "--facts"], ["explain", "--policy", "nd_x5025"]])
def test_a_one_case_command_switches_the_cyclic_collector_off(command: list[str]) -> None:
    # It answers one case and the process ends: no collection scans what the
    # explanation built (cli.main._one_case).
    import gc

    from typer.testing import CliRunner

    from cli.main import app

    case = str(EXAMPLES / "acute_osteoporotic_l1_hospitalized.lp")
    arguments = [*command, case] if command[0] == "query" else [command[0], case, *command[1:]]
    assert gc.isenabled()
    try:
        result = CliRunner().invoke(app, arguments)
        assert result.exit_code == 0, result.output
        assert not gc.isenabled()
    finally:
        gc.enable()
