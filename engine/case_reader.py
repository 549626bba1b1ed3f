"""The case language (docs/case-vocabulary.md, "The case language, exactly"):
text in, statements out, every problem with its line.

A hand-written tokenizer (one regular expression, one pass) and a flat
parser: a statement is `name.` or `name(term, ..., term).`, optionally
preceded by `-`; a term is a constant, a decimal integer or a string. There
is no nesting, so no recursion and no depth to exhaust. Nothing here calls
clingo: the text is never handed to clingo's parser, lexer or logger, and no
directive is ever acted on. Vocabulary checks are engine.case's job; this
module knows only the grammar.

Problems come in two kinds. Lexical ones (a control character, invalid
UTF-8, non-ASCII outside a string or comment, an unterminated string, a block
comment) are reported once per line wherever they are, comments included;
the statement they break is then skipped without a second message. Syntax
ones are reported once per statement, which is then skipped up to its final
'.', so that the statements after it are still checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import NamedTuple

from engine.errors import Problem

MAX_STATEMENTS = 10_000
# A statement is at most 8 tokens (`-name(a, b).`): past this many the text
# cannot be a case, and the reader stops rather than build a million tokens.
MAX_TOKENS = 16 * MAX_STATEMENTS
MAX_LEXICAL_PROBLEMS = 1_000  # lines with a lexical problem before the reader stops
STOPPED = "reading stopped here"  # ends the message of a problem that stopped the reader
MAX_NAME = 64  # characters in a name; the vocabulary's longest is 29
MAX_DIGITS = 18  # longer digit strings are out of every range, never converted
EXCERPT = 40  # characters of the input quoted in a message


class TermKind(Enum):
    CONSTANT = "constant"
    INTEGER = "integer"
    STRING = "string"


class Term(NamedTuple):
    """One argument as written: its kind, its value and its text (for messages).

    An integer's value is None when it has more than MAX_DIGITS digits."""

    kind: TermKind
    value: str | int | None
    text: str


class Statement(NamedTuple):
    """`[-]name(arguments).` on a line: syntactically a fact, not yet checked
    against the vocabulary."""

    line: int
    positive: bool
    name: str
    arguments: tuple[Term, ...]


class Reading(NamedTuple):
    statements: list[Statement]
    problems: list[Problem]


def read_statements(text: str, source: str) -> Reading:
    """Tokenize and parse case text (already decoded, byte-order mark removed)."""
    lexer = _Lexer(text, source)
    tokens = lexer.tokens()
    parser = _Parser(tokens, source)
    statements = parser.statements()
    return Reading(statements, _one_per_line(lexer.problems, parser.problems))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Input text quoted for a message: short, one line, ASCII, no control character."""
    shown = text if len(text) <= limit else text[: limit - 3]
    escaped = "".join(char if " " <= char <= "~" else escaped_character(char) for char in shown)
    return f"'{escaped}...'" if len(text) > limit else f"'{escaped}'"


def escaped_character(char: str) -> str:
    """A character as an escape: \\xNN (an undecodable byte too) or \\uNNNN."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by 'surrogateescape'
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _one_per_line(lexical: list[Problem], syntax: list[Problem]) -> list[Problem]:
    """Lexical problems, one per line, then the syntax problems of other lines."""
    kept: dict[int, Problem] = {}
    for problem in lexical:
        kept.setdefault(problem.line, problem)
    return list(kept.values()) + [p for p in syntax if p.line not in kept]


# --- Tokens ------------------------------------------------------------------------

# Token kinds. BROKEN: a lexical problem (already reported) inside a statement;
# CUT: the same, and the statement ends there (an unterminated string ends with
# its line, a #script block at its #end.); BAD: text that is not part of the
# language, reported by the parser with the statement it is in.
NAME, INTEGER, STRING, PUNCT, BAD, BROKEN, CUT, END = (
    "name",
    "integer",
    "string",
    "punct",
    "bad",
    "broken",
    "cut",
    "end",
)


class Token(NamedTuple):
    kind: str
    text: str
    line: int


