"""Determinations as a readable table (text) or as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.case import Case
from engine.determination import Criterion, Determination, PolicyInfo

if TYPE_CHECKING:
    from engine.explanation.tree import Explanation


def _citation(criterion: Criterion) -> dict[str, str]:
    return {"id": criterion.id, "text": criterion.text}


def determination_json(
    determination: Determination, explanation: Explanation | None = None
) -> dict[str, Any]:
    policy = determination.policy
    document = {
        "policy": policy.id,
        "status": determination.status,
        "title": policy.title,
        "payer": policy.payer,
        "decided_by": [_citation(c) for c in determination.deciding_criteria()],
        "levels": [
            {
                "level": level.level,
                "status": level.status,
                "decided_by": [_citation(determination.criterion(i)) for i in level.decided_by],
                "met": [_citation(determination.criterion(i)) for i in level.met],
                "unmet": [_citation(determination.criterion(i)) for i in level.unmet],
                "missing": [[str(item) for item in m.items] for m in level.missing],
                "missing_detail": [
                    {
                        "items": [str(item) for item in m.items],
                        "example": list(m.example),
                        "satisfies": [_citation(determination.criterion(i)) for i in m.criteria],
                    }
                    for m in level.missing
                ],
            }
            for level in determination.levels.values()
        ],
    }
    if explanation is not None:
        _add_explanation(document, explanation)
    return document


def _add_explanation(document: dict[str, Any], explanation: Explanation) -> None:
    """Per level: fired rules, the why tree, unmet indications (first failed
    condition), exclusions assumed absent; per request: the why tree."""
    from engine.explanation.render import level_explanation_json, step_json

    if explanation.why is not None:
        document["why"] = step_json(explanation.why)
    for level_json, level in zip(document["levels"], explanation.levels, strict=True):
        details = level_explanation_json(level, explanation.locations)
        level_json["unmet_indications"] = level_json.pop("unmet")
        level_json.update(details)


def to_json(
    case: Case,
    determinations: list[Determination],
    explanations: list[Explanation] | None = None,
) -> str:
    import json

    explained = _paired(explanations, len(determinations))
    document = {
        "case": case.source,
        "determinations": [
            determination_json(d, e) for d, e in zip(determinations, explained, strict=True)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _paired(explanations: list[Explanation] | None, count: int) -> list[Explanation | None]:
    if explanations is None:
        return [None] * count
    return list(explanations)


def _quote(text: str, indent: str) -> list[str]:
    """A citation, quoted in full and wrapped for a terminal."""
    import textwrap

    return textwrap.wrap(f'"{text}"', width=96, initial_indent=indent, subsequent_indent=indent)


def to_text(
    case: Case,
    determinations: list[Determination],
    explanations: list[Explanation] | None = None,
) -> str:
    levels = ", ".join(case.targets)
    lines = [f"Case {case.source} (target {levels})", ""]
    width = max(len(d.policy.id) for d in determinations)
    status_width = max(len(d.status) for d in determinations)
    for d in determinations:
        ids = ", ".join(c.id for c in d.deciding_criteria())
        lines.append(f"{d.policy.id:<{width}}  {d.status:<{status_width}}  {ids}")
    explained = _paired(explanations, len(determinations))
    for d, explanation in zip(determinations, explained, strict=True):
        lines.append("")
        lines.extend(_policy_block(d))
        if explanation is not None:
            from engine.explanation.render import explanation_lines

            lines.append("  explanation:")
            lines.extend(explanation_lines(explanation, "    "))
    return "\n".join(lines) + "\n"


def _policy_block(d: Determination) -> list[str]:
    lines = [f"{d.policy.id}: {d.status}  ({d.policy.payer}, {d.policy.title})"]
    if not d.levels:
        for criterion in d.deciding_criteria():
            lines.append(f"  {criterion.id}:")
            lines.extend(_quote(criterion.text, "    "))
        return lines
    for level in d.levels.values():
        lines.append(f"  {level.level}: {level.status}")
        for cid in level.decided_by:
            lines.append(f"    decided by {cid}:")
            lines.extend(_quote(d.criterion(cid).text, "      "))
        if level.met:
            lines.append(f"    met: {', '.join(level.met)}")
        if level.unmet and level.status != "medically_necessary":
            lines.append(f"    indications not met: {', '.join(level.unmet)}")
        if level.missing:
            lines.append("    needs one of:" if len(level.missing) > 1 else "    needs:")
            for number, alternative in enumerate(level.missing, start=1):
                criteria = f"  -> {', '.join(alternative.criteria)}" if alternative.criteria else ""
                items = "; ".join(map(str, alternative.items))
                lines.append(f"      {number}. {{{items}}}{criteria}")
    return lines


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
    import json

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
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
