"""The deterministic zip: real files, opened with zipfile and `unzip -t`."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.build import archive
from deskpro_cli.build.archive import ArchiveTooLarge, entry_order, write_zip, zip_date

from conftest import IN_CI


def unzip_test(path: Path) -> None:
    """`unzip -t` must pass (skipped off CI when unzip is absent)."""
    if shutil.which("unzip") is None:
        if IN_CI:
            pytest.fail("unzip is missing in CI")
        pytest.skip("unzip not installed")
    out = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No errors detected" in out.stdout


def sample(root: Path) -> dict[str, Path]:
    files = {
        "manifest.json": b'{"name":"x"}',
        "html/index.html": b"<html>" + b"hello " * 500 + b"</html>",
        "assets/icon.png": os.urandom(3000),
        "assets/font.woff2": os.urandom(2000),
        "assets/z\u00e9.js": b"console.log(1)\n" * 50,
        "docs/ADMIN_README.md": b"# admin\n",
    }
    out = {}
    for name, data in files.items():
        path = root / name.replace("/", "__")
        path.write_bytes(data)
        out[name] = path
    return out


def test_entries_sorted_manifest_first_fixed_headers(tmp_path):
    files = sample(tmp_path)
    info = write_zip(files, tmp_path / "app.zip")
    unzip_test(info.path)
    with zipfile.ZipFile(info.path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names == [
            "manifest.json",
            "assets/font.woff2",
            "assets/icon.png",
            "assets/z\u00e9.js",
            "docs/ADMIN_README.md",
            "html/index.html",
        ]
        for zi in zf.infolist():
            assert zi.date_time == (1980, 1, 1, 0, 0, 0)
            assert zi.external_attr >> 16 == 0o100644
            assert zi.create_system == 3
            assert zi.extra == b""
            assert not zi.is_dir()
            assert zf.read(zi) == files[zi.filename].read_bytes()
            expected = zipfile.ZIP_STORED if zi.filename.endswith((".png", ".woff2")) else 8
            assert zi.compress_type == expected
        assert zf.getinfo("html/index.html").compress_size < 200
    assert info.entries == [
        archive.EntryInfo(
            zi.filename,
            zi.file_size,
            zi.compress_size,
            "store" if zi.compress_type == 0 else "deflate",
        )
        for zi in zipfile.ZipFile(info.path).infolist()
    ]
    assert info.bytes == info.path.stat().st_size
    assert info.largest(2)[0].name == "assets/icon.png"


def test_same_bytes_whatever_the_dates_order_and_folder(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    files = sample(one)
    first = write_zip(files, one / "app.zip")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    (two / "app.zip").unlink()
    moved = {name: two / path.name for name, path in reversed(list(files.items()))}
    for path in moved.values():
        os.utime(path, (1_000_000_000, 1_000_000_000))
        path.chmod(0o600)
    second = write_zip(moved, two / "app.zip")
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()


def test_source_date_epoch_sets_every_date(tmp_path):
    files = sample(tmp_path)
    info = write_zip(files, tmp_path / "app.zip", epoch=1_700_000_000)
    with zipfile.ZipFile(info.path) as zf:
        assert {zi.date_time for zi in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    unzip_test(info.path)


@pytest.mark.parametrize(
    ("epoch", "date"),
    [
        (None, (1980, 1, 1, 0, 0, 0)),
        (0, (1980, 1, 1, 0, 0, 0)),
        (315532800, (1980, 1, 1, 0, 0, 0)),
        (1_700_000_001, (2023, 11, 14, 22, 13, 21)),
        (10**11, (2107, 12, 31, 23, 59, 58)),
    ],
)
def test_zip_date_clamps(epoch, date):
    assert zip_date(epoch) == date


def test_entry_order_is_code_point_order():
    assert entry_order(["b", "assets/B.js", "manifest.json", "assets/a.js", "\u00e9"]) == [
        "manifest.json",
        "assets/B.js",
        "assets/a.js",
        "b",
        "\u00e9",
    ]


def test_over_max_size_keeps_the_previous_zip(tmp_path):
    files = sample(tmp_path)
    target = tmp_path / "app.zip"
    target.write_bytes(b"previous")
    with pytest.raises(ArchiveTooLarge) as caught:
        write_zip(files, target, max_size=1000)
    assert caught.value.size > 1000
    assert {e.name for e in caught.value.entries} == set(files)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_failure_midway_keeps_the_previous_zip_and_no_temp_file(tmp_path, monkeypatch, failure):
    files = sample(tmp_path)
    target = tmp_path / "app.zip"
    target.write_bytes(b"previous")
    calls = []
    real = shutil.copyfileobj

    def copy(src, dst, length=0):
        calls.append(1)
        if len(calls) == 3:
            if failure is OSError:
                raise OSError(28, "No space left on device")
            raise KeyboardInterrupt
        return real(src, dst, length)

    monkeypatch.setattr(archive.shutil, "copyfileobj", copy)
    with pytest.raises(failure):
        write_zip(files, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unreadable_source_is_its_own_error_and_keeps_the_previous_zip(tmp_path):
    files = sample(tmp_path)
    files["assets/gone.js"] = tmp_path / "gone.js"
    target = tmp_path / "app.zip"
    target.write_bytes(b"previous")
    with pytest.raises(archive.SourceUnreadable) as caught:
        write_zip(files, target)
    assert caught.value.name == "assets/gone.js"
    assert target.read_bytes() == b"previous"


def test_big_file_streams_in_blocks(tmp_path, monkeypatch):
    big = tmp_path / "big.js"
    with big.open("wb") as handle:
        for _ in range(8):
            handle.write(b"x" * (1 << 20))
    reads = []
    real_copy = shutil.copyfileobj

    def copy(src, dst, length=0):
        reads.append(length)
        return real_copy(src, dst, length)

    monkeypatch.setattr(archive.shutil, "copyfileobj", copy)
    info = write_zip({"assets/big.js": big}, tmp_path / "app.zip")
    assert reads == [archive.BLOCK]
    assert info.entries[0].size == 8 << 20
    unzip_test(info.path)
