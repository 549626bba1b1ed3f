"""Options several `kb` commands share are defined once (cli/options.py): same
flag, same type, same help text in every command that takes them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import typer

from cli.main import app

# Flags that mean something different per command, on purpose.
PER_COMMAND = {"--out", "--format", "--procedure", "--explain", "--policy"}


def _options() -> dict[str, dict[str, Any]]:
    """flag -> command name -> the option (typer's own click objects)."""
    group: Any = typer.main.get_command(app)
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for name, command in group.commands.items():
        for parameter in command.params:
            if parameter.param_type_name == "option":
                for flag in parameter.opts:
                    found[flag][name] = parameter
    return found


def test_a_shared_option_reads_the_same_in_every_command() -> None:
    shared = {flag: by for flag, by in _options().items() if len(by) > 1}
    assert {"--kb", "--closed-world"} <= set(shared)
    for flag, by_command in shared.items():
        if flag in PER_COMMAND:
            continue
        helps = {(option.help, option.type.name) for option in by_command.values()}
        assert len(helps) == 1, f"{flag} differs between {sorted(by_command)}: {helps}"


def test_the_repeatable_policy_option_is_the_same_wherever_it_filters() -> None:
    filtering = {
        name: option
        for name, option in _options()["--policy"].items()
        if name != "explain"  # explain takes exactly one policy
    }
    assert {"query", "whatif", "check", "batch", "diagram"} <= set(filtering)
    assert {(o.help, o.multiple) for o in filtering.values()} == {
        ("Only this policy (repeatable).", True)
    }


def test_every_command_that_reads_a_knowledge_base_takes_kb() -> None:
    assert set(_options()["--kb"]) == {
        "query", "explain", "whatif", "policies", "diagram", "check", "report", "batch",
    }  # fmt: skip
