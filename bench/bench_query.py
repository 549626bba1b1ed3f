"""Benchmark of `kb query`: end to end and in process, against baselines measured
in the same run. Prints figures; asserts nothing (targets are read off the output).

    python bench/bench_query.py [--runs N]

Target (issue: core): `kb query` on a one-level case, end to end, takes at most
1.3x `python -c 'import clingo, typer'`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.case import read_case_file  # noqa: E402
from engine.completion import missing_documentation  # noqa: E402
from engine.determination import read_determinations  # noqa: E402
from engine.knowledge_base import KnowledgeBase  # noqa: E402
from engine.query import determine  # noqa: E402
from engine.render import to_json  # noqa: E402
from engine.solve import solve_once  # noqa: E402

ONE_LEVEL = ROOT / "examples" / "acute_osteoporotic_l1_hospitalized.lp"


def median_ms(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def run(command: list[str]) -> Callable[[], object]:
    def action() -> object:
        return subprocess.run(command, check=True, capture_output=True)

    return action


def kb_command() -> list[str]:
    installed = Path(sys.executable).parent / "kb"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("kb")
    return [found] if found else [sys.executable, "-m", "cli.main"]


def interleaved_ms(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, the runs interleaved so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def end_to_end(runs: int) -> None:
    python = sys.executable
    kb = kb_command()
    files = KnowledgeBase().files(KnowledgeBase().policy_ids())
    print(f"End to end, median of {runs} interleaved runs (ms); kb = {' '.join(kb)}")
    commands = {
        "import clingo": [python, "-c", "import clingo"],
        "import clingo, typer": [python, "-c", "import clingo, typer"],
        # kb ends with os._exit (no interpreter teardown); the same for the baseline:
        "import clingo, typer, no teardown": [
            python,
            "-c",
            "import os, clingo, typer; os._exit(0)",
        ],
    }
    for case in sorted((ROOT / "examples").glob("*.lp")):
        commands[f"query {case.name}"] = [*kb, "query", "--facts", str(case)]
        commands[f"clingo {case.name}"] = [python, "-m", "clingo", *files, str(case)]
    times = interleaved_ms(commands, runs)
    base_clingo, base_both = times["import clingo"], times["import clingo, typer"]
    print(f"  python -c 'import clingo'            {base_clingo:7.1f}")
    print(f"  python -c 'import clingo, typer'     {base_both:7.1f}")
    no_teardown = times["import clingo, typer, no teardown"]
    print(f"  the same, ending in os._exit         {no_teardown:7.1f}")
    for case in sorted((ROOT / "examples").glob("*.lp")):
        query, alone = times[f"query {case.name}"], times[f"clingo {case.name}"]
        print(
            f"  kb query {case.name:<44} {query:7.1f}"
            f"  = {query / base_both:4.2f}x import clingo+typer,"
            f" {query / base_clingo:4.2f}x import clingo,"
            f" {query / alone:4.2f}x clingo alone ({alone:.1f} ms)"
        )
    ratio = times[f"query {ONE_LEVEL.name}"] / base_both
    verdict = "met" if ratio <= 1.3 else "NOT met"
    print(f"  one-level case: {ratio:.2f}x 'import clingo, typer' (target <= 1.30x: {verdict})")
    strict = times[f"query {ONE_LEVEL.name}"] / no_teardown
    print(f"  one-level case: {strict:.2f}x the baseline without its teardown either")


def phases(case_path: Path, kb: KnowledgeBase, runs: int) -> str:
    """Median time of each phase of one query, in process."""
    policies = kb.policy_ids()
    files = kb.files(policies)
    case = read_case_file(str(case_path))
    atoms = solve_once(files, case.program())

    def read() -> object:
        return read_determinations(atoms, case.targets)

    def read_and_complete() -> None:
        read_determinations(atoms, case.targets)
        short = [
            (str(a.arguments[0]), str(a.arguments[1]))
            for a in atoms
            if a.name == "level_status" and str(a.arguments[2]) != "medically_necessary"
        ]
        missing_documentation(case, kb, short)

    validate = median_ms(lambda: read_case_file(str(case_path)), runs)
    solve = median_ms(lambda: solve_once(files, case.program()), runs)
    reading = median_ms(read, runs)
    completing = median_ms(read_and_complete, runs) - reading
    closed = median_ms(lambda: determine(case, kb, closed_world=True), runs)
    total = median_ms(lambda: to_json(case, determine(case, kb)), runs)
    return (
        f"  {case_path.name:<44} validate {validate:5.2f}  solve {solve:5.2f}"
        f"  read {reading:5.2f}  completion {completing:6.2f}"
        f"  | closed-world {closed:6.2f}  full+json {total:6.2f}"
    )


def in_process(runs: int) -> None:
    kb = KnowledgeBase()
    print(f"\nIn process, median of {runs} runs (ms): where the time of one query goes")
    for case_path in sorted((ROOT / "examples").glob("*.lp")):
        print(phases(case_path, kb, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    end_to_end(runs)
    in_process(runs)


if __name__ == "__main__":
    main()
