"""Whether a compiled installer screen needs React: decided from esbuild's metafile.

A screen that (itself, or through anything it imports) imports ``react``/``react-dom`` or uses
JSX is wrapped as a React screen, and the installer page must load React's globals; a plain
``{mount}`` screen is wrapped without any React, so neither its bundle nor its page carry React.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'
BUNDLED_REACT = json.dumps(
    {
        "name": "demo-app",
        "version": "1.0.0",
        "deskpro-cli": {"react": "bundle"},
        "deskpro": {"version": "2.3.0"},
    }
)

MOUNT_SCREEN = """\
    import { label } from "./label";

    export default {
      mount(element: { textContent: string }, props: { installType: string }) {
        element.textContent = label + props.installType;
      },
    };
"""
LABEL = 'export const label = "installing: ";\n'

# Loads the bundle with a fake runtime, mounts what it registered, reports what it saw.
MOUNT_IT = """
let registered = null;
window.DeskproInstaller = { registerScreen(s) { registered = s; } };
require(values.bundle);
const element = { textContent: "" };
registered.mount(element, { installType: "update" });
out({ keys: Object.keys(registered), text: element.textContent,
      react: typeof window.React, reactDom: typeof window.ReactDOM });
"""


def _screen(project: Path) -> Path:
    return project / "dist/assets/install-screen/index.js"


def _mount_project(tree, package_json: str = PACKAGE_JSON) -> Path:  # type: ignore[no-untyped-def]
    return tree(
        {
            "package.json": package_json,
            "src/installer/javascript/index.ts": MOUNT_SCREEN,
            "src/installer/javascript/label.ts": LABEL,
        }
    )


def test_a_mount_screen_needs_no_react_and_runs_without_it(tree, compile_app, run_js) -> None:
    project = _mount_project(tree)
    result = compile_app(project)
    screen = result.screen
    assert screen is not None
    assert screen.react == "external" and not screen.uses_react and not screen.react_globals
    bundle = _screen(project).read_text()
    # neither the React global shims nor the wrapper's React imports are in the bundle
    assert "window.React" not in bundle and "React is external" not in bundle
    got = run_js(MOUNT_IT, react_globals=False, bundle=str(_screen(project)))
    assert got == {
        "keys": ["mount"],
        "text": "installing: update",
        "react": "undefined",
        "reactDom": "undefined",
    }


def test_a_mount_screen_with_react_bundled_leaves_react_out(
    tree, compile_app, run_js, react_modules
) -> None:
    project = _mount_project(tree, BUNDLED_REACT)
    os.symlink(react_modules, project / "node_modules")
    result = compile_app(project)
    screen = result.screen
    assert screen is not None and screen.react == "bundle" and not screen.uses_react
    bundle = _screen(project).read_text()
    assert "react.element" not in bundle and "react-dom" not in bundle  # no React inside
    assert len(bundle) < 1000
    got = run_js(MOUNT_IT, react_globals=False, bundle=str(_screen(project)))
    assert got["text"] == "installing: update"


def test_a_mount_screen_compiles_with_react_bundled_but_not_installed(
    tree, compile_app, run_js
) -> None:
    # The first guess (the React wrapper) cannot resolve react: the screen needs none anyway.
    project = _mount_project(tree, BUNDLED_REACT)
    result = compile_app(project)
    assert result.screen is not None and not result.screen.uses_react
    got = run_js(MOUNT_IT, react_globals=False, bundle=str(_screen(project)))
    assert got["text"] == "installing: update"


def test_a_mount_screen_that_imports_react_through_a_sibling_needs_react(
    tree, compile_app, run_js
) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.js": """\
                import { draw } from "./draw";
                export default { mount(element, props) { element.textContent = draw(props); } };
            """,
            "src/installer/javascript/draw.js": """\
                import { renderToStaticMarkup } from "./markup";
                export function draw(props) { return renderToStaticMarkup(props.installType); }
            """,
            "src/installer/javascript/markup.js": """\
                import { createElement, version } from "react";
                export function renderToStaticMarkup(text) {
                  return createElement("b", null, text).type + ":" + text + ":" + version;
                }
            """,
        }
    )
    result = compile_app(project)
    screen = result.screen
    assert screen is not None and screen.uses_react and screen.react_globals
    got = run_js(MOUNT_IT, bundle=str(_screen(project)))
    assert got["keys"] == ["mount"]  # still registered as a mount screen
    assert got["text"] == "b:update:18.3.1"  # React came from the page's globals


def test_jsx_without_a_react_import_needs_react(tree, compile_app, run_js) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.jsx": """\
                export default function Screen({ installType }) {
                  return <p className="x">{installType}</p>;
                }
            """,
        }
    )
    result = compile_app(project)
    assert result.screen is not None and result.screen.react_globals
    got = run_js(
        """
        let registered = null;
        window.DeskproInstaller = { registerScreen(s) { registered = s; } };
        require(values.bundle);
        out({ keys: Object.keys(registered).sort(),
              html: ReactDOMServer.renderToStaticMarkup(
                React.createElement(registered.react, { installType: "install" })) });
        """,
        bundle=str(_screen(project)),
    )
    assert got == {"keys": ["React", "ReactDOM", "react"], "html": '<p class="x">install</p>'}


def test_a_component_that_imports_no_react_fails_clearly(tree, compile_app, run_js) -> None:
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/installer/javascript/index.js": "export default function Screen() {}\n",
        }
    )
    result = compile_app(project)
    assert result.screen is not None and not result.screen.react_globals
    said = run_js(
        """
        window.DeskproInstaller = { registerScreen() {} };
        try { require(values.bundle); out("no error"); } catch (e) { out(e.message); }
        """,
        react_globals=False,
        bundle=str(_screen(project)),
    )
    assert "src/installer/javascript/index.js is not an object with mount(element, props)" in said
    assert 'import React from "react"' in said


def test_the_wrapper_kind_is_remembered_between_compiles(
    tree, compile_app, esbuild_runs, run_js
) -> None:
    project = _mount_project(tree)
    compile_app(project)
    assert len(esbuild_runs) == 2  # React wrapper first (the usual screen), then the right one
    index = project / "src/installer/javascript/index.ts"
    index.write_text(index.read_text().replace("label +", "label + '> ' +"))
    compile_app(project)
    assert len(esbuild_runs) == 3  # the last compile's answer is tried first: one run
    got = run_js(MOUNT_IT, react_globals=False, bundle=str(_screen(project)))
    assert got["text"] == "installing: > update"

    index.write_text('import React from "react";\nexport default () => React.createElement("i");\n')
    result = compile_app(project)
    assert len(esbuild_runs) == 5  # guessed "no React", the metafile said otherwise
    assert result.screen is not None and result.screen.react_globals
    index.write_text('import React from "react";\nexport default () => React.createElement("b");\n')
    compile_app(project)
    assert len(esbuild_runs) == 6
