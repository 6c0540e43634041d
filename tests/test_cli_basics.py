"""The command group itself: version, help, global options, the error funnel."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from deskpro_cli import __version__
from deskpro_cli.cli import COMMANDS, DeskproGroup
from deskpro_cli.cli import cli as deskpro_group
from deskpro_cli.errors import CheckFailed, EnvironmentFailure, ProblemsFound
from deskpro_cli.problems import Problem


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "deskpro_cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"deskpro {__version__}"


def test_help_lists_commands_without_importing_them(cli) -> None:
    run = cli("--help")
    assert "Usage: deskpro" in run.stdout
    for name in deskpro_group.list_commands(click.Context(deskpro_group)):
        assert name in run.stdout
        assert COMMANDS[name][1] in run.stdout


def test_unknown_command_is_usage_error_with_suggestion(cli) -> None:
    run = cli("valdate", code=2)
    assert "No such command" in run.stderr


@pytest.mark.parametrize(
    ("args", "fixed"),
    [
        (["validate", "-q"], "deskpro -q validate"),
        (["package", "-v"], "deskpro -v package"),
        (["settings", "list", "--no-color"], "deskpro --no-color settings list"),
    ],
)
def test_a_global_option_after_the_command_says_where_it_goes(cli, tmp_path, args, fixed) -> None:
    run = cli(*args, tmp_path, code=2)
    assert "No such option" in run.stderr
    assert f"it goes before the command ({fixed} ...)" in run.stderr


@pytest.mark.parametrize(
    "args",
    [["validate", "{tmp}/no-such-folder", "--json"], ["package", "--json", "--max-size", "1Q"]],
    ids=["missing-path", "bad-value"],
)
def test_json_mode_gets_its_object_on_a_usage_error_too(cli, tmp_path, args) -> None:
    import json

    run = cli(*[a.format(tmp=tmp_path) for a in args], code=2)
    data = json.loads(run.stdout)
    assert (data["ok"], data["exit_code"]) == (False, 2)
    assert data["error"].startswith("Invalid value for")
    assert "Usage: deskpro" in run.stderr  # the text report is still there


def test_an_unknown_option_still_gets_clicks_suggestion(cli) -> None:
    run = cli("validate", "--strikt", code=2)
    assert "No such option '--strikt'. Did you mean '--strict'?" in run.stderr


def _with_command(func):  # type: ignore[no-untyped-def]
    """Register a throwaway sub-command on a fresh group (so the real registry is untouched)."""
    group = DeskproGroup(
        callback=deskpro_group.callback, params=deskpro_group.params, name="deskpro"
    )
    group.add_command(click.Command("boom", callback=func))
    return group


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (CheckFailed("bad thing", hint="fix it"), 1),
        (EnvironmentFailure("no network", hint="try later"), 3),
        (KeyboardInterrupt(), 130),
        (OSError(28, "No space left on device", "dist/app.zip"), 3),
    ],
)
def test_errors_become_messages_and_codes(exc: BaseException, code: int) -> None:
    from click.testing import CliRunner

    def boom() -> None:
        raise exc

    group = _with_command(boom)
    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (CheckFailed("bad thing", hint="fix it"), 1),
        (KeyboardInterrupt(), 130),
        (OSError(28, "No space left on device", "dist/app.zip"), 3),
    ],
    ids=["deskpro-error", "ctrl-c", "disk-full"],
)
def test_json_mode_gets_exactly_one_object_whatever_ends_the_run(
    exc: BaseException, code: int
) -> None:
    """``--json`` promises one JSON object on stdout, also when the run is interrupted."""
    import json

    from click.testing import CliRunner

    from deskpro_cli.cli._common import json_option

    @click.command("boom")
    @json_option
    def boom(as_json: bool) -> None:
        raise exc

    group = DeskproGroup(
        callback=deskpro_group.callback, params=deskpro_group.params, name="deskpro"
    )
    group.add_command(boom)
    result = CliRunner().invoke(group, ["boom", "--json"])
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert (data["ok"], data["exit_code"]) == (False, code)
    assert "Traceback" not in result.output


def test_problems_error_renders_each_problem_and_hint() -> None:
    from click.testing import CliRunner

    problems = [
        Problem(
            "DP105",
            "error",
            "unknown target",
            "package.json",
            "/deskpro/targets/0",
            14,
            19,
            "did you mean 'ticket-sidebar'?",
        ),
    ]

    def boom() -> None:
        raise ProblemsFound("the manifest is invalid", problems)

    group = _with_command(boom)
    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 1
    assert "package.json:14:19: error DP105 unknown target" in result.stderr
    assert "hint: did you mean 'ticket-sidebar'?" in result.stderr


def test_a_bug_shows_traceback_and_asks_for_a_report() -> None:
    from click.testing import CliRunner

    def boom() -> None:
        raise ZeroDivisionError("oops")

    group = _with_command(boom)
    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 1
    assert "internal error" in result.stderr
    assert "ZeroDivisionError" in result.stderr
