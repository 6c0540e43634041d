"""All terminal output: results on stdout, diagnostics on stderr, ``--json``, colour policy.

Only the CLI layer uses this module; core modules return values, raise errors and log.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # imported lazily: every import here costs start-up time on every run
    import logging
    from collections.abc import Iterable

    from deskpro_cli.problems import Problem

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def colour_policy(no_color_flag: bool) -> bool | None:
    """Decide colour once: off by flag or NO_COLOR, on by FORCE_COLOR, else automatic.

    ``None`` lets click colour only streams that are terminals (checked per stream).
    """
    if no_color_flag or os.environ.get("NO_COLOR", "") != "":
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return None


class UI:
    """Output settings for one run of the command, kept on the click context.

    Attributes:
        verbosity: 0 normal, >0 more detail (``-v``), <0 quiet (``-q``).
        color: True/False to force, None for "only on a terminal".
        json: the command was asked for ``--json``: stdout carries exactly one JSON object.
    """

    def __init__(self, verbosity: int = 0, color: bool | None = None, json: bool = False) -> None:
        self.verbosity = verbosity
        self.color = color
        self.json = json

    def __repr__(self) -> str:
        return f"UI(verbosity={self.verbosity}, color={self.color}, json={self.json})"

    # -- stdout: results -------------------------------------------------------------------
    def result(self, text: str = "", **style: Any) -> None:
        """A line of the command's result (stdout); never printed in JSON mode."""
        if self.json:
            return
        _echo(click.style(text, **style) if style else text, color=self.color)

    def emit_json(self, obj: Any) -> None:
        """The one JSON object of ``--json`` mode, on stdout."""
        import json

        _echo(json.dumps(obj, indent=2, ensure_ascii=False))

    # -- stderr: diagnostics ---------------------------------------------------------------
    def _err(self, text: str) -> None:
        _echo(text, err=True, color=self.color)

    def info(self, text: str) -> None:
        """Progress and context (stderr); hidden by ``-q``."""
        if self.verbosity >= 0:
            self._err(text)

    def detail(self, text: str) -> None:
        """Extra detail shown with ``-v`` (stderr)."""
        if self.verbosity > 0:
            self._err(click.style(text, dim=True))

    def success(self, text: str) -> None:
        """A line saying the job is done (stderr in JSON mode, where stdout is reserved)."""
        if self.verbosity < 0:
            return
        line = click.style(text, fg="green")
        if self.json:
            self._err(line)
        else:
            _echo(line, color=self.color)

    def warning(self, text: str, hint: str | None = None) -> None:
        """A warning (stderr); shown even with ``-q``."""
        self._err(click.style("warning: ", fg="yellow", bold=True) + text)
        if hint:
            self._err(click.style("  hint: ", fg="cyan") + hint)

    def error(self, text: str, hint: str | None = None) -> None:
        """An error (stderr); always shown."""
        self._err(click.style("error: ", fg="red", bold=True) + text)
        if hint:
            self._err(click.style("  hint: ", fg="cyan") + hint)

    # -- problems --------------------------------------------------------------------------
    def problems(self, problems: Iterable[Problem], *, err: bool = False) -> None:
        """Problems one per line like a compiler (``file:line:col: error DP105 message``).

        The hint goes on the next line, indented. ``err`` sends them to stderr (when they are
        diagnostics of another job rather than the result itself).
        """
        for p in problems:
            colour = _SEVERITY_COLOUR.get(p.severity, "red")
            head = (
                click.style(f"{p.location()}: ", bold=True)
                + click.style(p.severity, fg=colour, bold=True)
                + f" {p.rule} {p.message}"
            )
            lines = [head]
            if p.hint:
                lines.append("    " + click.style("hint: ", fg="cyan") + p.hint)
            for line in lines:
                if err or self.json:
                    self._err(line)
                else:
                    _echo(line, color=self.color)


def _echo(text: str, *, err: bool = False, color: bool | None = None) -> None:
    """``click.echo``, safe for any text a user's file can hold.

    JSON's ``\\uXXXX`` escapes can put lone surrogates in a manifest's strings, which no
    encoding can write: they are written as the same ``\\uXXXX`` escape (still valid JSON in
    ``--json`` output) instead of crashing the write.
    """
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    click.echo(text, err=err, color=color)


def _stderr_handler() -> logging.Handler:
    """A handler that writes to whatever ``sys.stderr`` is when a record is emitted.

    A handler that kept the stream of its first run would write later runs' records to a stale
    stream where sys.stderr is swapped (click's CliRunner, embedding).
    """
    import logging

    class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
        @property
        def stream(self) -> Any:
            return sys.stderr

        @stream.setter
        def stream(self, value: Any) -> None:
            return None

    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    return handler


def configure_logging(verbosity: int) -> None:
    """Route the package's loggers to stderr once, at a level set by ``-v``/``-q``.

    At the default verbosity nothing is set up (logging is not even imported, to keep start-up
    fast): the standard library's last-resort handler already prints warnings and errors to stderr.
    """
    if verbosity == 0 and "logging" not in sys.modules:
        return
    import logging

    level = logging.WARNING
    if verbosity == 1:
        level = logging.INFO
    elif verbosity >= 2:
        level = logging.DEBUG
    elif verbosity < 0:
        level = logging.ERROR
    logger = logging.getLogger("deskpro_cli")
    logger.setLevel(level)
    if not any(getattr(h, "_deskpro", False) for h in logger.handlers):
        handler = _stderr_handler()
        handler._deskpro = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False


def current_ui() -> UI:
    """The UI of the running command (a default one outside a click context)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ui = ctx.find_object(UI)
        if ui is not None:
            return ui
    return UI()
