"""The missing-documentation search against the closed-world query, in one
process: 1, 10 and 30 undocumented levels; 5, 20 and 50 policies.

Goal (issue 12): the open-world query at most 10x the closed-world query at
30 levels and at 50 policies. Ratios are measured in the same run, in CPU
time (the process's own, so other work on a shared machine counts less),
each query the best of N runs, the closed- and open-world runs interleaved.

    .venv/bin/python bench/bench_search.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generated import many_policies, undocumented  # noqa: E402
from engine.case import read_case  # noqa: E402
from engine.knowledge_base import KnowledgeBase  # noqa: E402
from engine.query import determine  # noqa: E402


def cpu_ms(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return (time.process_time() - start) * 1000


def ratio_line(label: str, kb: KnowledgeBase, text: str, runs: int) -> float:
    case = read_case(text, label)
    determine(case, kb)  # files parsed, levels' places read: once per process
    closed, opened = float("inf"), float("inf")
    for _ in range(runs):
        closed = min(closed, cpu_ms(lambda: determine(case, kb, closed_world=True)))
        opened = min(opened, cpu_ms(lambda: determine(case, kb)))
    ratio = opened / closed
    print(
        f"  {label:<14} closed-world {closed:8.1f} ms   open-world {opened:8.1f} ms"
        f" (CPU)   {ratio:5.1f}x"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    verdicts = []
    print("missing-documentation search, undocumented osteoporotic levels (5 policies):")
    kb = KnowledgeBase()
    for levels in (1, 10, 30):
        ratio = ratio_line(f"{levels} levels", kb, undocumented(levels), runs)
        if levels == 30:
            verdicts.append(("30 levels", ratio))
    print("missing-documentation search, one undocumented level, many policies:")
    with tempfile.TemporaryDirectory() as directory:
        for count in (5, 20, 50):
            many = many_policies(f"{directory}/kb{count}", count)
            ratio = ratio_line(f"{count} policies", many, undocumented(1), runs)
            if count == 50:
                verdicts.append(("50 policies", ratio))
    for label, ratio in verdicts:
        verdict = "met" if ratio <= 10 else "NOT met"
        print(f"  goal at {label}: open-world <= 10x closed-world: {ratio:.1f}x ({verdict})")


if __name__ == "__main__":
    main()
