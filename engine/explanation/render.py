"""Explanations for people (plain words, the policy's own quotes), as the
output contract's JSON nodes, and as a graph.

The text shows one line per criterion that served the derivation, with the
case facts it read, in words; the glue of determination.lp and the machinery
of concepts.lp (ranges, counts, #max) are folded into the criterion they serve.
"""

from __future__ import annotations

from typing import Any

import clingo

from engine.explanation.tree import (
    Absent,
    Explanation,
    Failure,
    LevelExplanation,
    Step,
    case_facts_of,
)
from engine.wording import Tables, fact_words, status_words, wrapped

INDENT = "  "

# Facts every case states: context, never a reason worth a line.
_CONTEXT = ("target", "procedure", "cpt", "service_date")


# --- Text ------------------------------------------------------------------------


class _Group:
    """The steps of a derivation that serve one criterion, and the facts they read."""

    def __init__(self, criterion: str | None, citation: str | None) -> None:
        self.criterion = criterion
        self.citation = citation
        self.facts: list[str] = []
        self.children: list[_Group] = []


def _grouped(step: Step) -> _Group:
    root = _Group(step.criterion, step.citation)
    _collect(step, root)
    return root


def _collect(step: Step, group: _Group) -> None:
    for use in step.uses:
        if use.kind == "fact" and use.literal not in group.facts:
            group.facts.append(use.literal)
    for child in step.children:
        if child.criterion and child.criterion != group.criterion:
            known = next((g for g in group.children if g.criterion == child.criterion), None)
            if known is None:
                known = _Group(child.criterion, child.citation)
                group.children.append(known)
            _collect(child, known)
        else:
            _collect(child, group)


def explanation_lines(explanation: Explanation, indent: str = INDENT) -> list[str]:
    tables = explanation.tables
    lines: list[str] = []
    if explanation.why is not None:  # the criterion is quoted above: only the facts it read
        facts = list(dict.fromkeys(case_facts_of(explanation.why)))
        if facts:
            given = "given: " + "; ".join(_fact(f, tables) for f in facts)
            lines.append(f"{indent}why {status_words(explanation.status)}:")
            lines.extend(wrapped(given, indent + INDENT))
    for level in explanation.levels:
        lines.extend(_level_lines(level, indent, tables))
    return lines


def _level_lines(level: LevelExplanation, indent: str, tables: Tables | None) -> list[str]:
    lines: list[str] = []
    inner = indent + INDENT
    if level.why is not None:
        why = _group_lines(_grouped(level.why), inner, tables, False)
        if why:
            lines.append(f"{indent}why {level.level.upper()} is {status_words(level.status)}:")
            lines.extend(why)
    if level.why_not:
        lines.append(f"{indent}why not (indications not met at {level.level.upper()}):")
        seen: set[str] = set()
        for failure in level.why_not:
            lines.extend(_failure_lines(failure, inner, seen))
    if level.assumed_absent:
        lines.append(f"{indent}exclusions taken as absent (not in the record):")
        by_criterion: dict[str, list[str]] = {}
        for absent in level.assumed_absent:
            looked_for = absent.reading.rsplit(" (", 1)[0]
            by_criterion.setdefault(absent.criterion, []).append(looked_for)
        for criterion, readings in by_criterion.items():
            lines.extend(wrapped(f"{criterion}: {'; '.join(readings)}", inner))
    return lines


def _group_lines(group: _Group, indent: str, tables: Tables | None, context: bool) -> list[str]:
    lines: list[str] = []
    facts = [f for f in group.facts if context or not f.startswith(_CONTEXT)]
    child_indent = indent
    if group.criterion is not None:
        lines.append(f"{indent}{group.criterion}:")
        if group.citation:
            lines.extend(wrapped(f'"{group.citation}"', indent + INDENT))
        child_indent = indent + INDENT
    if facts:
        lines.extend(wrapped("given: " + "; ".join(_fact(f, tables) for f in facts), child_indent))
    for child in group.children:
        lines.extend(_group_lines(child, child_indent, tables, context))
    return lines


def _fact(text: str, tables: Tables | None) -> str:
    if tables is None:
        return text
    return fact_words(clingo.parse_term(text), tables)


def _failure_lines(failure: Failure, indent: str, seen: set[str]) -> list[str]:
    """One entry per failed condition: its reason, or the reasons of each way
    it could have held ("none of these holds"), then its words."""
    by_condition: dict[tuple[str, str], list[Failure]] = {}
    for leaf, indication in _leaves(failure, failure.criterion):
        by_condition.setdefault((indication, leaf.criterion), []).append(leaf)
    lines: list[str] = []
    for (indication, condition), leaves in by_condition.items():
        head = f"{indication} not met" + (f" ({condition})" if condition != indication else "")
        line = f"{head}: {_alternatives(list(dict.fromkeys(leaf.reason for leaf in leaves)))}"
        if line in seen:
            continue
        seen.add(line)
        lines.extend(wrapped(line, indent))
        if leaves[0].citation:
            lines.extend(wrapped(f'"{leaves[0].citation}"', indent + INDENT))
    return lines


def _alternatives(reasons: list[str]) -> str:
    """The reasons each way a condition could have held did not."""
    if len(reasons) == 1:
        return reasons[0]
    for prefix, summary in (
        ("not documented: ", "none documented"),
        ("not stated: ", "none stated"),
    ):
        if all(reason.startswith(prefix) for reason in reasons):
            return f"{summary}: {'; '.join(r.removeprefix(prefix) for r in reasons)}"
    return f"none of these holds: {'; '.join(reasons)}"


def _leaves(failure: Failure, indication: str) -> list[tuple[Failure, str]]:
    """The innermost failures under a failed indication: each is a reason."""
    if not failure.inner:
        return [(failure, indication)]
    found: list[tuple[Failure, str]] = []
    for inner in failure.inner:
        found.extend(_leaves(inner, indication))
    return found


# --- JSON (the output contract's NODE, UNMET and CITED) ---------------------------------


def node_json(step: Step) -> dict[str, Any]:
    return {
        "atom": step.atom,
        "criterion": step.criterion,
        "citation": step.citation,
        "facts": [use.literal for use in step.uses if use.kind == "fact"],
        "children": [node_json(child) for child in step.children],
        "rule": step.rule,
        "location": step.location,
    }


def unmet_json(failures: tuple[Failure, ...]) -> list[dict[str, Any]]:
    """One entry per reason an indication did not hold (deduplicated)."""
    found: list[dict[str, Any]] = []
    for failure in failures:
        for leaf, indication in _leaves(failure, failure.criterion):
            entry = {
                "indication": indication,
                "condition": leaf.criterion,
                "citation": leaf.citation,
                "facts": list(leaf.facts),
                "reason": leaf.reason,
                "literal": leaf.condition,
                "rule": leaf.rule,
                "location": leaf.location,
            }
            if entry not in found:
                found.append(entry)
    return found


def absent_json(absent: Absent) -> dict[str, str]:
    return {
        "id": absent.criterion,
        "text": absent.citation,
        "looked_for": absent.looked_for,
        "reading": absent.reading,
        "rule": absent.rule,
        "location": absent.location,
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
    label = f"{step.atom}\\n{step.criterion or step.rule}"
    graph.add_node(node, label=label, shape="box", style="rounded", tooltip=step.citation or "")
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
