"""A new project packages straight away: vanilla and github-oauth with no Node.js on the machine,
react after ``npm install`` in the app (esbuild, react and react-dom from the npm registry)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT, npm_install

COMMON = {
    "manifest.json",
    "html/index.html",
    "html/install.html",
    "assets/icon.png",
    "assets/styles.css",
    "assets/deskpro-installer.js",
    "assets/deskpro-installer.css",
    "docs/ADMIN_README.md",
}
EXPECTED = {
    "vanilla": COMMON | {"assets/app.js"},
    "github-oauth": COMMON
    | {"assets/app.js", "assets/install-screen/index.js", "assets/install-screen/index.css"},
    "react": COMMON | {"assets/main.js", "assets/install-screen/index.js"},
}


def _env_without_node(tmp_path: Path) -> dict[str, str]:
    """The environment with a PATH that has Python and nothing else: no node, npm or esbuild."""
    bin_dir = tmp_path / "only-python"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKPRO_")}
    env["PATH"] = str(bin_dir)
    env.pop("PYTHONPATH", None)
    import deskpro_cli

    if Path(deskpro_cli.__file__).resolve().parent.parent == REPO_ROOT:
        env["PYTHONPATH"] = str(REPO_ROOT)
    for tool in ("node", "npm", "npx", "esbuild"):
        assert shutil.which(tool, path=env["PATH"]) is None
    return env


def _deskpro(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskpro_cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _entries(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.mark.parametrize("template", ["vanilla", "github-oauth"])
def test_buildless_templates_package_without_node(tmp_path: Path, template: str) -> None:
    env = _env_without_node(tmp_path)
    init = _deskpro(env, tmp_path, "init", "my-app", "--template", template, "--no-input")
    assert init.returncode == 0, init.stderr
    run = _deskpro(env, tmp_path / "my-app", "package", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert report["path"].endswith("app.zip")

    entries = _entries(tmp_path / "my-app" / "dist" / "app.zip")
    assert set(entries) == EXPECTED[template]
    assert report["entries"] == len(entries)
    project = tmp_path / "my-app"
    # The app's own files go in as they are.
    assert entries["html/index.html"] == (project / "src/main/html/index.html").read_bytes()
    assert entries["assets/app.js"] == (project / "src/main/resources/app.js").read_bytes()
    manifest = json.loads(entries["manifest.json"])
    assert manifest["name"] == "my-app"
    assert manifest["targets"][-1] == {"target": "install", "url": "html/install.html"}
    install_page = entries["html/install.html"].decode()
    if template == "github-oauth":
        assert (
            entries["assets/install-screen/index.js"]
            == (project / "src/installer/resources/index.js").read_bytes()
        )
        assert "../assets/install-screen/index.js" in install_page
    else:
        assert "install-screen" not in install_page


def test_react_template_without_npm_install_says_run_npm_install(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """package.json already lists esbuild: the fix is `npm install`, not adding it again."""
    monkeypatch.delenv("DESKPRO_ESBUILD", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    project = tmp_path / "react-app"
    cli("init", project, "--template", "react", "--no-input")
    run = cli("package", project, code=3)
    assert "esbuild is needed to compile src/main/javascript/index.jsx" in run.stderr
    assert f"hint: run `npm install` in {project.resolve()}" in run.stderr
    assert "--save-dev" not in run.stderr
    assert not (project / "dist").exists()


@pytest.mark.node
@pytest.mark.slow
def test_react_template_packages_after_npm_install(cli, tmp_path: Path) -> None:
    project = tmp_path / "react-app"
    cli("init", project, "--template", "react", "--no-input")
    npm_install(project)
    esbuild = project / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists()
    assert (
        "0.28.2"
        in subprocess.run(
            [str(esbuild), "--version"], capture_output=True, text=True, check=True
        ).stdout
    )

    # No --esbuild, no DESKPRO_ESBUILD: package finds esbuild in the app's node_modules/.bin.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKPRO_")}
    run = _deskpro(env, project, "package", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    entries = _entries(project / "dist" / "app.zip")
    assert EXPECTED["react"] <= set(entries)
    assert not any(name.endswith(".map") for name in entries)
    assert not any(name.startswith(("src/", "node_modules/")) for name in entries)
    main_js = entries["assets/main.js"].decode()
    screen_js = entries["assets/install-screen/index.js"].decode()
    # Both JSX entries were compiled: no JSX left, React kept external (the page's globals).
    for bundle in (main_js, screen_js):
        assert "<SettingsForm" not in bundle and "<App " not in bundle
        assert "import React" not in bundle
    assert "registerScreen" in screen_js
    install_page = entries["html/install.html"].decode()
    assert "react@18.3.1/umd/react.production.min.js" in install_page
    assert "../assets/install-screen/index.js" in install_page
