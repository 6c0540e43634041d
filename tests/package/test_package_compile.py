"""`deskpro package` on apps that need compiling: real esbuild (the pinned one in tests/node)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.build.cdn import APPS_SDK_CORE, REACT, REACT_DOM

from .apps import vanilla_app

pytestmark = pytest.mark.node

APP_JS = """\
import { greet } from "./greet";
document.getElementById("title").textContent = greet("agent");
"""
GREET_JS = """\
export function greet(who) {
  return `Hello, ${who}`;
}
"""
SCREEN_JSX = """\
export default function Screen({ settingsForm: SettingsForm, settings, values, finishInstall }) {
  return <SettingsForm settings={settings} values={values} onSubmit={finishInstall} />;
}
"""


def compiled_app(**extra: str | bytes) -> dict[str, str | bytes]:
    files = vanilla_app()
    del files["src/main/resources/main.js"]
    files["src/main/javascript/index.js"] = APP_JS
    files["src/main/javascript/greet.js"] = GREET_JS
    files.update(extra)
    return files


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return zf.namelist()


def test_compiled_app_is_bundled_minified_and_maps_stay_out(cli, tree, esbuild_path):
    app = tree(compiled_app())
    cli("package", app, "--esbuild", esbuild_path)
    got = names(app / "dist/app.zip")
    assert "assets/main.js" in got
    assert not any(n.endswith(".map") for n in got)
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        bundle = zf.read("assets/main.js").decode()
    assert "Hello, " in bundle and "import " not in bundle
    assert "\n  return" not in bundle  # minified
    cli("package", app, "--esbuild", esbuild_path, "--sourcemaps")
    assert "assets/main.js.map" in names(app / "dist/app.zip")


def test_compiled_output_clashing_with_a_resource_is_refused(cli, tree, esbuild_path):
    app = tree(compiled_app(**{"src/main/resources/main.js": "var old = 1;\n"}))
    run = cli("package", app, "--esbuild", esbuild_path, code=1)
    assert "DP530" in run.stderr
    assert "src/main/resources/main.js and <compiled from src/main/javascript/index.js>" in (
        run.stderr
    )


def test_missing_esbuild_is_exit_3_and_keeps_the_previous_zip(cli, tree, esbuild_path, tmp_path):
    app = tree(compiled_app())
    cli("package", app, "--esbuild", esbuild_path)
    before = (app / "dist/app.zip").read_bytes()
    run = cli("package", app, "--esbuild", tmp_path / "no" / "esbuild", code=3)
    assert "esbuild" in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before


def test_compile_error_names_file_and_line(cli, tree, esbuild_path):
    app = tree(compiled_app(**{"src/main/javascript/greet.js": "export function greet( {\n"}))
    run = cli("package", app, "--esbuild", esbuild_path, code=1)
    assert "src/main/javascript/greet.js:" in run.stderr
    assert "DP701" in run.stderr
    assert not (app / "dist").exists()


def test_compiler_none_refuses_an_app_that_needs_compiling(cli, tree):
    app = tree(compiled_app())
    run = cli("package", app, "--compiler", "none", code=1)
    assert "DP703" in run.stderr


def script_sources(page: str) -> list[str]:
    """The ``src`` of every script element of an HTML page, in order."""
    return re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)


def test_compiled_installer_screen_is_loaded_by_the_installer_page(cli, tree, esbuild_path):
    app = tree({**vanilla_app(), "src/installer/javascript/index.jsx": SCREEN_JSX})
    cli("package", app, "--esbuild", esbuild_path)
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        got = zf.namelist()
        page = zf.read("html/install.html").decode()
    assert "assets/install-screen/index.js" in got
    assert "../assets/install-screen/index.js" in page
    # JSX without a React import still needs React: the page loads the pinned UMD builds first.
    assert script_sources(page) == [
        APPS_SDK_CORE.url,
        REACT.url,
        REACT_DOM.url,
        "../assets/deskpro-installer.js",
        "../assets/install-screen/index.js",
    ]


def test_compiled_mount_screen_page_and_bundle_carry_no_react(cli, tree, esbuild_path):
    screen = """\
import { heading } from "./heading";
export default {
  mount(element, props) {
    element.appendChild(heading(props.installType));
  },
};
"""
    heading = """\
export function heading(text) {
  const h2 = document.createElement("h2");
  h2.textContent = text;
  return h2;
}
"""
    app = tree(
        {
            **vanilla_app(),
            "src/installer/javascript/index.js": screen,
            "src/installer/javascript/heading.js": heading,
        }
    )
    cli("package", app, "--esbuild", esbuild_path)
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        page = zf.read("html/install.html").decode()
        bundle = zf.read("assets/install-screen/index.js").decode()
    assert script_sources(page) == [
        APPS_SDK_CORE.url,
        "../assets/deskpro-installer.js",
        "../assets/install-screen/index.js",
    ]
    assert "react" not in page.lower()
    # neither React's global shims nor anything importing them made it into the bundle
    assert "window.React" not in bundle and "React is external" not in bundle


def test_plain_installer_screen_is_copied_and_loaded(cli, tree):
    screen = "window.DeskproInstaller.registerScreen({ mount: function (el) {} });\n"
    app = tree(
        {
            **vanilla_app(),
            "src/installer/resources/index.js": screen,
            "src/installer/resources/index.css": ".x { color: red; }\n",
        }
    )
    cli("package", app)
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        page = zf.read("html/install.html").decode()
        assert zf.read("assets/install-screen/index.js").decode() == screen
    assert "../assets/install-screen/index.js" in page
    assert "../assets/install-screen/index.css" in page
    assert "react-dom" not in page