# Spaces and tabs before a token are part of its match (one match per token).
_TOKEN = re.compile(
    r"""
    [ \t]*(?:
    (?P<name>[a-z][a-z0-9_]*(?![A-Za-z0-9_']))
    |(?P<punct>[(),\-]|\.(?!\.))
    |(?P<newline>(?:\r\n|\r|\n)(?:[ \t]*(?:\r\n|\r|\n))*)
    |(?P<integer>[0-9][A-Za-z0-9_']*)
    |(?P<string>"(?:[^"\\\r\n]|\\[^\r\n])*")
    |(?P<comment>%(?!\*)[^\r\n]*)
    |(?P<bad>:-|\.\.+|\#[A-Za-z_]*|[A-Za-z_][A-Za-z0-9_']*)
    |(?P<block>%\*)
    |(?P<open>"(?:[^"\\\r\n]|\\[^\r\n])*\\?)
    |(?P<space>\Z)
    |(?P<other>[^\x00-\x7f]+|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+|.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)

# Refused anywhere, strings and comments included: C0 and C1 controls but tab
# and line ends, Unicode line separators, bidirectional overrides (which make
# a file read differently from how it displays), lone surrogates (bytes that
# were not UTF-8).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SCRIPT_END = re.compile(r"\#end[ \t\r\n]*\.")
_BLOCK_END = re.compile(r"\*%")
_LINE_END = re.compile(r"\r\n|\r|\n")
_CONTROL_NAMES = {0: "NUL", 0x1B: "ESC", 0x7F: "DEL", 0x0B: "VT", 0x0C: "FF", 0x08: "BS"}


class _Lexer:
    def __init__(self, text: str, source: str) -> None:
        self._text = text
        self._source = source
        self._line = 1
        self.problems: list[Problem] = []

    def tokens(self) -> list[Token]:
        found: list[Token] = []
        text, position, size = self._text, 0, len(self._text)
        match_token = _TOKEN.match
        while position < size:
            if len(found) >= MAX_TOKENS or len(self.problems) >= MAX_LEXICAL_PROBLEMS:
                self._stop(len(found) >= MAX_TOKENS)
                break
            match = match_token(text, position)
            assert match is not None  # the last alternatives match anything
            kind = match.lastgroup or "other"
            value, position = match.group(kind), match.end()
            if kind in (NAME, PUNCT, INTEGER):
                found.append(Token(kind, value, self._line))
            elif kind == "newline":
                self._line += value.count("\n") + value.count("\r") - value.count("\r\n")
            elif kind == STRING:
                found.append(self._string(value))
            elif kind == "comment":
                self._forbidden(value, "a comment")
            elif kind == BAD:
                if value == "#script":
                    self._report(self._line, _bad_message(value, at_start=True, inside=False))
                    found.append(Token(CUT, value, self._line))
                    position = self._skip_to(_SCRIPT_END, position)
                else:
                    found.append(Token(BAD, value, self._line))
            elif kind != "space":
                token, position = self._irregular(str(kind), value, position)
                if token is not None:
                    found.append(token)
        found.append(Token(END, "", self._line))
        return found

    def _irregular(self, kind: str, value: str, position: int) -> tuple[Token | None, int]:
        """An unterminated string, a block comment or a character outside the language."""
        line = self._line
        if kind == "open":
            if not self._forbidden(value, "a string"):
                self._report(line, f"unterminated string {excerpt(value)}: close it on its line")
            return Token(CUT, value, line), position
        if kind == "block":
            self._report(line, "block comments (%* ... *%) are not allowed: use '%' on each line")
            return None, self._skip_to(_BLOCK_END, position)
        if value.isascii() and value.isprintable():
            return Token(BAD, value, line), position
        if not self._forbidden(value, "the text"):
            self._report(line, _non_ascii_message(value[0]))
        return Token(BROKEN, value, line), position

    def _string(self, value: str) -> Token:
        line = self._line
        if self._forbidden(value, "a string"):
            return Token(BROKEN, value, line)
        if "\\" in value:
            self._report(line, f"a backslash is not allowed in a string: {excerpt(value)}")
            return Token(BROKEN, value, line)
        return Token(STRING, value, line)

    def _skip_to(self, end: re.Pattern[str], position: int) -> int:
        found = end.search(self._text, position)
        stop = found.end() if found else len(self._text)
        skipped = self._text[position:stop]
        self._forbidden(skipped, "the text")
        self._line += len(_LINE_END.findall(skipped))
        return stop

    def _forbidden(self, value: str, where: str) -> bool:
        """Report a forbidden character in value (on the current line); True if found."""
        found = _FORBIDDEN.search(value)
        if found is None:
            return False
        line = self._line + len(_LINE_END.findall(value, 0, found.start()))
        name, advice = _character_name(found.group())
        self._report(line, f"{name} in {where}{advice}")
        return True

    def _report(self, line: int, message: str) -> None:
        """Record a lexical problem, unless its line already has one."""
        if not self.problems or self.problems[-1].line != line:
            self.problems.append(Problem(self._source, line, message))

    def _stop(self, tokens: bool) -> None:
        why = (
            f"more than {MAX_TOKENS:,} tokens"
            if tokens
            else f"lexical problems on more than {MAX_LEXICAL_PROBLEMS:,} lines"
        )
        message = f"{why}: this is not a case file; {STOPPED}"
        if self.problems and self.problems[-1].line == self._line:
            self.problems.pop()
        self.problems.append(Problem(self._source, self._line, message))


def _character_name(char: str) -> tuple[str, str]:
    """What a forbidden character is, and the advice that goes with it."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"invalid UTF-8 (byte 0x{code - 0xDC00:02X})", ": the case file is not UTF-8 text"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X}", ": the case is not valid Unicode text"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        name = _CONTROL_NAMES.get(code, "")
        shown = f"control character U+{code:04X}{f' ({name})' if name else ''}"
        return shown, ": only tab, space and line ends are allowed"
    return f"invisible formatting character U+{code:04X}", ": remove it"


_HINTS = {
    "\u201c": "a straight quote '\"'",
    "\u201d": "a straight quote '\"'",
    "\u201e": "a straight quote '\"'",
    "\u2018": "a straight quote '\"' (strings) or nothing",
    "\u2019": "a straight quote '\"' (strings) or nothing",
    "\u2212": "a hyphen-minus '-'",
    "\u2013": "a hyphen-minus '-'",
    "\u2014": "a hyphen-minus '-'",
    "\u00a0": "a plain space",
    "\u3000": "a plain space",
    "\ufeff": "nothing (a byte-order mark is allowed only at the very start)",
    "\u200b": "nothing (it is invisible)",
    "\u200c": "nothing (it is invisible)",
    "\u200d": "nothing (it is invisible)",
    "\u2060": "nothing (it is invisible)",
}


def _non_ascii_message(char: str) -> str:
    import unicodedata

    name = unicodedata.name(char, "")
    shown = f"U+{ord(char):04X}{f' ({name})' if name else ''}"
    hint = _HINTS.get(char)
    advice = f": use {hint}" if hint else ": outside strings and comments a case is ASCII"
    return f"non-ASCII character {shown}{advice}"


# --- Statements ----------------------------------------------------------------------

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class _Failure(Exception):
    """A statement that is not a fact: where it failed and why (None: already reported)."""

    def __init__(self, index: int, message: str | None) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


class _Parser:
    def __init__(self, tokens: list[Token], source: str) -> None:
        self._tokens = tokens
        self._source = source
        self.problems: list[Problem] = []

    def statements(self) -> list[Statement]:
        found: list[Statement] = []
        tokens, index, count = self._tokens, 0, 0
        while tokens[index].kind != END:
            if tokens[index].kind in (BROKEN, CUT):  # already reported, between statements
                index += 1
                continue
            count += 1
            if count > MAX_STATEMENTS:
                message = (
                    f"more than {MAX_STATEMENTS:,} statements: a case is one request; {STOPPED}"
                )
                self._report(tokens[index].line, message)
                break
            try:
                statement, index = self._statement(index)
                found.append(statement)
            except _Failure as failure:
                index = self._failed(index, failure)
        return found

    def _failed(self, start: int, failure: _Failure) -> int:
        """Report a failed statement (as a rule if it is one); the next statement's index."""
        tokens = self._tokens
        end = self._recover(failure.index)
        message, at = failure.message, failure.index
        rule = next((i for i in range(start, end) if tokens[i].text == ":-"), None)
        if rule is not None and message is not None:
            message, at = _bad_message(":-", at_start=rule == start, inside=False), rule
        if message is not None:
            where = at if tokens[at].kind != END or at == 0 else at - 1
            self._report(tokens[where].line, message)
        return end

    def _report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self._source, line, message))

    def _statement(self, start: int) -> tuple[Statement, int]:
        tokens = self._tokens
        index, positive = start, True
        if tokens[index].text == "-" and tokens[index].kind == PUNCT:
            index, positive = index + 1, False
        name = tokens[index]
        if name.kind != NAME:
            raise _Failure(index, self._unexpected(start, index, "a predicate name"))
        self._check_name(index)
        index += 1
        arguments: tuple[Term, ...] = ()
        if tokens[index].text == "(" and tokens[index].kind == PUNCT:
            arguments, index = self._arguments(start, index + 1)
        end, statement = tokens[index], Statement(name.line, positive, name.text, arguments)
        if end.kind == PUNCT and end.text == ".":
            return statement, index + 1
        last = tokens[index - 1]
        if end.kind == END or (end.kind in (NAME, PUNCT) and end.line > last.line):
            self._report(last.line, f"missing '.' after {self._excerpt(start, index)}")
            return statement, index
        raise _Failure(index, self._unexpected(start, index, "'.'"))

    def _arguments(self, start: int, index: int) -> tuple[tuple[Term, ...], int]:
        tokens = self._tokens
        terms: list[Term] = []
        if tokens[index].kind == PUNCT and tokens[index].text == ")":
            raise _Failure(index, f"empty argument list in {self._excerpt(start, index + 1)}")
        while True:
            term, index = self._term(start, index)
            terms.append(term)
            token = tokens[index]
            if token.kind == PUNCT and token.text == ")":
                return tuple(terms), index + 1
            if token.kind != PUNCT or token.text != ",":
                raise _Failure(index, self._unexpected(start, index, "',' or ')'", inside=True))
            index += 1

    def _term(self, start: int, index: int) -> tuple[Term, int]:
        token = self._tokens[index]
        if token.kind == PUNCT and token.text == "-":
            following = self._tokens[index + 1]
            if following.kind == INTEGER:
                return self._integer(index + 1, negative=True), index + 2
            raise _Failure(index, self._unexpected(start, index + 1, "a number", inside=True))
        if token.kind == INTEGER:
            return self._integer(index, negative=False), index + 1
        if token.kind == STRING:
            return Term(TermKind.STRING, token.text[1:-1], token.text), index + 1
        if token.kind == NAME:
            self._check_name(index)
            following = self._tokens[index + 1]
            if following.kind == PUNCT and following.text == "(":
                message = (
                    f"function term {excerpt(token.text + '(...)')} is not allowed: "
                    "an argument is a constant, a number or a quoted string"
                )
                raise _Failure(index, message)
            return Term(TermKind.CONSTANT, token.text, token.text), index + 1
        raise _Failure(index, self._unexpected(start, index, "an argument", inside=True))

    def _integer(self, index: int, *, negative: bool) -> Term:
        digits = self._tokens[index].text
        text = f"-{digits}" if negative else digits
        if _DECIMAL.fullmatch(digits) is None:
            reason = "leading zeros" if digits.isdigit() else "only the digits 0-9"
            message = f"{excerpt(text)} is not a decimal integer ({reason})"
            raise _Failure(index, message)
        if len(digits) > MAX_DIGITS:
            return Term(TermKind.INTEGER, None, text)
        return Term(TermKind.INTEGER, -int(digits) if negative else int(digits), text)

    def _check_name(self, index: int) -> None:
        token = self._tokens[index]
        if token.text == "not" and self._tokens[index + 1].kind in (NAME, PUNCT):
            following = self._tokens[index + 1]
            if following.kind == NAME or following.text == "-":
                message = "'not' is not allowed in a case: use '-' for documented absence"
                raise _Failure(index, message)
        if len(token.text) > MAX_NAME:
            raise _Failure(index, f"a name of {len(token.text)} characters is too long")

    def _unexpected(
        self, start: int, index: int, expected: str, inside: bool = False
    ) -> str | None:
        token = self._tokens[index]
        if token.kind in (BROKEN, CUT):
            return None
        if token.kind == BAD:
            return _bad_message(token.text, at_start=index == start, inside=inside)
        found = "the end of the file" if token.kind == END else excerpt(token.text)
        if index == start:
            return f"syntax error: expected {expected}, found {found}"
        return (
            f"syntax error: expected {expected} after {self._excerpt(start, index)}, found {found}"
        )

    def _excerpt(self, start: int, stop: int) -> str:
        """The statement's text from start to stop, as written up to spacing."""
        parts: list[str] = []
        size = 0
        for token in self._tokens[start:stop]:
            parts.append(", " if token.text == "," else token.text)
            size += len(token.text)
            if size > EXCERPT:
                break
        return excerpt("".join(parts).rstrip())

    def _recover(self, index: int) -> int:
        """The index of the next statement after a failed one: past its final
        '.', that is a '.' outside parentheses or at the end of a line."""
        tokens = self._tokens
        depth = sum(
            1 if t.text == "(" else -1 if t.text == ")" else 0
            for t in tokens[self._statement_start(index) : index]
            if t.kind == PUNCT
        )
        while True:
            token = tokens[index]
            if token.kind == END:
                return index
            if token.kind == CUT:
                return index + 1
            if token.kind == PUNCT:
                if token.text == "." and (depth <= 0 or tokens[index + 1].line > token.line):
                    return index + 1
                depth += {"(": 1, ")": -1}.get(token.text, 0)
            index += 1

    def _statement_start(self, index: int) -> int:
        """The first token of the statement holding index (after the previous '.')."""
        tokens = self._tokens
        while index > 0 and not (tokens[index - 1].kind == PUNCT and tokens[index - 1].text == "."):
            index -= 1
        return index


