"""Options and helpers shared by the sub-commands (click only; no logic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from deskpro_cli.ui import UI, current_ui

F = TypeVar("F", bound=Callable[..., Any])


def path_argument(**kwargs: Any) -> Callable[[F], F]:
    """The optional ``PATH`` argument every project command takes (default: the current folder).

    A path that does not exist is a usage error (exit 2), as click reports it. One that exists
    but may not be read is left to the command, whose read fails with "permission denied": an
    environment failure (exit 3, spec/cli.md), not a usage error.
    """
    kwargs.setdefault("readable", False)
    if "path_type" not in kwargs:  # a pathlib.Path, unless the command asks for a str
        from pathlib import Path

        kwargs["path_type"] = Path
    return click.argument(
        "path",
        required=False,
        default=".",
        type=click.Path(exists=True, **kwargs),
    )


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ui = ctx.find_object(UI)
        if ui is not None:
            ui.json = True
    return value


def json_option(func: F) -> F:
    """``--json``: exactly one JSON object on stdout; progress and logs go to stderr."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        is_eager=True,
        expose_value=True,
        callback=_set_json,
        help="Print one JSON object on stdout (diagnostics go to stderr).",
    )(func)


def ui() -> UI:
    """The running command's UI."""
    return current_ui()


def compiler_options(func: F) -> F:
    """``--compiler`` and ``--esbuild``, shared by ``package`` and ``serve`` (same build step)."""
    from pathlib import Path

    func = click.option(
        "--esbuild",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="DESKPRO_ESBUILD",
        help="The esbuild binary to use (or DESKPRO_ESBUILD); default: the app's "
        "node_modules/.bin, then PATH.",
    )(func)
    return click.option(
        "--compiler",
        type=click.Choice(["auto", "esbuild", "none"]),
        default="auto",
        show_default=True,
        help="How to compile src/main/javascript and src/installer/javascript "
        "(none: refuse an app that needs compiling).",
    )(func)
