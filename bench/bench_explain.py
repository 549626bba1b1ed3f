"""Benchmark of explanations: explained vs unexplained `kb query`, and the same
knowledge base and cases explained by xclingo, measured in the same run.
Prints figures; asserts nothing.

    python bench/bench_explain.py [--runs N] [--instructions] [--xclingo PATH]

Target (issue 10): `--explain` and `--format json` at most twice a plain query,
at one level (the examples) and at 30 levels (a generated request). The rule
table and tracking program do not depend on the case: they are cached between
runs (engine/explanation/cache.py), so the figures are for a warm cache. End
to end it prints wall time and CPU time (user + system of each `kb` process:
the figure to read on a machine others use); in process, CPU time; then the
phases of an explained query (decide, ground the tracking rules, solve,
explain, render), to show where the time goes. With --instructions (and
valgrind installed) it also counts the instructions each `kb` process
executes: a figure that does not move with what else the machine runs.

xclingo (2.0b24) needs clingo==5.8.0 exactly, so it lives in its own venv
(`./dev bench` makes .venv-xclingo); pass its `xclingo` script with --xclingo.
It cannot read our knowledge base as written: its translation leaves the
anonymous variables of positive body literals and of aggregate elements
unsafe (`therapy_days(_,_)`, `#max{ X : therapy_days(_,X) }`). The harness
therefore hands it a copy in which each such `_` is renamed to a fresh
variable (the same program: such a variable is existentially quantified, or
local to its aggregate element, either way), with every rule auto-traced
(--auto-tracing all) and the trace shown for level_status/3.
"""

from __future__ import annotations

import argparse
import itertools
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_query import interleaved_ms, kb_command  # noqa: E402
from engine.case import Case, read_case_file  # noqa: E402
from engine.knowledge_base import KnowledgeBase  # noqa: E402
from engine.query import determine, determine_and_explain  # noqa: E402
from engine.render import to_json, to_text  # noqa: E402
from engine.rule_reader import Statement, read_program, rename_anonymous, show  # noqa: E402
from engine.vocabulary import LEVELS  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.lp"))
# An anonymous variable in clingo's printing of an aggregate (strings skipped).
ANONYMOUS = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![A-Za-z0-9_\'])_(?![A-Za-z0-9_\'])')


