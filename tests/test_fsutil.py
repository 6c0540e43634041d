"""Atomic writes keep the old file on failure and its permissions on success."""

from __future__ import annotations

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


def test_new_file_gets_default_mode(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"{}")
    assert target.stat().st_mode & 0o777 == 0o644


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
