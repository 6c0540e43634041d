"""A crash in the middle of a write leaves the old file or the new one, never a mix.

Real processes are killed with SIGKILL while they write a large manifest: once at a known point
(inside the fsync of the temporary file, and inside the fsync after the rename), and several
times at random moments while a process edits the file in a loop. Faults injected into the
writer (disk full, Ctrl-C) leave the file as it was and no temporary file behind.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .edit_support import package_json, write_project
from conftest import REPO_ROOT, CliFixture

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

PAIRS = 800_000  # "é✓" pairs: a 4 MB file (the limit is 5), long enough to write to be caught

CHILD = r"""
import os, sys, time
from deskpro_cli.manifest.edit_storage import StorageRequest, add_storage, remove_storage

path, mode = sys.argv[1], sys.argv[2]
if mode.startswith("pause-at-fsync-"):
    wanted = int(mode.rsplit("-", 1)[1])
    real_fsync = os.fsync
    calls = 0

    def fsync(fd):
        global calls
        calls += 1
        if calls == wanted:
            print("in-fsync", flush=True)
            time.sleep(60)
        real_fsync(fd)

    os.fsync = fsync
    add_storage(path, StorageRequest("crashTest"))
    print("done", flush=True)
else:  # loop: add, remove, add, ... until killed (a killed run may have left either state)
    print("looping", flush=True)
    while True:
        with open(path, encoding="utf-8") as f:
            present = '"crashTest"' in f.read()
        if present:
            remove_storage(path, "crashTest")
        else:
            add_storage(path, StorageRequest("crashTest"))
"""


def big_project(folder: Path) -> Path:
    # "storage": [] already there, so adding and removing the item toggles between two texts
    doc = package_json("2.3.0", storage=[])
    doc["padding"] = "é✓" * PAIRS  # non-ASCII: a torn write would also break UTF-8
    return write_project(folder, doc)


def states(pkg: Path) -> tuple[bytes, bytes]:
    """The file before the edit and after it (from a dry run)."""
    from deskpro_cli.manifest.edit_storage import StorageRequest, add_storage

    old = pkg.read_bytes()
    new = add_storage(pkg, StorageRequest("crashTest"), dry_run=True).after.encode("utf-8")
    assert new != old
    return old, new


def spawn(pkg: Path, mode: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(pkg), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=pkg.parent,
    )


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err


@pytest.mark.slow
@pytest.mark.parametrize(("fsync_call", "expect"), [(1, "old"), (2, "new")])
def test_killed_inside_fsync(tmp_path: Path, fsync_call: int, expect: str) -> None:
    pkg = big_project(tmp_path / "app")
    old, new = states(pkg)
    proc = spawn(pkg, f"pause-at-fsync-{fsync_call}")
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "in-fsync", line
    kill(proc)
    # fsync 1 is the temporary file's (before the rename), fsync 2 the folder's (after it)
    assert pkg.read_bytes() == (old if expect == "old" else new)
    leftovers = [p.name for p in pkg.parent.iterdir() if p.name != "package.json"]
    if expect == "old":
        # the killed process could not clean up: its complete temporary file is all that is left
        assert len(leftovers) == 1 and leftovers[0].startswith(".package.json.")
        assert (pkg.parent / leftovers[0]).read_bytes() == new
    else:
        assert leftovers == []


@pytest.mark.slow
def test_killed_at_random_moments_while_editing(tmp_path: Path) -> None:
    pkg = big_project(tmp_path / "app")
    old, new = states(pkg)
    rng = random.Random(4)
    seen = set()
    for _ in range(6):
        proc = spawn(pkg, "loop")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "looping"
        time.sleep(rng.uniform(0.05, 1.5))
        kill(proc)
        data = pkg.read_bytes()
        assert data in (old, new), "the file is neither the old one nor the new one"
        seen.add(data == new)
        json.loads(data)
        for stale in pkg.parent.glob(".package.json.*.tmp"):
            stale.unlink()
    assert seen  # at least one state observed (normally both)


def test_disk_full_during_the_write_changes_nothing(
    cli: CliFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    run = cli("storage", "add", "x", pkg.parent, code=3)
    assert "No space left on device" in run.stderr and "Traceback" not in run.output
    assert pkg.read_bytes() == before
    assert [p.name for p in pkg.parent.iterdir()] == ["package.json"]


def test_ctrl_c_during_the_write_changes_nothing(
    cli: CliFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    cli("settings", "add", "x", pkg.parent, "--title", "X", code=130)
    assert pkg.read_bytes() == before
    assert [p.name for p in pkg.parent.iterdir()] == ["package.json"]


def test_the_next_edit_removes_what_a_killed_edit_left_but_not_a_live_ones(
    cli: CliFixture, tmp_path: Path
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0", storage=[]))
    dead = spawn(pkg, "pause-at-fsync-1")  # stopped with its temporary file written, then killed
    assert dead.stdout is not None and dead.stdout.readline().strip() == "in-fsync"
    kill(dead)
    (left,) = pkg.parent.glob(".package.json.*.tmp")
    assert left.name.startswith(f".package.json.{dead.pid}-")

    live = spawn(pkg, "pause-at-fsync-1")  # another edit, still running
    try:
        assert live.stdout is not None and live.stdout.readline().strip() == "in-fsync"
        (live_tmp,) = pkg.parent.glob(f".package.json.{live.pid}-*.tmp")
        cli("settings", "add", "region", pkg.parent, "--title", "Region")
        assert not left.exists()
        assert live_tmp.exists()
        assert sorted(p.name for p in pkg.parent.iterdir()) == sorted(
            ["package.json", live_tmp.name]
        )
        assert '"region"' in pkg.read_text(encoding="utf-8")
    finally:
        kill(live)
