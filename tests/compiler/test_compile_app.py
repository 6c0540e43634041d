"""Compiling the app entry (src/main/javascript) with the real, pinned esbuild."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from deskpro_cli.build.compiler import find_entries, needs_compile
from deskpro_cli.errors import ProblemsFound

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'

JSX_APP = {
    "package.json": PACKAGE_JSON,
    # No React import: with React external, JSX compiles to the page's global React.
    "src/main/javascript/index.jsx": """\
        import { Greeting } from "./Greeting";
        import "./app.css";
        window.appElement = <Greeting name="Ada" />;
    """,
    "src/main/javascript/Greeting.jsx": """\
        import React from "react";
        export function Greeting({ name }) {
          return <p className="hi">Hello, {name}!</p>;
        }
    """,
    "src/main/javascript/app.css": ".hi { color: rebeccapurple; }\n",
}


def test_needs_compile_only_with_an_entry(tree) -> None:
    assert not needs_compile(tree({"package.json": PACKAGE_JSON, "src/main/resources/a.js": ""}))
    assert needs_compile(tree({"src/main/javascript/index.jsx": ""}))
    assert needs_compile(tree({"src/installer/javascript/index.ts": ""}))
    # An empty source folder is nothing to compile.
    empty = tree({"package.json": PACKAGE_JSON})
    (empty / "src/main/javascript").mkdir(parents=True)
    assert not needs_compile(empty)
    assert find_entries(empty) == []
    # Sources without an entry are something to compile: compile_project then says what is wrong.
    (empty / "src/main/javascript/App.jsx").write_text("export default 1;\n")
    assert needs_compile(empty)


def test_nothing_to_compile_needs_no_esbuild(tree, monkeypatch, tmp_path) -> None:
    from deskpro_cli.build.compiler import CompileOptions, compile_project

    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    project = tree({"package.json": PACKAGE_JSON, "src/main/html/index.html": "<p>hi</p>"})
    for compiler in ("auto", "none"):
        result = compile_project(project, project / "dist", CompileOptions(compiler=compiler))
        assert not result.compiled
        assert result.files == ()
    assert not (project / "dist").exists()


def test_two_entries_in_one_folder_are_refused(tree) -> None:
    project = tree({"src/main/javascript/index.js": "", "src/main/javascript/index.tsx": ""})
    with pytest.raises(ProblemsFound) as caught:
        find_entries(project)
    (problem,) = caught.value.problems
    assert problem.rule == "DP706"
    assert "index.js, index.tsx" in problem.message


def test_sources_without_an_entry_are_refused(tree) -> None:
    project = tree({"src/installer/javascript/Screen.jsx": "export default 1;"})
    with pytest.raises(ProblemsFound) as caught:
        find_entries(project)
    assert caught.value.problems[0].file == "src/installer/javascript"
    assert "index.js" in (caught.value.problems[0].hint or "")


def test_jsx_app_bundles_into_main_js_with_react_from_the_page(tree, compile_app, run_js) -> None:
    project = tree(JSX_APP)
    result = compile_app(project)

    app = result.app
    assert app is not None and result.screen is None
    assert app.entry == "src/main/javascript/index.jsx"
    assert app.react == "external" and app.uses_react and app.react_globals
    assert app.css == "assets/main.css"
    main = project / "dist/assets/main.js"
    assert app.files[0].path == "assets/main.js"
    assert {f.path for f in app.files} == {
        "assets/main.js",
        "assets/main.js.map",
        "assets/main.css",
        "assets/main.css.map",
    }
    for f in app.files:
        assert (project / "dist" / f.path).stat().st_size == f.size
    # Minified for package, and React itself is not in the bundle.
    code = main.read_text()
    assert "Greeting" not in code and "rebeccapurple" not in code
    assert len(code) < 3000
    assert ".hi{color:#639}" in (project / "dist/assets/main.css").read_text()

    rendered = run_js(
        f"""
        require({json.dumps(str(main))});
        out(ReactDOMServer.renderToStaticMarkup(window.appElement));
        """
    )
    assert rendered == '<p class="hi">Hello, Ada!</p>'


def test_external_react_missing_from_the_page_is_a_clear_error(tree, compile_app, run_js) -> None:
    project = tree(JSX_APP)
    compile_app(project)
    main = project / "dist/assets/main.js"
    said = run_js(
        f"""
        try {{ require({json.dumps(str(main))}); out("no error"); }}
        catch (e) {{ out(e.message); }}
        """,
        react_globals=False,
    )
    assert "window.React is missing" in said
    assert '"react": "bundle"' in said


def test_serve_mode_is_not_minified(tree, compile_app) -> None:
    project = tree(JSX_APP)
    compile_app(project, mode="serve")
    code = (project / "dist/assets/main.js").read_text()
    assert "function Greeting" in code
    assert "// src/main/javascript/Greeting.jsx" in code


def test_app_can_bundle_its_own_react(tree, compile_app, run_js, react_modules) -> None:
    project = tree(
        {
            "package.json": json.dumps(
                {
                    "name": "bundled",
                    "version": "1.0.0",
                    "deskpro-cli": {"react": "bundle"},
                    "deskpro": {"version": "2.3.0"},
                }
            ),
            # Automatic JSX runtime: no React import needed.
            "src/main/javascript/index.tsx": """\
                import { version } from "react";
                const Hello = ({ who }: { who: string }) => <b>Hi {who}</b>;
                (window as any).appElement = <Hello who="you" />;
                (window as any).bundledVersion = version;
            """,
        }
    )
    os.symlink(react_modules, project / "node_modules")
    result = compile_app(project)
    app = result.app
    assert app is not None
    assert app.react == "bundle" and app.uses_react and not app.react_globals
    main = project / "dist/assets/main.js"
    assert main.stat().st_size > 5000  # React's own code is inside
    got = run_js(
        f"""
        require({json.dumps(str(main))});
        out({{version: window.bundledVersion,
              html: ReactDOMServer.renderToStaticMarkup(window.appElement)}});
        """,
        react_globals=False,
    )
    assert got == {"version": "18.3.1", "html": "<b>Hi you</b>"}


def test_images_are_emitted_beside_the_bundle(tree, compile_app, run_js) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + b"fake image body"
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": """\
                import logo from "./logo.png";
                import "./look.css";
                window.logo = logo;
            """,
            "src/main/javascript/look.css": ".brand { background: url(./logo.png); }\n",
            "src/main/javascript/logo.png": png,
        }
    )
    result = compile_app(project)
    assert result.app is not None and not result.app.uses_react
    emitted = [f.path for f in result.app.files if f.path.endswith(".png")]
    assert len(emitted) == 1 and re.fullmatch(r"assets/logo-[A-Z0-9]+\.png", emitted[0])
    name = Path(emitted[0]).name
    assert (project / "dist" / emitted[0]).read_bytes() == png
    # From html/*.html and from assets/main.css, ../assets/<name> is the same file.
    assert f'url("../assets/{name}")' in (project / "dist/assets/main.css").read_text()
    got = run_js(f"require({json.dumps(str(project / 'dist/assets/main.js'))}); out(window.logo);")
    assert got == f"../assets/{name}"


def test_target_browsers_come_from_package_json(tree, compile_app) -> None:
    source = "const port = window.config?.port ?? 8080; window.port = port;\n"
    modern = tree({"package.json": PACKAGE_JSON, "src/main/javascript/index.js": source})
    compile_app(modern)
    assert "??" in (modern / "dist/assets/main.js").read_text()

    old = tree(
        {
            "package.json": json.dumps(
                {"name": "old", "deskpro-cli": {"target": "es2017"}, "deskpro": {}}
            ),
            "src/main/javascript/index.js": source,
        }
    )
    compile_app(old)
    code = (old / "dist/assets/main.js").read_text()
    assert "??" not in code and "?." not in code


@pytest.mark.parametrize(
    ("settings", "pointer", "line"),
    [
        ({"react": "cdn"}, "/deskpro-cli/react", 7),
        ({"target": ["chrome90", "netscape4"]}, "/deskpro-cli/target/1", 7),
        ({"minify": True}, "/deskpro-cli/minify", 7),
        ("bundle", "/deskpro-cli", 6),
    ],
)
def test_bad_compile_settings_are_reported(tree, compile_app, settings, pointer, line) -> None:
    document = {"name": "x", "dependencies": {"react": "18.3.1"}, "deskpro-cli": settings}
    project = tree(
        {
            "package.json": json.dumps(document, indent=2),
            "src/main/javascript/index.js": "window.x = 1;\n",
        }
    )
    with pytest.raises(ProblemsFound) as caught:
        compile_app(project)
    (problem,) = caught.value.problems
    assert (problem.rule, problem.file, problem.pointer) == ("DP707", "package.json", pointer)
    assert problem.line == line
    assert problem.hint
