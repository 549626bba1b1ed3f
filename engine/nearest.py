"""The nearest valid name for a near miss, for error messages."""

from __future__ import annotations

from collections.abc import Iterable


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most likely meant: a unique prefix match, else the closest spelling."""
    import difflib

    names = list(candidates)
    prefixed = [name for name in names if name.startswith(word) or word.startswith(name)]
    if len(prefixed) == 1:
        return prefixed[0]
    match = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' or '' when nothing is near."""
    found = nearest(word, candidates)
    return f" (did you mean '{found}'?)" if found else ""
