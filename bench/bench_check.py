"""Benchmark of `kb check`: the whole report over the five policies, end to end,
and where the time goes (each policy and each pair of policies, one process).
Prints figures; asserts nothing.

    python bench/bench_check.py [--runs N] [--levels N]

Target (issue: consistency checks): `kb check` over all five policies in
under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_query import kb_command  # noqa: E402
from engine.checks.findings import PROCEDURES, PolicyFindings, _pair_task, _policy_task  # noqa: E402
from engine.knowledge_base import KnowledgeBase  # noqa: E402
from engine.query import describe_policies  # noqa: E402

TARGET_S = 60.0


def end_to_end(runs: int, levels: int) -> float:
    """Median wall time of `kb check` (text, then JSON), in seconds, computed
    afresh (--fresh: not from the findings cache)."""
    medians = {}
    for output in ("text", "json"):
        command = [*kb_command(), "check", "--fresh", "--levels", str(levels), "--format", output]
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            samples.append(time.perf_counter() - start)
        medians[output] = statistics.median(samples)
        print(
            f"  kb check --format {output:<5} {medians[output]:6.1f} s"
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


if __name__ == "__main__":
    main()
