"""Output: rich tables and words for people on stdout, JSON for programs (`--json`), progress and errors on
stderr, so `facegate ... --json | jq` never sees a progress bar or a warning."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from facegate_cli.connection import CliError

P = ParamSpec("P")
R = TypeVar("R")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fails_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """A command whose CliError ends it with one red line and the error's exit code, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CliError as exc:
            err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def table(*columns: str, title: str | None = None, **options: Any) -> Table:
    """A table whose cells fold onto more lines in a narrow terminal rather than lose their end to an ellipsis:
    an id cut short is useless."""
    made = Table(title=title, title_justify="left", **options)
    for column in columns:
        made.add_column(column, overflow="fold")
    return made


def print_json(value: Any) -> None:
    """One JSON document on stdout, undecorated (rich would wrap long lines)."""
    print(json.dumps(value, indent=2, default=str))


def one_in(rate: float) -> str:
    """A rate in plain words: 1e-4 -> 'about 1 in 10,000 times'."""
    if rate <= 0:
        return "never, in what was measured"
    if rate >= 0.1:
        return f"about {rate:.0%} of the time"
    n = 10 ** round(math.log10(1 / rate), 1)
    rounded = int(float(f"{n:.2g}"))
    return f"about 1 in {rounded:,} times"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"


def fraction(count: int, total: int) -> str:
    """A measured rate with what it rests on: '3/4,950 (6.1e-04)'."""
    return f"{count:,}/{total:,} ({count / total:.1e})" if total else "no pairs"
