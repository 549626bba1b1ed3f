"""Rules as clingo prints them, read into plain Python values.

clingo's AST is the parser of record (engine.rules, engine.case use it), but
every attribute access on an AST node crosses into C and costs microseconds.
Walking hundreds of rules that way costs more than solving them. So each
statement is printed once by clingo (str(node): one call, normalised syntax)
and read here into terms and literals that the explanation and the graphs can
match and substitute cheaply.

Terms: ("var", name) | ("num", n) | ("str", s) | ("fun", name, args, positive) |
("other", text) for arithmetic and anything else kept as text.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import clingo

Term = tuple[Any, ...]

_VARIABLE = re.compile(r'"(?:[^"\\]|\\.)*"|\b([A-Z_][A-Za-z0-9_\']*)')


class Literal(NamedTuple):
    text: str
    negated: bool  # default negation ('not'; 'not not' counts as not negated)
    kind: str  # atom | comparison | other (aggregates, #true/#false)
    atom: Term | None  # for atoms: the (possibly classically negated) function term
    left: Term | None = None  # for comparisons
    operator: str = ""
    right: Term | None = None

    @property
    def predicate(self) -> str:
        return _signature(self.atom)[0] if self.atom is not None else ""


class ParsedRule(NamedTuple):
    head: Term | None
    head_text: str
    body: tuple[Literal, ...]
    variables: tuple[str, ...]  # global variables, sorted


def parse_rule(text: str) -> ParsedRule:
    """A rule as printed by clingo: 'head :- b1; b2.' or 'head.'"""
    text = text.strip()
    if text.endswith("."):
        text = text[:-1]
    head_text, _, body_text = _split_top(text, ":-")
    head_text = head_text.strip()
    body = tuple(parse_literal(part) for part in split_body(body_text)) if body_text else ()
    head = _try_term(head_text)
    names = set(variables(head_text))
    for literal in body:
        if literal.kind == "other":
            names.update(_guard_variables(literal.text))
        else:
            names.update(variables(literal.text))
    return ParsedRule(head, head_text, body, tuple(sorted(n for n in names if n[0] != "_")))


def split_body(text: str) -> list[str]:
    masked = _mask_strings(text)
    cuts = [i for i, char in _top_level(masked) if char == ";"]
    parts, start = [], 0
    for cut in cuts:
        parts.append(text[start:cut].strip())
        start = cut + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def parse_literal(text: str) -> Literal:
    text = text.strip()
    negated, rest = False, text
    if rest.startswith("not not "):
        rest = rest[8:]
    elif rest.startswith("not "):
        negated, rest = True, rest[4:]
    if "#" in rest:
        return Literal(text, negated, "other", None)
    found = _find_comparison(rest)
    if found is not None:
        index, operator = found
        left, right = rest[:index].strip(), rest[index + len(operator) :].strip()
        return Literal(
            text, negated, "comparison", None, _try_term(left), operator, _try_term(right)
        )
    atom = _try_term(rest)
    if atom is None or atom[0] not in ("fun",):
        return Literal(text, negated, "other", None)
    return Literal(text, negated, "atom", atom)


def variables(text: str) -> list[str]:
    """Variable names in a text, strings skipped."""
    return [m.group(1) for m in _VARIABLE.finditer(text) if m.group(1)]


def _guard_variables(text: str) -> list[str]:
    """Variables of an aggregate literal's guards (outside its braces)."""
    outside = re.sub(r"\{[^}]*\}", "", text)
    return variables(outside)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _mask_strings(text: str) -> str:
    """The text with every string's content blanked, same length, for structure scans."""
    return _STRING.sub(lambda m: '"' + "_" * (len(m.group(0)) - 2) + '"', text)


def _top_level(masked: str) -> list[tuple[int, str]]:
    """(index, character) of structural characters outside brackets (strings masked)."""
    found, depth = [], 0
    for i, char in enumerate(masked):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif depth == 0 and char in ":;<>!=":
            found.append((i, char))
    return found


def _split_top(text: str, separator: str) -> tuple[str, bool, str]:
    """Split at the first top-level occurrence of separator."""
    masked = _mask_strings(text)
    if separator not in masked:
        return text, False, ""
    for i, _ in _top_level(masked):
        if masked.startswith(separator, i):
            return text[:i], True, text[i + len(separator) :]
    return text, False, ""


def _find_comparison(text: str) -> tuple[int, str] | None:
    masked = _mask_strings(text)
    if not any(c in masked for c in "<>!="):
        return None
    for i, char in _top_level(masked):
        if char in "<>!=":
            two = masked[i : i + 2]
            operator = two if two in ("<=", ">=", "!=") else char
            if operator == "!":
                continue
            return i, operator
    return None


# --- Terms ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+)|(?P<id>[A-Za-z_\'][A-Za-z0-9_\']*)|(?P<p>[(),-]))'
)


def _try_term(text: str) -> Term | None:
    try:
        term, rest = _parse_term(text.strip(), 0)
    except ValueError:
        return ("other", text)
    if text.strip()[rest:].strip():
        return ("other", text)
    return term


