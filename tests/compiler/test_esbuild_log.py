"""Reading esbuild's log format, and code frames."""

from __future__ import annotations

import subprocess
from pathlib import Path

from deskpro_cli.build.codeframe import byte_to_char_column, code_frame
from deskpro_cli.build.esbuild_log import parse_log, to_problem

SAMPLE = """\
▲ [WARNING] Comparison with -0 using the "===" operator will also match 0 [equals-negative-zero]

    src/a.js:1:19:
      1 │ window.same = (a === -0);
        ╵                    ~~

  Floating-point equality is defined such that 0 and -0 are equal, so "x === -0" returns true
  for both 0 and -0. You need to use "Object.is(x, -0)" instead to test for -0.

✘ [ERROR] Could not resolve "./missing"

    src/b.jsx:3:7:
      3 │ import "./missing";
        ╵        ~~~~~~~~~~~

✘ [ERROR] Invalid target "netscape4" in "--target=netscape4"

1 warning and 2 errors
"""


def test_parse_sample() -> None:
    warning, missing, target = parse_log(SAMPLE)
    assert (warning.kind, warning.message_id, warning.file) == (
        "warning",
        "equals-negative-zero",
        "src/a.js",
    )
    assert (warning.line, warning.byte_column) == (1, 19)
    assert warning.text == 'Comparison with -0 using the "===" operator will also match 0'
    assert len(warning.notes) == 1 and warning.notes[0].startswith("Floating-point equality")
    assert warning.notes[0].endswith("to test for -0.")
    assert (missing.kind, missing.text, missing.file, missing.line, missing.byte_column) == (
        "error",
        'Could not resolve "./missing"',
        "src/b.jsx",
        3,
        7,
    )
    assert missing.notes == []
    assert (target.file, target.line) == (None, None)


def test_parse_what_the_pinned_esbuild_prints(esbuild_path: Path, tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("const a = 1;\nconst b = (a +;\n")
    proc = subprocess.run(
        [str(esbuild_path), "a.js", "--bundle", "--color=false", "--log-limit=0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    (msg,) = parse_log(proc.stderr)
    assert (msg.kind, msg.file, msg.line, msg.byte_column) == ("error", "a.js", 2, 14)
    problem = to_problem(msg, project_dir=tmp_path, react_external=True)
    assert (problem.line, problem.column) == (2, 15)


def test_message_without_location_names_package_json(tmp_path: Path) -> None:
    (target,) = parse_log('✘ [ERROR] Invalid target "x" in "--target=x"\n')
    problem = to_problem(target, project_dir=tmp_path, react_external=True)
    assert (problem.file, problem.line, problem.column) == ("package.json", None, None)


def test_byte_columns_become_character_columns() -> None:
    line = 'const s = "héllo ✓"; x'
    assert byte_to_char_column(line, len(line.encode())) == len(line)
    assert byte_to_char_column(line, line.encode().index(b"x")) == line.index("x")
    assert byte_to_char_column(line, 0) == 0
    # Inside a multi-byte character: clamped to its start.
    assert byte_to_char_column("é", 1) == 0


def test_code_frame_shape() -> None:
    lines = ["one", "two", "three", "four", "five"]
    assert code_frame(lines, 3, 2) == "\n".join(
        ["  1 | one", "  2 | two", "> 3 | three", "    |  ^", "  4 | four"]
    )
    assert code_frame(lines, 1, 1).splitlines()[0] == "> 1 | one"
    assert code_frame(lines, 9, 1) == ""
    assert code_frame([], 1, 1) == ""


def test_code_frame_keeps_the_caret_visible_on_long_lines() -> None:
    line = "x" * 300 + "!" + "y" * 300
    frame = code_frame([line], 1, 301, width=80).splitlines()
    marked, caret = frame
    gutter = len("> 1 | ")
    assert marked[gutter + caret.index("^") - gutter] == "!"
    assert len(marked) <= gutter + 80
