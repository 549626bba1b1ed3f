"""Benchmark of `kb check`: the whole report over the five policies, end to end,
and where the time goes (each policy and each pair of policies, one process).
Prints figures; asserts nothing.

    python bench/bench_check.py [--runs N] [--levels N]

Target (issue: consistency checks): `kb check` over all five policies in
under a minute on a 2-core machine. Also prints how a witness's answer set is
read (by predicate name, arguments only where needed) against reading every
atom's arguments, on answer sets of the five policies' case space, and the
case space's symmetry breaking (interchangeable levels taken in order, kb/case_space.lp) against a
baseline without it, measured in the same run: the dead-rules check of
tests/test_checks.py on its toy policy with four target levels.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from itertools import combinations
from pathlib import Path

import clingo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_query import kb_command  # noqa: E402
from engine.checks.findings import (  # noqa: E402
    PROCEDURES,
    PolicyFindings,
    _pair_task,
    _policy_task,
    check,
)
from engine.checks.search import answer_from  # noqa: E402
from engine.knowledge_base import (  # noqa: E402
    CASE_SPACE,
    DEFAULT_DIRECTORY,
    GENERATED,
    KnowledgeBase,
)
from engine.query import describe_policies  # noqa: E402

TARGET_S = 60.0
TOY = ROOT / "tests" / "fixtures" / "checks" / "toy_dead.lp"
SHARED = ("concepts.lp", "determination.lp", "completion.lp", *GENERATED)
# The rule of kb/case_space.lp that orders interchangeable levels; the baseline
# never derives it.
ORDERING = "level_before(A, B) :- "


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def end_to_end(runs: int, levels: int) -> float:
    """Median wall time of `kb check` (text, then JSON), in seconds, computed
    afresh (--fresh: not from the findings cache)."""
    medians = {}
    for output in ("text", "json"):
        command = [*kb_command(), "check", "--fresh", "--levels", str(levels), "--format", output]
        samples, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), _children_cpu()
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            samples.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - start_cpu)
        medians[output] = statistics.median(samples)
        print(
            f"  kb check --format {output:<5} {medians[output]:6.1f} s wall"
            f"  {statistics.median(cpu):6.1f} s CPU"
            f"  ({len(done.stdout.splitlines())} lines of output)"
        )
    return max(medians.values())


def phases(levels: int) -> None:
    """Each task of the report alone, in this process (jobs=1), in seconds."""
    kb = KnowledgeBase()
    every = {
        info.id: tuple(p for p in PROCEDURES if p in info.procedures)
        for info in describe_policies(kb)
    }
    total = 0.0
    print("  within each policy (dead rules, conflicts, gaps, matrix):")
    for policy in kb.policy_ids():
        start = time.perf_counter()
        found: PolicyFindings = _policy_task(
            kb.directory, policy, (every[policy], every[policy]), levels, True
        )
        elapsed = time.perf_counter() - start
        total += elapsed
        print(
            f"    {policy:<48} {elapsed:6.2f} s  {len(found.conflicts):4} conflicts"
            f"  {len(found.gaps)} gaps  {len(found.dead_rules)} dead rules"
            f"  {len(found.cells)} matrix cells"
        )
    print("  between policies (differences):")
    for first, second in combinations(kb.policy_ids(), 2):
        for procedure in PROCEDURES:
            if procedure in every[first] and procedure in every[second]:
                start = time.perf_counter()
                found_pair = _pair_task(kb.directory, (first, second), procedure, levels)
                elapsed = time.perf_counter() - start
                total += elapsed
                label = f"{first} / {second}, {procedure}"
                print(f"    {label:<48} {elapsed:6.2f} s  {len(found_pair):4} differences")
    print(f"  sum of the tasks: {total:.1f} s (kb check spreads them over the CPUs)")


def _toy_kb(directory: Path, *, ordered: bool) -> KnowledgeBase:
    """The toy dead-rules knowledge base, with the case space as shipped or,
    for the baseline, without its ordering of interchangeable levels."""
    for name in SHARED:
        shutil.copy(Path(DEFAULT_DIRECTORY) / name, directory / name)
    shutil.copy(TOY, directory / TOY.name)
    space = (Path(DEFAULT_DIRECTORY) / CASE_SPACE).read_text()
    if not ordered:
        space, found = re.subn(re.escape(ORDERING), ORDERING + "#false, ", space)
        if found != 1:
            raise SystemExit(f"{CASE_SPACE}: expected one rule starting {ORDERING!r}")
    (directory / CASE_SPACE).write_text(space)
    return KnowledgeBase(str(directory))


def _timed(task: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys) of a task run in this process."""
    start, start_cpu = time.perf_counter(), time.process_time()
    task()
    return time.perf_counter() - start, time.process_time() - start_cpu


