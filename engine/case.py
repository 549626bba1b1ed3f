"""Reading a case file: untrusted text in, validated facts out.

A case file may hold only ground facts of the case vocabulary. The text is
scanned for directives before clingo's parser sees it (the parser itself would
act on `#include`), then parsed with clingo's AST parser, and every statement
is checked against engine.vocabulary. Nothing in a case is ever handed to
clingo as program text: the engine rebuilds each fact from its validated
symbol.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import clingo
from clingo import ast

from engine.errors import CaseError, Problem
from engine.nearest import did_you_mean
from engine.vocabulary import (
    BY_SIGNATURE,
    CPT_PROCEDURE,
    NONE_VALUE_ITEMS,
    PREDICATES,
    Date,
    Domain,
    Integer,
    Kind,
    Predicate,
    Text,
    Values,
    icd10_valid,
)


class Fact(NamedTuple):
    """One validated fact of a case, with the line it was stated on."""

    symbol: clingo.Symbol
    line: int

    @property
    def predicate(self) -> Predicate:
        return BY_SIGNATURE[(self.symbol.name, len(self.symbol.arguments))]

    @property
    def positive(self) -> bool:
        return self.symbol.positive

    def __str__(self) -> str:
        return f"{self.symbol}."


class Case(NamedTuple):
    """A validated case: its facts in file order, and where it came from."""

    source: str
    facts: tuple[Fact, ...]

    def program(self) -> str:
        """The facts as ASP text, rebuilt from validated symbols."""
        return "".join(f"{fact.symbol}.\n" for fact in self.facts)

    def symbols(self, name: str) -> list[clingo.Symbol]:
        return [f.symbol for f in self.facts if f.symbol.name == name and f.positive]

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys(s.arguments[0].name for s in self.symbols("target")))


def read_case(text: str, source: str) -> Case:
    """Validate case text; raise CaseError listing every problem found."""
    refused = list(_scan_directives(text, source))
    facts, problems = _parse_facts(_without_lines(text, refused), source)
    problems = refused + problems
    if not problems:
        problems = list(_check_case(facts, source))
    if problems:
        raise CaseError(problems)
    return Case(source, tuple(facts))


def _without_lines(text: str, problems: list[Problem]) -> str:
    """The text with the lines of refused directives blanked (newlines kept), so
    the rest can still be parsed for its own problems without clingo's parser
    ever seeing a directive. After a block comment or #script, nothing more is
    parsed."""
    if not problems:
        return text
    lines = text.split("\n")
    cut = min(p.line for p in problems if p.line) if any(p.line for p in problems) else 1
    if any("block comment" in p.message or "'#script'" in p.message for p in problems):
        return "\n".join(lines[: cut - 1])
    refused = {p.line for p in problems}
    return "\n".join("" if number in refused else line for number, line in enumerate(lines, 1))


def read_facts(text: str, source: str) -> list[Fact]:
    """Facts of the vocabulary, each validated, without the whole-case checks
    (for fragments such as `kb whatif --add`)."""
    refused = list(_scan_directives(text, source))
    facts, problems = _parse_facts(_without_lines(text, refused), source)
    if refused or problems:
        raise CaseError(refused + problems)
    return facts


def revise(case: Case, added: list[Fact], removed: list[Fact]) -> Case:
    """The case with facts removed and added, validated as a whole case.

    A removed fact must be in the case; the revised case keeps the case's
    source and is refused like any case if it is no longer valid.
    """
    present = {fact.symbol for fact in case.facts}
    absent = [fact for fact in removed if fact.symbol not in present]
    if absent:
        raise CaseError([Problem("--remove", f.line, f"'{f}' is not in the case") for f in absent])
    dropped = {fact.symbol for fact in removed}
    kept = [fact for fact in case.facts if fact.symbol not in dropped]
    facts = kept + [fact for fact in added if fact.symbol not in present]
    problems = list(_check_case(facts, case.source))
    if problems:
        raise CaseError(problems)
    return Case(case.source, tuple(facts))


def read_case_file(path: str) -> Case:
    """Read a case from a file path, or standard input for '-'."""
    import sys

    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as error:
        reason = error.strerror or str(error)
        raise CaseError([Problem(source, 0, f"cannot read the case file: {reason}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CaseError([Problem(source, line, "the case file is not UTF-8 text")]) from None
    return read_case(text, source)


# --- Lexical scan ------------------------------------------------------------


def _scan_directives(text: str, source: str) -> Iterator[Problem]:
    """Find '#' directives and block comments outside strings and line comments.

    Done on the raw text because clingo's parser acts on some directives
    (#include reads a file) while parsing.
    """
    line, i, n = 1, 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "%":
            if text.startswith("%*", i):
                yield Problem(source, line, "block comments (%* ... *%) are not allowed in a case")
                return
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif char == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif char == "#":
            word = char
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                word += text[j]
                j += 1
            yield Problem(
                source,
                line,
                f"directive '{word}' is not allowed: a case file holds only facts",
            )
        i += 1


# --- Parsing ------------------------------------------------------------------

_STATEMENT_NAMES = {
    ast.ASTType.ShowSignature: "#show",
    ast.ASTType.ShowTerm: "#show",
    ast.ASTType.Definition: "#const",
    ast.ASTType.Script: "#script",
    ast.ASTType.External: "#external",
    ast.ASTType.Minimize: "a #minimize statement",
    ast.ASTType.Heuristic: "#heuristic",
    ast.ASTType.Edge: "#edge",
    ast.ASTType.ProjectAtom: "#project",
    ast.ASTType.ProjectSignature: "#project",
    ast.ASTType.Defined: "#defined",
    ast.ASTType.TheoryDefinition: "#theory",
    ast.ASTType.Program: "#program",
}


def _parse_facts(text: str, source: str) -> tuple[list[Fact], list[Problem]]:
    facts: list[Fact] = []
    problems: list[Problem] = []
    messages: list[str] = []

    def on_statement(statement: ast.AST) -> None:
        line = statement.location.begin.line
        if _is_implicit_program(statement) or statement.ast_type == ast.ASTType.Comment:
            return
        if statement.ast_type != ast.ASTType.Rule:
            name = _STATEMENT_NAMES.get(statement.ast_type, str(statement.ast_type))
            problems.append(Problem(source, line, f"{name} is not allowed: only facts"))
            return
        fact = _fact_of_rule(statement, source, problems)
        if fact is not None:
            facts.append(fact)

    try:
        ast.parse_string(text, on_statement, logger=lambda _code, msg: messages.append(msg))
    except RuntimeError:
        problems.extend(_syntax_problems(messages, source))
    if not facts and not problems:
        problems.append(Problem(source, 0, "the case file is empty: it states no facts"))
    return facts, problems


def _is_implicit_program(statement: ast.AST) -> bool:
    location = statement.location
    return (
        statement.ast_type == ast.ASTType.Program
        and location.begin.line == location.end.line
        and location.begin.column == location.end.column
    )


def _syntax_problems(messages: list[str], source: str) -> list[Problem]:
    problems = []
    for message in messages:
        # "<string>:3:1-2: error: syntax error, unexpected EOF"
        head, _, rest = message.partition(": error: ")
        parts = head.split(":")
        line = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        problems.append(Problem(source, line, f"syntax error: {rest.strip() or message.strip()}"))
    return problems or [Problem(source, 0, "syntax error")]


def _fact_of_rule(rule: ast.AST, source: str, problems: list[Problem]) -> Fact | None:
    line = rule.location.begin.line
    head = rule.head
    if rule.body:
        kind = "constraint" if _is_false(head) else "rule"
        problems.append(Problem(source, line, f"a {kind} is not allowed: a case states facts only"))
        return None
    if head.ast_type != ast.ASTType.Literal:
        kind = {
            ast.ASTType.Aggregate: "choice rule",
            ast.ASTType.Disjunction: "disjunction",
        }.get(head.ast_type, "non-fact head")
        problems.append(Problem(source, line, f"a {kind} is not allowed: a case states facts only"))
        return None
    if head.sign != ast.Sign.NoSign:
        problems.append(
            Problem(source, line, "'not' is not allowed in a case: use '-' for documented absence")
        )
        return None
    if head.atom.ast_type != ast.ASTType.SymbolicAtom:
        problems.append(Problem(source, line, f"'{head}' is not a fact of the vocabulary"))
        return None
    symbol = _symbol_of_term(head.atom.symbol, source, line, problems)
    if symbol is None:
        return None
    if _check_symbol(symbol, source, line, problems):
        return Fact(symbol, line)
    return None


def _is_false(head: ast.AST) -> bool:
    return head.ast_type == ast.ASTType.Literal and str(head) == "#false"


def _symbol_of_term(
    term: ast.AST, source: str, line: int, problems: list[Problem]
) -> clingo.Symbol | None:
    negative = False
    if term.ast_type == ast.ASTType.Pool:
        problems.append(
            Problem(source, line, f"pool '{term}' is not allowed: state one fact per value")
        )
        return None
    if (
        term.ast_type == ast.ASTType.UnaryOperation
        and term.operator_type == ast.UnaryOperator.Minus
    ):
        negative, term = True, term.argument
    if term.ast_type == ast.ASTType.SymbolicTerm and term.symbol.type == clingo.SymbolType.Function:
        return clingo.Function(term.symbol.name, term.symbol.arguments, not negative)
    if term.ast_type != ast.ASTType.Function or term.external:
        problems.append(Problem(source, line, f"'{term}' is not a fact of the vocabulary"))
        return None
    arguments = []
    for argument in term.arguments:
        value = _value_of_term(argument)
        if value is None:
            problems.append(Problem(source, line, _bad_argument_message(argument)))
            return None
        arguments.append(value)
    return clingo.Function(term.name, arguments, not negative)


def _value_of_term(term: ast.AST) -> clingo.Symbol | None:
    if term.ast_type == ast.ASTType.SymbolicTerm:
        symbol: clingo.Symbol = term.symbol
        if symbol.type in (clingo.SymbolType.Number, clingo.SymbolType.String):
            return symbol
        if symbol.type == clingo.SymbolType.Function and not symbol.arguments and symbol.positive:
            return symbol
        return None
    if term.ast_type == ast.ASTType.Function and not term.arguments and not term.external:
        return clingo.Function(term.name)
    return None


def _bad_argument_message(term: ast.AST) -> str:
    if term.ast_type == ast.ASTType.Variable:
        return f"variable '{term}' is not allowed: a case states ground facts only"
    if term.ast_type == ast.ASTType.UnaryOperation:
        return f"'{term}' is not allowed: negative numbers are out of range"
    if term.ast_type == ast.ASTType.Interval:
        return f"interval '{term}' is not allowed: state one fact per value"
    if term.ast_type == ast.ASTType.Pool:
        return f"pool '{term}' is not allowed: state one fact per value"
    return f"'{term}' is not a plain value (a constant, a number or a quoted string)"


# --- Vocabulary checks ---------------------------------------------------------


def _check_symbol(symbol: clingo.Symbol, source: str, line: int, problems: list[Problem]) -> bool:
    signature = (symbol.name, len(symbol.arguments))
    predicate = BY_SIGNATURE.get(signature)
    if predicate is None:
        problems.append(Problem(source, line, _unknown_predicate_message(symbol)))
        return False
    if not symbol.positive and predicate.kind != Kind.DOCUMENTATION:
        problems.append(
            Problem(
                source,
                line,
                f"'-{predicate.name}' is not allowed: {predicate.signature} is a "
                f"{predicate.kind.value} predicate, closed-world: leave it out to state absence",
            )
        )
        return False
    ok = True
    for position, (value, domain) in enumerate(zip(symbol.arguments, predicate.args, strict=True)):
        message = _domain_problem(value, domain)
        if message:
            problems.append(
                Problem(
                    source,
                    line,
                    f"{predicate.signature} argument {position + 1}: {message}",
                )
            )
            ok = False
    return ok


def _unknown_predicate_message(symbol: clingo.Symbol) -> str:
    signature = f"{symbol.name}/{len(symbol.arguments)}"
    same_name = [p.signature for p in PREDICATES if p.name == symbol.name]
    if same_name:
        return f"'{signature}' has the wrong number of arguments: the vocabulary has {same_name[0]}"
    names = [p.name for p in PREDICATES]
    return f"unknown predicate '{signature}'{did_you_mean(symbol.name, names)}"


def _domain_problem(value: clingo.Symbol, domain: Domain) -> str:
    if isinstance(domain, Values):
        if value.type == clingo.SymbolType.Function and value.name in domain.members:
            return ""
        shown = str(value)
        hint = did_you_mean(shown, domain.members)
        return f"'{shown}' is not a {domain.name}{hint}; expected {domain.describe()}"
    if isinstance(domain, Integer):
        if value.type != clingo.SymbolType.Number:
            return f"'{value}' is not a number; expected {domain.describe()}"
        if not domain.low <= value.number <= domain.high:
            return f"{value.number} is out of range; expected {domain.describe()}"
        return ""
    if isinstance(domain, Date):
        if value.type != clingo.SymbolType.Number or not _valid_date(value.number):
            return f"'{value}' is not a valid date; expected {domain.describe()}"
        return ""
    if isinstance(domain, Text):
        if value.type != clingo.SymbolType.String:
            return f"'{value}' must be quoted; expected {domain.describe()}"
        if domain.codes and value.string not in domain.codes:
            hint = did_you_mean(value.string, domain.codes)
            return f"'{value.string}' is not a known code{hint}; expected {domain.describe()}"
        if not domain.codes and not icd10_valid(value.string):
            return f"'{value.string}' is not a valid {domain.name}; expected {domain.describe()}"
        return ""
    raise AssertionError(domain)


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(number: int) -> bool:
    """A real calendar date YYYYMMDD between 1900 and 2100."""
    year, month, day = number // 10000, number // 100 % 100, number % 100
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = 29 if month == 2 and leap else 28 if month == 2 else _DAYS_IN_MONTH[month - 1]
    return 1 <= day <= days


# --- Whole-case checks ------------------------------------------------------------


def _check_case(facts: list[Fact], source: str) -> Iterator[Problem]:
    yield from _contradictions(facts, source)
    yield from _procedure_problems(facts, source)
    if not any(f.symbol.name == "target" for f in facts):
        yield Problem(source, 0, "the case has no target/1: state the level(s) to be treated")


def _contradictions(facts: list[Fact], source: str) -> Iterator[Problem]:
    seen: dict[clingo.Symbol, Fact] = {}
    single: dict[tuple[str, str], Fact] = {}
    for fact in facts:
        positive = clingo.Function(fact.symbol.name, fact.symbol.arguments)
        twin = seen.get(positive)
        if twin is not None and twin.positive != fact.positive:
            yield Problem(
                source,
                fact.line,
                f"'{positive}' is stated both true and false (see line {twin.line})",
            )
        seen.setdefault(positive, fact)
        predicate = fact.predicate
        if predicate.single and fact.positive:
            key = (predicate.name, str(fact.symbol.arguments[0]) if len(predicate.args) > 1 else "")
            other = single.setdefault(key, fact)
            if other.symbol != fact.symbol:
                yield Problem(
                    source,
                    fact.line,
                    f"'{fact.symbol}' contradicts '{other.symbol}' (line {other.line}): "
                    f"{predicate.signature} takes one value"
                    + (f" per {predicate.args[0].name}" if key[1] else ""),
                )
    yield from _none_conflicts(facts, source)
    yield from _severity_conflict(facts, source)


def _none_conflicts(facts: list[Fact], source: str) -> Iterator[Problem]:
    """`imaging(L,none)` / `therapy(none,0)` state "none was done": no other value may join."""
    for name, value_position in NONE_VALUE_ITEMS.items():
        groups: dict[str, list[Fact]] = {}
        for fact in facts:
            if fact.symbol.name == name and fact.positive:
                key = str(fact.symbol.arguments[0]) if value_position == 1 else ""
                groups.setdefault(key, []).append(fact)
        for group in groups.values():
            nones = [f for f in group if str(f.symbol.arguments[value_position]) == "none"]
            if nones and len(group) > 1:
                other = next(f for f in group if f not in nones)
                yield Problem(
                    source,
                    other.line,
                    f"'{other.symbol}' contradicts '{nones[0].symbol}' (line {nones[0].line}), "
                    "which states none was done",
                )


def _severity_conflict(facts: list[Fact], source: str) -> Iterator[Problem]:
    severity = next((f for f in facts if f.symbol.name == "pain_severity" and f.positive), None)
    score = next((f for f in facts if f.symbol.name == "pain_score" and f.positive), None)
    if severity is None or score is None:
        return
    number = score.symbol.arguments[0].number
    implied = (
        "none"
        if number == 0
        else "mild"
        if number <= 3
        else "moderate"
        if number <= 6
        else "severe"
    )
    if severity.symbol.arguments[0].name != implied:
        yield Problem(
            source,
            score.line,
            f"'{score.symbol}' means {implied} pain, which contradicts "
            f"'{severity.symbol}' (line {severity.line})",
        )


def _procedure_problems(facts: list[Fact], source: str) -> Iterator[Problem]:
    stated = [f for f in facts if f.symbol.name == "procedure"]
    codes = [f for f in facts if f.symbol.name == "cpt"]
    procedures = {f.symbol.arguments[0].name for f in stated}
    for fact in codes:
        procedures.add(CPT_PROCEDURE[fact.symbol.arguments[0].string])
    if not procedures:
        yield Problem(
            source, 0, "the case has no procedure: state procedure/1 or a procedure code cpt/1"
        )
    elif len(procedures) > 1:
        lines = sorted({f.line for f in stated + codes})
        where = ", ".join(str(n) for n in lines)
        yield Problem(
            source,
            lines[-1],
            f"more than one procedure requested ({', '.join(sorted(procedures))}, "
            f"lines {where}): a case is one request for one procedure",
        )
