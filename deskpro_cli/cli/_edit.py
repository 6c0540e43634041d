"""Rendering shared by the manifest-editing commands (settings, storage, domains): click only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from deskpro_cli.cli._common import ui

if TYPE_CHECKING:
    from deskpro_cli.manifest.edit import EditResult

F = TypeVar("F", bound=Callable[..., Any])


def dry_run_option(func: F) -> F:
    """``--dry-run``: print the diff, write nothing."""
    return click.option(
        "--dry-run", is_flag=True, help="Print the change as a unified diff and write nothing."
    )(func)


def render_edit(result: EditResult, *, dry_run: bool) -> None:
    """Show what an edit did: the diff on a dry run, notes, new warnings, a last line."""
    out = ui()
    if dry_run and result.diff:
        # split at "\n" only: a CRLF file's diff keeps its "\r" (and applies with git apply)
        for line in result.diff[:-1].split("\n"):
            if line.startswith("+") and not line.startswith("+++"):
                out.result(line, fg="green")
            elif line.startswith("-") and not line.startswith("---"):
                out.result(line, fg="red")
            else:
                out.result(line)
    for note in result.notes:
        out.info(f"note: {note}")
    if result.warnings:
        out.problems(result.warnings, err=True)
    if not result.changed:
        out.success(f"{result.file}: nothing to change")
    elif dry_run:
        out.info(f"dry run: the edit is valid, nothing was written ({result.summary})")
    else:
        out.success(result.summary[:1].upper() + result.summary[1:])


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows under headers, columns padded to the widest cell (the last column is not padded)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [list(headers), *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def yes_no(value: Any) -> str:
    return "yes" if value is True else "no"