def median_ms(action: object, runs: int) -> float:
    """Median CPU time of the action in ms (one thread: waiting for a core,
    on a machine others use, does not count)."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        action()  # type: ignore[operator]
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def thirty_levels(directory: Path) -> Path:
    """A request of 30 target levels (C1 to S5), each an acute osteoporotic
    fracture of 30 days: the levels of each region and named range are alike
    (engine.level_symmetry)."""
    return _thirty(directory / "thirty_levels.lp", lambda _: 30)


def thirty_distinct_levels(directory: Path) -> Path:
    """The 30-level request with the symptom onset one day apart from level to
    level (1 to 30 days): no two levels alike, so each is explained on its own."""
    return _thirty(directory / "thirty_distinct_levels.lp", lambda number: number)


def _thirty(path: Path, onset_days: Callable[[int], int]) -> Path:
    levels = LEVELS.members[:30]
    lines = ["procedure(vertebroplasty).", "pain_severity(severe).", "hospitalized_for_pain."]
    for number, level in enumerate(levels, start=1):
        lines.append(
            f"target({level}). fracture({level}, osteoporotic). "
            f"onset_days({level}, {onset_days(number)}). "
            f"imaging({level}, mri_edema). pain_concordant({level})."
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall time and median CPU time (user + system) of each command in
    ms, the runs interleaved so drift hits all alike. CPU time is the figure to
    read on a machine others are using: waiting for a core does not count."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            walls[name].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            cpus[name].append(used * 1000)
    return {
        name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in commands
    }


def end_to_end(runs: int, cases: list[Path]) -> None:
    kb = kb_command()
    print(f"End to end, median of {runs} interleaved runs (ms): wall time, then CPU time")
    commands: dict[str, list[str]] = {}
    for case in cases:
        commands[f"plain {case.name}"] = [*kb, "query", "--facts", str(case)]
        commands[f"explain {case.name}"] = [*kb, "query", "--facts", str(case), "--explain"]
        commands[f"json {case.name}"] = [*kb, "query", "--facts", str(case), "--format", "json"]
    times = interleaved(commands, runs)
    for measure, label in ((0, "wall"), (1, "cpu ")):
        for case in cases:
            plain = times[f"plain {case.name}"][measure]
            explained = times[f"explain {case.name}"][measure]
            json_time = times[f"json {case.name}"][measure]
            print(
                f"  {label} {case.name:<44} plain {plain:6.1f}  --explain {explained:6.1f}"
                f" ({explained / plain:4.2f}x)  json {json_time:6.1f} ({json_time / plain:4.2f}x)"
            )
    for measure, label in ((0, "wall"), (1, "CPU")):
        worst = max(
            times[f"{kind} {c.name}"][measure] / times[f"plain {c.name}"][measure]
            for c in cases
            for kind in ("explain", "json")
        )
        verdict = "met" if worst <= 2.0 else "NOT met"
        print(
            f"  worst --explain or json / plain, {label} time: {worst:.2f}x"
            f" (target <= 2.00x: {verdict})"
        )


def _plain(case: Case, kb: KnowledgeBase) -> str:
    return to_text(case, determine(case, kb))


def _explained(case: Case, kb: KnowledgeBase) -> str:
    determinations, explanations = determine_and_explain(case, kb)
    return to_json(case, determinations, explanations)


def in_process(runs: int, cases: list[Path]) -> None:
    kb = KnowledgeBase()
    print(
        "\nIn process (rule table cached after the first call),"
        f" CPU time, median of {runs} runs (ms)"
    )
    worst = 0.0
    for path in cases:
        case = read_case_file(str(path))
        plain = median_ms(lambda c=case: _plain(c, kb), runs)
        explaining = median_ms(lambda c=case: _explained(c, kb), runs)
        worst = max(worst, explaining / plain)
        print(
            f"  {path.name:<44} plain {plain:6.2f}  explained {explaining:6.2f}"
            f" ({explaining / plain:4.2f}x)"
        )
    verdict = "met" if worst <= 2.0 else "NOT met"
    print(f"  worst explained (json) / plain: {worst:.2f}x (target <= 2.00x: {verdict})")


def _phases_once(case: Case, kb: KnowledgeBase) -> dict[str, float]:
    """CPU time (ms) of each phase of one explained query, as
    engine.query.determine_and_explain runs them, and of the two renderings."""
    from engine.explanation.tracking import TRACKING_PART, track
    from engine.explanation.tree import explain_answer
    from engine.level_symmetry import first_of_each_kind, level_kinds
    from engine.query import decide, tracking_program
    from engine.solve import Solver

    clock = time.process_time
    times: list[float] = [clock()]
    policies = kb.policy_ids()
    solver = Solver(kb.files(policies), case.program())
    determinations, _ = decide(case, kb, solver)
    times.append(clock())
    tracking = track(kb, policies)
    kinds = level_kinds(case, kb, policies)
    levels = first_of_each_kind(case.targets, kinds)
    solver.extend(TRACKING_PART, tracking_program(tracking, solver, determinations, levels))
    times.append(clock())
    atoms = solver.last_model([]) or []
    times.append(clock())
    explanations = explain_answer(atoms, case, tracking, determinations, kinds)
    times.append(clock())
    to_text(case, determinations, explanations)
    times.append(clock())
    to_json(case, determinations, explanations)
    times.append(clock())
    return {name: (times[i + 1] - times[i]) * 1000 for i, name in enumerate(PHASES)}


# decide: as a plain query; ground: the tracking rules (parse included, and
# which levels are alike: engine.level_symmetry); solve:
# once more, with them; explain: read the atoms and walk the failures and
# derivations (engine.explanation.tree); text, json: the two renderings.
PHASES = ("decide", "ground", "solve", "explain", "text", "json")


def phases(runs: int, cases: list[Path]) -> None:
    """Where an explained query's time goes, in process, per case."""
    kb = KnowledgeBase()
    print(f"\nPhases of an explained query in process, CPU time, median of {runs} runs (ms)")
    print(f"  {'':<44} " + "  ".join(f"{name:>8}" for name in PHASES))
    for path in cases:
        case = read_case_file(str(path))
        samples = [_phases_once(case, kb) for _ in range(runs)]
        medians = [statistics.median(s[name] for s in samples) for name in PHASES]
        print(f"  {path.name:<44} " + "  ".join(f"{m:8.1f}" for m in medians))


def xclingo_program(directory: Path) -> list[Path]:
    """The knowledge base for xclingo: anonymous variables of positive body
    literals renamed, one file per kb file, plus the trace to show."""
    kb = KnowledgeBase()
    files = []
    for source in kb.files(kb.policy_ids()):
        lines = []
        for statement in read_program(source):
            if statement.kind == "comment" or statement.text.startswith("#program"):
                continue
            lines.append(_rename_anonymous(statement))
        target = directory / Path(source).name
        target.write_text("\n".join(lines) + "\n")
        files.append(target)
    trace = directory / "trace.lp"
    trace.write_text("%!show_trace {level_status(P,L,S)}.\n")
    return [*files, trace]


