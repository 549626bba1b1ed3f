"""Assumed absent: the exclusions of a policy that did not apply because
what they look for is not in the record (a closed fact not stated, or an
item not documented)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.explanation.answer import TrackedAnswer
from engine.explanation.model import Absent, Served
from engine.explanation.tracking import TrackedRule
from engine.explanation.why_not import (
    MAX_DEPTH,
    at_level,
    criteria_holding,
    policy_rules,
    rule_failure,
)
from engine.rule_reader import Term

# --- Assumed absent ------------------------------------------------------------------


def assumed_absent(model: TrackedAnswer, policy_id: str, level: Term) -> Iterator[Absent]:
    """Exclusions of the policy that did not apply because what they look for is
    not in the record: a closed fact not stated (absent), or a documentation
    item not documented. Exclusions that do not apply for other reasons (the
    procedure, the level, a threshold, a fact stated otherwise) are not listed."""
    applied = criteria_holding(model, "exclusion", 4, policy_id, level)
    for criterion, rules in sorted(policy_rules(model, policy_id, "exclusion").items()):
        if ("str", criterion) in applied:
            continue
        for rule in rules:
            absent_at = _absent_once if rule.level_blind else _absent
            found = absent_at(model, rule, level)
            if found is not None:
                yield found


def _absent_once(model: TrackedAnswer, rule: TrackedRule, level: Term) -> Absent | None:
    """_absent of a rule that reads its level only in target(L): the same at
    every level, worked out once per answer."""
    memo = model.memo.absent
    if rule.id not in memo:
        memo[rule.id] = _absent(model, rule, level)
    return memo[rule.id]


def _absent(model: TrackedAnswer, rule: TrackedRule, level: Term) -> Absent | None:
    """The exclusion rule assumed absent at the level, or None if what it looks
    for is not missing from the record (or it did not fail)."""
    served = Served(rule.policy, None)
    failure = rule_failure(model, rule, at_level(rule, level), MAX_DEPTH, served)
    if failure is None or failure.reading not in ("not_stated", "not_documented"):
        return None
    reading = failure.reason.split(": ", 1)[-1]
    taken = (
        "not stated, taken as absent"
        if failure.reading == "not_stated"
        else "not documented, taken as absent"
    )
    return Absent(
        rule.criterion,
        failure.citation,
        rule.id,
        rule.location,
        failure.condition,
        f"{reading} ({taken})",
    )
