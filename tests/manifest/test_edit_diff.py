"""The diff of an edit is a real patch: ``git apply`` turns the old file into the new one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from deskpro_cli.manifest.edit import unified_diff

from .edit_support import package_json, write_project
from conftest import CliFixture


def applied(tmp_path: Path, before: str, diff: str, name: str = "package.json") -> str:
    """``before`` with ``diff`` applied by ``git apply`` (outside any repository)."""
    work = tmp_path / "apply"
    work.mkdir(exist_ok=True)
    (work / name).write_bytes(before.encode("utf-8"))
    (work / "change.diff").write_bytes(diff.encode("utf-8"))
    done = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", "change.diff"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr + diff
    return (work / name).read_bytes().decode("utf-8")


def long_text(lines: int, *, newline: str = "\n", final: bool = True) -> str:
    text = newline.join(f'  "key{i}": "value {i}",' for i in range(lines))
    return text + newline if final else text


@pytest.mark.parametrize(
    ("where", "newline", "final"),
    [
        ("middle", "\n", True),
        ("start", "\n", True),
        ("end", "\n", False),
        ("middle", "\r\n", True),
        ("end", "\r\n", False),
        ("two places", "\n", True),
    ],
)
def test_the_diff_applies(tmp_path: Path, where: str, newline: str, final: bool) -> None:
    before = long_text(400, newline=newline, final=final)
    lines = before.split(newline)
    spots = {"middle": [200], "start": [0], "end": [len(lines) - 1], "two places": [50, 300]}
    for at in spots[where]:
        lines[at] = lines[at].replace("value", "changed") + newline + '  "new": 1,'
    after = newline.join(lines)
    diff = unified_diff(before, after, "package.json")
    assert diff.startswith("--- a/package.json\n+++ b/package.json\n@@ ")
    assert applied(tmp_path, before, diff) == after
    if where == "middle":
        # only the change and three lines of context on each side, numbered in the whole file
        assert diff.count("\n") < 15
        assert "@@ -198,7 +198,8 @@" in diff


def test_a_line_separator_inside_a_string_does_not_split_a_line(tmp_path: Path) -> None:
    before = '{\n  "a": "x\u2028y",\n  "b": 1\n}\n'
    after = before.replace('"b": 1', '"b": 2')
    diff = unified_diff(before, after, "package.json")
    assert ' "a": "x\u2028y",\n' in diff
    assert applied(tmp_path, before, diff) == after


def test_dry_run_output_of_a_crlf_file_applies(
    cli: CliFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = package_json(storage=[], settings=[])
    doc["description"] = "Zoë's app \u2028 with a line separator"
    path = write_project(tmp_path / "app", doc, crlf=True)
    monkeypatch.chdir(tmp_path / "app")
    before = path.read_bytes().decode("utf-8")
    run = cli("storage", "add", "apiToken", "--dry-run")
    assert path.read_bytes().decode("utf-8") == before
    printed = run.result.stdout_bytes.decode("utf-8")  # (click's .stdout turns CRLF into LF)
    assert printed.startswith("--- a/package.json\n+++ b/package.json\n")
    assert '+        "name": "apiToken",\r\n' in printed
    cli("storage", "add", "apiToken")
    after = path.read_bytes().decode("utf-8")
    assert applied(tmp_path, before, printed) == after
    assert json.loads(after)["deskpro"]["storage"][0]["name"] == "apiToken"
