"""Compiling a custom installer screen (src/installer/javascript) and its registration wrapper."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskpro_cli.errors import ProblemsFound

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'

# Loads a compiled screen into Node with a fake installer runtime that records the registration,
# then renders the registered component with the props the old contract gave it.
RENDER_SCREEN = """
let registered = null;
window.DeskproInstaller = { registerScreen(screen) { registered = screen; } };
require(values.bundle);
const props = {
  installType: "install",
  settings: [
    { name: "client_id", title: "Client ID", type: "text" },
    { name: "client_secret", title: "Client secret", type: "text" },
  ],
  values: { client_id: "Iv1.abc" },
  finishInstall: () => Promise.resolve({ onStatus() {} }),
  settingsForm: () => null,
  dpapp: {},
};
out({
  keys: Object.keys(registered).sort(),
  kind: typeof registered.react,
  sameReact: registered.React === window.React,
  sameReactDOM: registered.ReactDOM === window.ReactDOM,
  html: ReactDOMServer.renderToStaticMarkup(React.createElement(registered.react, props)),
});
"""

JSX_SCREEN = """\
    import React from "react";

    export default function GithubSettings({ settings, values, installType }) {
      return (
        <form className="screen">
          <h2>{installType === "install" ? "Connect GitHub" : "Update"}</h2>
          {settings.map((s) => (
            <label key={s.name}>
              {s.title}
              <input name={s.name} defaultValue={values[s.name] || ""} />
            </label>
          ))}
        </form>
      );
    }
"""


def _bundle(project: Path) -> str:
    return str(project / "dist/assets/install-screen/index.js")


def test_jsx_screen_registers_its_default_export(tree, compile_app, run_js) -> None:
    project = tree({"package.json": PACKAGE_JSON, "src/installer/javascript/index.jsx": JSX_SCREEN})
    result = compile_app(project)

    screen = result.screen
    assert screen is not None and result.app is None
    assert screen.entry == "src/installer/javascript/index.jsx"
    assert screen.react_globals
    assert {f.path for f in screen.files} == {
        "assets/install-screen/index.js",
        "assets/install-screen/index.js.map",
    }
    assert screen.css is None
    got = run_js(RENDER_SCREEN, bundle=_bundle(project))
    assert got["keys"] == ["React", "ReactDOM", "react"]
    assert got["kind"] == "function"
    assert got["sameReact"] and got["sameReactDOM"]
    assert got["html"] == (
        '<form class="screen"><h2>Connect GitHub</h2>'
        '<label>Client ID<input name="client_id" value="Iv1.abc"/></label>'
        '<label>Client secret<input name="client_secret" value=""/></label></form>'
    )


def test_screen_fails_clearly_when_loaded_before_the_runtime(tree, compile_app, run_js) -> None:
    project = tree({"package.json": PACKAGE_JSON, "src/installer/javascript/index.jsx": JSX_SCREEN})
    compile_app(project)
    said = run_js(
        "try { require(values.bundle); out('no error'); } catch (e) { out(e.message); }",
        bundle=_bundle(project),
    )
    assert "must load after the installer runtime" in said


def test_typescript_screen(tree, compile_app, run_js) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.tsx": """\
                import * as React from "react";

                interface Setting { name: string; title: string; type: string }
                interface Props { settings: Setting[]; values: Record<string, string | null> }
                enum Mode { Install = "install", Update = "update" }

                function titleOf<T extends Setting>(s: T): string {
                  return (s.title as string).toUpperCase();
                }

                const Screen: React.FC<Props> = ({ settings }: Props) => {
                  const [mode] = React.useState<Mode>(Mode.Install);
                  const items = settings.map((s) => <li key={s.name}>{titleOf(s)}</li>);
                  return <ul data-mode={mode}>{items}</ul>;
                };
                export default Screen;
            """,
        }
    )
    compile_app(project)
    got = run_js(RENDER_SCREEN, bundle=_bundle(project))
    assert got["html"] == '<ul data-mode="install"><li>CLIENT ID</li><li>CLIENT SECRET</li></ul>'


def test_screen_with_a_sibling_module_and_a_stylesheet(tree, compile_app, run_js) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.js": """\
                import React from "react";
                import { callbackNote } from "./copy";
                import "./screen.css";
                export default function Screen() {
                  return React.createElement("p", { className: "note" }, callbackNote("github"));
                }
            """,
            "src/installer/javascript/copy.js": """\
                export function callbackNote(provider) {
                  return `Paste this callback URL into your ${provider} OAuth App`;
                }
            """,
            "src/installer/javascript/screen.css": """\
                .note { font-weight: bold; background: url(./tick.svg) no-repeat; }
            """,
            "src/installer/javascript/tick.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
        }
    )
    result = compile_app(project)
    screen = result.screen
    assert screen is not None
    assert screen.css == "assets/install-screen/index.css"
    assert {f.path for f in screen.files} == {
        "assets/install-screen/index.js",
        "assets/install-screen/index.js.map",
        "assets/install-screen/index.css",
        "assets/install-screen/index.css.map",
    }
    css = (project / "dist/assets/install-screen/index.css").read_text()
    assert ".note{" in css and "font-weight:700" in css
    # The screen's folder is one level deeper than html/: images are inlined, never mis-linked.
    assert "url('data:image/svg+xml,<svg" in css
    got = run_js(RENDER_SCREEN, bundle=_bundle(project))
    assert got["html"] == '<p class="note">Paste this callback URL into your github OAuth App</p>'


def test_plain_object_screen_with_mount_registers_as_is(tree, compile_app, run_js) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.ts": """\
                export default {
                  mount(element: { textContent: string }, props: { installType: string }) {
                    element.textContent = "installing: " + props.installType;
                  },
                };
            """,
        }
    )
    compile_app(project)
    got = run_js(
        """
        let registered = null;
        window.DeskproInstaller = { registerScreen(s) { registered = s; } };
        require(values.bundle);
        const element = { textContent: "" };
        registered.mount(element, { installType: "update" });
        out({ keys: Object.keys(registered), text: element.textContent });
        """,
        bundle=_bundle(project),
    )
    assert got == {"keys": ["mount"], "text": "installing: update"}


def test_screen_without_a_default_export(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.jsx": "export function Screen() { return null; }\n",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    (problem,) = caught.value.problems
    assert problem.rule == "DP704"
    assert problem.file == "src/installer/javascript/index.jsx"
    assert "export default" in (problem.hint or "")
    assert not (project / "dist").exists()


def test_app_and_screen_compile_together(tree, compile_app) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": "window.app = 1;\n",
            "src/installer/javascript/index.jsx": JSX_SCREEN,
        }
    )
    result = compile_app(project)
    assert [u.unit for u in result.units] == ["app", "install-screen"]
    assert result.app is not None and not result.app.uses_react
    assert result.screen is not None and result.screen.react_globals
    written = sorted(
        p.relative_to(project / "dist").as_posix()
        for p in (project / "dist").rglob("*")
        if p.is_file()
    )
    assert written == sorted(f.path for f in result.files)
    assert json.loads((project / "dist/assets/main.js.map").read_text())["version"] == 3
