"""Files the user may not read or write: exit 3 (the environment), a clear message, no change.

Run as ``nobody`` when the tests run as root (root ignores file modes).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .edit_support import package_json, write_project
from conftest import run_unprivileged


def check_exit_3(out: subprocess.CompletedProcess[str], *, names: str) -> None:
    assert out.returncode == 3, out.stdout + out.stderr
    err = out.stderr
    assert "Permission denied" in err and names in err, err
    assert "hint:" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "app/package.json"],
        ["validate", "app"],
        ["validate", "--json", "app/package.json"],
        ["manifest", "show", "app/package.json"],
        ["settings", "list", "app/package.json"],
        ["storage", "add", "apiKey", "app"],
    ],
)
def test_an_unreadable_manifest_is_exit_3(world_dir: Path, args: list[str]) -> None:
    path = write_project(world_dir / "app", package_json())
    path.chmod(0o000)
    out = run_unprivileged(world_dir, *args)
    check_exit_3(out, names="app/package.json")
    if "--json" in args:
        shown = json.loads(out.stdout)
        assert shown["ok"] is False and shown["exit_code"] == 3


def test_an_edit_in_a_read_only_folder_is_exit_3_and_names_the_file(world_dir: Path) -> None:
    path = write_project(world_dir / "app", package_json())
    before = path.read_bytes()
    (world_dir / "app").chmod(0o555)
    out = run_unprivileged(world_dir, "storage", "add", "apiKey", "app")
    check_exit_3(out, names="package.json")
    assert ".tmp" not in out.stderr  # the temporary file is ours, not the user's business
    assert path.read_bytes() == before
    assert sorted(p.name for p in (world_dir / "app").iterdir()) == ["package.json"]
