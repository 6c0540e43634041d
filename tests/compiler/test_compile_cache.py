"""Incremental compiles, reproducible bytes, and source maps."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'

APP = {
    "package.json": PACKAGE_JSON,
    "src/main/javascript/index.jsx": """\
        import { label } from "./label";
        import "./look.css";
        window.el = <b>{label}</b>;
    """,
    "src/main/javascript/label.js": 'export const label = "one";\n',
    "src/main/javascript/look.css": "b { color: red; }\n",
    "src/installer/javascript/index.tsx": """\
        import React from "react";
        export default function Screen(): JSX.Element { return <i>screen</i>; }
    """,
}


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_unchanged_second_run_skips_esbuild_and_gives_identical_bytes(
    tree, compile_app, esbuild_runs
) -> None:
    project = tree(APP)
    first = compile_app(project, out=project / "out1")
    assert len(esbuild_runs) == 2 and not first.cached
    second = compile_app(project, out=project / "out2")
    assert len(esbuild_runs) == 2, "esbuild ran again on unchanged sources"
    assert second.cached and all(u.cached for u in second.units)
    assert _outputs(project / "out1") == _outputs(project / "out2")
    assert [u.files for u in first.units] == [u.files for u in second.units]
    assert second.app is not None and second.app.uses_react == first.app.uses_react  # type: ignore[union-attr]


def test_a_changed_input_recompiles_only_its_unit(tree, compile_app, esbuild_runs) -> None:
    project = tree(APP)
    compile_app(project)
    (project / "src/main/javascript/label.js").write_text('export const label = "two";\n')
    result = compile_app(project)
    assert len(esbuild_runs) == 3
    assert result.app is not None and not result.app.cached
    assert result.screen is not None and result.screen.cached
    assert '"two"' in (project / "dist/assets/main.js").read_text()


def test_a_new_file_that_changes_resolution_recompiles(tree, compile_app, esbuild_runs) -> None:
    project = tree(APP)
    compile_app(project)
    # "./label" now resolves to label.ts (esbuild tries .ts before .js).
    (project / "src/main/javascript/label.ts").write_text('export const label: string = "ts";\n')
    compile_app(project)
    assert len(esbuild_runs) == 3
    assert '"ts"' in (project / "dist/assets/main.js").read_text()


def test_options_and_settings_are_part_of_the_key(tree, compile_app, esbuild_runs) -> None:
    project = tree(APP)
    compile_app(project)
    compile_app(project, mode="serve")
    assert len(esbuild_runs) == 4
    compile_app(project)  # the package-mode record is still there
    compile_app(project, mode="serve")
    assert len(esbuild_runs) == 4
    (project / "package.json").write_text(
        json.dumps({"name": "demo-app", "deskpro-cli": {"target": "es2017"}, "deskpro": {}})
    )
    compile_app(project)
    assert len(esbuild_runs) == 6


def test_editing_the_manifest_does_not_recompile(tree, compile_app, esbuild_runs) -> None:
    project = tree(APP)
    compile_app(project)
    document = json.loads((project / "package.json").read_text())
    document["deskpro"]["settings"] = [{"name": "greeting", "type": "text"}]
    (project / "package.json").write_text(json.dumps(document, indent=4))
    assert compile_app(project).cached
    assert len(esbuild_runs) == 2
    # Anything else in package.json can change how esbuild resolves or tree-shakes.
    document["sideEffects"] = False
    (project / "package.json").write_text(json.dumps(document, indent=4))
    assert not compile_app(project).cached
    assert len(esbuild_runs) == 4


def test_use_cache_false_always_compiles_to_the_same_bytes(tree, compile_app, esbuild_runs) -> None:
    project = tree(APP)
    compile_app(project, out=project / "a", use_cache=False)
    compile_app(project, out=project / "b", use_cache=False)
    assert len(esbuild_runs) == 4
    assert _outputs(project / "a") == _outputs(project / "b")


def test_a_damaged_cache_is_a_miss_not_a_wrong_output(tree, compile_app, esbuild_runs) -> None:
    project = tree(APP)
    compile_app(project)
    good = _outputs(project / "dist")
    objects = project / "target/.deskpro-cache/compile/objects"
    for obj in objects.iterdir():
        obj.write_bytes(b"garbage")
    result = compile_app(project, out=project / "again")
    assert not result.cached and len(esbuild_runs) == 4
    assert _outputs(project / "again") == good


def test_stale_staging_folders_are_swept(tree, compile_app) -> None:
    project = tree(APP)
    stage = project / "target/.deskpro-cache/compile/stage"
    old = stage / "app-killed"
    fresh = stage / "app-running"
    for folder in (old, fresh):
        (folder / "assets").mkdir(parents=True)
    os.utime(old, (1_000_000, 1_000_000))
    compile_app(project)
    assert not old.exists()
    assert fresh.exists()  # maybe another build's, still running
    assert sorted(p.name for p in stage.iterdir()) == ["app-running"]


def test_cache_can_live_elsewhere(tree, compile_app, tmp_path) -> None:
    project = tree(APP)
    cache = tmp_path / "shared-cache"
    compile_app(project, cache_dir=cache)
    assert (cache / "units").is_dir()
    assert not (project / "target").exists()
    assert compile_app(project, cache_dir=cache).cached


def test_same_sources_in_two_folders_give_the_same_bytes(tree, compile_app) -> None:
    one = tree(APP)
    two = tree(APP)
    for project in (one, two):
        compile_app(project, sourcemaps=True)
    assert _outputs(one / "dist") == _outputs(two / "dist")


# -- source maps -----------------------------------------------------------------------------
def test_package_writes_hidden_maps_left_out_of_the_zip(tree, compile_app) -> None:
    project = tree(APP)
    result = compile_app(project)
    maps = {f.path for f in result.files if f.path.endswith(".map")}
    assert maps == {
        "assets/main.js.map",
        "assets/main.css.map",
        "assets/install-screen/index.js.map",
    }
    assert result.leave_out == maps
    assert all(not f.in_zip for f in result.files if f.path in maps)
    assert all(f.in_zip for f in result.files if f.path not in maps)
    for path in maps:
        assert (project / "dist" / path).is_file()
    # Not linked: a map that is not shipped must not be asked for.
    assert "sourceMappingURL" not in (project / "dist/assets/main.js").read_text()
    assert "sourceMappingURL" not in (project / "dist/assets/main.css").read_text()


@pytest.mark.parametrize("options", [{"sourcemaps": True}, {"mode": "serve"}])
def test_maps_are_linked_when_shipped_or_served(tree, compile_app, options) -> None:
    project = tree(APP)
    result = compile_app(project, **options)
    assert result.leave_out == (frozenset() if options.get("sourcemaps") else result.leave_out)
    main = (project / "dist/assets/main.js").read_text()
    assert main.endswith("//# sourceMappingURL=main.js.map\n")
    css = (project / "dist/assets/main.css").read_text()
    assert css.endswith("/*# sourceMappingURL=main.css.map */\n")
    screen = (project / "dist/assets/install-screen/index.js").read_text()
    assert screen.endswith("//# sourceMappingURL=index.js.map\n")


def test_map_sources_are_relative_to_the_bundle_layout(tree, compile_app) -> None:
    project = tree(APP)
    compile_app(project, out=project / "deep" / "down" / "out", mode="serve")
    main_map = json.loads((project / "deep/down/out/assets/main.js.map").read_text())
    assert "../../src/main/javascript/index.jsx" in main_map["sources"]
    assert "../../src/main/javascript/label.js" in main_map["sources"]
    index = main_map["sources"].index("../../src/main/javascript/label.js")
    assert main_map["sourcesContent"][index] == 'export const label = "one";\n'
    screen_map_file = project / "deep/down/out/assets/install-screen/index.js.map"
    screen_map = json.loads(screen_map_file.read_text())
    assert "../../../src/installer/javascript/index.tsx" in screen_map["sources"]
    assert not any(os.sep + "tmp" in s or s.startswith("/") for s in screen_map["sources"])


def test_moving_the_project_keeps_the_cache_valid(
    tree, compile_app, esbuild_runs, tmp_path
) -> None:
    project = tree(APP)
    compile_app(project)
    moved = tmp_path / "moved"
    shutil.move(str(project), moved)
    result = compile_app(moved)
    assert result.cached and len(esbuild_runs) == 2
