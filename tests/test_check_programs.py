"""The check programs of kb/checks.lp (engine/checks/programs.py) and the
witnesses `kb check` finds with them.

The witnesses below are pinned: among equally small witnesses clasp returns
one that depends on how the ground program is numbered, so a change to how
the check programs are assembled can change them without changing any
finding. When a policy file changes on purpose, re-check that the new
witnesses are as small and update the pins.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import clingo
import pytest
from clingo import ast

from engine.checks.findings import PolicyCheck, differences_between
from engine.checks.programs import CheckProgram
from engine.errors import KnowledgeBaseError
from engine.knowledge_base import DEFAULT_DIRECTORY, GENERATED, KnowledgeBase
from engine.rules import read_catalogue

KB = KnowledgeBase()


def _texts(statements: list[ast.AST]) -> list[str]:
    return [str(statement) for statement in statements]


def test_a_part_gets_its_values_written_in() -> None:
    pair = CheckProgram(KB).part("pair", clingo.Function("x"), clingo.Function("y"))
    assert _texts(pair) == [
        "check_differ :- addressed(x); addressed(y); overall(x,SA); overall(y,SB); SA != SB.",
        "check_key(difference,P,(CA,CB)) :- check_differ; procedure(P); "
        "decided_by(x,CA,_); decided_by(y,CB,_).",
    ]


def test_a_template_part_takes_the_body_of_a_rule() -> None:
    rule = read_catalogue(KB, ["bcbsm_sacral"]).rules_of("bcbsm_sacral")[0]
    assert rule.node is not None
    body = list(rule.node.body)
    values = [clingo.Function("bcbsm_sacral"), clingo.String(rule.id), clingo.Number(0)]
    (near,) = CheckProgram(KB).spliced("near", values, body[1:])
    expected = "; ".join([*(str(literal) for literal in body[1:]), "addressed(bcbsm_sacral)"])
    assert str(near) == f'check_key(near,"{rule.id}",0) :- {expected}.'


def test_an_unknown_part_or_a_wrong_number_of_values_is_a_knowledge_base_error() -> None:
    checks = CheckProgram(KB)
    with pytest.raises(KnowledgeBaseError, match="no part '#program pairs'"):
        checks.part("pairs")
    with pytest.raises(KnowledgeBaseError, match="part 'pair' takes 2 parameters, given 1"):
        checks.part("pair", clingo.Function("x"))


def test_the_check_programs_are_not_a_policy() -> None:
    assert "checks" not in KB.policy_ids()


def test_the_differences_of_two_policies_keep_their_witnesses() -> None:
    found = [
        (d.criteria, d.statuses, d.witness.counted)
        for d in differences_between(KB, ("carefirst_pvp", "nd_x5025"), "vertebroplasty")
    ]
    investigational, necessary = "investigational", "medically_necessary"
    statuses = {"carefirst_pvp": investigational, "nd_x5025": necessary}
    assert found == [
        (
            {"carefirst_pvp": ("ALL_OTHER",), "nd_x5025": ("MN.3",)},
            statuses,
            ("procedure(vertebroplasty)", "target(l1)", "lesion(l1,osteolytic_metastasis)",
             "onset_days(l1,27)", "imaging(l1,none)", "pain_severity(severe)"),
        ),
        (
            {"carefirst_pvp": ("TEC.1",), "nd_x5025": ("MN.3",)},
            statuses,
            ("procedure(vertebroplasty)", "cement(norian)", "target(l1)",
             "lesion(l1,multiple_myeloma)", "onset_days(l1,83)", "imaging(l1,mri)",
             "pain_severity(severe)"),
        ),
        (
            {"carefirst_pvp": ("ALL_OTHER",), "nd_x5025": ("MN.2",)},
            statuses,
            ("procedure(vertebroplasty)", "target(l1)", "fracture(l1,osteoporotic)",
             "purpose(fusion_adjunct)", "onset_days(l1,28)", "imaging(l1,xray)",
             "pain_severity(severe)", "hospitalized_for_pain"),
        ),
        (
            {"carefirst_pvp": ("TEC.1",), "nd_x5025": ("MN.2",)},
            statuses,
            ("procedure(vertebroplasty)", "cement(norian)", "target(l1)",
             "fracture(l1,osteoporotic)", "onset_days(l1,27)", "imaging(l1,mri_edema)",
             "pain_severity(moderate)", "hospitalized_for_pain"),
        ),
        (
            {"carefirst_pvp": ("ALL_OTHER",), "nd_x5025": ("MN.1",)},
            statuses,
            ("procedure(vertebroplasty)", "target(l1)", "fracture(l1,osteoporotic)",
             "purpose(prophylaxis)", "onset_days(l1,83)", "imaging(l1,bone_scan)",
             "pain_severity(moderate)", "therapy(bracing,43)", "therapy_failed"),
        ),
        (
            {"carefirst_pvp": ("TEC.1",), "nd_x5025": ("MN.1",)},
            statuses,
            ("procedure(vertebroplasty)", "cement(norian)", "target(l1)",
             "fracture(l1,osteoporotic)", "onset_days(l1,181)", "imaging(l1,none)",
             "pain_severity(moderate)", "therapy(bracing,85)", "therapy_failed"),
        ),
    ]  # fmt: skip


def test_a_difference_on_sacroplasty_keeps_its_witness() -> None:
    first = next(differences_between(KB, ("bcbsm_sacral", "carefirst_pvp"), "sacroplasty"))
    assert first.criteria == {"bcbsm_sacral": ("GOV.LCD",), "carefirst_pvp": ("PSP",)}
    assert first.witness.counted == (
        "procedure(sacroplasty)", "target(s1)", "lesion(s1,hemangioma)", "plan(medicare)",
        "onset_days(s1,85)", "imaging(s1,mri)", "pain_severity(mild)",
    )  # fmt: skip


@pytest.mark.slow
def test_the_dead_rule_of_providence_keeps_its_relaxation_and_status() -> None:
    procedures = ("vertebroplasty", "kyphoplasty", "sacroplasty")
    catalogue = read_catalogue(KB, ["providence_196"])
    check = PolicyCheck(KB, "providence_196", catalogue, (procedures, procedures))
    (dead,) = check.dead_rules()
    assert dead.rule.id == "providence_196:II.D"
    (relaxation,) = dead.relaxations
    assert (relaxation.condition, relaxation.status) == ("N > M", "not_medically_necessary")
    assert relaxation.witness.counted == (
        "procedure(kyphoplasty)", "target(l1)", "fracture(l1,other)", "onset_days(l1,183)",
        "imaging(l1,none)", "pain_severity(mild)",
    )  # fmt: skip


def test_a_check_program_clingo_cannot_parse_is_refused_with_its_file_and_line(
    tmp_path: Path,
) -> None:
    for name in ("concepts.lp", "determination.lp", *GENERATED):
        shutil.copy(Path(DEFAULT_DIRECTORY) / name, tmp_path / name)
    text = (Path(DEFAULT_DIRECTORY) / "checks.lp").read_text()
    broken = text.replace("check_differ :- addressed(a),", "check_differ :- addressed(a),,", 1)
    assert broken != text
    (tmp_path / "checks.lp").write_text(broken)
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "addressed(a),," in t)
    checks = CheckProgram(KnowledgeBase(str(tmp_path)))
    with pytest.raises(KnowledgeBaseError, match=rf"checks\.lp:{line}:\d+-\d+: syntax error"):
        checks.part("pair", clingo.Function("x"), clingo.Function("y"))
