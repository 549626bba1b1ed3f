"""The records of a batch, written as they come: .jsonl (default), .csv or
.parquet, chosen by OUT's extension; and, for --resume, what is already there.

JSONL and CSV are appended line by line, so an interrupted run leaves every
whole line it wrote (a cut last line is dropped on --resume). Parquet cannot
be appended to: the records go to a JSONL journal beside OUT
(OUT.partial.jsonl) and become OUT.parquet, streamed in row groups, when the
batch ends; --resume continues the journal.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from typing import IO, Any, NamedTuple, Protocol

from engine.errors import BatchError

# Flat columns for CSV and Parquet; determinations stay JSON in one column.
AUDIT = ("case_sha256", "kb_sha256")


class Written(NamedTuple):
    """A record as a worker sends it back: encoded there, so the process that
    writes OUT only writes (and the transfer is one string per record)."""

    line: str  # the record as one line of JSON, without the newline
    statuses: tuple[tuple[str, str], ...]  # (policy, status) of each determination
    refused: bool

    @classmethod
    def of(cls, record: dict[str, Any]) -> Written:
        statuses = tuple((d["policy"], d["status"]) for d in record.get("determinations", ()))
        return cls(json.dumps(record, ensure_ascii=False), statuses, "error" in record)

    @property
    def record(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.line)
        return value


class Output(Protocol):
    def write(self, written: Written) -> None: ...

    def close(self) -> None: ...


def output_format(path: str) -> str:
    """csv, parquet or jsonl (the default), by OUT's extension."""
    for extension in ("csv", "parquet"):
        if path.endswith(f".{extension}"):
            return extension
    return "jsonl"


def record_key(record: dict[str, Any]) -> str:
    """The key --resume skips a case by: its id, or the input line of a bad line."""
    if record.get("id") is not None:
        return str(record["id"])
    return f"line {record.get('error', {}).get('line', 0)}"


def open_output(path: str, policies: list[str], *, resume: bool) -> Output:
    """A writer for OUT; with resume, after what OUT already holds."""
    kind = output_format(path)
    if kind == "parquet":
        return ParquetOutput(path, policies, resume=resume)
    if kind == "csv":
        return CsvOutput(path, policies, resume=resume)
    return JsonlOutput(path, resume=resume)


def resume_point(path: str) -> set[str]:
    """The keys of the records OUT (or its journal) already holds, after
    dropping a last line an interrupted run cut short."""
    kind = output_format(path)
    if kind == "parquet":
        journal = _journal(path)
        _drop_cut_line(journal)
        if os.path.exists(journal):
            return {record_key(r) for r in _jsonl_records(journal)}
        if os.path.exists(path):
            return {record_key(r) for r in _parquet_records(path)}
        return set()
    if not os.path.exists(path):
        return set()
    _drop_cut_line(path)
    if kind == "csv":
        return {record_key(r) for r in _csv_records(path)}
    return {record_key(r) for r in _jsonl_records(path)}


def _open(path: str, mode: str) -> IO[str]:
    try:
        return open(path, mode, encoding="utf-8", newline="")
    except OSError as error:
        raise BatchError(f"{path}: cannot write the output: {error.strerror or error}") from None


def _drop_cut_line(path: str) -> None:
    """Remove a last line an interrupted run left without its newline."""
    if not os.path.exists(path):
        return
    with open(path, "rb+") as handle:
        data_end = handle.seek(0, os.SEEK_END)
        if data_end == 0:
            return
        handle.seek(data_end - 1)
        if handle.read(1) == b"\n":
            return
        position = data_end - 1
        while position > 0:
            handle.seek(position - 1)
            if handle.read(1) == b"\n":
                break
            position -= 1
        handle.truncate(position)


class JsonlOutput:
    def __init__(self, path: str, *, resume: bool) -> None:
        if resume:
            _drop_cut_line(path)
        self._handle = _open(path, "a" if resume else "w")

    def write(self, written: Written) -> None:
        self._handle.write(f"{written.line}\n")

    def close(self) -> None:
        self._handle.close()


