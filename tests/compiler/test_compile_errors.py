"""Compile errors point at the user's file, line and column; a missing esbuild says the fix."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deskpro_cli.build.compiler import CompileOptions, compile_project
from deskpro_cli.errors import EXIT_ENVIRONMENT, EXIT_FAILED, ProblemsFound, ToolMissing

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'

FORM = """\
import React from "react";

export function Form({ price }) {
  const total = price * ;
  return <p>{total}</p>;
}
"""


def _caret_column(frame_line: str) -> int:
    """1-based column the caret of a code frame points at (after the ``  N | `` gutter)."""
    gutter = frame_line.index("|") + 2
    return frame_line.index("^") - gutter + 1


def test_syntax_error_points_at_the_file_line_and_column(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.jsx": """\
                import { Form } from "./Form";
                export default Form;
            """,
            "src/installer/javascript/Form.jsx": FORM,
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    error = caught.value
    assert error.exit_code == EXIT_FAILED
    (problem,) = error.problems
    assert problem.rule == "DP701"
    assert problem.severity == "error"
    assert problem.file == "src/installer/javascript/Form.jsx"
    line_text = FORM.splitlines()[3]
    assert problem.line == 4
    assert problem.column == line_text.index(";") + 1
    assert problem.location() == f"src/installer/javascript/Form.jsx:4:{problem.column}"
    headline, *indented = problem.message.splitlines()
    assert all(row.startswith("    ") for row in indented)
    frame = [row[4:] for row in indented]
    assert headline == 'Unexpected ";"'
    # The frame shows the user's line, marked, with the caret under the column.
    marked = [i for i, line in enumerate(frame) if line.startswith(">")]
    assert len(marked) == 1
    assert frame[marked[0]] == f"> 4 | {line_text}"
    assert _caret_column(frame[marked[0] + 1]) == problem.column
    assert frame[marked[0] - 1].endswith("| export function Form({ price }) {")
    assert not (project / "dist").exists()


def test_column_counts_characters_not_bytes(tree, compile_app) -> None:
    line = '  const label = "héllo wörld ✓" + ;'
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": f"window.x = 1;\n{line}\n",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, line.index(";") + 1)
    frame = [row[4:] for row in problem.message.splitlines()]
    assert _caret_column(frame[frame.index(f"> 2 | {line}") + 1]) == problem.column


def test_errors_in_app_and_screen_are_reported_together(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": "window.a = (;\n",
            "src/installer/javascript/index.jsx": "export default function S() { return <div>; }\n",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    files = sorted({p.file for p in caught.value.problems})
    assert files == ["src/installer/javascript/index.jsx", "src/main/javascript/index.js"]
    assert caught.value.message.startswith("compile failed: ")


def test_missing_relative_import(tree, compile_app) -> None:
    source = 'import React from "react";\nimport { helper } from "./helpers";\nwindow.h = helper;\n'
    project = tree({"package.json": PACKAGE_JSON, "src/main/javascript/index.jsx": source})
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    (problem,) = caught.value.problems
    assert problem.rule == "DP702"
    assert problem.message.splitlines()[0] == 'Could not resolve "./helpers"'
    assert (problem.file, problem.line) == ("src/main/javascript/index.jsx", 2)
    assert problem.column == source.splitlines()[1].index('"./helpers"') + 1
    assert "check the path" in (problem.hint or "")


def test_missing_package_says_how_to_install_it(tree, compile_app) -> None:
    source = 'import dayjs from "dayjs/plugin/utc";\nwindow.d = dayjs;\n'
    project = tree({"package.json": PACKAGE_JSON, "src/main/javascript/index.js": source})
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    (problem,) = caught.value.problems
    assert problem.rule == "DP702"
    assert "run `npm install` in" in (problem.hint or "")

    (project / "node_modules").mkdir()
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    assert "`npm install dayjs`" in (caught.value.problems[0].hint or "")


def test_react_subpath_that_the_globals_do_not_offer(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": 'import { renderToString } from "react-dom/server";\n'
            "window.r = renderToString;\n",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    hint = caught.value.problems[0].hint or ""
    assert "React is external" in hint and '"react": "bundle"' in hint


def test_missing_export_names_the_import(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": 'import { nope } from "./lib";\nwindow.n = nope;\n',
            "src/main/javascript/lib.js": "export const yes = 1;\n",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    (problem,) = caught.value.problems
    assert problem.rule == "DP702"
    assert problem.message.startswith('No matching export in "src/main/javascript/lib.js"')
    assert (problem.line, problem.column) == (1, 10)


def test_warnings_are_returned_not_raised(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": "window.same = (window.a === -0);\n",
        }
    )
    result = compile_app(project)
    (warning,) = result.warnings
    assert (warning.rule, warning.severity) == ("DP705", "warning")
    assert (warning.file, warning.line) == ("src/main/javascript/index.js", 1)
    assert "-0" in warning.message
    # A cached run reports the same warnings.
    again = compile_app(project)
    assert again.cached and again.warnings == result.warnings


# -- esbuild missing or refused ------------------------------------------------------------------
@pytest.fixture
def no_esbuild_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.usefixtures("no_esbuild_anywhere")
def test_esbuild_missing_is_exit_3_with_the_command_that_fixes_it(tree) -> None:
    project = tree({"package.json": PACKAGE_JSON, "src/installer/javascript/index.jsx": "x"})
    with pytest.raises(ToolMissing) as caught:
        compile_project(project, project / "dist", CompileOptions())
    error = caught.value
    assert error.exit_code == EXIT_ENVIRONMENT
    assert "src/installer/javascript/index.jsx" in error.message
    assert "npm install --save-dev esbuild@0.28.2" in (error.hint or "")
    assert str(project.resolve()) in (error.hint or "")
    assert not (project / "dist").exists()


@pytest.mark.usefixtures("no_esbuild_anywhere")
def test_esbuild_path_that_does_not_exist(tree, monkeypatch) -> None:
    project = tree({"src/main/javascript/index.js": "window.x = 1;"})
    with pytest.raises(ToolMissing) as caught:
        compile_project(project, project / "dist", CompileOptions(esbuild=project / "nope"))
    assert "given by --esbuild" in caught.value.message
    monkeypatch.setenv("DESKPRO_ESBUILD", str(project / "also-nope"))
    with pytest.raises(ToolMissing) as caught:
        compile_project(project, project / "dist", CompileOptions())
    assert "DESKPRO_ESBUILD" in caught.value.message


def test_broken_esbuild_is_reported(tree, tmp_path) -> None:
    fake = tmp_path / "esbuild"
    fake.write_text("#!/bin/sh\necho 'You installed esbuild for another platform' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    project = tree({"src/main/javascript/index.js": "window.x = 1;"})
    with pytest.raises(ToolMissing) as caught:
        compile_project(project, project / "dist", CompileOptions(esbuild=fake))
    assert "another platform" in caught.value.message
    assert "npm install" in (caught.value.hint or "")


def test_too_old_esbuild_is_refused(tree, tmp_path) -> None:
    fake = tmp_path / "esbuild"
    fake.write_text("#!/bin/sh\necho 0.8.57\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    project = tree({"src/main/javascript/index.js": "window.x = 1;"})
    with pytest.raises(ToolMissing) as caught:
        compile_project(project, project / "dist", CompileOptions(esbuild=fake))
    assert "too old" in caught.value.message
    assert "esbuild@0.28.2" in (caught.value.hint or "")


@pytest.mark.usefixtures("no_esbuild_anywhere")
def test_compiler_none_refuses_an_app_that_needs_compiling(tree) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.jsx": "window.x = <b/>;",
            "src/installer/javascript/index.tsx": "export default 1;",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_project(project, project / "dist", CompileOptions(compiler="none"))
    assert caught.value.exit_code == EXIT_FAILED
    assert [(p.rule, p.file) for p in caught.value.problems] == [
        ("DP703", "src/main/javascript/index.jsx"),
        ("DP703", "src/installer/javascript/index.tsx"),
    ]
    assert "--compiler none" in caught.value.message


def test_esbuild_found_in_node_modules_bin_and_on_path(tree, esbuild_path, monkeypatch) -> None:
    from deskpro_cli.build.esbuild import find_esbuild

    project = tree({"src/main/javascript/index.js": "window.x = 1;"})
    monkeypatch.setenv("PATH", str(esbuild_path.parent))
    assert find_esbuild(project).found_by == "PATH"
    nested = project / "packages" / "app"
    nested.mkdir(parents=True)
    bin_dir = project / "node_modules" / ".bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "esbuild").symlink_to(esbuild_path)
    found = find_esbuild(nested)  # hoisted by a workspace: found above the app
    assert (found.found_by, found.path) == ("node_modules", bin_dir / "esbuild")
    assert found.version == "0.28.2"
    monkeypatch.setenv("DESKPRO_ESBUILD", str(esbuild_path))
    assert find_esbuild(nested).found_by == "DESKPRO_ESBUILD"
    assert find_esbuild(nested, explicit=esbuild_path).found_by == "--esbuild"
