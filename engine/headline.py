"""The first screen of `kb query`: each policy's decision and its reason, the
policy's words quoted, in at most two lines per policy, so that five policies
and the case line fit in ten lines.

A headline is a list of segments: fixed words (the decision, the levels, the
criterion id) and policy words or items to document, which are shortened at a
word boundary with a visible elision ("…") when the headline does not fit its
lines. The full quotes and every set to document follow in each policy's block
(engine/render.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from engine.case import Case
from engine.determination import (
    INSUFFICIENT_INFORMATION,
    MEDICALLY_NECESSARY,
    Criterion,
    Determination,
    LevelDetermination,
    Missing,
)
from engine.vocabulary import LEVELS
from engine.wording import (
    date_words,
    item_words,
    or_list,
    period_words,
    status_words,
    word_wrapped,
)

SCREEN_LINES = 10  # the first screen: the case line and every policy's headline
MOST_LINES = 2  # lines a policy's headline may take
WIDTH = 96  # as engine.wording.wrapped
SHORTEST = 3  # words a shortened quote keeps (a set keeps one item)
HEADING_WORDS = 4  # an indication's words this short are a heading ("Malignant Conditions")
ELISION = "…"
LONGEST_UNIT = 12  # characters a unit dropped at once is taken to hold at least
SET_SEPARATOR = " and "


class Segment(NamedTuple):
    """Part of a headline. A shortenable segment (policy words, a set of items to
    document) loses units from its end, words of a quote or items of a set,
    when the headline is too long; what it keeps ends with a visible elision.
    `least` is the number of units it keeps at least: a quote kept at none
    disappears, with its lead (the words that introduce it)."""

    text: str
    shortenable: bool = False
    quoted: bool = False
    separator: str = " "  # between the units it is shortened by
    lead: str = ""  # shown before it when something of it is shown
    least: int = 0

    def units(self) -> list[str]:
        return self.text.split() if self.separator == " " else self.text.split(self.separator)

    def shown(self, kept: int) -> str:
        units = self.units()
        text = self.text
        if kept == 0 and units:
            return ""
        if kept < len(units) and self.separator == " ":
            text = _balanced(units[:kept]).rstrip(",;:.") + ELISION
        elif kept < len(units):  # whole items kept, then the elision as one more
            text = self.separator.join([*units[:kept], ELISION])
        return self.lead + (f'"{text}"' if self.quoted else text)


def _balanced(words: list[str]) -> str:
    """The words joined, less those at the end that open a parenthesis they do
    not close ('(i.e.' would read as a typo)."""
    while len(words) > 1 and "".join(words).count("(") > "".join(words).count(")"):
        words = words[:-1]
    return " ".join(words)


def _quote(text: str, lead: str = " ") -> Segment:
    return Segment(text, shortenable=True, quoted=True, lead=lead)


def _fixed(text: str) -> Segment:
    return Segment(text)


# --- What each policy's headline says -------------------------------------------------


def headline_segments(
    determination: Determination, case: Case, *, every_reason: bool = True
) -> list[Segment]:
    """The decision and its reason: per group of levels decided alike, the
    status (said once for the groups that share it), the levels and the
    deciding criterion quoted (or what to document). Without every_reason,
    only the first group that quotes and the first that asks for documents
    give their reasons (the others' follow in the block)."""
    full, brief = headlines(determination, case)
    return full if every_reason else brief


def headlines(determination: Determination, case: Case) -> tuple[list[Segment], list[Segment]]:
    """headline_segments with every reason and without, the levels grouped once."""
    if not determination.levels:
        whole = [_fixed(_request_reason(determination, case))]
        return whole, list(whole)
    groups: dict[tuple[str, tuple[Segment, ...]], list[str]] = {}
    for level in determination.levels.values():
        reason = tuple(_level_reason(determination, level))
        groups.setdefault((level.status, reason), []).append(level.level)
    statuses = list(dict.fromkeys(status for status, _ in groups))
    ordered = sorted(groups.items(), key=lambda g: statuses.index(g[0][0]))
    return _said(ordered, every_reason=True), _said(ordered, every_reason=False)


def _said(
    groups: list[tuple[tuple[str, tuple[Segment, ...]], list[str]]], *, every_reason: bool
) -> list[Segment]:
    """The segments of a headline, from its groups of levels (status and
    reason, levels) in the order they are said."""
    segments: list[Segment] = []
    said = ""
    reasons_given: set[bool] = set()  # whether a reason given asks for documents
    for (status, reason), levels in groups:
        if segments:
            segments.append(_fixed("; "))
        ordered = ", ".join(sorted(levels, key=LEVELS.members.index)).upper()
        at = f"at {ordered}"
        segments.append(_fixed(at if status == said else f"{status_words(status)} {at}"))
        said = status
        documents = status == INSUFFICIENT_INFORMATION
        if reason and (every_reason or documents not in reasons_given):
            reasons_given.add(documents)
            segments.append(_fixed(": "))
            segments.extend(reason)
    return _first_quote_kept(segments)


def _first_quote_kept(segments: list[Segment]) -> list[Segment]:
    """The first quote keeps SHORTEST words at least: the headline quotes the
    policy whatever else it shortens."""
    quotes = [i for i, segment in enumerate(segments) if segment.quoted]
    if quotes:
        segments[quotes[0]] = segments[quotes[0]]._replace(least=SHORTEST)
    return segments


def _request_reason(determination: Determination, case: Case) -> str:
    """not_in_effect and not_addressed: the service date and the period, the
    procedure requested and those the policy addresses."""
    policy = determination.policy
    if determination.status == "not_in_effect":
        date = service_date(case)
        period = period_words(policy.effective_from, policy.effective_to)
        on = f"service date {date_words(date)}, " if date else ""
        return f"not in effect: {on}policy period {period}"
    asked = or_list(case.procedures) or "the procedure requested"
    return f"not addressed: {asked} (the policy addresses {or_list(policy.procedures)})"


def _level_reason(determination: Determination, level: LevelDetermination) -> list[Segment]:
    if level.status == INSUFFICIENT_INFORMATION and level.missing:
        return _to_document(level.missing)
    segments: list[Segment] = []
    verb = "meets" if level.status == MEDICALLY_NECESSARY else "by"
    for number, cid in enumerate(level.decided_by):
        criterion = determination.criterion(cid)
        segments.append(_fixed(f"{' and ' if number else verb + ' '}{cid}"))
        segments.append(_quote(criterion.text))
        condition = telling_condition(determination, level, criterion)
        if condition is not None:
            segments.append(_quote(condition.text, ": "))
    return segments


def _to_document(missing: tuple[Missing, ...]) -> list[Segment]:
    """'Document a; b (MN.2), or 2 other sets below': the set with the
    fewest items (then the fewest words) first."""
    first = min(missing, key=lambda m: (len(m.items), len(set_words(m))))
    items = Segment(set_words(first), shortenable=True, separator=SET_SEPARATOR, least=1)
    segments = [_fixed("Document "), items]
    if first.criteria:
        segments.append(_fixed(f" ({', '.join(first.criteria)})"))
    others = len(missing) - 1
    if others:
        more = "another set" if others == 1 else f"{others} other sets"
        segments.append(_fixed(f", or {more} below"))
    return segments


def set_words(missing: Missing) -> str:
    """The items of a set to document, in words: 'a and b and c'."""
    return SET_SEPARATOR.join(item_words(item) for item in missing.items)


def telling_condition(
    determination: Determination, level: LevelDetermination, indication: Criterion
) -> Criterion | None:
    """For a met indication whose words are only a heading ("Non-Malignant
    Conditions"), the met condition that says how this case meets it: one
    decided by sub-conditions of its own (a group of alternatives, such as
    "Subacute ... BOTH of the following"), else the first by id that is not a
    heading itself ("EITHER of the following:"). None for any other criterion."""
    if level.status != MEDICALLY_NECESSARY or not _is_heading(indication.text):
        return None
    met = [determination.criterion(c) for c in level.met if c.startswith(f"{indication.id}.")]
    substantive = [c for c in met if not _is_heading(c.text)]
    grouped = [c for c in substantive if any(m.id.startswith(f"{c.id}.") for m in met)]
    chosen = grouped or substantive
    return chosen[0] if chosen else None


def _is_heading(text: str) -> bool:
    return len(text.split()) <= HEADING_WORDS


def service_date(case: Case) -> int | None:
    dates = case.symbols("service_date")
    return dates[0].arguments[0].number if dates else None


# --- Fitting the headlines on the first screen ----------------------------------------------


def first_screen(determinations: Sequence[Determination], case: Case) -> list[str]:
    """Every policy's headline, each in the lines the screen leaves it: at
    least one, at most MOST_LINES, the case line and all of them within
    SCREEN_LINES when the policies are few enough."""
    if not determinations:
        return []
    width = max(len(d.policy.id) for d in determinations)
    prefixes = [f"{d.policy.id:<{width}}  " for d in determinations]
    pairs = list(zip([headlines(d, case) for d in determinations], prefixes, strict=True))
    least = [len(_fitted(brief, prefix, 1)) for (_, brief), prefix in pairs]
    wanted = [len(_fitted(full, prefix, MOST_LINES)) for (full, _), prefix in pairs]
    budget = _lines_for(least, wanted, SCREEN_LINES - 1)
    lines: list[str] = []
    for ((full, brief), prefix), allowed in zip(pairs, budget, strict=True):
        rows = _fitted(full, prefix, allowed)
        lines.extend(rows if len(rows) <= allowed else _fitted(brief, prefix, allowed))
    return lines


def _lines_for(least: list[int], wanted: list[int], available: int) -> list[int]:
    """The lines each headline takes at its shortest, then the extra lines to
    those that want them (at most MOST_LINES), in order, as far as the screen goes."""
    given = list(least)
    spare = available - sum(least)
    for index, want in enumerate(wanted):
        extra = min(max(spare, 0), max(min(want, MOST_LINES) - given[index], 0))
        given[index] += extra
        spare -= extra
    return given


def _fitted(segments: list[Segment], prefix: str, lines: int) -> list[str]:
    """The headline wrapped after its prefix, its shortenable segments shortened,
    the longest first, until it fits in `lines` (or none can be shortened)."""
    kept = [len(s.units()) for s in segments]
    shown = [s.shown(k) for s, k in zip(segments, kept, strict=True)]
    room = lines * (WIDTH - len(prefix))
    while True:
        text = "".join(shown)
        rows = _wrapped(text, prefix)
        shortenable = [i for i, s in enumerate(segments) if s.shortenable and kept[i] > s.least]
        if len(rows) <= lines or not shortenable:
            return rows
        longest = max(shortenable, key=lambda i: len(shown[i]))
        # Far too long: several units at once (fewer than the excess could hold).
        step = max(1, (len(text) - room) // LONGEST_UNIT)
        kept[longest] = max(segments[longest].least, kept[longest] - step)
        shown[longest] = segments[longest].shown(kept[longest])  # the others are as they were


def _wrapped(text: str, prefix: str) -> list[str]:
    return word_wrapped(text, prefix, " " * len(prefix), WIDTH)