def _bad_message(text: str, *, at_start: bool, inside: bool) -> str:
    """What a piece of text outside the case language is, and what to do instead."""
    if text.startswith("#"):
        return f"directive {excerpt(text)} is not allowed: a case file holds only facts"
    if text[0].islower() or (text[0] == "_" and text[1:2].islower()):
        return (
            f"{excerpt(text)} is not a name: a name is lower-case letters, digits and '_', "
            "starting with a letter"
        )
    if text[0].isupper() or text[0] == "_":
        return f"variable {excerpt(text)} is not allowed: a case states ground facts only"
    if text == ":-":
        kind = "a constraint" if at_start else "a rule"
        return f"{kind} is not allowed (':-'): a case states facts only"
    if text.startswith(".."):
        return "an interval is not allowed ('..'): state one fact per value"
    return _PUNCTUATION.get(text, _unexpected_character)(text, inside)


def _unexpected_character(text: str, inside: bool) -> str:
    return f"syntax error: unexpected {excerpt(text)}"


def _pool_or_disjunction(text: str, inside: bool) -> str:
    if inside:
        return "a pool is not allowed (';'): state one fact per value"
    return "a disjunction is not allowed (';'): a case states facts only"


_MessageOf = Callable[[str, bool], str]


def _fixed(message: str) -> _MessageOf:
    return lambda text, inside: message.replace("{}", excerpt(text))


_ARITHMETIC = (
    "arithmetic is not allowed ({}): an argument is a plain value "
    "(a constant, a number or a quoted string)"
)
_PUNCTUATION: dict[str, _MessageOf] = {
    ";": _pool_or_disjunction,
    "|": _fixed("a disjunction is not allowed ('|'): a case states facts only"),
    "{": _fixed("a choice rule is not allowed ('{ }'): a case states facts only"),
    "}": _fixed("a choice rule is not allowed ('{ }'): a case states facts only"),
    ":": _fixed("a condition is not allowed (':'): a case states facts only"),
    "@": _fixed("an external function is not allowed ('@'): a case states facts only"),
    "=": _fixed("a comparison is not allowed ({}): a case states facts only"),
    "<": _fixed("a comparison is not allowed ({}): a case states facts only"),
    ">": _fixed("a comparison is not allowed ({}): a case states facts only"),
    "!": _fixed("a comparison is not allowed ({}): a case states facts only"),
    **{op: _fixed(_ARITHMETIC) for op in "+*/\\^&?~"},
}
