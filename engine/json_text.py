"""JSON documents as the `kb` commands print them: indented by two spaces, not
ASCII-escaped, one newline at the end, the same text as
`json.dumps(document, indent=2, ensure_ascii=False)`.

The standard library's encoder runs in pure Python when it indents (about
60 ms for the two megabytes of a 30-level `kb query --format json`); orjson
writes the same text in C.
"""

from __future__ import annotations

from typing import Any

import orjson


def indented(document: Any) -> str:
    """The document as indented JSON text, ending in a newline."""
    return indented_utf8(document).decode()


def indented_utf8(document: Any) -> bytes:
    """indented(document) encoded in UTF-8, as orjson writes it: for a stream
    of bytes, without decoding two megabytes to text only to encode them again."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
    return orjson.dumps(document, default=_plain, option=options)


def _plain(value: object) -> list[Any]:
    """What the standard encoder makes of a tuple subclass (a NamedTuple): a list."""
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
