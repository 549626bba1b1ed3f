"""kb batch against one process per case and against one process looping
kb query's function, on generated cases, closed-world and with the
missing-documentation search; and the batch's peak memory as cases grow.

Goals (issue 12, ratios in one run): kb batch at least 30x the cases/s of one
process per case closed-world, at least 10x with the search, drawing its
progress bar (kb batch runs with its standard error on a pseudo-terminal);
memory flat in the number of cases. One process per case is timed on a
sample (it is the slow baseline: a whole `kb query` start-up per case).

Each rate is printed twice: per second of wall-clock time, and per second of
CPU time (user + system, every process of the run). On a machine shared with
other work the wall-clock rate of a parallel batch depends on the cores left
free; the CPU rate does not, and the wall-clock rate on free cores is about
the CPU rate times the workers.

    .venv/bin/python bench/bench_batch.py [--cases 1000,10000] [--search-cases N,...]
                                          [--sample 20] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generated import cases  # noqa: E402
from engine.case import read_case  # noqa: E402
from engine.knowledge_base import KnowledgeBase  # noqa: E402
from engine.query import determine  # noqa: E402
from engine.render import determination_json  # noqa: E402

KB_SCRIPT = str(Path(sys.executable).parent / "kb")

# Runs a command with its standard error on a pseudo-terminal (so kb batch
# draws its progress bar, as for a person at a terminal; a thread reads what
# it draws); prints its peak resident memory in kB (the largest of its
# processes), its CPU seconds (all of them) and its exit code.
PEAK = (
    "import os, pty, resource, subprocess, sys, threading\n"
    "leader, follower = pty.openpty()\n"
    "def drain():\n"
    "    try:\n"
    "        while os.read(leader, 65536):\n"
    "            pass\n"
    "    except OSError:\n"
    "        pass\n"
    "threading.Thread(target=drain, daemon=True).start()\n"
    "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=follower)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, run.returncode)\n"
)


class Rate(NamedTuple):
    wall: float  # cases per second of wall-clock time
    cpu: float  # cases per CPU second

    def __str__(self) -> str:
        return f"{self.wall:8.1f} cases/s ({self.cpu:6.1f} per CPU s)"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_rate(source: Path, out: Path, closed: bool, workers: int | None) -> tuple[Rate, int]:
    """The rates of one kb batch run, and its peak memory in MB."""
    command = [KB_SCRIPT, "batch", str(source), "--out", str(out)]
    command += ["--closed-world"] if closed else []
    command += ["--workers", str(workers)] if workers else []
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    peak_kb, cpu, code = result.stdout.split()
    assert code == "0", f"kb batch failed ({code})"
    count = sum(1 for _ in out.open())
    return Rate(count / elapsed, count / float(cpu)), int(peak_kb) // 1024


def process_per_case_rate(texts: list[str], directory: Path, closed: bool) -> Rate:
    """Cases/s of one `kb query` process per case (the text output: `--format
    json` would add the explanation, which a batch record leaves out)."""
    paths = []
    for number, text in enumerate(texts):
        path = directory / f"case{number}.lp"
        path.write_text(text)
        paths.append(path)
    flags = ["--closed-world"] if closed else []
    start, cpu = time.perf_counter(), children_cpu()
    for path in paths:
        subprocess.run(
            [KB_SCRIPT, "query", "--facts", str(path), *flags],
            capture_output=True,
            check=True,
        )
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    return Rate(len(paths) / wall, len(paths) / cpu)


def in_process_rate(texts: list[str], closed: bool) -> Rate:
    """Cases/s of one process looping kb query's function (validate, determine, JSON)."""
    kb = KnowledgeBase()
    start, cpu = time.perf_counter(), time.process_time()
    for number, text in enumerate(texts):
        case = read_case(text, f"case{number}")
        json.dumps([determination_json(d) for d in determine(case, kb, closed_world=closed)])
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Rate(len(texts) / wall, len(texts) / cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default="1000,10000")
    parser.add_argument("--search-cases", default=None, help="sizes with the search")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    sizes = {True: [int(n) for n in options.cases.split(",")]}
    sizes[False] = [int(n) for n in (options.search_cases or options.cases).split(",")]
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        sample = cases(options.sample, seed=7)
        loop_sample = cases(max(options.sample * 10, 100), seed=8)
        peaks: dict[tuple[int, bool], int] = {}
        for closed in (True, False):
            mode = "closed-world" if closed else "with the search"
            print(f"{mode}:")
            per_process = process_per_case_rate(sample, directory, closed)
            looping = in_process_rate(loop_sample, closed)
            print(f"  one process per case        {per_process} (sample {len(sample)})")
            gain = looping.wall / per_process.wall
            print(f"  one process, kb query loop  {looping} ({gain:5.1f}x wall-clock)")
            for size in sizes[closed]:
                source = directory / f"cases{size}.jsonl"
                if not source.exists():
                    with source.open("w") as handle:
                        for number, text in enumerate(cases(size)):
                            handle.write(json.dumps({"id": f"c{number}", "facts": text}) + "\n")
                rate, peak = batch_rate(source, directory / "out.jsonl", closed, options.workers)
                peaks[(size, closed)] = peak
                ratio, cpu_ratio = rate.wall / per_process.wall, rate.cpu / per_process.cpu
                goal = 30 if closed else 10
                verdict = "met" if ratio >= goal else "NOT met"
                load = os.getloadavg()[0]  # the other work on the machine, at the end of the run
                print(f"  kb batch, {size:>6} cases     {rate}; peak {peak} MB; load {load:.1f}")
                print(
                    f"      {ratio:5.1f}x one process per case wall-clock (goal >= {goal}x:"
                    f" {verdict}); {cpu_ratio:5.1f}x per CPU second"
                )
        for closed in (True, False):
            low, high = sizes[closed][0], sizes[closed][-1]
            first, last = peaks[(low, closed)], peaks[(high, closed)]
            mode = "closed-world" if closed else "with the search"
            print(
                f"peak memory {mode}: {first} MB at {low} cases, {last} MB at {high}"
                f" ({last / first:.2f}x for {high / low:.0f}x the cases)"
            )


if __name__ == "__main__":
    main()
