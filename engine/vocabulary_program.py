"""The knowledge base's side of the case vocabulary, generated from engine/vocabulary.py.

Three files of kb/, each included by the program that needs it:
- vocabulary.lp (by kb/concepts.lp, so in every program): the levels with
  their regions, the CPT codes, the pain score bands and every value set;
- vocabulary_completion.lp (by kb/completion.lp): which stated or denied
  facts make each documentation item known (known/1), and the yes/no items
  without arguments (flag_item/1);
- vocabulary_case_space.lp (by kb/case_space.lp): the yes/no items
  (yes_no_item/1) and the days of every month of the years a service date
  may have (days_in_month/3).
What only a search needs stays out of the query program: kb batch reads every
name and number of the query program as one a rule may read.

    python -m engine.vocabulary_program     # rewrite the three files in kb/

tests/test_vocabulary.py fails when a committed file differs from what this
module generates now.
"""

from __future__ import annotations

import os
import sys
import textwrap

from engine.knowledge_base import (
    CASE_SPACE_VOCABULARY,
    COMPLETION_VOCABULARY,
    DEFAULT_DIRECTORY,
    VOCABULARY,
)
from engine.vocabulary import (
    CAUSES,
    CEMENTS,
    CODES,
    CONDITIONS,
    DEVICES,
    DOCUMENTATION,
    FINDINGS,
    IMAGING,
    LESION_TRAITS,
    LESIONS,
    PLANS,
    PROCEDURES,
    PURPOSES,
    REGIONS,
    SEVERITIES,
    SEVERITY_BANDS,
    THERAPIES,
    Date,
    Predicate,
    Values,
    days_in_month,
)

COMMAND = "python -m engine.vocabulary_program"

# Each value set's table: one fact per value, name(value).
VALUE_TABLES: dict[str, Values] = {
    "procedure_value": PROCEDURES,
    "device_value": DEVICES,
    "cement_value": CEMENTS,
    "cause_value": CAUSES,
    "lesion_kind": LESIONS,
    "purpose_value": PURPOSES,
    "plan_value": PLANS,
    "imaging_value": IMAGING,
    "severity_value": SEVERITIES,
    "therapy_value": THERAPIES,
    "trait_value": LESION_TRAITS,
    "condition_value": CONDITIONS,
    "finding_value": FINDINGS,
}
# The other tables of kb/vocabulary.lp, with their arities.
OTHER_TABLES = {"level": 3, "cpt_procedure": 2, "pain_score_band": 3}
# The predicates each generated file defines (name, arity).
DEFINED: dict[str, set[tuple[str, int]]] = {
    VOCABULARY: {(name, 1) for name in VALUE_TABLES} | set(OTHER_TABLES.items()),
    COMPLETION_VOCABULARY: {("known", 1), ("flag_item", 1)},
    CASE_SPACE_VOCABULARY: {("yes_no_item", 1), ("days_in_month", 3)},
}
# The predicates of kb/vocabulary.lp, which every query loads.
VOCABULARY_TABLES = frozenset(name for name, _ in DEFINED[VOCABULARY])


def _header(purpose: str) -> str:
    return (
        "% " + "=" * 75 + "\n"
        f"% Generated from engine/vocabulary.py by `{COMMAND}`; do not edit.\n"
        f"% {purpose}\n"
        "% " + "=" * 75 + "\n"
    )


def _section(title: str) -> str:
    return f"\n% --- {title} " + "-" * max(3, 72 - len(title)) + "\n"


def vocabulary() -> str:
    """kb/vocabulary.lp: the case vocabulary's tables."""
    parts = [_header("The case vocabulary's tables (docs/case-vocabulary.md).")]
    parts.append(_section("Levels: level(L, Region, Index), Index in cranio-caudal order"))
    index = 0
    for region, members in REGIONS:
        facts = []
        for member in members:
            index += 1
            facts.append(f"level({member},{region},{index}).")
        parts.append(_wrapped(" ".join(facts)))
    parts.append(_section("CPT / HCPCS codes: cpt_procedure(Code, Procedure)"))
    parts += [f'cpt_procedure("{c.code}",{c.procedure}).  % {c.description}\n' for c in CODES]
    parts.append(_section("The severity a pain score implies: pain_score_band(S, Low, High)"))
    parts += [f"pain_score_band({s},{low},{high}).\n" for low, high, s in SEVERITY_BANDS]
    parts.append(_section("Value sets: one fact per value"))
    parts += [_facts(name, list(values.members)) for name, values in VALUE_TABLES.items()]
    return "".join(parts)


def _facts(name: str, members: list[str]) -> str:
    """One fact per member, pooled: name(a; b; c)."""
    return _wrapped(f"{name}({'; '.join(members)}).", indent=len(name) + 1)


def _wrapped(text: str, indent: int = 0) -> str:
    return textwrap.fill(text, 88, subsequent_indent=" " * indent, break_on_hyphens=False) + "\n"


def completion_vocabulary() -> str:
    """kb/vocabulary_completion.lp: known/1 for every documentation item, flag_item/1."""
    parts = [_header("The documentation items, for kb/completion.lp.")]
    parts.append(
        _section("known(I): item I is stated (true, false or with any value, `none` included)")
    )
    parts += [_known_rule(predicate) for predicate in DOCUMENTATION]
    parts.append(_section("The yes/no items without arguments"))
    parts.append(_facts("flag_item", [p.name for p in DOCUMENTATION if not p.args]))
    return "".join(parts)


def _known_rule(predicate: Predicate) -> str:
    assert predicate.item is not None, predicate.signature
    variables = [chr(ord("A") + i) for i in range(len(predicate.args))]
    named = [variables[i] for i in predicate.item.arguments]
    item = f"{predicate.item.name}({','.join(named)})" if named else predicate.item.name
    shown = [v if i in predicate.item.arguments else "_" for i, v in enumerate(variables)]
    fact = f"{predicate.name}({','.join(shown)})" if shown else predicate.name
    return f"known({item}) :- documented({fact}).\n"


def case_space_vocabulary() -> str:
    """kb/vocabulary_case_space.lp: yes_no_item/1, and days_in_month(Year, Month,
    Days) for every year of a date."""
    date = Date()
    parts = [_header("The yes/no documentation items and the calendar, for kb/case_space.lp.")]
    parts.append(_section("Documentation items stated true or false ('-')"))
    parts.append(_facts("yes_no_item", [p.name for p in DOCUMENTATION if p.yes_no]))
    years = f"{date.first_year}-{date.last_year}"
    parts.append(_section(f"The calendar: days_in_month(Y, M, N), {years}"))
    parts += [_year(year) for year in range(date.first_year, date.last_year + 1)]
    return "".join(parts)


def _year(year: int) -> str:
    months = "; ".join(f"{year},{m},{days_in_month(year, m)}" for m in range(1, 13))
    return f"days_in_month({months}).\n"


def programs() -> dict[str, str]:
    """Each generated file's name and text."""
    return {
        VOCABULARY: vocabulary(),
        COMPLETION_VOCABULARY: completion_vocabulary(),
        CASE_SPACE_VOCABULARY: case_space_vocabulary(),
    }


def main(arguments: list[str]) -> int:
    """Write the generated files into a knowledge base directory (default: kb/)."""
    if len(arguments) > 1:
        print(f"usage: {COMMAND} [KB_DIRECTORY]", file=sys.stderr)
        return 2
    directory = arguments[0] if arguments else DEFAULT_DIRECTORY
    for name, text in programs().items():
        path = os.path.join(directory, name)
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            print(f"{path}: cannot be written: {error.strerror}", file=sys.stderr)
            return 2
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
