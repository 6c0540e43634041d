"""The project's exceptions: one root, exit codes in one table (spec/cli.md).

Core modules raise these; only :mod:`deskpro_cli.cli` turns them into output and an exit status.
A message says what is wrong and where; ``hint`` says what to do next. Neither may ever carry a
secret or a token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskpro_cli.problems import Problem

#: Exit status table of spec/cli.md.
EXIT_OK = 0
EXIT_FAILED = 1  # the thing checked is wrong
EXIT_USAGE = 2  # usage error (click's own convention)
EXIT_ENVIRONMENT = 3  # the environment failed us
EXIT_INTERRUPTED = 130  # Ctrl-C


class DeskproError(Exception):
    """Root of every error the tool reports to its user.

    Attributes:
        message: one line (or a few) saying what is wrong, naming the file/pointer when known.
        hint: what the user can do about it, or None.
        exit_code: the status the command ends with.
    """

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class CheckFailed(DeskproError):
    """The thing checked is wrong: invalid manifest, build error, rejected credentials (exit 1)."""

    exit_code = EXIT_FAILED


class UsageError(DeskproError):
    """The command line itself is wrong in a way click could not see (exit 2)."""

    exit_code = EXIT_USAGE


class EnvironmentFailure(DeskproError):
    """The environment failed us: network, timeout, missing tool, disk full (exit 3)."""

    exit_code = EXIT_ENVIRONMENT


class ToolMissing(EnvironmentFailure):
    """A required outside tool (esbuild, a browser) is not installed (exit 3)."""


class Interrupted(DeskproError):
    """The user pressed Ctrl-C; whatever was being written has been rolled back (exit 130)."""

    exit_code = EXIT_INTERRUPTED


class ProblemsFound(CheckFailed):
    """A list of problems (schema, rules, build checks), at least one an error (exit 1).

    The CLI renders each problem like a compiler diagnostic, or as JSON with ``--json``.
    """

    def __init__(
        self, message: str, problems: Sequence[Problem], *, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems = list(problems)
