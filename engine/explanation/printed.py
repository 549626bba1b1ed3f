"""Tracked atoms read from the text clingo prints for them.

Reading a clingo symbol through its accessors costs a foreign call per name,
argument list, string and number (microseconds each); an explained request of
30 levels shows some 8,500 atoms. The printed text is one call, and the
shapes the tracking atoms take (a rule id, a head, a tuple of bindings, of
constants, numbers, strings and terms of those) split with one regular
expression per predicate. What is not plain (terms nested deeper, strings
with brackets or escapes) is left to clingo's accessors: the functions here
answer None for it.
"""

from __future__ import annotations

import functools
import re

from engine.explanation.tracking import FAILED, FIRED, FIRED_USE, WITNESS
from engine.rule_reader import Term

# A string without brackets or escapes; a run of characters of neither; a
# term whose arguments are of those (nested once more:
# `four_weeks(cigna_cmm607)`). Runs, not single characters, and possessive
# repeats (nothing to give back: the parts cannot overlap), so that a match
# costs a step per part, not per character, and a failed one never backtracks.
_STRING = r'"[^"\\()]*+"'
_CHARACTERS = r'[^()"\\]++'
_INSIDE = rf"(?:{_CHARACTERS}|{_STRING}|\((?:{_CHARACTERS}|{_STRING})*+\))*+"
_ID = r'"([^"\\]*)"'
_HEAD = rf"(-?[\w']+(?:\({_INSIDE}\))?)"
_TUPLE = rf"(\({_INSIDE}\))"

# Each tracking atom: its rule id and its other arguments as printed. Each
# pattern is compiled when first matched (`_tracked`): compiling one costs a
# query more than matching it to all its atoms, and many answers have no atom
# of some predicate (failed_witness/4 is rare).
_TRACKED = {
    FIRED: rf"{FIRED}\({_ID},{_HEAD},(.*)\)\Z",
    FAILED: rf"{FAILED}\({_ID},(\d+),(.*)\)\Z",
    FIRED_USE: rf"{FIRED_USE}\({_ID},{_HEAD},{_TUPLE},(\d+),(.*)\)\Z",
    WITNESS: rf"{WITNESS}\({_ID},(\d+),{_TUPLE},(.*)\)\Z",
}


@functools.cache
def _tracked(name: str) -> re.Pattern[str]:
    return re.compile(_TRACKED[name])


# The tokens of a printed term: a string, a bracket or comma, a name or number
# (compiled when first needed: only terms nested deeper than `_flat` reads).
@functools.cache
def _token() -> re.Pattern[str]:
    return re.compile(r'"[^"\\]*"|[(),]|[^(),"]+')

_BOUNDS = ("#inf", "#sup")


def is_tracked(name: str) -> bool:
    return name in _TRACKED


def split_tracked(name: str, text: str) -> tuple[str, ...] | None:
    """The rule id and the other arguments as printed of a tracking atom
    (`failed("id",3,(l1,))` -> ("id", "3", "(l1,)")), or None unless they
    are plain."""
    found = _tracked(name).match(text)
    return found.groups() if found is not None else None


def tuple_of_text(text: str) -> tuple[Term, ...] | None:
    """The values of a printed tuple of bindings `(l1,osteoporotic,90)`, or None."""
    inside = text[1:-1]
    if text.startswith("(") and "(" not in inside and "\\" not in inside:
        flat = _flat(inside, tuple_=True)
        if flat is not None:
            return flat
    term = term_of_text(text)
    if term is None or term[0] != "fun" or term[1]:
        return None
    values: tuple[Term, ...] = term[2]
    return values


def term_of_text(text: str) -> Term | None:
    """The term (engine.rule_reader's, as of_symbol reads it) of a printed
    constant, number, string or function or tuple of those; None if a string
    has escapes."""
    opening = text.find("(")
    if opening == -1:
        return _value(text)
    inside = text[opening + 1 : -1]
    if "(" not in inside and "\\" not in inside and text.endswith(")"):
        name = text[:opening]
        flat = _flat(inside, tuple_=not name)
        if flat is not None and '"' not in name:
            positive = not name.startswith("-")
            return ("fun", name if positive else name[1:], flat, positive)
    tokens = _token().findall(text)
    if "".join(tokens) != text:
        return None
    term, end = _term(tokens, 0)
    return term if end == len(tokens) else None


def _flat(inside: str, *, tuple_: bool) -> tuple[Term, ...] | None:
    """The values of a printed argument list of constants, numbers and strings
    without commas, or None."""
    if not inside:
        return ()
    parts = inside.split(",")
    if tuple_ and len(parts) == 2 and parts[1] == "":  # a tuple of one: `(l1,)`
        parts.pop()
    values = []
    for part in parts:
        value = _value(part)
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def _term(tokens: list[str], at: int) -> tuple[Term | None, int]:
    """The term starting at token `at`, and the token after it."""
    if at >= len(tokens) or tokens[at] in (")", ","):
        return None, at
    token = tokens[at]
    if token == "(":
        return _compound("", True, tokens, at)
    if at + 1 < len(tokens) and tokens[at + 1] == "(":
        positive = not token.startswith("-")
        name = token if positive else token[1:]
        if '"' in name or "#" in name:
            return None, at
        return _compound(name, positive, tokens, at + 1)
    return _value(token), at + 1


def _compound(name: str, positive: bool, tokens: list[str], at: int) -> tuple[Term | None, int]:
    """A function or tuple whose arguments start after the bracket at `at`."""
    arguments: list[Term] = []
    at += 1
    if at < len(tokens) and tokens[at] == ")":
        return ("fun", name, (), positive), at + 1
    while True:
        argument, at = _term(tokens, at)
        if argument is None or at >= len(tokens):
            return None, at
        arguments.append(argument)
        token = tokens[at]
        one = not name and len(arguments) == 1 and tokens[at : at + 2] == [",", ")"]
        if token == ")" or one:  # `(a,)`: a tuple of one
            return ("fun", name, tuple(arguments), positive), at + (2 if one else 1)
        if token != ",":
            return None, at
        at += 1


@functools.lru_cache(maxsize=4096)
def _value(text: str) -> Term | None:
    """A printed constant, number or string (no brackets in it), or None
    (values recur: each is read once)."""
    if not text:
        return None
    first = text[0]
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or not text.endswith('"') or '"' in inner or "\\" in inner:
            return None
        return ("str", inner)
    if first == "#":
        return ("other", text) if text in _BOUNDS else None
    if '"' in text:
        return None
    digits = text[1:] if first == "-" else text
    if digits.isascii() and digits.isdigit():
        return ("num", int(text))
    if first == "-":
        return ("fun", digits, (), False)
    return ("fun", text, (), True)
