"""`deskpro validate` on a built dist/ folder and an app.zip: target files must be there."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.manifest import dumps_resolved, load_source
from deskpro_cli.manifest.resolve import resolve_manifest

from .helpers import manifest_json
from conftest import CliFixture


def built_files(**overrides: object) -> dict[str, str]:
    resolved = resolve_manifest(manifest_json(**overrides), passes=1)
    return {
        "manifest.json": dumps_resolved(resolved),
        "html/index.html": "<p>app</p>",
        "html/install.html": "<p>install</p>",
        "assets/main.js": "",
    }


def make_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_a_complete_dist_folder_is_valid(cli: CliFixture, tree) -> None:
    root = tree({f"dist/{k}": v for k, v in built_files().items()})
    source = load_source(root / "dist")
    assert source.origin == "dist" and source.bundle is not None
    assert "html/install.html" in source.bundle.files
    report = json.loads(cli("validate", root / "dist", "--json").stdout)
    assert report["problems"] == [] and report["source"].endswith("manifest.json")


def test_a_missing_target_file_in_dist(cli: CliFixture, tree) -> None:
    files = built_files()
    del files["html/install.html"]
    root = tree({f"dist/{k}": v for k, v in files.items()})
    run = cli("validate", root / "dist", code=1)
    line = next(x for x in run.stdout.splitlines() if "DP220" in x)
    text = files["manifest.json"]
    column = text.index('"html/install.html"') + 1
    assert line.split(": error")[0].endswith(f"dist/manifest.json:1:{column}")
    assert "html/install.html" in line


def test_a_complete_zip_is_valid(cli: CliFixture, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "app.zip", built_files())
    report = json.loads(cli("validate", path, "--json").stdout)
    assert report["ok"] is True and report["schema_version"] == "2.3.0"
    assert report["source"].endswith("app.zip!/manifest.json")


def test_a_zip_missing_a_target_file(cli: CliFixture, tmp_path: Path) -> None:
    files = built_files(
        targets=[
            {"target": "ticket-sidebar", "url": "html/index.html"},
            {"target": "person-sidebar", "url": "html/person.html"},
        ]
    )
    path = make_zip(tmp_path / "app.zip", files)
    report = json.loads(cli("validate", path, "--json", code=1).stdout)
    [problem] = report["problems"]
    assert problem["rule"] == "DP220" and problem["pointer"] == "/targets/1/url"
    assert "html/person.html" in problem["message"]
    assert problem["file"].endswith("app.zip!/manifest.json") and problem["line"] == 1


def test_target_files_are_not_checked_for_a_project(cli: CliFixture, tree) -> None:
    # in a project the pages are built later; a project's manifest.json is not a build
    root = tree({"manifest.json": json.dumps(manifest_json()), "src/main/html/.keep": ""})
    assert load_source(root).bundle is None
    cli("validate", root)


@pytest.mark.parametrize("url", ["html/index.html?x=1", "html/index.html#top", "./html/index.html"])
def test_url_suffixes_and_dot_segments(tree, url: str) -> None:
    files = built_files(targets=[{"target": "ticket-sidebar", "url": url}])
    root = tree({f"dist/{k}": v for k, v in files.items()})
    source = load_source(root / "dist")
    assert source.bundle is not None and source.bundle.has(url)


def test_the_bundle_is_the_same_type_wherever_it_is_imported_from(tree, tmp_path: Path) -> None:
    """``Bundle`` lives in ``manifest.bundle``; ``manifest.source`` and ``manifest`` re-export it
    (docs/architecture.md names it there)."""
    from deskpro_cli import manifest
    from deskpro_cli.manifest import bundle, source

    assert manifest.Bundle is source.Bundle is bundle.Bundle
    files = built_files()
    root = tree({f"dist/{k}": v for k, v in files.items()})
    for path in (root / "dist", make_zip(tmp_path / "app.zip", files)):
        found = load_source(path).bundle
        assert isinstance(found, bundle.Bundle)
        assert found.files == frozenset(files)
