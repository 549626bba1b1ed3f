"""What the cheaper rendering of explanations (issue 10, cost) must keep: the
lines textwrap gives, and the same text and JSON whatever is shared or
remembered while rendering."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.wording import word_wrapped

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
    expected = textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert word_wrapped(text, first, rest, width) == expected
