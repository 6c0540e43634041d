"""The compile step through ``deskpro package``: incremental builds, JSON errors, React modes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.build import esbuild as esbuild_module

from .apps import vanilla_app

pytestmark = pytest.mark.node

APP = {
    "src/main/javascript/index.jsx": """\
        import { Title } from "./Title";
        import "./look.css";
        ReactDOM.createRoot(document.getElementById("title")).render(<Title who="agent" />);
    """,
    "src/main/javascript/Title.jsx": """\
        export function Title({ who }) { return <b className="title">Hello, {who}</b>; }
    """,
    "src/main/javascript/look.css": ".title { color: teal; }\n",
    "src/installer/javascript/index.jsx": """\
        export default function Screen({ settingsForm: Form, settings, values, finishInstall }) {
          return <Form settings={settings} values={values} onSubmit={finishInstall} />;
        }
    """,
}


def compiled_app(**extra: str | bytes) -> dict[str, str | bytes]:
    files = vanilla_app()
    del files["src/main/resources/main.js"]
    del files["src/main/resources/main.css"]
    files.update(APP)
    files.update(extra)
    return files


@pytest.fixture
def esbuild_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    runs: list[list[str]] = []
    real = esbuild_module.run_esbuild

    def counting(executable, args, *, cwd, stdin=None):  # type: ignore[no-untyped-def]
        if "--version" not in args:
            runs.append(list(args))
        return real(executable, args, cwd=cwd, stdin=stdin)

    monkeypatch.setattr(esbuild_module, "run_esbuild", counting)
    return runs


@pytest.fixture(scope="module")
def react_modules(esbuild_path: Path) -> Path:
    """tests/node/node_modules, where `npm ci` installed React 18 beside esbuild."""
    modules = esbuild_path.parent.parent
    if not (modules / "react" / "package.json").is_file():
        pytest.fail("react is missing from tests/node: run `npm ci` there")
    return modules


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_second_package_skips_esbuild_and_writes_the_same_zip(
    cli, tree, esbuild_path, esbuild_runs
) -> None:
    app = tree(compiled_app())
    cli("package", app, "--esbuild", esbuild_path)
    assert len(esbuild_runs) == 2
    first = sha256(app / "dist/app.zip")
    cli("package", app, "--esbuild", esbuild_path)
    assert len(esbuild_runs) == 2, "esbuild ran for unchanged sources"
    assert sha256(app / "dist/app.zip") == first
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        names = zf.namelist()
    assert {"assets/main.js", "assets/main.css", "assets/install-screen/index.js"} <= set(names)

    (app / "src/main/javascript/Title.jsx").write_text(
        'export function Title({ who }) { return <i className="title">Hi, {who}</i>; }\n'
    )
    cli("package", app, "--esbuild", esbuild_path)
    assert len(esbuild_runs) == 3  # only the app; the screen came from the cache
    assert sha256(app / "dist/app.zip") != first


def test_compiled_zip_is_the_same_from_two_folders(cli, tree, esbuild_path) -> None:
    one = tree(compiled_app())
    two = tree(compiled_app())
    os.utime(two / "src/main/javascript/Title.jsx", (1_000_000, 1_000_000))
    sums = []
    for app in (one, two):
        cli("package", app, "--esbuild", esbuild_path, "--sourcemaps")
        sums.append(sha256(app / "dist/app.zip"))
    assert sums[0] == sums[1]
    with zipfile.ZipFile(one / "dist/app.zip") as zf:
        source_map = json.loads(zf.read("assets/main.js.map"))
        assert zf.read("assets/main.js").endswith(b"//# sourceMappingURL=main.js.map\n")
    assert "../../src/main/javascript/Title.jsx" in source_map["sources"]


def test_compile_error_as_json(cli, tree, esbuild_path, monkeypatch) -> None:
    broken = "export function Title({ who }) {\n  const n = who * ;\n  return <b>{n}</b>;\n}\n"
    app = tree(compiled_app(**{"src/main/javascript/Title.jsx": broken}))
    monkeypatch.chdir(app.parent)
    run = cli("package", app.name, "--esbuild", esbuild_path, "--json", code=1)
    data = json.loads(run.stdout)  # exactly one JSON object on stdout
    assert data["ok"] is False and data["exit_code"] == 1
    (problem,) = data["problems"]
    assert problem["rule"] == "DP701"
    # named from the current folder, as the manifest's own problems are
    assert problem["file"] == f"{app.name}/src/main/javascript/Title.jsx"
    assert problem["line"] == 2
    assert problem["column"] == broken.splitlines()[1].index(";") + 1
    assert "> 2 |   const n = who * ;" in problem["message"]
    assert not (app / "dist").exists()


def test_missing_esbuild_says_the_exact_fix(cli, tree, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = tree(compiled_app())
    run = cli("package", app, code=3)
    assert "npm install --save-dev esbuild@0.28.2" in run.stderr
    assert "src/main/javascript/index.jsx" in run.stderr
    assert not (app / "dist").exists()


def test_esbuild_from_the_environment(cli, tree, esbuild_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = tree(compiled_app())
    cli("package", app, env={"DESKPRO_ESBUILD": str(esbuild_path)})
    assert (app / "dist/app.zip").is_file()


def test_esbuild_paths_relative_to_the_current_folder(
    cli, tree, esbuild_path, monkeypatch, tmp_path
) -> None:
    # `--esbuild node_modules/.bin/esbuild` is relative to where the user is, though esbuild
    # runs in the project folder (and `--version` in its own).
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = tree(compiled_app())
    monkeypatch.chdir(esbuild_path.parent)
    cli("package", app, "--esbuild", esbuild_path.name)
    assert (app / "dist/app.zip").is_file()
    shutil.rmtree(app / "target")  # no cache: esbuild must really run
    cli("package", app, env={"DESKPRO_ESBUILD": f"./{esbuild_path.name}"})
    assert (app / "dist/app.zip").is_file()


def test_bundled_react_means_no_react_on_the_installer_page(
    cli, tree, esbuild_path, react_modules
) -> None:
    files = compiled_app()
    document = json.loads(str(files["package.json"]))
    document["deskpro-cli"] = {"react": "bundle"}
    files["package.json"] = json.dumps(document, indent=2)
    files["src/main/javascript/index.jsx"] = """\
        import { createRoot } from "react-dom/client";
        import { Title } from "./Title";
        import "./look.css";
        createRoot(document.getElementById("title")).render(<Title who="agent" />);
    """
    app = tree(files)
    os.symlink(react_modules, app / "node_modules")
    cli("package", app, "--esbuild", esbuild_path)
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        page = zf.read("html/install.html").decode()
        screen = zf.read("assets/install-screen/index.js")
        names = zf.namelist()
    assert "react@18.3.1" not in page and "react-dom@18.3.1" not in page
    assert b"window.React is missing" not in screen  # React is inside, not a global
    assert len(screen) > 50_000
    assert not any("node_modules" in n for n in names)
