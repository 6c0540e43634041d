"""dist/ after a build: the build replaces its own files and never loses one it did not write."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.build.outdir import RECORD_NAME

from .apps import vanilla_app


def listing(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


@pytest.fixture
def app(tree) -> Path:
    return tree(vanilla_app())


def test_files_and_folders_beside_the_bundle_survive_rebuilds(cli, app: Path) -> None:
    cli("package", app)
    dist = app / "dist"
    (dist / "app.zip.sha256").write_text("abc  app.zip\n")
    (dist / "reports").mkdir()
    (dist / "reports/size.txt").write_text("18 KB\n")
    cli("package", app)
    cli("package", app)
    assert (dist / "app.zip.sha256").read_text() == "abc  app.zip\n"
    assert (dist / "reports/size.txt").read_text() == "18 KB\n"
    names = zip_names(dist / "app.zip")
    assert "app.zip.sha256" not in names and not any(n.startswith("reports") for n in names)


def test_a_file_inside_the_bundles_folders_stops_the_build_and_changes_nothing(
    cli, app: Path
) -> None:
    cli("package", app)
    dist = app / "dist"
    (dist / "html/mine.html").write_text("<p>mine</p>\n")
    (app / "src/main/resources/new.js").write_text("var added = 1;\n")
    before = listing(dist)
    run = cli("package", app, code=2)
    assert "dist/html/mine.html" in run.stderr and "did not write" in run.stderr
    assert "move them out of" in run.stderr
    assert "Traceback" not in run.output
    assert listing(dist) == before  # the zip, the bundle and the user's file as they were


def test_a_rebuild_removes_the_files_its_last_build_wrote_and_this_one_does_not(
    cli, app: Path
) -> None:
    (app / "src/main/resources/old.js").write_text("var old = 1;\n")
    cli("package", app)
    dist = app / "dist"
    assert (dist / "assets/old.js").is_file()
    (app / "src/main/resources/old.js").unlink()
    cli("package", app)
    assert not (dist / "assets/old.js").exists()
    record = json.loads((dist / RECORD_NAME).read_text())
    assert "assets/old.js" not in record["files"] and "assets/main.js" in record["files"]
    assert RECORD_NAME not in zip_names(dist / "app.zip")


def test_a_dist_of_another_tool(cli, app: Path) -> None:
    """No record: files at the paths this build writes are replaced; any other file in the
    bundle's folders (an old build's vendor.js) stops the build with the way out."""
    dist = app / "dist"
    (dist / "html").mkdir(parents=True)
    (dist / "html/index.html").write_text("old build\n")
    (dist / "manifest.json").write_text("{}\n")
    cli("package", app)  # only paths this build writes: replaced
    assert (dist / "html/index.html").read_bytes() == (
        app / "src/main/html/index.html"
    ).read_bytes()

    (dist / RECORD_NAME).unlink()
    (dist / "assets/vendor.js").write_text("old vendor\n")
    run = cli("package", app, code=2)
    assert "dist/assets/vendor.js" in run.stderr
    assert "if they are an old build, delete" in run.stderr
    assert (dist / "assets/vendor.js").read_text() == "old vendor\n"


@pytest.mark.parametrize("record", ["not json", '{"files": "x"}', "[]"])
def test_a_broken_record_counts_as_none(cli, app: Path, record: str) -> None:
    cli("package", app)
    dist = app / "dist"
    (dist / RECORD_NAME).write_text(record)
    (dist / "notes.txt").write_text("mine\n")
    cli("package", app)
    assert (dist / "notes.txt").read_text() == "mine\n"
    assert json.loads((dist / RECORD_NAME).read_text())["files"]


def test_many_files_are_counted_not_all_listed(cli, app: Path) -> None:
    cli("package", app)
    assets = app / "dist/assets"
    for i in range(8):
        (assets / f"extra{i}.js").write_text("x\n")
    run = cli("package", app, code=2)
    assert "and 3 more" in run.stderr
