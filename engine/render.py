"""Determinations for people (text: each policy's decision and reason first)
and for programs (JSON: the output contract of /work/shared/output-contract.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.case import Case
from engine.determination import (
    INSUFFICIENT_INFORMATION,
    MEDICALLY_NECESSARY,
    Criterion,
    Determination,
    LevelDetermination,
    Missing,
    PolicyInfo,
)
from engine.headline import (
    first_screen,
    service_date,
    set_words,
    telling_condition,
)
from engine.wording import date_words, item_words, or_list, period_words, status_words, wrapped

if TYPE_CHECKING:
    from engine.explanation.model import Explanation, LevelExplanation
    from engine.explanation.render import Nodes


def _citation(criterion: Criterion) -> dict[str, str]:
    return {"id": criterion.id, "text": criterion.text}


def determination_json(
    determination: Determination,
    explanation: Explanation | None = None,
    case: Case | None = None,
) -> dict[str, Any]:
    """One policy's determination in the shape of the output contract
    (/work/shared/output-contract.md; docs in the README's "Output")."""
    from engine.explanation.render import node_json

    policy = determination.policy
    explained = explanation.levels if explanation is not None else ()
    by_level = {level.level: level for level in explained}
    levels = determination.levels
    summaries = {name: level_summary(determination, level) for name, level in levels.items()}
    made = _Made({}, {})
    document: dict[str, Any] = {
        "policy": policy.id,
        "status": determination.status,
        "title": policy.title,
        "payer": policy.payer,
        "summary": policy_summary(determination, case, summaries),
        "decided_by": [_citation(c) for c in determination.deciding_criteria()],
        "levels": [
            _level_json(determination, level, summaries[name], by_level.get(name), made)
            for name, level in levels.items()
        ],
    }
    if explanation is not None and explanation.why is not None:
        document["why"] = node_json(explanation.why, made.nodes)
    return document


class _Made(NamedTuple):
    """The JSON made so far of a policy's explanation, which its levels share:
    the nodes of its steps (engine.explanation.render.node_json) and the
    entries of its exclusions assumed absent, by id of the step or exclusion."""

    nodes: Nodes
    absents: dict[int, dict[str, str]]


def _level_json(
    determination: Determination,
    level: LevelDetermination,
    summary: str,
    explained: LevelExplanation | None,
    made: _Made,
) -> dict[str, Any]:
    from engine.explanation.render import absent_json, node_json, unmet_json

    assumed_absent = []
    for absent in explained.assumed_absent if explained else ():
        entry = made.absents.get(id(absent))
        if entry is None:
            entry = made.absents[id(absent)] = absent_json(absent)
        assumed_absent.append(entry)
    document: dict[str, Any] = {
        "level": level.level,
        "status": level.status,
        "summary": summary,
        "decided_by": [_citation(determination.criterion(i)) for i in level.decided_by],
        "met": deciding_conditions(level),
        "unmet": unmet_json(explained.why_not) if explained is not None else [],
        "why": node_json(explained.why, made.nodes) if explained and explained.why else None,
        "assumed_absent": assumed_absent,
        "missing": [_missing_json(m) for m in level.missing],
    }
    if explained is not None:
        document["fired"] = list(explained.fired)
    return document


def _missing_json(missing: Missing) -> dict[str, Any]:
    return {
        "items": [item_words(item) for item in missing.items],
        "example": [item.example for item in missing.items],
        "satisfies": list(missing.criteria),
        "atoms": [str(item) for item in missing.items],
    }


def deciding_conditions(level: LevelDetermination) -> list[str]:
    """The conditions met of the indications that decided the level (none for
    a level decided by an exclusion or a default)."""
    if level.status != MEDICALLY_NECESSARY:
        return []
    return [c for c in level.met if any(c.startswith(f"{i}.") for i in level.decided_by)]


# --- Sentences -----------------------------------------------------------------------


def policy_summary(
    determination: Determination, case: Case | None, summaries: Mapping[str, str] | None = None
) -> str:
    """The decision and its reason in one plain-English sentence; `summaries`,
    the levels' (level_summary), when they are worded already."""
    policy = determination.policy
    status = status_words(determination.status)
    if determination.status == "not_in_effect":
        date = service_date(case) if case else None
        on = f"the date of service {date_words(date)} is" if date else "the date of service is"
        return (
            f"Not in effect: {on} outside the policy's effective period "
            f"({period_words(policy.effective_from, policy.effective_to)})."
        )
    if determination.status == "not_addressed":
        asked = or_list(case.procedures if case else []) or "the requested procedure"
        return (
            f"Not addressed: the policy does not speak of {asked}; it addresses "
            f"{or_list(policy.procedures)}."
        )
    if summaries is None:
        summaries = {n: level_summary(determination, v) for n, v in determination.levels.items()}
    levels = list(summaries.values())
    if len(levels) == 1:
        return levels[0]
    return f"{status[:1].upper()}{status[1:]} for the request: " + " ".join(levels)


def level_summary(determination: Determination, level: LevelDetermination) -> str:
    """A level's decision and reason in one sentence, quoting the deciding criterion."""
    status = status_words(level.status)
    at = f"{status[:1].upper()}{status[1:]} at {level.level.upper()}"
    if level.status == INSUFFICIENT_INFORMATION and level.missing:
        return f"{at}: {document_one_of(level.missing)}."
    cited = [determination.criterion(i) for i in level.decided_by]
    quoted = "; ".join(f'{c.id} "{c.text}"' for c in cited)
    verb = "meets" if level.status == MEDICALLY_NECESSARY else "by"
    return f"{at}: {verb} {quoted}." if quoted else f"{at}."


def document_one_of(missing: tuple[Missing, ...]) -> str:
    """'Document one of: (1) a and b, meeting MN.2; or (2) ...' in words."""
    sets = [
        set_words(m)
        + (f" (meets {', '.join(m.criteria)})" if m.criteria else "")
        for m in missing
    ]
    if len(sets) == 1:
        return f"document {sets[0]}"
    return "document one of: " + "; or ".join(f"({n}) {s}" for n, s in enumerate(sets, 1))


def to_json(
    case: Case,
    determinations: list[Determination],
    explanations: list[Explanation] | None = None,
) -> str:
    return to_json_utf8(case, determinations, explanations).decode()


def to_json_utf8(
    case: Case,
    determinations: list[Determination],
    explanations: list[Explanation] | None = None,
) -> bytes:
    """to_json's text encoded in UTF-8 (engine.json_text.indented_utf8)."""
    from engine.json_text import indented_utf8

    explained = _paired(explanations, len(determinations))
    document = {
        "case": case.source,
        "determinations": [
            determination_json(d, e, case) for d, e in zip(determinations, explained, strict=True)
        ],
    }
    return indented_utf8(document)


def _paired(explanations: list[Explanation] | None, count: int) -> list[Explanation | None]:
    if explanations is None:
        return [None] * count
    return list(explanations)


# --- Text ----------------------------------------------------------------------------


def to_text(
    case: Case,
    determinations: list[Determination],
    explanations: list[Explanation] | None = None,
) -> str:
    """First the decision and reason of every policy, at most two lines each
    (engine.headline); then each policy's block: per level the decision, the
    quoted criterion in full, every set to document."""
    levels = ", ".join(level.upper() for level in case.targets)
    lines = [f"Case {case.source} (target {levels})", *first_screen(determinations, case)]
    explained = _paired(explanations, len(determinations))
    words: dict[tuple[int, str], str] = {}  # the facts worded, for every policy's explanation
    for d, explanation in zip(determinations, explained, strict=True):
        lines.append("")
        lines.extend(_policy_block(d, case))
        if explanation is not None:
            from engine.explanation.render import explanation_lines

            quoted = {level: _quoted(d, level) for level in d.levels}
            why = _request_why(d, case)
            lines.extend(explanation_lines(explanation, "  ", why, quoted, words))
    return "\n".join(lines) + "\n"


def _quoted(d: Determination, level_name: str) -> list[str]:
    """The criteria a level's block quotes in full (its explanation names them by id)."""
    level = d.levels[level_name]
    found = list(level.decided_by)
    for cid in level.decided_by:
        condition = telling_condition(d, level, d.criterion(cid))
        found += [condition.id] if condition is not None else []
    return found


def _request_why(d: Determination, case: Case) -> str:
    """Why a whole-request status: the service date against the period, the
    procedure requested against those addressed ('' for per-level statuses)."""
    policy = d.policy
    if d.status == "not_in_effect":
        date = service_date(case)
        on = f"the date of service is {date_words(date)}; " if date else ""
        period = period_words(policy.effective_from, policy.effective_to)
        return f"{on}the policy is in effect {period}"
    if d.status == "not_addressed":
        asked = or_list(case.procedures) or "not stated"
        addressed = or_list(policy.procedures)
        return f"the procedure requested is {asked}; the policy addresses {addressed} only"
    return ""


def _policy_block(d: Determination, case: Case) -> list[str]:
    lines = [f"{d.policy.id}: {status_words(d.status)}  ({d.policy.payer}, {d.policy.title})"]
    if not d.levels:
        lines.extend(wrapped(policy_summary(d, case), "  "))
        for criterion in d.deciding_criteria():
            lines.append(f"  {criterion.id}:")
            lines.extend(wrapped(f'"{criterion.text}"', "    "))
        return lines
    for level in d.levels.values():
        lines.append(f"  {level.level.upper()}: {status_words(level.status)}")
        if level.missing:
            lines.append("    Document one of:" if len(level.missing) > 1 else "    Document:")
            for number, alternative in enumerate(level.missing, start=1):
                items = "; ".join(item_words(item) for item in alternative.items)
                criteria = ", ".join(alternative.criteria)
                meets = f" (meets {criteria})" if criteria else ""
                lines.extend(_numbered(number, items + meets, "      "))
        verb = "meets" if level.status == MEDICALLY_NECESSARY else "decided by"
        if level.missing:
            verb = "until then, decided by"
        for cid in level.decided_by:
            lines.append(f"    {verb} {cid}:")
            lines.extend(wrapped(f'"{d.criterion(cid).text}"', "      "))
            condition = telling_condition(d, level, d.criterion(cid))
            if condition is not None:
                lines.append(f"    through {condition.id}:")
                lines.extend(wrapped(f'"{condition.text}"', "      "))
        met = deciding_conditions(level)
        if met:
            lines.extend(wrapped(f"conditions met: {', '.join(met)}", "    "))
    return lines


def _numbered(number: int, text: str, indent: str) -> list[str]:
    first = f"{indent}{number}. "
    wrapped_lines = wrapped(text, " " * len(first))
    return [first + wrapped_lines[0].lstrip(), *wrapped_lines[1:]]


def policies_text(policies: list[PolicyInfo]) -> str:
    lines = []
    for policy in policies:
        until = "open-ended" if policy.effective_to >= 99991231 else str(policy.effective_to)
        since = str(policy.effective_from) if policy.effective_from else "always"
        lines.append(f"{policy.id}: {policy.title}")
        lines.append(f"  payer: {policy.payer}")
        lines.append(f"  version: {policy.version}")
        lines.append(f"  effective: {since} to {until}")
        lines.append(f"  procedures addressed: {', '.join(policy.procedures)}")
        lines.append(f"  source: {policy.source}; {len(policy.criteria)} labelled criteria")
    return "\n".join(lines) + "\n"


def policies_json(policies: list[PolicyInfo]) -> str:
    from engine.json_text import indented

    document = {
        "policies": [
            {
                "policy": p.id,
                "title": p.title,
                "payer": p.payer,
                "version": p.version,
                "source": p.source,
                "effective_from": p.effective_from,
                "effective_to": p.effective_to,
                "procedures": list(p.procedures),
                "criteria": [
                    {"id": c.id, "role": c.role, "text": c.text} for c in p.criteria.values()
                ],
            }
            for p in policies
        ]
    }
    return indented(document)
