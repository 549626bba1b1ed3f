"""The one wrapper around clingo's Control: the knowledge base's files plus a
case's facts in, atoms out; several questions may be asked of one grounded
program (assumptions, externals, enumeration modes).

Every clingo failure becomes a KnowledgeBaseError with our message first and
clingo's after; an unsatisfiable program is an error, never an empty answer.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

import clingo
from clingo import ast

from engine.errors import KnowledgeBaseError


class Messages:
    """clingo's messages for one Control, kept to explain a failure: our words
    first, clingo's after."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def log(self, code: clingo.MessageCode, message: str) -> None:
        if code not in (clingo.MessageCode.AtomUndefined, clingo.MessageCode.GlobalVariable):
            self._lines.append(message.strip())

    def describe(self, what: str, error: Exception) -> str:
        details = "\n".join(self._lines) or str(error)
        return f"{what}:\n{details}"


@functools.cache
def statements(path: str) -> tuple[ast.AST, ...]:
    """A file's statements, parsed once per process; a file clingo cannot
    parse is a KnowledgeBaseError naming the file, the line and the problem."""
    found: list[ast.AST] = []
    problems: list[str] = []
    try:
        ast.parse_files([path], found.append, logger=lambda _code, text: problems.append(text))
    except RuntimeError as error:
        first = problems[0].strip().splitlines()[0] if problems else f"{path}: {error}"
        raise KnowledgeBaseError(first.replace(": error: ", ": ", 1)) from None
    return tuple(found)


@functools.cache
def _statements_unshown(path: str) -> tuple[ast.AST, ...]:
    """A file's statements but its #show statements, once per process."""
    hidden = (ast.ASTType.ShowSignature, ast.ASTType.ShowTerm)
    return tuple(s for s in statements(path) if s.ast_type not in hidden)