def _jsonl_records(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.endswith("\n"):
                yield json.loads(line)


def columns(policies: list[str]) -> list[str]:
    statuses = [f"status_{policy}" for policy in policies]
    return [
        "id",
        *statuses,
        "error_line",
        "error_message",
        *AUDIT,
        "policy_versions",
        "determinations",
    ]


def flat_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as flat columns (statuses per policy, JSON for the nested parts)."""
    error = record.get("error") or {}
    row: dict[str, Any] = {
        "id": record.get("id"),
        "error_line": error.get("line"),
        "error_message": error.get("message"),
        "policy_versions": json.dumps(record.get("policy_versions", {}), sort_keys=True),
        "determinations": json.dumps(record.get("determinations"), ensure_ascii=False),
    }
    for name in AUDIT:
        row[name] = record.get(name)
    for determination in record.get("determinations") or []:
        row[f"status_{determination['policy']}"] = determination["status"]
    return row


def record_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The record a flat row was made from."""
    record: dict[str, Any] = {"id": row.get("id") or None}
    determinations = json.loads(row.get("determinations") or "null")
    if determinations is not None:
        record["determinations"] = determinations
    if row.get("error_message"):
        record["error"] = {"line": int(row.get("error_line") or 0), "message": row["error_message"]}
    for name in AUDIT:
        record[name] = row.get(name)
    record["policy_versions"] = json.loads(row.get("policy_versions") or "{}")
    return record


class CsvOutput:
    def __init__(self, path: str, policies: list[str], *, resume: bool) -> None:
        if resume:
            _drop_cut_line(path)
        fresh = not resume or not os.path.exists(path) or os.path.getsize(path) == 0
        self._handle = _open(path, "w" if fresh else "a")
        self._writer = csv.DictWriter(self._handle, columns(policies), lineterminator="\n")
        if fresh:
            self._writer.writeheader()

    def write(self, written: Written) -> None:
        self._writer.writerow(flat_row(written.record))

    def close(self) -> None:
        self._handle.close()


def _csv_records(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield record_from_row(row)


def _journal(path: str) -> str:
    return f"{path}.partial.jsonl"


# Records per Parquet row group when the journal becomes OUT.
ROW_GROUP = 2000


class ParquetOutput:
    def __init__(self, path: str, policies: list[str], *, resume: bool) -> None:
        import pyarrow  # noqa: F401  (fail before any work when it is missing)

        self._path, self._policies = path, policies
        journal = _journal(path)
        if resume and not os.path.exists(journal) and os.path.exists(path):
            with _open(journal, "w") as handle:
                for record in _parquet_records(path):
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._journal = JsonlOutput(journal, resume=resume)

    def write(self, written: Written) -> None:
        self._journal.write(written)

    def close(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._journal.close()
        journal, partial = _journal(self._path), f"{self._path}.partial"
        schema = pa.schema(
            [
                (name, pa.int64() if name == "error_line" else pa.string())
                for name in columns(self._policies)
            ]
        )
        with pq.ParquetWriter(partial, schema) as writer:
            rows: list[dict[str, Any]] = []
            for record in _jsonl_records(journal):
                rows.append(flat_row(record))
                if len(rows) >= ROW_GROUP:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                    rows = []
            if rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        os.replace(partial, self._path)
        os.remove(journal)


def _parquet_records(path: str) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=ROW_GROUP):
        for row in batch.to_pylist():
            yield record_from_row(row)


def read_records(path: str) -> Iterator[dict[str, Any]]:
    """Every record of a finished OUT, in order (for tests and tools)."""
    kind = output_format(path)
    if kind == "parquet":
        yield from _parquet_records(path)
    elif kind == "csv":
        yield from _csv_records(path)
    else:
        yield from _jsonl_records(path)