def _parse_term(text: str, position: int) -> tuple[Term, int]:
    match = _TOKEN.match(text, position)
    if not match:
        raise ValueError(text)
    position = match.end()
    if match.group("str") is not None:
        return ("str", _unescape(match.group("str")[1:-1])), position
    if match.group("num") is not None:
        return ("num", int(match.group("num"))), position
    if match.group("p") == "-":
        inner, position = _parse_term(text, position)
        if inner[0] != "fun":
            raise ValueError(text)
        return ("fun", inner[1], inner[2], not inner[3]), position
    if match.group("p") == "(":
        items, position = _parse_arguments(text, position)
        return ("fun", "", tuple(items), True), position
    name = match.group("id")
    if name is None:
        raise ValueError(text)
    if name[0].isupper() or name[0] == "_":
        return ("var", name), position
    if position < len(text) and text[position] == "(":
        items, position = _parse_arguments(text, position + 1)
        return ("fun", name, tuple(items), True), position
    return ("fun", name, (), True), position


def _parse_arguments(text: str, position: int) -> tuple[list[Term], int]:
    items: list[Term] = []
    while True:
        stripped = text[position:].lstrip()
        position = len(text) - len(stripped)
        if stripped.startswith(")"):
            return items, position + 1
        term, position = _parse_term(text, position)
        items.append(term)
        stripped = text[position:].lstrip()
        position = len(text) - len(stripped)
        if stripped.startswith(","):
            position += 1
        elif not stripped.startswith(")"):
            raise ValueError(text)


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _signature(term: Term | None) -> tuple[str, int]:
    if term is None or term[0] != "fun":
        return "", 0
    return str(term[1]), len(term[2])


# --- Symbols and substitution --------------------------------------------------------


def of_text(text: str) -> Term:
    """A ground term from its ASP text (one parse in Python, no calls into clingo)."""
    term = _try_term(text)
    return term if term is not None else ("other", text)


def of_symbol(symbol: clingo.Symbol) -> Term:
    """A clingo symbol as a term."""
    kind = symbol.type
    if kind == clingo.SymbolType.Number:
        return ("num", symbol.number)
    if kind == clingo.SymbolType.String:
        return ("str", symbol.string)
    if kind == clingo.SymbolType.Function:
        arguments = tuple(of_symbol(a) for a in symbol.arguments)
        return ("fun", symbol.name, arguments, symbol.positive)
    return ("other", str(symbol))


def show(term: Term) -> str:
    """A term as ASP text."""
    kind = term[0]
    if kind in ("var", "other"):
        return str(term[1])
    if kind == "num":
        return str(term[1])
    if kind == "str":
        escaped = str(term[1]).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    name, arguments, positive = term[1], term[2], term[3]
    sign = "" if positive else "-"
    if not arguments:
        return f"{sign}{name}" if name else "()"
    inside = ",".join(show(a) for a in arguments)
    if not name and len(arguments) == 1:
        inside += ","
    return f"{sign}{name}({inside})"


Binding = dict[str, Term]


def substitute(term: Term, binding: Binding) -> Term:
    kind = term[0]
    if kind == "var":
        return binding.get(str(term[1]), term)
    if kind == "fun":
        return ("fun", term[1], tuple(substitute(a, binding) for a in term[2]), term[3])
    return term


def substitute_text(text: str, binding: Binding) -> str:
    """Variables in a literal's text replaced by their values (for display)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name and name in binding:
            return show(binding[name])
        return match.group(0)

    return _VARIABLE.sub(replace, text)


def is_ground(term: Term) -> bool:
    if term[0] == "var":
        return False
    if term[0] == "fun":
        return all(is_ground(a) for a in term[2])
    return bool(term[0] != "other")


def match(pattern: Term, value: Term, binding: Binding) -> Binding | None:
    """Extend binding so that pattern equals value, or None."""
    kind = pattern[0]
    if kind == "var":
        name = str(pattern[1])
        if name.startswith("_"):
            return binding
        bound = binding.get(name)
        if bound is None:
            return {**binding, name: value}
        return binding if bound == value else None
    if kind == "fun":
        if value[0] != "fun" or pattern[1] != value[1] or pattern[3] != value[3]:
            return None
        if len(pattern[2]) != len(value[2]):
            return None
        result: Binding | None = binding
        for sub, part in zip(pattern[2], value[2], strict=True):
            if result is None:
                return None
            result = match(sub, part, result)
        return result
    return binding if pattern == value else None


def compare(left: Term, operator: str, right: Term) -> bool | None:
    """A ground comparison's truth, or None when it cannot be evaluated."""
    if not (is_ground(left) and is_ground(right)):
        return None
    if operator == "=":
        return bool(left == right)
    if operator == "!=":
        return bool(left != right)
    if left[0] == right[0] == "num":
        a, b = int(left[1]), int(right[1])
        outcomes: dict[str, bool] = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}
        return outcomes[operator]
    return None
