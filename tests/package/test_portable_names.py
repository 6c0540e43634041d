"""Bundle paths that collide or break when the zip is unpacked on macOS or Windows."""

from __future__ import annotations

import json
import unicodedata
import zipfile

import pytest

from deskpro_cli.build.portable import (
    MAX_PATH_CHARS,
    case_key,
    not_portable,
    portability_problems,
)

from .apps import png, vanilla_app


# -- the check itself ------------------------------------------------------------------------------
def test_two_files_differing_only_by_case_are_an_error_naming_both() -> None:
    origins = {
        "assets/Icon.png": "src/main/resources/Icon.png",
        "assets/icon.png": "src/main/resources/icon.png",
        "assets/main.js": "src/main/resources/main.js",
    }
    (problem,) = portability_problems(origins)
    assert problem.rule == "DP531" and problem.severity == "error"
    assert "assets/Icon.png (from src/main/resources/Icon.png)" in problem.message
    assert "assets/icon.png (from src/main/resources/icon.png)" in problem.message
    assert "macOS and Windows" in problem.message
    assert problem.file == "src/main/resources/icon.png"  # the later one, as DP530 does
    assert problem.hint and "rename one" in problem.hint


def test_a_generated_file_names_the_users_file() -> None:
    origins = {
        "assets/Main.js": "src/main/resources/Main.js",
        "assets/main.js": "<compiled from src/main/javascript/index.js>",
    }
    (problem,) = portability_problems(origins)
    assert problem.rule == "DP531"
    assert problem.file == "src/main/resources/Main.js"
    assert "<compiled from src/main/javascript/index.js>" in problem.message


def test_a_file_named_like_another_files_folder_but_for_case() -> None:
    origins = {
        "assets/Img": "src/main/resources/Img",
        "assets/img/logo.png": "src/main/resources/img/logo.png",
    }
    (problem,) = portability_problems(origins)
    assert problem.rule == "DP531"
    assert "the folder assets/img/ of assets/img/logo.png" in problem.message


def test_a_file_where_the_bundle_needs_a_folder_is_a_collision() -> None:
    origins = {
        "assets/install-screen": "src/main/resources/install-screen",
        "assets/install-screen/index.js": "<compiled from src/installer/javascript/index.js>",
    }
    (problem,) = portability_problems(origins)
    assert problem.rule == "DP530"
    assert problem.file == "src/main/resources/install-screen"


def test_accents_composed_or_decomposed_are_the_same_name() -> None:
    composed = "assets/caf\u00e9.png"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed and case_key(composed) == case_key(decomposed)
    (problem,) = portability_problems({composed: composed, decomposed: decomposed})
    assert problem.rule == "DP531"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("assets/a:b.png", "`:`"),
        ("assets/a\\b.png", "`\\`"),
        ("assets/what?.txt", "`?`"),
        ("assets/tab\there.txt", "control character"),
        ("assets/notes.", "ends with a dot"),
        ("assets/notes ", "ends with a dot or a space"),
        ("assets/folder./x.js", "ends with a dot"),
        ("assets/CON", "reserved device name"),
        ("assets/con.txt", "reserved device name on Windows (CON)"),
        ("assets/lpt1.log", "(LPT1)"),
        ("assets/nul/x.js", "(NUL)"),
        ("assets/" + "x" * 256, "longer than 255 bytes"),
        ("assets/" + "/".join(["folder"] * 30) + "/a.js", f"over {MAX_PATH_CHARS}"),
    ],
)
def test_names_that_do_not_unpack_everywhere_are_warned_about(name: str, reason: str) -> None:
    (problem,) = portability_problems({name: "src/main/resources/" + name[len("assets/") :]})
    assert problem.rule == "DP532" and problem.severity == "warning"
    assert reason in problem.message
    assert problem.file.startswith("src/main/resources/")


@pytest.mark.parametrize(
    "name",
    [
        "assets/icon.png",
        "assets/console.js",  # starts like CON
        "assets/com10.js",  # not a device
        "assets/.well-known/x",  # dot first is fine
        "assets/über-straße.png",
        "assets/my file (1).png",
    ],
)
def test_portable_names_pass(name: str) -> None:
    assert not_portable(name) == []
    assert portability_problems({name: name}) == []


# -- through `deskpro package` --------------------------------------------------------------------
def test_package_refuses_case_twins_and_keeps_the_previous_zip(cli, tree) -> None:
    app = tree(vanilla_app())
    cli("package", app)
    before = (app / "dist/app.zip").read_bytes()
    (app / "src/main/resources/Icon.png").write_bytes(png(3, 3))
    run = cli("package", app, "--json", code=1)
    report = json.loads(run.stdout)
    (problem,) = [p for p in report["problems"] if p["rule"] == "DP531"]
    assert "assets/Icon.png (from src/main/resources/Icon.png)" in problem["message"]
    assert "assets/icon.png (from src/main/resources/icon.png)" in problem["message"]
    assert (app / "dist/app.zip").read_bytes() == before
    assert not (app / "dist/assets/Icon.png").exists()


def test_package_refuses_a_resource_that_is_the_compiled_bundle_but_for_case(
    cli, tree, esbuild_path
) -> None:
    files = vanilla_app()
    del files["src/main/resources/main.js"]
    files["src/main/javascript/index.js"] = "window.x = 1;\n"
    files["src/main/resources/Main.js"] = "window.y = 2;\n"
    app = tree(files)
    run = cli("package", app, "--esbuild", esbuild_path, code=1)
    assert "DP531" in run.stderr
    assert "assets/Main.js (from src/main/resources/Main.js)" in run.stderr
    assert "assets/main.js (from <compiled from src/main/javascript/index.js>)" in run.stderr
    assert not (app / "dist/app.zip").exists()


def test_package_warns_about_names_windows_cannot_hold_and_still_builds(cli, tree) -> None:
    app = tree(
        {
            **vanilla_app(),
            "src/main/resources/aux.css": "b {}\n",
            "src/main/resources/12:30.txt": "noon\n",
        }
    )
    run = cli("package", app)
    assert run.stderr.count("DP532") == 2
    assert "'aux.css' is a reserved device name on Windows (AUX)" in run.stderr
    assert "'12:30.txt' has `:`" in run.stderr
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        assert {"assets/aux.css", "assets/12:30.txt"} <= set(zf.namelist())
