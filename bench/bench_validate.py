"""Benchmark of case validation: reading 1,000 and 10,000 facts, against
baselines measured in the same run. Prints figures; asserts nothing.

    python bench/bench_validate.py [--runs N]

Baselines: `json.loads` of the same facts as a JSON document (a parser in C,
no checks), and clingo parsing the same text (`clingo.ast.parse_string`, the
parser the reader replaced, without any of the vocabulary checks). Target
(issue 9): 10,000 facts validated in well under a second, cost linear in the
number of facts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clingo import ast  # noqa: E402

from engine.case import read_case  # noqa: E402

LEVELS = [f"t{i}" for i in range(1, 13)] + [f"l{i}" for i in range(1, 6)]


def facts(count: int) -> list[tuple[str, list[str | int]]]:
    """A valid case of `count` facts: one procedure, then per level the usual
    picture and documentation (repeated levels repeat facts, which is allowed)."""
    found: list[tuple[str, list[str | int]]] = [("procedure", ["vertebroplasty"])]
    index = 0
    while len(found) < count:
        level = LEVELS[index % len(LEVELS)]
        found += [
            ("target", [level]),
            ("fracture", [level, "osteoporotic"]),
            ("onset_days", [level, 21]),
            ("imaging", [level, "mri_edema"]),
            ("icd10", ['"M80.08XA"']),
            ("lesion_trait", [level, "painful"]),
        ]
        index += 1
    return found[:count]


def as_text(case: list[tuple[str, list[str | int]]]) -> str:
    return "".join(f"{name}({', '.join(map(str, args))}).  % noted\n" for name, args in case)


def as_json(case: list[tuple[str, list[str | int]]]) -> str:
    return json.dumps([{"predicate": name, "arguments": args} for name, args in case])


def median_cpu_ms(action: Callable[[], object], runs: int) -> float:
    """Median CPU time of the process (the machine may be shared: wall time is noisy)."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        action()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def clingo_parse(text: str) -> None:
    ast.parse_string(text, lambda statement: None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    print("median CPU time of the process, in milliseconds")
    print(
        f"{'facts':>6}  {'kb reader':>10}  {'per fact':>9}  {'json.loads':>10}  {'ratio':>6}"
        f"  {'clingo parse':>12}  {'ratio':>6}"
    )
    for count in (1_000, 10_000):
        case = facts(count)
        text, document = as_text(case), as_json(case)
        assert len(read_case(text, "bench").facts) == count
        ours = median_cpu_ms(lambda: read_case(text, "bench"), runs)  # noqa: B023
        baseline = median_cpu_ms(lambda: json.loads(document), runs)  # noqa: B023
        clingo = median_cpu_ms(lambda: clingo_parse(text), runs)  # noqa: B023
        print(
            f"{count:>6}  {ours:>8.1f}ms  {ours * 1000 / count:>7.1f}us  {baseline:>8.1f}ms"
            f"  {ours / baseline:>5.1f}x  {clingo:>10.1f}ms  {ours / clingo:>5.2f}x"
        )


if __name__ == "__main__":
    main()
