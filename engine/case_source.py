"""Getting a case's bytes: from a path or standard input, bounded, never blocking.

A case file is untrusted, and so is its path. Only a regular file is read:
a FIFO, a device or a directory is refused from its status, before it is
opened, and the file is opened non-blocking and checked again once open (in
case it was swapped in between). At most MAX_BYTES + 1 bytes are ever read,
from a file or from standard input.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

from engine.case_reader import escaped_character
from engine.errors import CaseError, Problem

MAX_BYTES = 1_048_576  # 1 MiB: a real record is a few hundred bytes
STDIN = "-"

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def source_name(path: str) -> str:
    """How a path is named in messages: '<stdin>' for '-', unprintable characters
    (a newline could forge a message line) escaped."""
    if path == STDIN:
        return "<stdin>"
    return "".join(char if char.isprintable() else escaped_character(char) for char in path)


def read_bytes(path: str) -> bytes:
    """The bytes of a case file, or of standard input for '-'; CaseError when
    it is not a readable regular file or is larger than MAX_BYTES."""
    source = source_name(path)
    data = _read_bounded(sys.stdin.buffer) if path == STDIN else _read_regular_file(path, source)
    if len(data) > MAX_BYTES:
        raise CaseError([Problem(source, 0, too_large_message())])
    return data


def too_large_message() -> str:
    return f"the case is larger than {MAX_BYTES:,} bytes (1 MiB): a case file holds one request"


def _read_regular_file(path: str, source: str) -> bytes:
    try:
        _refuse_special(os.stat(path).st_mode, source)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except ValueError:  # a NUL in the path
        raise CaseError([Problem(source, 0, "cannot read the case file: bad path")]) from None
    except OSError as error:
        raise _unreadable(source, error) from None
    try:
        _refuse_special(os.fstat(descriptor).st_mode, source)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return _read_bounded(handle)
    except OSError as error:
        raise _unreadable(source, error) from None
    finally:
        os.close(descriptor)


def _refuse_special(mode: int, source: str) -> None:
    for test, kind in _KINDS:
        if test(mode):
            message = f"cannot read the case file: it is {kind}, not a regular file"
            raise CaseError([Problem(source, 0, message)])
    if not stat.S_ISREG(mode):
        raise CaseError([Problem(source, 0, "cannot read the case file: not a regular file")])


def _read_bounded(handle: BinaryIO) -> bytes:
    """At most MAX_BYTES + 1 bytes: enough to tell that a case is too large."""
    chunks: list[bytes] = []
    wanted = MAX_BYTES + 1
    while wanted > 0:
        chunk = handle.read(wanted)
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _unreadable(source: str, error: OSError) -> CaseError:
    reason = error.strerror or str(error)
    return CaseError([Problem(source, 0, f"cannot read the case file: {reason}")])
