"""What the cheaper rendering of explanations (issue 10, cost) must keep: the
lines textwrap gives, and the same text and JSON whatever is shared or
remembered while rendering."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_explain import thirty_distinct_levels
from engine.case import read_case_file
from engine.explanation.model import Step
from engine.explanation.render import absent_json
from engine.query import determine_and_explain
from engine.render import level_summary, policy_summary, to_json
from engine.wording import word_wrapped

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Text as the wording writes it (words of letters, punctuation and non-ASCII,
# some longer than the width, between single spaces), and text with other
# separators (two spaces, tabs, newlines, no-break spaces, a space at an end)
# that word_wrapped leaves to textwrap.
_WORDS = st.text(alphabet="ab-–…(.)é", min_size=1, max_size=30)
_PLAIN = st.lists(_WORDS, max_size=40).map(" ".join)
_GAPS = st.sampled_from([" ", "  ", "\t", "\n", "\xa0"])
_OTHER = st.lists(st.tuples(_WORDS, _GAPS), max_size=40).map(
    lambda pairs: "".join(word + gap for word, gap in pairs)
)
_TEXTS = _PLAIN | _OTHER


@settings(max_examples=1000, deadline=None)
@given(
    _TEXTS,
    st.text(alphabet="x ", max_size=20),
    st.text(alphabet=" ", max_size=20),
    st.integers(1, 100),
)
def test_word_wrapped_gives_the_lines_of_textwrap(
    text: str, first: str, rest: str, width: int
) -> None:
    wrapper = textwrap.TextWrapper(width, first, rest, break_long_words=False)
    wrapper.break_on_hyphens = False
    expected = wrapper.wrap(text)
    assert word_wrapped(text, first, rest, width) == expected


def _plain_node(step: Step) -> dict[str, Any]:
    """A step as the output contract's NODE, made anew wherever it is reached."""
    return {
        "atom": step.atom,
        "criterion": step.criterion,
        "citation": step.citation,
        "facts": [use.literal for use in step.uses if use.kind == "fact"],
        "children": [_plain_node(child) for child in step.children],
        "rule": step.rule,
        "location": step.location,
    }


def test_a_step_reached_by_several_paths_is_the_node_of_that_step(tmp_path: Path) -> None:
    # engine.render.determination_json makes a step's node once for all the
    # levels of a policy (by id of the step): the JSON is that of each step
    # made anew, with the exclusions assumed absent and the summaries as worded
    # level by level.
    case = read_case_file(str(thirty_distinct_levels(tmp_path)))
    determinations, explanations = determine_and_explain(case)
    steps = [level.why for e in explanations for level in e.levels if level.why is not None]
    assert len({id(s) for s in _below(steps)}) < len(_below(steps))  # some are shared
    document = json.loads(to_json(case, determinations, explanations))
    for policy, determination, explanation in zip(
        document["determinations"], determinations, explanations, strict=True
    ):
        for level, explained in zip(policy["levels"], explanation.levels, strict=True):
            assert level["why"] == (_plain_node(explained.why) if explained.why else None)
            assert level["assumed_absent"] == [absent_json(a) for a in explained.assumed_absent]
            decided = determination.levels[level["level"]]
            assert level["summary"] == level_summary(determination, decided)
        assert policy["summary"] == policy_summary(determination, case)


def _below(steps: list[Step]) -> list[Step]:
    found = list(steps)
    for step in steps:
        found.extend(_below(list(step.children)))
    return found


def test_kb_query_json_is_to_json_written_in_utf8() -> None:
    # cli.main writes the JSON's UTF-8 bytes to stdout's buffer: the text
    # to_json gives, encoded (non-ASCII words such as '≤' included).
    case_file = EXAMPLES / "undocumented_osteoporotic_l1.lp"
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "query", "--facts", str(case_file), "--format", "json"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    case = read_case_file(str(case_file))
    expected = to_json(case, *determine_and_explain(case))
    assert not expected.isascii()
    assert result.stdout == expected.encode()