def _rename_anonymous(statement: Statement) -> str:
    """The statement with the anonymous variables of its positive body atoms
    and of its aggregate elements named."""
    rule = statement.rule
    if rule is None or not rule.body:
        return statement.text
    names = (f"Anon{n}" for n in itertools.count())
    body = []
    for literal in rule.body:
        if literal.kind == "atom" and not literal.negated and literal.atom is not None:
            body.append(show(rename_anonymous(literal.atom, names)))
        elif literal.kind == "aggregate":
            body.append(
                ANONYMOUS.sub(
                    lambda m: m.group(0) if m.group(0) != "_" else next(names), literal.text
                )
            )
        else:
            body.append(literal.text)
    return f"{rule.head_text} :- {'; '.join(body)}."


def compare_xclingo(xclingo: str, runs: int) -> None:
    print(f"\nxclingo ({xclingo}), same knowledge base and cases, end to end")
    with tempfile.TemporaryDirectory() as folder:
        program = [str(p) for p in xclingo_program(Path(folder))]
        kb = kb_command()
        for case in EXAMPLES:
            command = [xclingo, "--auto-tracing", "all", *program, str(case)]
            first = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if first.returncode != 0:
                reason = (first.stderr.strip().splitlines() or ["no message"])[-1]
                print(f"  {case.name:<44} xclingo failed: {reason}")
                continue
            times = interleaved_ms(
                {
                    "xclingo": command,
                    "ours": [*kb, "query", "--facts", str(case), "--explain"],
                },
                runs,
            )
            trees = first.stdout.count("|__level_status(")
            print(
                f"  {case.name:<44} xclingo {times['xclingo']:7.1f}  kb --explain"
                f" {times['ours']:6.1f}  ({times['xclingo'] / times['ours']:4.1f}x);"
                f" xclingo printed {trees} status trees"
            )
    print(
        "  what each shows: xclingo prints, per status atom, the tree of traced rule\n"
        "  labels down to facts (here auto-traced: the rule text); kb --explain adds\n"
        "  criterion ids and verbatim citations, file:line, the first failed condition\n"
        "  of each unmet indication, and the exclusions assumed absent."
    )


def instructions(cases: list[Path]) -> None:
    """Instructions executed by each `kb` process (valgrind's callgrind): the
    same on every run, whatever else the machine is doing, so a change's
    effect shows even when CPU times are noisy. They are user-space
    instructions only: what the kernel does for a process (its start-up's
    page faults and file reads, a larger part of a plain query) is not
    counted, so these ratios run higher than those of CPU time, the target's
    measure. For comparing two builds, not for the target."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("\nInstructions: not counted (valgrind is not installed)")
        return
    kb = kb_command()
    subprocess.run([*kb, "query", "--facts", str(cases[0]), "--explain"], capture_output=True)
    print("\nInstructions executed end to end (valgrind --tool=callgrind), millions")
    worst = 0.0
    for case in cases:
        counts = {
            kind: _instructions(valgrind, [*kb, "query", "--facts", str(case), *extra])
            for kind, extra in (("plain", []), ("explain", ["--explain"]), ("json", JSON))
        }
        plain = counts["plain"]
        worst = max(worst, counts["explain"] / plain, counts["json"] / plain)
        print(
            f"  {case.name:<44} plain {plain:7.0f}  --explain {counts['explain']:7.0f}"
            f" ({counts['explain'] / plain:4.2f}x)  json {counts['json']:7.0f}"
            f" ({counts['json'] / plain:4.2f}x)"
        )
    print(
        f"  worst --explain or json / plain: {worst:.2f}x (user-space instructions:"
        " to compare builds; the target is read in CPU time above)"
    )


JSON = ["--format", "json"]


def _instructions(valgrind: str, command: list[str]) -> float:
    """Millions of instructions the command executes (its children included)."""
    run = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : ([\d,]+)", run.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no count for {' '.join(command)}")
    return int(found.group(1).replace(",", "")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--xclingo", default="", help="path of an xclingo executable")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of each kb process with valgrind (slow: ~20 s each)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = [*EXAMPLES, thirty_levels(Path(folder)), thirty_distinct_levels(Path(folder))]
        end_to_end(args.runs, cases)
        in_process(args.runs, cases)
        phases(args.runs, cases)
        if args.instructions:
            instructions(cases)
    if args.xclingo:
        compare_xclingo(args.xclingo, max(3, args.runs // 5))
    else:
        print("\nxclingo: not compared (pass --xclingo PATH; ./dev bench sets it up)")


if __name__ == "__main__":
    main()
