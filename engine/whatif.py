"""What if: re-evaluate a case with facts added or removed, and show what changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from engine.case import Case, read_facts, revise
from engine.determination import Determination
from engine.knowledge_base import KnowledgeBase
from engine.query import determine, determine_and_explain
from engine.render import level_summary
from engine.wording import status_words, wrapped

if TYPE_CHECKING:
    from engine.explanation.model import Explanation


class Change(NamedTuple):
    """One policy's determination before and after the revision."""

    before: Determination
    after: Determination
    # With `explain`: why and why not, as kb query gives them (JSON carries them).
    before_explained: Explanation | None = None
    after_explained: Explanation | None = None

    @property
    def changed(self) -> bool:
        return self.before.status != self.after.status or any(
            self.before.levels[level].status != self.after.levels[level].status
            for level in self.after.levels
            if level in self.before.levels
        )


class WhatIf(NamedTuple):
    case: Case
    revised: Case
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changes: tuple[Change, ...]


def what_if(
    case: Case,
    add: str,
    remove: str,
    kb: KnowledgeBase | None = None,
    policies: Sequence[str] | None = None,
    *,
    closed_world: bool = False,
    explain: bool = False,
) -> WhatIf:
    """Both evaluations; `add` and `remove` are facts in the case vocabulary.
    With `explain`, each with its explanation (as `kb query --explain`)."""
    added = read_facts(add, "--add") if add.strip() else []
    removed = read_facts(remove, "--remove") if remove.strip() else []
    revised = revise(case, added, removed)
    if explain:
        before, before_why = determine_and_explain(case, kb, policies, closed_world=closed_world)
        after, after_why = determine_and_explain(revised, kb, policies, closed_world=closed_world)
        changes = tuple(
            Change(*pair) for pair in zip(before, after, before_why, after_why, strict=True)
        )
    else:
        before = determine(case, kb, policies, closed_world=closed_world)
        after = determine(revised, kb, policies, closed_world=closed_world)
        changes = tuple(Change(b, a) for b, a in zip(before, after, strict=True))
    return WhatIf(
        case,
        revised,
        tuple(str(f) for f in added),
        tuple(str(f) for f in removed),
        changes,
    )


def whatif_text(result: WhatIf) -> str:
    lines = [f"What if, for {result.case.source}:"]
    lines += [f"  + {fact}" for fact in result.added]
    lines += [f"  - {fact}" for fact in result.removed]
    lines.append("")
    width = max(len(change.after.policy.id) for change in result.changes)
    for change in result.changes:
        before, after = status_words(change.before.status), status_words(change.after.status)
        arrow = f"{before} -> {after}" if change.changed else f"{after} (unchanged)"
        lines.append(f"{change.after.policy.id:<{width}}  {arrow}")
    for change in result.changes:
        if change.changed:
            lines.append("")
            lines.extend(_why(change))
    return "\n".join(lines) + "\n"


def _why(change: Change) -> list[str]:
    after = change.after
    lines = [f"{after.policy.id}: now {status_words(after.status)}"]
    for level in after.levels.values():
        previous = change.before.levels.get(level.level)
        was = previous.status if previous else "-"
        now = status_words(level.status)
        lines.append(f"  {level.level.upper()}: {status_words(was)} -> {now}")
        lines.extend(wrapped(level_summary(after, level), "    "))
    return lines


def whatif_json(result: WhatIf) -> str:
    from engine.json_text import indented
    from engine.render import determination_json

    document = {
        "case": result.case.source,
        "added": list(result.added),
        "removed": list(result.removed),
        "changes": [
            {
                "policy": change.after.policy.id,
                "changed": change.changed,
                "before": determination_json(
                    change.before, change.before_explained, case=result.case
                ),
                "after": determination_json(change.after, change.after_explained, result.revised),
            }
            for change in result.changes
        ],
    }
    return indented(document)
