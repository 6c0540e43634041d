"""The dev server with the real build pipeline (the one ``package`` uses), in serve mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from deskpro_cli.devserver import BuildFinished, DevServer, ServeEvent, ServeOptions
from deskpro_cli.devserver.pipeline_step import pipeline_build_step

from .serve_support import (
    TOY_APP,
    alive,
    poll,
    request,
    running,
    slow_esbuild,
    wait_for_pids,
)

COMPILED_APP: dict[str, str | bytes] = {
    "package.json": TOY_APP["package.json"],
    "src/main/html/index.html": """\
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Compiled</title></head>
        <body><div id="app"></div><script src="../assets/main.js"></script></body></html>
        """,
    "src/main/javascript/greet.js": "export const greet = (who) => `hello ${who}`;\n",
    "src/main/javascript/index.js": """\
        import { greet } from "./greet";
        document.getElementById("app").textContent = greet("compiled v1");
        """,
}


def _save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-save")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def test_pipeline_build_is_served_for_dev_mode(tree) -> None:
    app = tree(TOY_APP)
    with running(app, pipeline_build_step()) as srv:
        state = srv.wait_for_build()
        assert state.ok, state.error
        manifest = json.loads(request(srv.port, "/manifest.json").body)
        assert manifest["appVersion"] == "1.2.3"
        assert {"target": "install", "url": "html/install.html"} in manifest["targets"]
        install = request(srv.port, "/v1.2.3/files/html/install.html")
        assert install.status == 200 and "/__deskpro/reload.js" in install.text
        runtime = request(srv.port, "/v1.2.3/files/assets/deskpro-installer.js")
        assert runtime.status == 200
        assert runtime.headers["content-type"] == "text/javascript; charset=utf-8"

        index = app / "src/main/html/index.html"
        _save(index, index.read_text().replace("hello v1", "hello from the pipeline"))
        page = lambda: request(srv.port, "/v1.2.3/files/html/index.html")  # noqa: E731
        poll(page, lambda r: "hello from the pipeline" in r.text, timeout=2.0)
        assert (app / "target" / "v1.2.3" / "files" / "html" / "index.html").is_file()
        assert not (app / "dist").exists()  # serve never touches dist/ or writes a zip


def test_manifest_errors_are_validated_shown_and_recovered(tree) -> None:
    app = tree(TOY_APP)
    pkg = app / "package.json"
    good = pkg.read_text()
    page = lambda: request(srv.port, "/v1.2.3/files/html/index.html")  # noqa: E731
    with running(app, pipeline_build_step()) as srv:
        assert srv.wait_for_build().ok
        # a schema error: the target points at a page that does not exist
        _save(pkg, good.replace('"target": "ticket-sidebar"', '"target": "ticket-sidebr"'))
        error = poll(page, lambda r: r.status == 500, timeout=2.0)
        assert re.search(r"package\.json:\d+:\d+: error DP\d+", error.text), error.text
        assert "ticket-sidebr" in error.text

        # a JSON syntax error, with its line
        _save(pkg, good.replace('"1.2.3",', '"1.2.3"'))
        error = poll(page, lambda r: r.status == 500 and "ticket-sidebr" not in r.text, 2.0)
        assert re.search(r"package\.json:4:\d+", error.text), error.text

        _save(pkg, good)
        assert "hello v1" in poll(page, lambda r: r.status == 200, timeout=2.0).text


def test_a_catastrophic_whitelist_regex_fails_the_build_instead_of_hanging_it(tree) -> None:
    """The build runs on the server's own thread, where no alarm can stop a regex: the probe
    runs in a helper process, stopped after the budget (tests/manifest/test_slow_regex.py)."""
    from deskpro_cli.errors import ProblemsFound
    from deskpro_cli.manifest import regexbudget

    slow = "/^https:\\/\\/(\\w+\\.?)*api\\.example\\.org$/"
    doc = json.loads(str(TOY_APP["package.json"]))
    doc["deskpro"]["externalApis"] = [slow]
    app = tree({**TOY_APP, "package.json": json.dumps(doc, indent=2)})
    try:
        with running(app, pipeline_build_step()) as srv:
            state = srv.wait_for_build(timeout=60)
            assert state.ok is False
            assert isinstance(state.error, ProblemsFound), state.error
            assert [p.rule for p in state.error.problems] == ["DP215"]
            assert regexbudget.worker_pid() is not None
    finally:
        regexbudget.close_worker()


@pytest.mark.node
def test_compile_errors_are_shown_with_file_and_line(tree, esbuild_path: Path) -> None:
    app = tree(COMPILED_APP)
    main_js = lambda: request(srv.port, "/v1.2.3/files/assets/main.js")  # noqa: E731
    page = lambda: request(srv.port, "/v1.2.3/files/html/index.html")  # noqa: E731
    with running(app, pipeline_build_step(esbuild=esbuild_path)) as srv:
        state = srv.wait_for_build(timeout=60)
        assert state.ok, state.error
        assert "compiled v1" in main_js().text

        entry = app / "src/main/javascript/index.js"
        good = entry.read_text()
        _save(entry, good.replace('greet("compiled v1")', 'greet("compiled v1"'))
        error = poll(page, lambda r: r.status == 500, timeout=5.0)
        assert "src/main/javascript/index.js:2:" in error.text, error.text
        assert "compiled v1" in main_js().text  # the last good bundle is still served

        _save(entry, good.replace("compiled v1", "compiled v2"))
        poll(main_js, lambda r: "compiled v2" in r.text, timeout=5.0)
        assert poll(page, lambda r: r.status == 200, timeout=2.0)

        # an imported module is watched too
        greet = app / "src/main/javascript/greet.js"
        _save(greet, greet.read_text().replace("hello", "bonjour"))
        poll(main_js, lambda r: "bonjour" in r.text, timeout=5.0)


@pytest.mark.node
def test_serve_compiles_readable_code_with_source_maps(tree, esbuild_path: Path) -> None:
    """Serve mode is the development build: not minified, and its source maps are served."""
    app = tree(COMPILED_APP)
    with running(app, pipeline_build_step(esbuild=esbuild_path), watch="off") as srv:
        state = srv.wait_for_build(timeout=60)
        assert state.ok, state.error
        main = request(srv.port, "/v1.2.3/files/assets/main.js").text
        assert "var greet = (who) => `hello ${who}`;" in main, main  # names and layout kept
        assert main.rstrip().endswith("//# sourceMappingURL=main.js.map")
        source_map = request(srv.port, "/v1.2.3/files/assets/main.js.map")
        assert source_map.headers["content-type"] == "application/json"
        sources = json.loads(source_map.body)["sources"]
        assert "../../src/main/javascript/greet.js" in sources, sources


def test_a_root_manifest_json_is_watched_and_validated(tree) -> None:
    manifest = {
        "appVersion": "2.0.0",
        "name": "root-manifest-app",
        "description": "An app whose manifest is manifest.json",
        "author": {"name": "Jane Doe", "email": "jane@example.com"},
        "version": "2.3.0",
        "title": "Root manifest",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
    }
    sources = {k: v for k, v in TOY_APP.items() if k.startswith("src/")}
    app = tree({"manifest.json": json.dumps(manifest, indent=2), **sources})
    with running(app, pipeline_build_step()) as srv:
        assert srv.wait_for_build().ok
        path = app / "manifest.json"
        _save(path, json.dumps({**manifest, "scope": "nobody"}, indent=2))
        error = poll(
            lambda: request(srv.port, "/v2.0.0/files/html/index.html"),
            lambda r: r.status == 500,
            timeout=2.0,
        )
        assert re.search(r"manifest\.json:\d+:\d+: error DP\d+", error.text), error.text
        _save(path, json.dumps({**manifest, "appVersion": "2.0.1"}, indent=2))
        page = poll(
            lambda: request(srv.port, "/v2.0.1/files/html/index.html"),
            lambda r: r.status == 200,
            timeout=2.0,
        )
        assert "hello v1" in page.text


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes in /proc")
def test_stopping_cancels_a_running_build(tree, tmp_path: Path, esbuild_path: Path) -> None:
    """stop() does not wait for a build: its esbuild (and what that started) is killed at once,
    its staging is removed, and no failed build is reported for it."""
    app = tree(COMPILED_APP)
    script, pids = slow_esbuild(tmp_path, esbuild_path)
    events: list[ServeEvent] = []
    options = ServeOptions(port=0, watch="off")
    server = DevServer(app, pipeline_build_step(esbuild=script), options, events.append)
    server.start()
    try:
        processes = wait_for_pids(pids)
        assert all(alive(pid) for pid in processes)
        assert (app / "target" / ".deskpro-serve").is_dir()  # the build is staged
    finally:
        server.stop()
    assert not [pid for pid in processes if alive(pid)]
    assert not (app / "target" / ".deskpro-serve").exists()
    stage = app / "target" / ".deskpro-cache" / "compile" / "stage"
    assert not stage.exists() or not any(stage.iterdir())  # esbuild's own staging too
    assert not [e for e in events if isinstance(e, BuildFinished)]
    assert server.board.current().id == 0
