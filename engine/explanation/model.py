"""What an explanation is: the derivation of a level's status (Step, Use),
the failed conditions of the indications it did not meet (Failure), the
exclusions taken as absent (Absent), per level and per policy
(engine.explanation.tree builds them; engine.explanation.render words them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from engine.explanation.tracking import TrackedRule
from engine.rule_reader import Term
from engine.wording import Tables

if TYPE_CHECKING:
    from engine.dependencies import Dependencies


class Use(NamedTuple):
    """One condition a fired rule relied on, ground."""

    literal: str
    kind: str  # fact (of the case) | derived | kb (a fact of the knowledge base) | test


class Step(NamedTuple):
    """A fired rule instance: what it derived, from what, for which criterion."""

    atom: str
    rule: str
    criterion: str | None  # the criterion the rule serves in this derivation
    citation: str | None  # that criterion's words, exactly
    location: str
    uses: tuple[Use, ...]
    children: tuple[Step, ...]


class Failure(NamedTuple):
    """The first condition of a rule that does not hold for this case."""

    criterion: str  # the criterion the failed condition serves
    citation: str
    rule: str
    location: str
    condition: str  # the failed literal (ASP, for the JSON atoms)
    facts: tuple[str, ...]  # the case facts that made it fail
    reason: str  # plain words
    reading: str  # not_stated | not_documented | stated | derived | ''
    inner: tuple[Failure, ...]


class Absent(NamedTuple):
    """An exclusion that did not apply because what it looks for is not in the record."""

    criterion: str
    citation: str
    rule: str
    location: str
    looked_for: str  # the literal (ASP)
    reading: str  # plain words: what was looked for, and that it is taken as absent


class LevelExplanation(NamedTuple):
    level: str
    status: str
    fired: tuple[str, ...]
    why: Step | None
    why_not: tuple[Failure, ...]
    assumed_absent: tuple[Absent, ...]


class Explanation(NamedTuple):
    policy: str
    status: str
    why: Step | None  # for whole-request statuses (not_in_effect, not_addressed)
    levels: tuple[LevelExplanation, ...]
    locations: dict[str, str]  # file:line of every rule id the explanation names
    tables: Tables | None = None  # thresholds and ranges, to word the facts


EPILOGUE_STEM = "determination"


class Served(NamedTuple):
    """The policy and the criterion a derivation serves at this depth."""

    policy: str
    criterion: str | None

    def below(self, rule: TrackedRule) -> Served:
        """What a rule serves: its own criterion when labelled or pinned; the
        epilogue's glue none; a helper or concept the criterion that uses it."""
        if rule.criterion:
            if rule.criterion == self.criterion:
                return self
            return Served(self.policy, rule.criterion)
        if self.criterion is not None and rule.id.startswith(_EPILOGUE_RULE):
            return Served(self.policy, None)
        return self


_EPILOGUE_RULE = f"{EPILOGUE_STEM}:"


Because = tuple[tuple[str, ...], str, str, tuple[Failure, ...]]  # facts, reason, reading, inner


class WalkMemo:
    """What the walk over one tracked answer works out once and looks up after
    (engine.explanation.why, engine.explanation.why_not).

    A plain class, not a dataclass: importing dataclasses and making the
    class cost an explained query more than the lookups it holds."""

    def __init__(self) -> None:
        self.texts: dict[Term, str] = {}  # terms as clingo prints them
        # How each body literal of a fired rule is read (engine.explanation.why), by rule id.
        self.uses: dict[str, tuple[str, ...]] = {}
        # Criteria (string terms) of labelled atoms true, by (head, arity) then (policy, level).
        self.holding: dict[tuple[str, int], dict[tuple[Term, Term], set[Term]]] = {}
        # A policy's labelled rules of a head by criterion, by (policy, head).
        self.policy_rules: dict[tuple[str, str], dict[str, list[TrackedRule]]] = {}
        # A policy's labelled rules that fired, policy-wide and by level (engine.explanation.tree).
        self.fired_at: dict[str, tuple[set[str], dict[Term, set[str]]]] = {}
        # The rules a policy's literal of a predicate reads, by (predicate, policy),
        # and those of them whose head can be an atom, by (policy, atom).
        self.deriving: dict[tuple[str, str], list[TrackedRule]] = {}
        self.can_derive: dict[tuple[str, Term], list[TrackedRule]] = {}
        # The case-vocabulary predicates behind a derived predicate, from what the
        # tracked rules' positive body atoms read.
        self.behind: dict[str, frozenset[str]] = {}
        self.dependencies: Dependencies | None = None
        # The case facts of a predicate at a level, by (name, arity, level).
        self.facts_at: dict[tuple[str, int, Term], list[Term]] = {}
        # The positive atoms before a failed literal that bind what it reads, by
        # (rule id, body position) (engine.explanation.why_not._facts_before).
        self.binding_atoms: dict[tuple[str, int], tuple[Term, ...]] = {}
        # The case facts an atom rests on, by (atom, what its derivation serves).
        self.facts_behind: dict[tuple[Term, Served], tuple[str, ...]] = {}
        # Why a concept of concepts.lp failed, by (atom, depth) (engine.explanation.why_not).
        self.concept_reasons: dict[tuple[Term, int], Because] = {}
        # The exclusion assumed absent (or None) of a rule that reads the level
        # only in target(L), by rule id (engine.explanation.absent).
        self.absent: dict[str, Absent | None] = {}
        # The first failure of a rule, by (rule id, its failures as (body position,
        # bindings as printed), depth, what it serves) (engine.explanation.why_not).
        self.first_failures: dict[
            tuple[str, tuple[tuple[int, str], ...], int, Served], Failure
        ] = {}
