"""clingo symbols as the text clingo prints for them, in bulk.

`str(symbol)` asks clingo for the text's size, allocates a buffer, asks for
the text, and checks two error codes: some 4 µs a symbol, the larger part of
reading an explained answer of 30 levels (about 7,000 atoms). Printing into
one reused buffer, one foreign call a symbol, gives the same text in about a
third of the time.

That path calls the C library through the cffi binding inside the clingo
package (`clingo._internal`), which is not clingo's public API. It is checked
once, on a symbol with every kind of part (strings with quotes and escapes,
numbers, tuples, classical negation), against `str()`, and used only when it
prints alike; otherwise, and for any symbol whose text does not fit the
buffer or that the call refuses, `str()` is used.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from typing import Any

import clingo

# Longer texts than this (none a policy writes) are printed by str().
_BUFFER = 1 << 16


def symbol_texts(symbols: Iterable[clingo.Symbol]) -> list[str]:
    """The text of each symbol, as str(symbol) gives it."""
    printer = _printer()
    if printer is None:
        return [str(symbol) for symbol in symbols]
    return [printer(symbol) for symbol in symbols]


@functools.cache
def _printer() -> Callable[[clingo.Symbol], str] | None:
    """The one-call printer, or None if clingo's binding is not as expected or
    prints otherwise than str()."""
    try:
        binding: Any = importlib.import_module("clingo._internal")
        library, ffi = binding._lib, binding._ffi
        to_string, string = library.clingo_symbol_to_string, ffi.string
        buffer = ffi.new("char[]", _BUFFER)
    except (ImportError, AttributeError):
        return None

    def printed(symbol: clingo.Symbol) -> str:
        representation = getattr(symbol, "_rep", None)
        if representation is None or not to_string(representation, buffer, _BUFFER):
            return str(symbol)
        text: bytes = string(buffer)
        if len(text) >= _BUFFER - 1:  # it may not have fitted
            return str(symbol)
        return text.decode()

    try:
        alike = printed(probe()) == str(probe())
    except Exception:  # any failure of the private path: the public one it is
        return None
    return printed if alike else None


def probe() -> clingo.Symbol:
    """A symbol with every kind of part a shown atom can have."""
    return clingo.Function(
        "probe",
        [
            clingo.String('a "quoted" \\ back\\slash\nnewline é'),
            clingo.Number(-42),
            clingo.Tuple_([clingo.Function("l1"), clingo.Number(3)]),
            clingo.Tuple_([clingo.Function("one")]),
            clingo.Function("neg", [clingo.Function("x")], False),
            clingo.Infimum,
            clingo.Supremum,
        ],
    )
