"""The ``deskpro`` command group: global options, lazy sub-commands, one error funnel.

Each sub-command lives in its own module under :mod:`deskpro_cli.cli` and exposes ``command``.
Sub-commands are imported only when run (or when their own ``--help`` is asked for), so
``deskpro --help`` stays fast; the one-line help shown in the listing is kept here.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import Any

import click

from deskpro_cli import __version__
from deskpro_cli.errors import (
    EXIT_ENVIRONMENT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    DeskproError,
    EnvironmentFailure,
    Interrupted,
    ProblemsFound,
)
from deskpro_cli.ui import UI, colour_policy, configure_logging

#: name -> (module, one-line help). A module that is not there yet is simply not listed.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("deskpro_cli.cli.init", "Scaffold a new app project from a template."),
    "validate": ("deskpro_cli.cli.validate", "Check a manifest, a project, a dist/ or an app.zip."),
    "manifest": ("deskpro_cli.cli.manifest", "Show the manifest, as written or as packaged."),
    "settings": ("deskpro_cli.cli.settings", "List, add or remove the app's settings."),
    "storage": ("deskpro_cli.cli.storage", "List, add or remove the app's storage items."),
    "domains": ("deskpro_cli.cli.domains", "List, add or remove whitelisted API domains."),
    "package": ("deskpro_cli.cli.package", "Build the app and write a reproducible dist/app.zip."),
    "oauth-test": (
        "deskpro_cli.cli.oauth_test",
        "Check an OAuth App's credentials against GitHub.",
    ),
    "serve": ("deskpro_cli.cli.serve", "Serve the app for Deskpro's Dev Mode, rebuilding on save."),
}

#: what a shell reports for a program ended by SIGPIPE (128 + 13), like 130 for Ctrl-C
EXIT_BROKEN_PIPE = 141

_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.EMFILE,
    errno.EIO,
}


_CLI_DIR = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120 - no pathlib at start-up


def _available(module: str) -> bool:
    """Whether a command's module is installed (a file check: importlib.util and pathlib would
    cost several ms of start-up on every run)."""
    name = module.rpartition(".")[2]
    candidates = (f"{name}.py", f"{name}/__init__.py")
    return any(os.path.isfile(f"{_CLI_DIR}/{rel}") for rel in candidates)  # noqa: PTH113


class DeskproGroup(click.Group):
    """A group that loads sub-commands lazily and turns every error into a message and a code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [name for name, (module, _) in COMMANDS.items() if _available(module)]
        return lazy + sorted(set(self.commands) - set(lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _available(entry[0]):
            return None
        module = importlib.import_module(entry[0])
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS:
                rows.append((name, COMMANDS[name][1]))
            else:
                rows.append((name, self.commands[name].get_short_help_str()))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else None
        known = set(self.list_commands(ctx))
        if name is not None and name not in known and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, sorted(known), n=1)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a closed pipe shows here, where it is handled below
        except click.NoSuchOption as exc:
            raise _global_option_hint(exc) from None
        except click.UsageError as exc:
            # --json is eager, so a usage error found after it (a PATH that does not exist, a
            # bad value) still owes stdout its one object; click prints the usage on stderr
            ui = _ui(ctx)
            if ui.json:
                ui.emit_json(
                    {
                        "ok": False,
                        "error": exc.format_message(),
                        "hint": None,
                        "exit_code": exc.exit_code,
                        "problems": [],
                    }
                )
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except DeskproError as exc:
            _report(ctx, exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("", err=True)  # end the line the terminal's ^C was echoed on
            _report(ctx, Interrupted("interrupted"))  # --json still gets its one object
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # the reader went away (`deskpro validate | head`): stop quietly, as a program that
            # SIGPIPE ended would, and keep Python's own flush at exit from complaining
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as exc:
            if exc.errno in _ENVIRONMENT_ERRNOS:
                where = f": {exc.filename}" if exc.filename else ""
                _report(ctx, EnvironmentFailure(f"{exc.strerror}{where}", hint=_os_hint(exc)))
                ctx.exit(EXIT_ENVIRONMENT)
            _bug(ctx)
        except Exception:  # noqa: BLE001 - the one place a bug becomes a report
            _bug(ctx)
        return None


#: the group's own options, which a user naturally types after the command too
_GLOBAL_OPTIONS = frozenset({"-v", "--verbose", "-q", "--quiet", "--no-color", "-vv", "-vvv"})


def _global_option_hint(exc: click.NoSuchOption) -> click.NoSuchOption:
    """``deskpro package -v``: say where a global option goes instead of only refusing it."""
    if exc.option_name not in _GLOBAL_OPTIONS or exc.ctx is None:
        return exc
    command = exc.ctx.command_path.partition(" ")[2]
    message = (
        f"No such option {exc.option_name!r} for {command!r}: it is an option of deskpro "
        f"itself, so it goes before the command (deskpro {exc.option_name} {command} ...)."
    )
    return click.NoSuchOption(exc.option_name, message, ctx=exc.ctx)


def _os_hint(exc: OSError) -> str | None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some disk space and run the command again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "check the permissions of that path"
    return None


def _ui(ctx: click.Context) -> UI:
    ui = ctx.find_object(UI)
    return ui if ui is not None else UI()


def _report(ctx: click.Context, exc: DeskproError) -> None:
    """Render an error; in ``--json`` mode stdout still gets exactly one JSON object."""
    ui = _ui(ctx)
    problems = exc.problems if isinstance(exc, ProblemsFound) else []
    if ui.json:
        ui.emit_json(
            {
                "ok": False,
                "error": exc.message,
                "hint": exc.hint,
                "exit_code": exc.exit_code,
                "problems": [p.to_json() for p in problems],
            }
        )
    hint = exc.hint
    if problems:
        ui.problems(problems, err=True)
        if any(p.hint == hint for p in problems):
            hint = None  # already shown under the problem itself
    ui.error(exc.message, hint)


def _bug(ctx: click.Context) -> None:
    import traceback

    traceback.print_exc()
    click.echo(
        "deskpro: internal error (a bug in deskpro-cli, not in your app). Please report it with "
        "the traceback above and the command you ran.",
        err=True,
    )
    ctx.exit(EXIT_FAILED)


@click.group(
    name="deskpro", cls=DeskproGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "--version", prog_name="deskpro", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Show more detail (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Show only warnings, errors and results.")
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR works too).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, no_color: bool) -> None:
    """Build, validate, package and serve Deskpro apps.

    Every command that reads a project takes it as PATH (default: the current folder).
    Exit status: 0 fine, 1 the thing checked is wrong, 2 usage error, 3 the environment failed
    (network, missing tool, disk), 130 interrupted.
    """
    verbosity = -1 if quiet else verbose
    ctx.obj = UI(verbosity=verbosity, color=colour_policy(no_color))
    configure_logging(verbosity)


def main() -> None:
    """Console-script entry point.

    SIGTERM (a CI job cancelled, ``docker stop``, ``kill``) is handled like Ctrl-C, so every
    command removes what it had half written and exits 130 instead of dying mid-write.
    """
    import signal

    if not sys.platform.startswith("linux"):
        # No /proc to read the umask from: read it here, in the main thread before any other
        # thread starts (deskpro_cli.umask). Linux skips the import (start-up time).
        from deskpro_cli.umask import remember_umask

        remember_umask()
    signal.signal(signal.SIGTERM, _terminated)
    cli.main(prog_name="deskpro")


def _terminated(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover
    main()
