"""Explanations for people (plain words, the policy's own quotes), as the
output contract's JSON nodes, and as a graph.

The text shows one line per criterion that served the derivation, with the
case facts it read, in words; the glue of determination.lp and the machinery
of concepts.lp (ranges, counts, #max) are folded into the criterion they serve.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

import clingo

from engine.explanation.model import Absent, Explanation, Failure, LevelExplanation, Step
from engine.explanation.why import case_facts_of
from engine.explanation.why_not import NEEDS
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


def explanation_lines(
    explanation: Explanation,
    indent: str = INDENT,
    request_reason: str = "",
    quoted: Mapping[str, Collection[str]] | None = None,
    words: Words | None = None,
) -> list[str]:
    """The derivation in words; `request_reason` words a whole-request status
    (not_in_effect: the service date and the period; not_addressed: the
    procedure requested and those addressed) in place of the facts it read;
    `quoted` (level -> criterion ids) are quoted above already: their ids only;
    `words`, the facts worded so far (shared by the explanations of a query)."""
    worded = _Worded(explanation.tables, {} if words is None else words)
    lines: list[str] = []
    if explanation.why is not None:  # the criterion is quoted above: only the facts it read
        facts = list(dict.fromkeys(case_facts_of(explanation.why)))
        given = request_reason or "given: " + "; ".join(_fact(f, worded) for f in facts)
        if request_reason or facts:
            lines.append(f"{indent}why {status_words(explanation.status)}:")
            lines.extend(wrapped(given, indent + INDENT))
    for level in explanation.levels:
        above = frozenset((quoted or {}).get(level.level, ()))
        lines.extend(_level_lines(level, indent, worded, above))
    return lines


def _level_lines(
    level: LevelExplanation, indent: str, worded: _Worded, quoted: frozenset[str]
) -> list[str]:
    lines: list[str] = []
    inner = indent + INDENT
    if level.why is not None:
        why = _group_lines(_grouped(level.why), inner, worded, quoted)
        if why:
            lines.append(f"{indent}why {level.level.upper()} is {status_words(level.status)}:")
            lines.extend(why)
    if level.why_not:
        lines.append(f"{indent}why not (indications not met at {level.level.upper()}):")
        seen: set[str] = set()
        for failure in level.why_not:
            lines.extend(_failure_lines(failure, inner, seen))
    if level.assumed_absent:
        lines.append(f"{indent}exclusions that do not apply (what they look for is not recorded):")
        by_criterion: dict[str, list[str]] = {}
        for absent in level.assumed_absent:
            by_criterion.setdefault(absent.criterion, []).append(_looked_for(absent))
        for criterion, readings in by_criterion.items():
            looked_for = "; ".join(dict.fromkeys(readings))
            lines.extend(wrapped(f"{criterion} looks for: {looked_for}", inner))
    return lines


def _looked_for(absent: Absent) -> str:
    """What an exclusion looks for, in words: a fact documented false reads
    'documented: not ...', never as if it held."""
    words = absent.reading.rsplit(" (", 1)[0]
    return f"documented: {words}" if absent.looked_for.startswith("-") else words


def _group_lines(
    group: _Group, indent: str, worded: _Worded, quoted: frozenset[str]
) -> list[str]:
    """A criterion (its quote unless quoted above), the facts it read, its
    sub-criteria; nothing for a criterion quoted above that read no fact."""
    facts = [f for f in group.facts if not f.startswith(_CONTEXT)]
    child_indent = indent if group.criterion is None else indent + INDENT
    body: list[str] = []
    if facts:
        body.extend(wrapped("given: " + "; ".join(_fact(f, worded) for f in facts), child_indent))
    for child in group.children:
        body.extend(_group_lines(child, child_indent, worded, quoted))
    if group.criterion is None:
        return body
    if group.criterion in quoted:
        return [f"{indent}{group.criterion}:", *body] if body else []
    quote = wrapped(f'"{group.citation}"', indent + INDENT) if group.citation else []
    return [f"{indent}{group.criterion}:", *quote, *body]


# Fact texts worded, by the tables they were worded with (its id) and the text.
Words = dict[tuple[int, str], str]


class _Worded(NamedTuple):
    """The knowledge base's tables a fact is worded with, and the facts worded
    so far (a request of 30 levels words the same facts for every policy)."""

    tables: Tables | None
    words: Words


def _fact(text: str, worded: _Worded) -> str:
    tables = worded.tables
    if tables is None:
        return text
    key = (id(tables), text)
    found = worded.words.get(key)
    if found is None:
        found = worded.words[key] = fact_words(clingo.parse_term(text), tables)
    return found


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
    stated = _same_record(reasons)
    if stated:
        return stated
    return f"none of these holds: {'; '.join(reasons)}"


def _same_record(reasons: list[str]) -> str:
    """Alternatives that each read the same facts of the record: the facts once,
    then what each alternative needs ('the record states fracture at T3, cause:
    osteoblastic metastasis; the criterion needs one of: fracture at T3:
    osteoporotic; lesion at T3: hemangioma'); '' when the facts differ."""
    split = [reason.partition("; ") for reason in reasons]
    records = {record for record, _, _ in split}
    if len(records) != 1 or not all(rest for _, _, rest in split):
        return ""
    needs = [rest.removeprefix(NEEDS) for _, _, rest in split]
    if all(rest.startswith(NEEDS) for _, _, rest in split):
        return f"{records.pop()}; {NEEDS}one of: {'; '.join(dict.fromkeys(needs))}"
    return f"{records.pop()}; none of these holds: {'; '.join(dict.fromkeys(needs))}"


def _leaves(failure: Failure, indication: str) -> list[tuple[Failure, str]]:
    """The innermost failures under a failed indication: each is a reason."""
    if not failure.inner:
        return [(failure, indication)]
    found: list[tuple[Failure, str]] = []
    for inner in failure.inner:
        found.extend(_leaves(inner, indication))
    return found


# --- JSON (the output contract's NODE, UNMET and CITED) ---------------------------------


# The nodes made of an explanation's steps, by id of the step: a derivation
# reaches the same step by several paths (half the steps of a 30-level request),
# and the explanation, alive while it is rendered, holds every step.
Nodes = dict[int, dict[str, Any]]


def node_json(step: Step, made: Nodes | None = None) -> dict[str, Any]:
    """A step and those below it as the output contract's NODE; a step made
    already (in `made`) is the same node again."""
    made = {} if made is None else made
    node = made.get(id(step))
    if node is None:
        node = made[id(step)] = {
            "atom": step.atom,
            "criterion": step.criterion,
            "citation": step.citation,
            "facts": [use.literal for use in step.uses if use.kind == "fact"],
            "children": [node_json(child, made) for child in step.children],
            "rule": step.rule,
            "location": step.location,
        }
    return node


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
