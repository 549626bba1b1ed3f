"""Typed records to JSON and back: NamedTuples of strings, numbers, booleans,
None, tuples and dicts (any hashable key), read back into the same types by
their annotations. Used to keep findings as a reviewable text file
(engine/checks/snapshot.py); anything else is refused, never guessed.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")

_SCALARS = (str, int, float, bool)


class RecordError(ValueError):
    """A value that is not a record, or JSON data that does not fit the type asked for."""


def to_data(value: object) -> Any:
    """value as JSON data: a record is an object of its fields, a tuple a list, a
    dict a list of [key, value] pairs (keys may be tuples)."""
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: to_data(getattr(value, name)) for name in value._fields}
    if isinstance(value, tuple):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return [[to_data(key), to_data(item)] for key, item in value.items()]
    raise RecordError(f"cannot keep a {type(value).__name__} as JSON")


def from_data(data: Any, kind: type[T]) -> T:
    """JSON data read back as `kind` (the inverse of to_data)."""
    return typing.cast(T, _read(data, kind))


def _read(data: Any, kind: Any) -> Any:
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _read_union(data, get_args(kind))
    if origin is tuple:
        return _read_tuple(data, get_args(kind))
    if origin is dict:
        key_kind, value_kind = get_args(kind)
        return {_read(key, key_kind): _read(value, value_kind) for key, value in _pairs(data)}
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return _read_record(data, kind)
    if kind is type(None):
        if data is not None:
            raise RecordError(f"expected null, found {data!r}")
        return None
    if kind in _SCALARS:
        if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
            raise RecordError(f"expected {kind.__name__}, found {data!r}")
        return data
    raise RecordError(f"cannot read a {kind!r} from JSON")


def _read_union(data: Any, kinds: tuple[Any, ...]) -> Any:
    if data is None and type(None) in kinds:
        return None
    for kind in kinds:
        if kind is type(None):
            continue
        try:
            return _read(data, kind)
        except RecordError:
            continue
    raise RecordError(f"{data!r} fits none of {kinds!r}")


def _read_tuple(data: Any, kinds: tuple[Any, ...]) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise RecordError(f"expected a list, found {data!r}")
    if len(kinds) == 2 and kinds[1] is Ellipsis:
        return tuple(_read(item, kinds[0]) for item in data)
    if len(kinds) != len(data):
        raise RecordError(f"expected {len(kinds)} items, found {len(data)}")
    return tuple(_read(item, kind) for item, kind in zip(data, kinds, strict=True))


def _pairs(data: Any) -> list[tuple[Any, Any]]:
    if not isinstance(data, list) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in data
    ):
        raise RecordError(f"expected a list of [key, value] pairs, found {data!r}")
    return [(pair[0], pair[1]) for pair in data]


def _read_record(data: Any, kind: type[Any]) -> Any:
    if not isinstance(data, dict):
        raise RecordError(f"expected a {kind.__name__} object, found {data!r}")
    hints = get_type_hints(kind)
    unknown = set(data) - set(hints)
    if unknown:
        raise RecordError(f"{kind.__name__} has no field {sorted(unknown)[0]!r}")
    defaults = getattr(kind, "_field_defaults", {})
    fields = {}
    for name, field_kind in hints.items():
        if name in data:
            fields[name] = _read(data[name], field_kind)
        elif name not in defaults:
            raise RecordError(f"{kind.__name__} misses its field {name!r}")
    return kind(**fields)
