"""Explanations as an indented tree (text), as JSON, and as a graph.

The text tree shows the policy's own rules; the glue of determination.lp
and the concepts of concepts.lp are folded into the policy rule they
support, as "because" lines with the case facts they read.
"""

from __future__ import annotations

from typing import Any

from engine.explanation.tree import Absent, Explanation, Failure, LevelExplanation, Step

INDENT = "  "


# --- Text ------------------------------------------------------------------------


def explanation_lines(explanation: Explanation, indent: str = INDENT) -> list[str]:
    lines: list[str] = []
    if explanation.why is not None:
        lines.append(f"{indent}why: {explanation.status}")
        lines.extend(_request_lines(explanation.why, indent + INDENT))
    for level in explanation.levels:
        lines.extend(_level_lines(level, indent))
    return lines


def _request_lines(step: Step, indent: str) -> list[str]:
    facts = sorted(set(_supporting(step, "fact")) | set(_supporting(step, "test")))
    return [f"{indent}{fact}" for fact in facts]


def _level_lines(level: LevelExplanation, indent: str) -> list[str]:
    lines = [f"{indent}{level.level}: {level.status}"]
    inner = indent + INDENT
    if level.why is not None:
        lines.append(f"{inner}why:")
        for step in _policy_steps(level.why):
            lines.extend(_step_lines(step, inner + INDENT))
        for fact in _supporting(level.why, "fact"):
            lines.append(f"{inner + INDENT}given {fact}")
    if level.why_not:
        lines.append(f"{inner}why not:")
        for failure in level.why_not:
            lines.extend(_failure_lines(failure, inner + INDENT))
    if level.assumed_absent:
        lines.append(f"{inner}exclusions that did not apply:")
        lines.extend(_absent_lines(level.assumed_absent, inner + INDENT))
    return lines


def _policy_steps(step: Step) -> list[Step]:
    """The policy rules under a step, skipping the glue and concepts above them."""
    if _is_policy(step):
        return [step]
    found: list[Step] = []
    for child in step.children:
        found.extend(_policy_steps(child))
    return found


def _is_policy(step: Step) -> bool:
    return not step.rule.startswith(("determination:", "concepts:"))


def _supporting(step: Step, kind: str) -> list[str]:
    """Uses of a kind in this step and in the glue or concept steps below it."""
    found = [use.literal for use in step.uses if use.kind == kind]
    for child in step.children:
        if not _is_policy(child):
            found.extend(_supporting(child, kind))
    return list(dict.fromkeys(found))


def _step_lines(step: Step, indent: str) -> list[str]:
    criterion = step.rule.split(":")[1] if ":" in step.rule else step.rule
    lines = [f"{indent}{criterion}: {step.atom}   [{step.rule}, {step.location}]"]
    if step.citation:
        lines.append(f'{indent}{INDENT}"{_shorten(step.citation)}"')
    facts = [use.literal for use in step.uses if use.kind == "fact"]
    if facts:
        lines.append(f"{indent}{INDENT}facts: {', '.join(facts)}")
    for child in step.children:
        if _is_policy(child):
            lines.extend(_step_lines(child, indent + INDENT))
        else:
            lines.append(f"{indent}{INDENT}because {_concept_line(child)}")
    tests = [use.literal for use in step.uses if use.kind == "test"]
    if tests:
        lines.append(f"{indent}{INDENT}and {', '.join(tests)}")
    return lines


def _concept_line(step: Step) -> str:
    """A concept on one line: 'onset_le(l1,twelve_weeks) <- onset_days(l1,21), 21 <= 84'."""
    parts = _supporting(step, "fact") + _supporting(step, "test")
    return f"{step.atom} <- {', '.join(parts)}" if parts else step.atom


def _failure_lines(failure: Failure, indent: str) -> list[str]:
    because = f" ({failure.because})" if failure.because else ""
    lines = [
        f"{indent}{failure.criterion} not met: {failure.condition}{because}"
        f"   [{failure.rule}, {failure.location}]"
    ]
    for inner in failure.inner:
        lines.extend(_failure_lines(inner, indent + INDENT))
    return lines