def symmetry_breaking(levels: int = 4) -> None:
    """The toy dead-rules check (jobs=1, no matrix) with and without the ordering."""
    figures = {}
    for ordered in (False, True):
        with tempfile.TemporaryDirectory() as directory:
            kb = _toy_kb(Path(directory), ordered=ordered)
            figures[ordered] = _timed(partial(check, kb, matrix=False, jobs=1, levels=levels))
        label = "as shipped" if ordered else "baseline, levels not ordered"
        wall, cpu = figures[ordered]
        print(f"    {label:<32} {wall:6.2f} s wall  {cpu:6.2f} s CPU")
    ratio = figures[False][1] / max(figures[True][1], 1e-9)
    print(f"    CPU time, baseline / as shipped: {ratio:.1f}x")


def _answer_sets(count: int) -> list[list[clingo.Symbol]]:
    """The first answer sets of the five policies' case space (every atom)."""
    kb = KnowledgeBase()
    control = clingo.Control(["--warn=none", "--opt-mode=ignore", f"--models={count}"])
    for path in [*kb.files(kb.policy_ids()), str(Path(DEFAULT_DIRECTORY) / CASE_SPACE)]:
        control.load(path)
    control.ground([("base", [])])
    found: list[list[clingo.Symbol]] = []
    with control.solve(yield_=True) as handle:
        for model in handle:
            found.append(model.symbols(atoms=True))
    return found


def _every_argument(symbols: list[clingo.Symbol]) -> dict[str, list[object]]:
    """The baseline: every atom's sign, name and arguments read (how answer
    sets were read before, not counting the witness it then builds)."""
    atoms: dict[str, list[object]] = {}
    for symbol in symbols:
        if symbol.positive:
            atoms.setdefault(symbol.name, []).append(symbol.arguments)
    return atoms


def reading_answers(count: int = 40) -> None:
    """answer_from on answer sets of the case space, against the baseline."""
    answers = _answer_sets(count)
    atoms = sum(len(a) for a in answers) // max(len(answers), 1)
    baseline = _timed(lambda: [_every_argument(a) for a in answers])[1]
    shipped = _timed(lambda: [answer_from(a) for a in answers])[1]
    print(f"    {len(answers)} answer sets of about {atoms} atoms")
    print(f"    baseline, every atom's arguments   {baseline:6.2f} s CPU")
    print(f"    as shipped (answer_from)           {shipped:6.2f} s CPU")
    print(f"    CPU time, baseline / as shipped: {baseline / max(shipped, 1e-9):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--levels", type=int, default=1)
    args = parser.parse_args()
    print(f"kb check over all five policies, up to {args.levels} target level(s)")
    print(f"CPUs: {os.cpu_count()}; median of {args.runs} run(s)")
    worst = end_to_end(args.runs, args.levels)
    verdict = "within" if worst < TARGET_S else "OVER"
    print(f"  {verdict} the target of {TARGET_S:.0f} s")
    print("Where the time goes (one process):")
    phases(args.levels)
    print("Reading a witness's answer set (one process):")
    reading_answers()
    print("Symmetry breaking: toy dead-rules check with 4 target levels (one process):")
    symmetry_breaking()


if __name__ == "__main__":
    main()