class Solver:
    """A grounded program over which one or more questions can be asked.

    With `shown`, the files' own #show statements are dropped and `shown`
    (e.g. "#show item/1.") decides what each model shows: a search reads
    only the atoms it needs. `statements` (clingo AST, e.g. rules built from
    the knowledge base's own) are added to the base program after the files.
    """

    def __init__(
        self,
        files: Sequence[str],
        facts: str,
        options: Sequence[str] = (),
        *,
        shown: str | None = None,
        statements: Sequence[ast.AST] = (),
    ) -> None:
        self._messages = Messages()
        # --warn=none: the knowledge base reads case predicates a case may not
        # state; clingo's "atom does not occur in any rule head" notes are noise.
        arguments = ["--warn=none", *options]
        self._control = clingo.Control(arguments, logger=self._messages.log, message_limit=20)
        try:
            if shown is None:
                for path in files:
                    self._control.load(path)
                self._build([], statements)
            else:
                self._build(files, statements)
                self._control.add("base", [], shown)
            self._control.add("base", [], facts)
            self._control.ground([("base", [])])
        except RuntimeError as error:
            message = self._describe("the knowledge base failed to load", error)
            raise KnowledgeBaseError(message) from None

    def _build(self, files: Sequence[str], statements: Sequence[ast.AST]) -> None:
        """The files' statements without their #show statements, then `statements`."""
        if not files and not statements:
            return
        with ast.ProgramBuilder(self._control) as builder:
            for path in files:
                for statement in _statements_unshown(path):
                    builder.add(statement)
            if statements:
                # Into the base program, whatever part the files ended in.
                builder.add(ast.Program(statements[0].location, "base", []))
            for statement in statements:
                builder.add(statement)

    def ground_part(self, name: str, statements: Sequence[ast.AST]) -> None:
        """Add `statements` as the part `name` and ground it: a later step, which
        may use the atoms grounded so far (e.g. as the domain of #external)."""
        try:
            with ast.ProgramBuilder(self._control) as builder:
                if statements:
                    builder.add(ast.Program(statements[0].location, name, []))
                for statement in statements:
                    builder.add(statement)
            self._control.ground([(name, [])])
        except RuntimeError as error:
            message = self._describe("the knowledge base failed to ground", error)
            raise KnowledgeBaseError(message) from None

    def set_optimisation(self, mode: str) -> None:
        """clingo's --opt-mode for the next solve calls ('opt': the last model
        is optimal; 'ignore': the first model, whatever its cost)."""
        solve = self._control.configuration.solve
        assert isinstance(solve, clingo.Configuration)
        solve.opt_mode = mode

    def extend(self, part: str, facts: str) -> None:
        """Ground a further part of the files' program (#program PART.) with
        these facts, for the next solve calls."""
        try:
            self._control.add(part, [], facts)
            self._control.ground([(part, [])])
        except RuntimeError as error:
            message = self._describe(f"the knowledge base failed to ground {part}", error)
            raise KnowledgeBaseError(message) from None

    def is_external(self, symbol: clingo.Symbol) -> bool:
        atom = self._control.symbolic_atoms[symbol]
        return atom is not None and atom.is_external

    def assign(self, externals: Iterable[tuple[clingo.Symbol | int, bool | None]]) -> None:
        """Set external atoms (symbols or their literals) for the next solve calls
        (an unknown atom is skipped; None leaves it free, as a choice)."""
        for symbol, value in externals:
            self._control.assign_external(symbol, value)

    def external_literals(
        self, signatures: Iterable[tuple[str, int]] | None = None
    ) -> dict[clingo.Symbol, int]:
        """Every external atom of the grounded program (or of the predicates of
        these signatures, either sign), with its literal."""
        atoms = self._control.symbolic_atoms
        found: Iterable[clingo.SymbolicAtom] = atoms
        if signatures is not None:
            found = itertools.chain.from_iterable(
                atoms.by_signature(name, arity, positive)
                for name, arity in signatures
                for positive in (True, False)
            )
        return {a.symbol: a.literal for a in found if a.is_external}

    def _describe(self, what: str, error: Exception) -> str:
        return self._messages.describe(what, error)

    def facts_among(self, symbols: Iterable[clingo.Symbol]) -> dict[clingo.Symbol, bool]:
        """Those of these ground atoms the grounded program has, each with
        whether it is a fact."""
        atoms = self._control.symbolic_atoms
        found = ((symbol, atoms[symbol]) for symbol in symbols)
        return {symbol: atom.is_fact for symbol, atom in found if atom is not None}

    def predicates_among(
        self, signatures: Iterable[tuple[str, int, bool]]
    ) -> set[tuple[str, int, bool]]:
        """Those of these signatures (name, arity, sign) the grounded program
        has an atom of."""
        atoms = self._control.symbolic_atoms
        return {
            signature
            for signature in signatures
            if next(iter(atoms.by_signature(*signature)), None) is not None
        }

    def atoms_of(self, name: str, arity: int, *, ordered: bool = True) -> list[clingo.Symbol]:
        """Every ground atom of a predicate, in the grounded program: sorted, or
        unless `ordered` in the order they were grounded."""
        found = [a.symbol for a in self._control.symbolic_atoms.by_signature(name, arity)]
        return sorted(found) if ordered else found

    def set_enumeration(self, mode: str, project: str) -> None:
        """clingo's --enum-mode and --project for the next solve calls."""
        solve = self._control.configuration.solve
        assert isinstance(solve, clingo.Configuration)
        solve.enum_mode = mode
        solve.project = project

    def models(
        self,
        assumptions: Sequence[tuple[clingo.Symbol, bool] | int],
        limit: int = 0,
        contains: Sequence[clingo.Symbol] = (),
    ) -> list[list[clingo.Symbol]]:
        """The shown atoms of each model under signed assumptions (or solver
        literals), and those of `contains` the model holds."""
        found: list[list[clingo.Symbol]] = []
        literals = list(assumptions)
        try:
            with self._control.solve(assumptions=literals, yield_=True) as handle:
                for model in handle:
                    held = [atom for atom in contains if model.contains(atom)]
                    found.append([*model.symbols(shown=True), *held])
                    if limit and len(found) >= limit:
                        break
        except RuntimeError as error:
            raise KnowledgeBaseError(self._describe("solving failed", error)) from None
        return found

    def first_then_brave(
        self,
        unset: Sequence[int],
        goals: Callable[[list[clingo.Symbol]], list[clingo.Symbol]],
    ) -> tuple[list[clingo.Symbol], set[clingo.Symbol]] | None:
        """One enumeration: the shown atoms of the first model, which must leave
        the literals `unset` false (else None), and those of goals(its shown
        atoms) true in some model: their brave consequences, each model after
        the first holding one not held so far."""
        solve, solver = self._control.configuration.solve, self._control.configuration.solver
        assert isinstance(solve, clingo.Configuration) and isinstance(solver, clingo.Configuration)
        enumerated, heuristic = str(solve.models), str(solver.heuristic)
        # The program's #heuristic statements decide (kb batch: unknown items false first).
        solve.models, solver.heuristic = "0", "Domain"
        try:
            with self._control.solve(yield_=True) as handle:
                models = iter(handle)
                first = next(models, None)
                if first is None or any(first.is_true(literal) for literal in unset):
                    return None
                shown = list(first.symbols(shown=True))
                return shown, _brave(models, first, goals(shown))
        except RuntimeError as error:
            raise KnowledgeBaseError(self._describe("solving failed", error)) from None
        finally:
            solve.models, solver.heuristic = enumerated, heuristic

    def literal(self, symbol: clingo.Symbol) -> int | None:
        """The solver literal of a ground atom (for assumptions), None if there is none."""
        atom = self._control.symbolic_atoms[symbol]
        return None if atom is None else atom.literal

    def last_model(
        self,
        assumptions: Sequence[tuple[clingo.Symbol, bool] | int],
        limit: int = 0,
        *,
        every_atom: bool = False,
    ) -> list[clingo.Symbol] | None:
        """The shown atoms of the last model (in brave mode: the brave
        consequences; when optimising: an optimal model), under signed
        assumptions (or solver literals, negative for false); None if there is
        none. With `every_atom`, every atom of the model, shown or not."""
        shown: list[clingo.Symbol] | None = None
        try:
            with self._control.solve(assumptions=list(assumptions), yield_=True) as handle:
                for count, model in enumerate(handle, start=1):
                    shown = model.symbols(atoms=True) if every_atom else model.symbols(shown=True)
                    if limit and count >= limit:
                        break
        except RuntimeError as error:
            raise KnowledgeBaseError(self._describe("solving failed", error)) from None
        return shown

    def final_model(
        self, assumptions: Sequence[tuple[clingo.Symbol, bool] | int] = ()
    ) -> list[clingo.Symbol] | None:
        """The shown atoms of the last model only (in brave mode: the brave
        consequences), read once, whatever the number of models; None if
        there is none."""
        shown: list[clingo.Symbol] | None = None

        def read(model: clingo.Model) -> None:
            nonlocal shown
            shown = list(model.symbols(shown=True))

        try:
            self._control.solve(assumptions=list(assumptions), on_last=read)
        except RuntimeError as error:
            raise KnowledgeBaseError(self._describe("solving failed", error)) from None
        return shown


def symbol_text(symbol: clingo.Symbol) -> str:
    """An argument of an atom as text: a string without its quotes."""
    return symbol.string if symbol.type == clingo.SymbolType.String else str(symbol)


def _brave(
    models: Iterator[clingo.Model], model: clingo.Model, atoms: list[clingo.Symbol]
) -> set[clingo.Symbol]:
    """Those of `atoms` true in this model or a later one: after each model, a
    clause asks the next for one not held so far."""
    held: set[clingo.Symbol] = set()
    current: clingo.Model | None = model
    while current is not None:
        held.update(atom for atom in atoms if current.contains(atom))
        rest = [(atom, True) for atom in atoms if atom not in held]
        if not rest:
            break
        current.context.add_clause(rest)
        current = next(models, None)
    return held


def solve_once(files: Sequence[str], facts: str) -> list[clingo.Symbol]:
    """The unique answer set of a stratified program; an error if there is none."""
    shown = Solver(files, facts).last_model([])
    if shown is None:
        names = ", ".join(path.rsplit("/", 1)[-1] for path in files)
        raise KnowledgeBaseError(f"the knowledge base has no answer for this case ({names})")
    return shown