def _absent_lines(absent: tuple[Absent, ...], indent: str) -> list[str]:
    by_reading: dict[str, list[str]] = {}
    for item in absent:
        by_reading.setdefault(item.reading, []).append(f"{item.looked_for} [{item.criterion}]")
    return [f"{indent}{reading}: {', '.join(items)}" for reading, items in by_reading.items()]


def _shorten(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- JSON ------------------------------------------------------------------------


def step_json(step: Step) -> dict[str, Any]:
    return {
        "atom": step.atom,
        "rule": step.rule,
        "citation": step.citation,
        "location": step.location,
        "uses": [{"literal": use.literal, "kind": use.kind} for use in step.uses],
        "children": [step_json(child) for child in step.children],
    }


def failure_json(failure: Failure) -> dict[str, Any]:
    return {
        "id": failure.criterion,
        "text": failure.citation,
        "rule": failure.rule,
        "location": failure.location,
        "condition": failure.condition,
        "because": failure.because,
        "inner": [failure_json(inner) for inner in failure.inner],
    }


def absent_json(absent: Absent) -> dict[str, str]:
    return {
        "id": absent.criterion,
        "text": absent.citation,
        "rule": absent.rule,
        "location": absent.location,
        "looked_for": absent.looked_for,
        "reading": absent.reading,
    }


def level_explanation_json(level: LevelExplanation, locations: dict[str, str]) -> dict[str, Any]:
    return {
        "fired": [{"rule": rule, "location": locations.get(rule, "")} for rule in level.fired],
        "why": step_json(level.why) if level.why is not None else None,
        "unmet": [failure_json(f) for f in level.why_not],
        "assumed_absent": [absent_json(a) for a in level.assumed_absent],
    }


# --- Graph -----------------------------------------------------------------------


def explanation_dot(explanation: Explanation) -> str:
    """The derivation as a DOT graph (networkx, laid out by graphviz): status at
    the top, fired rules as boxes, case facts as leaves."""
    import networkx as nx

    graph = nx.DiGraph()
    roots = [explanation.why] if explanation.why is not None else []
    roots += [level.why for level in explanation.levels if level.why is not None]
    for root in roots:
        _add_step(graph, root)
    return _to_dot(graph, f"{explanation.policy}: {explanation.status}")


def _add_step(graph: Any, step: Step) -> str:
    node = step.atom
    label = f"{step.atom}\\n{step.rule}"
    graph.add_node(node, label=label, shape="box", style="rounded", tooltip=step.citation)
    for use in step.uses:
        if use.kind == "fact":
            graph.add_node(
                use.literal,
                label=use.literal,
                shape="note",
                style="filled",
                fillcolor="#fff4cc",
                tooltip="case fact",
            )
            graph.add_edge(node, use.literal)
        elif use.kind == "test":
            graph.add_node(use.literal, label=use.literal, shape="plain", tooltip="condition")
            graph.add_edge(node, use.literal)
        elif use.kind == "derived" and use.literal not in {c.atom for c in step.children}:
            graph.add_edge(node, use.literal)  # derived once, drawn where first used
    for child in step.children:
        graph.add_edge(node, _add_step(graph, child))
    return node


def _to_dot(graph: Any, title: str) -> str:
    lines = [
        "digraph explanation {",
        f'  label="{_escape(title)}"; labelloc=t; rankdir=TB;',
        '  node [fontname="Helvetica", fontsize=10]; edge [color="#555555"];',
    ]
    names = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    for node in sorted(graph.nodes):
        attributes = ", ".join(
            f'{key}="{_escape(str(value))}"' for key, value in sorted(graph.nodes[node].items())
        )
        lines.append(f"  {names[node]} [{attributes}];")
    for source, target in sorted(graph.edges):
        lines.append(f"  {names[source]} -> {names[target]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n")


def render_svg(dot: str) -> str:
    import graphviz

    return str(graphviz.Source(dot).pipe(format="svg").decode("utf-8"))
