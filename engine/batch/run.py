"""Running a batch: chunks of cases to workers, records back in input order.

Local workers are processes (concurrent.futures); with a scheduler address
the chunks go to the workers of a running Dask cluster instead. Either way
at most a few chunks per worker are in flight, so memory stays flat in the
number of cases, and the records are written in input order as they come.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple, Protocol

from engine.batch.inputs import CaseInput, check_input, count_inputs, read_inputs
from engine.batch.outputs import Written, open_output, resume_point
from engine.batch.work import Settings, adjudicate
from engine.errors import BatchError

# Cases per chunk sent to a worker, and chunks in flight per worker.
CHUNK = 32
IN_FLIGHT = 3

INSTALL_DISTRIBUTED = (
    "--scheduler needs Dask distributed, an optional extra: "
    "pip install 'policy-kb[distributed]' (or, from the source tree, pip install '.[distributed]')"
)


class Result(Protocol):
    def result(self) -> list[Written]: ...


Submit = Callable[[Settings, list[CaseInput]], Result]


class Summary(NamedTuple):
    cases: int
    skipped: int  # already in OUT (--resume)
    errors: int
    statuses: Counter[tuple[str, str]]  # (policy, status) -> cases


class _Done:
    """A chunk adjudicated in this process (one worker: no pool)."""

    def __init__(self, records: list[Written]) -> None:
        self._records = records

    def result(self) -> list[Written]:
        return self._records


def _chunks(items: Iterable[CaseInput], size: int) -> Iterator[list[CaseInput]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def ordered_records(
    submit: Submit, settings: Settings, items: Iterable[CaseInput], window: int
) -> Iterator[Written]:
    """The records of every case, in input order, with at most `window` chunks in flight."""
    pending: deque[Result] = deque()
    for chunk in _chunks(items, CHUNK):
        pending.append(submit(settings, chunk))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def run_batch(
    source: str,
    out: str,
    settings: Settings,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Adjudicate every case of `source` into `out`; the summary of what was written."""
    check_input(source)  # refuse a bad INPUT before anything else
    with _executor(workers, scheduler) as (submit, window):
        done = resume_point(out) if resume else set()
        output = open_output(out, list(settings.policies), resume=resume)
        items = (item for item in read_inputs(source) if item.key not in done)
        counts: Counter[tuple[str, str]] = Counter()
        cases = errors = 0
        advance = _Advance(progress)
        try:
            for written in ordered_records(submit, settings, items, window):
                output.write(written)
                cases += 1
                errors += written.refused
                counts.update(written.statuses)
                advance.one()
        finally:
            output.close()
            advance.flush()
    return Summary(cases, len(done), errors, counts)


class _Advance:
    """The progress callback, called once per chunk's worth of records (a
    progress bar's update costs about as much as writing a record)."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self._progress = progress
        self._count = 0

    def one(self) -> None:
        self._count += 1
        if self._count >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._progress is not None and self._count:
            self._progress(self._count)
        self._count = 0


def total_cases(source: str) -> int:
    return count_inputs(source)


class _executor:
    """A submit function and its in-flight window: in process, local processes or Dask."""

    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        self._workers = workers or os.cpu_count() or 1
        self._scheduler = scheduler
        self._close: Callable[[], None] = lambda: None

    def __enter__(self) -> tuple[Submit, int]:
        if self._scheduler:
            return self._dask(self._scheduler)
        if self._workers == 1:
            return (lambda settings, chunk: _Done(adjudicate(settings, chunk))), 1
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=self._workers)
        self._close = lambda: pool.shutdown(cancel_futures=True)

        def submit(settings: Settings, chunk: list[CaseInput]) -> Result:
            return pool.submit(adjudicate, settings, chunk)

        return submit, self._workers * IN_FLIGHT

    def _dask(self, address: str) -> tuple[Submit, int]:
        try:
            from distributed import Client
        except ImportError:
            raise BatchError(INSTALL_DISTRIBUTED) from None
        try:
            client = Client(address, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as error:
            raise BatchError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self._close = client.close
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def submit(settings: Settings, chunk: list[CaseInput]) -> Result:
            future: Result = client.submit(adjudicate, settings, chunk, pure=False)
            return future

        return submit, workers * IN_FLIGHT

    def __exit__(self, *exc: object) -> None:
        self._close()
