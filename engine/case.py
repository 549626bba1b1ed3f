"""Reading a case: untrusted text in, validated facts out.

A case file may hold only ground facts of the case vocabulary (the grammar is
in docs/case-vocabulary.md, "The case language, exactly"). engine.case_source
reads the bytes (bounded, regular files only), engine.case_reader tokenizes
and parses them (nothing is handed to clingo), and this module checks every
statement against engine.vocabulary, builds each fact's clingo symbol from
the checked values, then checks the case as a whole. The solver is given
only text printed from those symbols, never a byte of the case file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeVar

import clingo

from engine import nearest
from engine.case_reader import (
    MAX_NAME,
    STOPPED,
    Statement,
    Term,
    TermKind,
    excerpt,
    read_statements,
)
from engine.case_source import MAX_BYTES, read_bytes, source_name, too_large_message
from engine.errors import CaseError, Problem
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
    severity_of_score,
)

# At most this many problems are listed (the first ones); the rest are counted.
MAX_LISTED = 100


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
        """The facts as ASP text, printed from validated symbols."""
        return "".join(f"{fact.symbol}.\n" for fact in self.facts)

    def symbols(self, name: str) -> list[clingo.Symbol]:
        return [f.symbol for f in self.facts if f.symbol.name == name and f.positive]

    @property
    def targets(self) -> list[str]:
        return list(_targets(self))

    @property
    def procedures(self) -> list[str]:
        """The procedures requested: named (procedure/1) or coded (cpt/1). A
        valid case requests one; an empty list when it names none."""
        named = [s.arguments[0].name for s in self.symbols("procedure")]
        coded = [CPT_PROCEDURE.get(s.arguments[0].string, "") for s in self.symbols("cpt")]
        return sorted({p for p in named + coded if p})


T = TypeVar("T")


def per_case(work: Callable[[Case], T]) -> Callable[[Case], T]:
    """work(case), worked out once for the case it was last given.

    One query asks several times for what a case holds (its targets, its
    levels' facts: engine.level_symmetry), each time through clingo's symbol
    accessors (a foreign call per name and argument). A Case is immutable, so
    the result is kept for the last one asked, recognised by identity (it is
    kept alive, so its id is not another's).
    """
    last: list[tuple[Case, T]] = []

    @functools.wraps(work)
    def once(case: Case) -> T:
        if last and last[0][0] is case:
            return last[0][1]
        value = work(case)
        last[:] = [(case, value)]
        return value

    return once


@per_case
def _targets(case: Case) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.arguments[0].name for s in case.symbols("target")))


def read_case(text: str, source: str) -> Case:
    """Validate case text; raise CaseError listing every problem found."""
    stated, problems = _read(text, source)
    if not problems:
        problems = list(_check_case(stated, source))
    if problems:
        raise _refusal(problems)
    return Case(source, tuple(s.fact for s in stated))


def read_facts(text: str, source: str) -> list[Fact]:
    """Facts of the vocabulary, each validated, without the whole-case checks
    (for fragments such as `kb whatif --add`)."""
    stated, problems = _read(text, source)
    if problems:
        raise _refusal(problems)
    return [s.fact for s in stated]


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
    problems = list(_check_case([_stated(fact) for fact in facts], case.source))
    if problems:
        raise CaseError(problems)
    return Case(case.source, tuple(facts))


def read_case_file(path: str) -> Case:
    """Read a case from a file path, or standard input for '-'. Only a regular
    file is read, and at most MAX_BYTES of it (engine.case_source)."""
    data = read_bytes(path)
    # Undecodable bytes become lone surrogates, which the reader refuses with
    # their line, alongside every other problem of the file.
    return read_case(data.decode("utf-8", "surrogateescape"), source_name(path))


def _read(text: str, source: str) -> tuple[list[_Stated], list[Problem]]:
    """The facts of a text and every problem of its statements."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return [], [Problem(source, 0, too_large_message())]
    reading = read_statements(text.removeprefix("\ufeff"), source)
    problems = list(reading.problems)
    stated = [fact for s in reading.statements if (fact := _fact(s, source, problems))]
    if not reading.statements and not problems:
        problems.append(Problem(source, 0, "the case file is empty: it states no facts"))
    return stated, problems


def _refusal(problems: list[Problem]) -> CaseError:
    """The error listing the first MAX_LISTED problems (by line), the rest counted."""
    if len(problems) <= MAX_LISTED:
        return CaseError(problems)
    ordered = sorted(problems, key=lambda p: (p.line, p.message))
    rest = ordered[MAX_LISTED:]
    stops = [p for p in rest if p.message.endswith(STOPPED)]  # always listed
    summary = f"and {len(rest) - len(stops):,} more problems from this line on (not listed)"
    listed = [*ordered[:MAX_LISTED], Problem(rest[0].source, rest[0].line, summary), *stops]
    return CaseError(listed, count=len(problems))


# --- Vocabulary checks ---------------------------------------------------------


def _fact(statement: Statement, source: str, problems: list[Problem]) -> _Stated | None:
    """The statement as a fact of the vocabulary, or None (its problems appended)."""
    line = statement.line
    predicate = BY_SIGNATURE.get((statement.name, len(statement.arguments)))
    if predicate is None:
        problems.append(Problem(source, line, _unknown_predicate_message(statement)))
        return None
    if not statement.positive and predicate.kind != Kind.DOCUMENTATION:
        message = (
            f"'-{predicate.name}' is not allowed: {predicate.signature} is a "
            f"{predicate.kind.value} predicate, closed-world: leave it out to state absence"
        )
        problems.append(Problem(source, line, message))
        return None
    arguments: list[clingo.Symbol] = []
    for position, (term, domain) in enumerate(
        zip(statement.arguments, predicate.args, strict=True), start=1
    ):
        value = _value(term, domain)
        if isinstance(value, str):
            message = f"{predicate.signature} argument {position}: {value}"
            problems.append(Problem(source, line, message))
        else:
            arguments.append(value)
    if len(arguments) < len(predicate.args):
        return None
    symbol = clingo.Function(predicate.name, arguments, statement.positive)
    values = tuple(term.value for term in statement.arguments if term.value is not None)
    return _Stated(Fact(symbol, line), predicate.name, values, statement.positive)


def _unknown_predicate_message(statement: Statement) -> str:
    name = statement.name
    signature = f"{name}/{len(statement.arguments)}"
    same_name = [p.signature for p in PREDICATES if p.name == name]
    if same_name:
        return f"'{signature}' has the wrong number of arguments: the vocabulary has {same_name[0]}"
    names = [p.name for p in PREDICATES]
    return f"unknown predicate {excerpt(signature)}{_did_you_mean(name, tuple(names))}"


def _value(term: Term, domain: Domain) -> clingo.Symbol | str:
    """The term's symbol if the domain holds it, else what is wrong with it."""
    if isinstance(domain, Values):
        return _member(term, domain)
    if isinstance(domain, Integer | Date):
        return _number(term, domain)
    return _code(term, domain)


def _member(term: Term, domain: Values) -> clingo.Symbol | str:
    if term.kind == TermKind.CONSTANT and term.value in domain.members:
        return _constant(str(term.value))
    hint = _did_you_mean(term.text, domain.members) if term.kind == TermKind.CONSTANT else ""
    expected = hint or f"; expected {domain.describe()}"
    return f"{excerpt(term.text)} is not a {domain.name}{expected}"


@functools.lru_cache(maxsize=4096)
def _did_you_mean(word: str, candidates: tuple[str, ...]) -> str:
    """nearest.did_you_mean, remembered: a case may repeat one misspelling 10,000 times."""
    return nearest.did_you_mean(word, candidates)


@functools.cache
def _constant(name: str) -> clingo.Symbol:
    """A vocabulary constant's symbol, built once (names come only from the vocabulary)."""
    return clingo.Function(name)


def _number(term: Term, domain: Integer | Date) -> clingo.Symbol | str:
    if term.kind != TermKind.INTEGER:
        return f"{excerpt(term.text)} is not a number; expected {domain.describe()}"
    if isinstance(term.value, int) and domain.contains(term.value):
        return clingo.Number(term.value)
    if isinstance(domain, Date):
        return f"{excerpt(term.text)} is not a valid date; expected {domain.describe()}"
    return f"{excerpt(term.text)} is out of range; expected {domain.describe()}"


def _code(term: Term, domain: Text) -> clingo.Symbol | str:
    if term.kind != TermKind.STRING:
        return f"{excerpt(term.text)} must be quoted; expected {domain.describe()}"
    code = str(term.value)
    if domain.codes and code not in domain.codes:
        hint = _did_you_mean(code, domain.codes) if len(code) <= MAX_NAME else ""
        return f"{excerpt(code)} is not a known code{hint or f'; expected {domain.describe()}'}"
    if not domain.codes and not icd10_valid(code):
        return f"{excerpt(code)} is not a valid {domain.name}; expected {domain.describe()}"
    return clingo.String(code)


# --- Whole-case checks ------------------------------------------------------------


class _Stated(NamedTuple):
    """A fact with its parts as Python values, for the whole-case checks (each
    read of a clingo symbol's part is a call into C; a case may hold 10,000)."""

    fact: Fact
    name: str
    values: tuple[str | int, ...]
    positive: bool

    @property
    def line(self) -> int:
        return self.fact.line

    def __str__(self) -> str:
        return str(self.fact.symbol)


def _stated(fact: Fact) -> _Stated:
    symbol = fact.symbol
    values = tuple(_python_value(argument) for argument in symbol.arguments)
    return _Stated(fact, symbol.name, values, symbol.positive)


def _python_value(symbol: clingo.Symbol) -> str | int:
    if symbol.type == clingo.SymbolType.Number:
        return symbol.number
    if symbol.type == clingo.SymbolType.String:
        return symbol.string
    return symbol.name


def _check_case(facts: list[_Stated], source: str) -> Iterator[Problem]:
    yield from _contradictions(facts, source)
    yield from _none_conflicts(facts, source)
    yield from _severity_conflict(facts, source)
    yield from _procedure_problems(facts, source)
    if not any(f.name == "target" for f in facts):
        yield Problem(source, 0, "the case has no target/1: state the level(s) to be treated")


def _contradictions(facts: list[_Stated], source: str) -> Iterator[Problem]:
    """A fact stated true and false; two values of a single-valued item."""
    seen: dict[tuple[str, tuple[str | int, ...]], _Stated] = {}
    single: dict[tuple[str, str | int | None], _Stated] = {}
    for fact in facts:
        twin = seen.setdefault((fact.name, fact.values), fact)
        if twin.positive != fact.positive:
            shown = str(fact).removeprefix("-")
            message = f"'{shown}' is stated both true and false (see line {twin.line})"
            yield Problem(source, fact.line, message)
        predicate = fact.fact.predicate if fact.positive else None
        if predicate is None or not predicate.single:
            continue
        per = fact.values[0] if len(fact.values) > 1 else None
        other = single.setdefault((fact.name, per), fact)
        if other.values != fact.values:
            yield Problem(
                source,
                fact.line,
                f"'{fact}' contradicts '{other}' (line {other.line}): "
                f"{predicate.signature} takes one value"
                + (f" per {predicate.args[0].name}" if per is not None else ""),
            )


def _none_conflicts(facts: list[_Stated], source: str) -> Iterator[Problem]:
    """`imaging(L,none)` / `therapy(none,0)` state "none was done": no other value may join."""
    for name, value_position in NONE_VALUE_ITEMS.items():
        groups: dict[str | int, list[_Stated]] = {}
        for fact in facts:
            if fact.name == name and fact.positive:
                key = fact.values[0] if value_position == 1 else ""
                groups.setdefault(key, []).append(fact)
        for group in groups.values():
            nones = [f for f in group if f.values[value_position] == "none"]
            if nones and len(group) > 1:
                other = next(f for f in group if f not in nones)
                yield Problem(
                    source,
                    other.line,
                    f"'{other}' contradicts '{nones[0]}' (line {nones[0].line}), "
                    "which states none was done",
                )


def _severity_conflict(facts: list[_Stated], source: str) -> Iterator[Problem]:
    """A pain score implies a severity (vocabulary: 0 none, 1-3 mild, 4-6
    moderate, 7-10 severe): another severity stated, or that one denied, contradicts it."""
    score = next((f for f in facts if f.name == "pain_score" and f.positive), None)
    if score is None:
        return
    implied = severity_of_score(int(score.values[0]))
    for fact in facts:
        if fact.name == "pain_severity" and fact.positive != (fact.values[0] == implied):
            yield Problem(
                source,
                max(score.line, fact.line),
                f"'{score}' (line {score.line}) means {implied} pain, which "
                f"contradicts '{fact}' (line {fact.line})",
            )


def _procedure_problems(facts: list[_Stated], source: str) -> Iterator[Problem]:
    stated = [f for f in facts if f.name == "procedure" and f.positive]
    codes = [f for f in facts if f.name == "cpt" and f.positive]
    procedures = {str(f.values[0]) for f in stated}
    procedures.update(CPT_PROCEDURE[str(f.values[0])] for f in codes)
    if not procedures:
        yield Problem(
            source, 0, "the case has no procedure: state procedure/1 or a procedure code cpt/1"
        )
    elif len(procedures) > 1:
        lines = sorted({f.line for f in stated + codes})
        where = ", ".join(str(n) for n in lines[:6]) + (", ..." if len(lines) > 6 else "")
        yield Problem(
            source,
            lines[-1],
            f"more than one procedure requested ({', '.join(sorted(procedures))}, "
            f"lines {where}): a case is one request for one procedure",
        )
