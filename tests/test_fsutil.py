"""Atomic writes keep the old file on failure and its permissions on success."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deskpro_cli.fsutil import atomic_write_bytes, atomic_writer


def test_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "package.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["package.json"]


def test_failure_midway_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "app.zip"
    target.write_bytes(b"previous zip")
    with pytest.raises(KeyboardInterrupt), atomic_writer(target) as handle:
        handle.write(b"half a new zi")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"previous zip"
    assert [p.name for p in tmp_path.iterdir()] == ["app.zip"]


def test_new_file_gets_the_mode_open_would_give(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"{}")
    plain = tmp_path / "plain.json"
    plain.write_bytes(b"{}")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


# Run under a given umask in a fresh process: writes a new file with atomic_write_bytes (in the
# main thread, then in a worker thread as the dev server does) and one with open(), and reports
# their modes and every os.umask call made off the main thread. argv: folder, "proc" or "noproc".
UMASK_SCRIPT = r"""
import json, os, sys, threading
from pathlib import Path
import deskpro_cli.umask as umask_module
from deskpro_cli.fsutil import atomic_write_bytes

folder, how = Path(sys.argv[1]), sys.argv[2]
if how == "noproc":  # a platform without /proc: the start-up read is what counts
    umask_module._PROC_STATUS = str(folder / "no-such-status")
swaps_off_main = []
real_umask = os.umask
def watched_umask(mask):
    if threading.current_thread() is not threading.main_thread():
        swaps_off_main.append(threading.current_thread().name)
    return real_umask(mask)
os.umask = watched_umask
if how == "noproc":
    umask_module.remember_umask()  # what deskpro's entry point does at start-up
atomic_write_bytes(folder / "main-thread.json", b"{}")
worker = threading.Thread(target=atomic_write_bytes, args=(folder / "worker.json", b"{}"))
worker.start(); worker.join()
with open(folder / "plain.json", "wb") as f:
    f.write(b"{}")
modes = {p.name: oct(p.stat().st_mode & 0o7777) for p in folder.iterdir() if p.suffix == ".json"}
print(json.dumps({"modes": modes, "swaps_off_main": swaps_off_main}))
"""


@pytest.mark.parametrize("umask", [0o077, 0o002, 0o027, 0o022], ids=lambda m: f"umask{m:03o}")
@pytest.mark.parametrize("how", ["proc", "noproc"])
def test_new_files_follow_the_umask_in_any_thread(tmp_path: Path, umask: int, how: str) -> None:
    if how == "proc" and not Path("/proc/self/status").is_file():
        pytest.skip("no /proc on this platform")
    script = tmp_path / "write.py"
    script.write_text(UMASK_SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run(
        ["sh", "-c", f'umask {umask:03o} && exec "$0" "$@"', sys.executable, str(script),
         str(out), how],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    expected = oct(0o666 & ~umask)
    assert report["modes"] == {
        "main-thread.json": expected,
        "worker.json": expected,
        "plain.json": expected,
    }
    assert report["swaps_off_main"] == []  # the umask was never changed from a thread


def test_the_umask_is_read_from_proc_without_changing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from deskpro_cli import umask as umask_module

    if umask_module.proc_umask() is None:
        pytest.skip("no /proc/self/status Umask line on this platform")
    calls: list[int] = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or 0)
    assert umask_module.current_umask() == umask_module.proc_umask()
    assert calls == []


def test_without_proc_or_a_start_up_read_a_thread_never_swaps_the_umask(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from deskpro_cli import umask as umask_module

    monkeypatch.setattr(umask_module, "_PROC_STATUS", str(tmp_path / "missing"))
    monkeypatch.setattr(umask_module, "_at_start", None)
    calls: list[int] = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or 0)
    got: list[int] = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread is running meanwhile
    other.start()
    try:
        worker = threading.Thread(target=lambda: got.append(umask_module.current_umask()))
        worker.start()
        worker.join()
    finally:
        stop.set()
        other.join()
    assert got == [umask_module.DEFAULT_UMASK] and calls == []


def test_temporary_names_carry_the_pid_and_dead_ones_are_removed(tmp_path: Path) -> None:
    import os

    from deskpro_cli.fsutil import remove_dead_temps

    target = tmp_path / "app.zip"
    with atomic_writer(target) as handle:
        [tmp] = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert tmp.name.startswith(f".app.zip.{os.getpid()}-")
        assert remove_dead_temps(target) == []  # ours is alive
        handle.write(b"zip")
    dead = tmp_path / ".app.zip.999999999-abc.tmp"
    dead.write_bytes(b"half")
    unrelated = tmp_path / ".other.zip.999999999-abc.tmp"
    unrelated.write_bytes(b"not ours")
    assert remove_dead_temps(target) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.zip.999999999-abc.tmp", "app.zip"]


def test_the_entry_point_reads_the_umask_at_start_up_where_there_is_no_proc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from deskpro_cli import cli as cli_module
    from deskpro_cli import umask as umask_module

    real = umask_module.current_umask()
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(sys, "argv", ["deskpro", "--version"])
    monkeypatch.setattr(umask_module, "_PROC_STATUS", str(tmp_path / "missing"))
    monkeypatch.setattr(umask_module, "_at_start", None)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # keep pytest's SIGTERM handling
    with pytest.raises(SystemExit) as done:
        cli_module.main()
    assert done.value.code == 0
    assert umask_module._at_start == real
