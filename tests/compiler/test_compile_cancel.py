"""Cancelling a compile (the dev server stopping): every esbuild it runs is killed at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from devserver.serve_support import alive, slow_esbuild, wait_for_pids

from deskpro_cli import cancel
from deskpro_cli.build import esbuild as esbuild_module
from deskpro_cli.build.compiler import CompileOptions, compile_project

from .conftest import PACKAGE_JSON

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes in /proc"
)


def test_cancelling_kills_the_esbuild_of_every_unit(
    tree, tmp_path: Path, esbuild_path: Path
) -> None:
    """The app and its installer screen compile in parallel threads; the cancel scope reaches
    both, and the compile ends with Cancelled, leaving no staging behind."""
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": "window.app = 1;\n",
            "src/installer/javascript/index.js": "export default { mount() {} };\n",
        }
    )
    script, pids = slow_esbuild(tmp_path, esbuild_path)
    token = cancel.CancelToken()
    outcome: list[BaseException | None] = []

    def compile_in_scope() -> None:
        try:
            with cancel.scope(token):
                compile_project(project, project / "dist", CompileOptions(esbuild=script))
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=compile_in_scope)
    worker.start()
    processes = wait_for_pids(pids, runs=2)
    assert all(alive(pid) for pid in processes)
    token.cancel()
    worker.join(10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], cancel.Cancelled), outcome
    assert not [pid for pid in processes if alive(pid)]
    stage = project / "target" / ".deskpro-cache" / "compile" / "stage"
    assert not stage.exists() or not any(stage.iterdir())
    assert not (project / "dist" / "assets").exists()


def test_a_cancelled_scope_starts_no_esbuild(tmp_path: Path, esbuild_path: Path) -> None:
    script, pids = slow_esbuild(tmp_path, esbuild_path)
    token = cancel.CancelToken()
    token.cancel()
    with cancel.scope(token), pytest.raises(cancel.Cancelled):
        esbuild_module.run_esbuild(script, ["--bundle"], cwd=tmp_path)
    assert not pids.exists()


def test_outside_a_scope_esbuild_runs_as_before(tmp_path: Path, esbuild_path: Path) -> None:
    assert cancel.current() is None
    run = esbuild_module.run_esbuild(esbuild_path, ["--version"], cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.strip()


def test_token_callbacks_run_once_and_can_be_withdrawn() -> None:
    token = cancel.CancelToken()
    calls: list[str] = []
    token.on_cancel(lambda: calls.append("kept"))
    withdraw = token.on_cancel(lambda: calls.append("withdrawn"))
    withdraw()
    token.raise_if_cancelled()  # not yet
    token.cancel()
    token.cancel()
    assert calls == ["kept"]
    token.on_cancel(lambda: calls.append("late"))  # already cancelled: called at once
    assert calls == ["kept", "late"]
    with pytest.raises(cancel.Cancelled):
        token.raise_if_cancelled()
    assert cancel.Cancelled("x").exit_code == 130
