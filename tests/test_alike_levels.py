"""Alike levels explained once (issue 10): the explanation of a level alike an
earlier one is that one's with the names swapped, and equal to the
explanation computed at the level on its own."""

from __future__ import annotations

import random

import pytest

import engine.explanation.tree as tree
from engine.case import Case, read_case
from engine.determination import Determination
from engine.explanation.model import Explanation, Failure
from engine.knowledge_base import KnowledgeBase
from engine.level_symmetry import level_kinds
from engine.query import determine_and_explain
from engine.render import to_json, to_text


def _level(
    level: str, days: int = 20, imaging: str = "mri_edema", cause: str = "osteoporotic"
) -> str:
    return (
        f"target({level}). fracture({level}, {cause}). onset_days({level}, {days}).\n"
        f"imaging({level}, {imaging}). pain_concordant({level}).\n"
    )


_REQUEST = "procedure(vertebroplasty).\nservice_date(20251015).\npain_score(8).\n"

# Levels alike and levels that differ: in onset, imaging, cause; a level a
# policy names (S1, the coccyx); an undocumented request; a kyphoplasty.
ALIKE_CASES = {
    "onset differs": _REQUEST + _level("t6") + _level("t7", days=60) + _level("t8"),
    "imaging differs": _REQUEST + _level("l1") + _level("l2", imaging="xray") + _level("l3"),
    "sacral and coccyx": "procedure(sacroplasty).\npain_score(8).\n"
    + "".join(_level(level) for level in ("s1", "s2", "s3", "coccyx")),
    "undocumented": "procedure(vertebroplasty).\n"
    + "".join(
        f"target({level}). fracture({level}, osteoporotic).\n"
        for level in ("t9", "t10", "t11", "l4")
    ),
    "kyphoplasty": "procedure(kyphoplasty).\n-therapy_failed.\nhospitalized_for_pain.\n"
    + _level("t11", 10)
    + _level("t12", 10)
    + _level("l1", 10, cause="traumatic")
    + _level("l2", 10),
}


def _explained(text: str, alike_once: bool) -> tuple[Case, list[Determination], list[Explanation]]:
    case = read_case(text, "<case>")
    determinations, explanations = determine_and_explain(case, alike_once=alike_once)
    return case, determinations, explanations


def _assert_same_as_level_by_level(text: str) -> None:
    case, determinations, once = _explained(text, alike_once=True)
    _, _, each = _explained(text, alike_once=False)
    assert once == each
    assert to_json(case, determinations, once) == to_json(case, determinations, each)
    assert to_text(case, determinations, once) == to_text(case, determinations, each)


@pytest.mark.parametrize("name", sorted(ALIKE_CASES))
def test_alike_levels_explained_once_equal_level_by_level(name: str) -> None:
    _assert_same_as_level_by_level(ALIKE_CASES[name])


@pytest.mark.slow
def test_generated_multi_level_cases_equal_level_by_level() -> None:
    from bench.generated import case_text

    rng = random.Random(7)
    texts = [text for text in (case_text(rng) for _ in range(60)) if text.count("target(") >= 2]
    for text in texts[:20]:
        _assert_same_as_level_by_level(text)


def test_alike_levels_are_walked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three alike thoracic levels and one that differs: per policy, two levels
    are walked, the others renamed."""
    walked: list[str] = []
    explain_level = tree._explain_level

    def counting(model: object, determination: Determination, level: str, status: str) -> object:
        walked.append(level)
        return explain_level(model, determination, level, status)  # type: ignore[arg-type]

    monkeypatch.setattr(tree, "_explain_level", counting)
    text = _REQUEST + _level("t6") + _level("t7", days=60) + _level("t8") + _level("t9")
    _, determinations, _ = _explained(text, alike_once=True)
    addressed = [d for d in determinations if d.levels]
    assert sorted(set(walked)) == ["t6", "t7"]
    assert len(walked) == 2 * len(addressed)


def test_levels_differing_in_one_documented_fact_are_not_alike() -> None:
    kb = KnowledgeBase()
    text = _REQUEST + _level("t6") + _level("t7") + "-lesion_trait(t7, painful).\n"
    kinds = level_kinds(read_case(text, "<case>"), kb, kb.policy_ids())
    assert kinds["t6"] != kinds["t7"]
    alike = level_kinds(
        read_case(_REQUEST + _level("t6") + _level("t7"), "<case>"), kb, kb.policy_ids()
    )
    assert alike["t6"] == alike["t7"]


def test_a_reason_cites_the_facts_of_its_own_level() -> None:
    """A failed fact of the knowledge base (lesion_kind(osteoporotic)) at T7 is
    worded with T7's fracture, not with that of the level explained first."""
    _, _, explanations = _explained(ALIKE_CASES["onset differs"], alike_once=False)
    cited = 0
    for explanation in explanations:
        for level in explanation.levels:
            for failure in _leaves(level.why_not):
                for fact in failure.facts:
                    if fact.startswith("fracture("):
                        cited += 1
                        assert fact.startswith(f"fracture({level.level},")
    assert cited > 0


def _leaves(failures: tuple[Failure, ...]) -> list[Failure]:
    return [leaf for f in failures for leaf in ([f] if not f.inner else _leaves(f.inner))]
