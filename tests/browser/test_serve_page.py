"""`deskpro serve` in a browser: the served app page runs in the stub helpdesk with no error,
and reloads itself after a save (the injected script and the server's event stream)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from devserver.serve_support import TOY_APP, running, toy_build
from package.apps import vanilla_app

from deskpro_cli.devserver import DevServer, ServeOptions
from deskpro_cli.devserver.pipeline_step import pipeline_build_step

pytestmark = pytest.mark.browser


def _save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-save")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _assert_clean(host: Any, *, expect_error_page: bool = False) -> None:
    """The stub host's own check, except for the event stream a reload cuts off (the browser
    reports every closed EventSource request as aborted) and, when expected, the error page's
    500 status."""
    problems = [
        p
        for p in host.problems()
        if not p.startswith("failed request: net::ERR_ABORTED http://127.0.0.1:")
        or not p.endswith("/__deskpro/events")
    ]
    if expect_error_page:
        problems = [
            p
            for p in problems
            if not (p.startswith("failed request: 500 ") or "status of 500" in p)
            or "/v0.1.0/files/html/index.html" not in p
        ]
    assert not problems, "\n".join(problems)


def test_served_app_runs_clean_and_reloads_after_a_save(tree: Any, stub_host: Any) -> None:
    project = tree(vanilla_app())
    with DevServer(project, pipeline_build_step(), ServeOptions(port=0)) as server:
        state = server.wait_for_build()
        assert state.ok, state.error
        host = stub_host(f"{server.base_url}/v0.1.0/files", "html/index.html")
        host.wait_ready()
        frame = host.frame
        frame.wait_for_function(
            "() => document.getElementById('title').textContent.startsWith('Hello from')"
        )
        # the reload script is in the served page (not in the file) and its stream is open
        assert frame.evaluate("() => !!document.querySelector('script[data-build]')")
        _assert_clean(host)

        # a good save: the page reloads itself and shows the new HTML
        index = project / "src/main/html/index.html"
        good = index.read_text()
        _save(index, good.replace("<body>", '<body><p id="edited">second version</p>'))
        frame.wait_for_selector("#edited", timeout=5000)
        frame.wait_for_function(
            "() => document.getElementById('title').textContent.startsWith('Hello from')"
        )
        _assert_clean(host)

        # a broken manifest: the page reloads into the error page, then back after the fix
        pkg = project / "package.json"
        good_pkg = pkg.read_text()
        _save(pkg, good_pkg.replace('"title": "My first app"', '"title": 42'))
        frame.wait_for_selector("text=the build failed", timeout=5000)
        assert "package.json" in frame.inner_text("body")
        _save(pkg, good_pkg)
        frame.wait_for_selector("#edited", timeout=5000)
        frame.wait_for_function(
            "() => document.getElementById('title').textContent.startsWith('Hello from')"
        )
        _assert_clean(host, expect_error_page=True)


@pytest.mark.parametrize("template", ["vanilla", "github-oauth"])
def test_scaffolded_apps_run_clean_when_served(
    cli: Any, tmp_path: Path, stub_host: Any, template: str
) -> None:
    project = tmp_path / "app"
    cli("init", project, "--template", template, "--no-input")
    with DevServer(project, pipeline_build_step(), ServeOptions(port=0, watch="off")) as server:
        state = server.wait_for_build()
        assert state.ok, state.error
        assert state.built is not None
        base = f"{server.base_url}{state.built.files_prefix}"
        targets = dict(state.built.target_urls())
        assert "install" in targets and len(targets) >= 2
        for url in targets.values():
            page = url.removeprefix(state.built.files_prefix + "/")
            host = stub_host(base, page)
            host.wait_ready()
            host.frame.wait_for_load_state("load")
            host.page.wait_for_timeout(300)  # let the page's own start-up run
            assert host.frame.evaluate("() => !!document.querySelector('script[data-build]')")
            _assert_clean(host)


def test_many_open_pages_do_not_starve_the_browser(tree: Any, browser: Any) -> None:
    """Browsers allow six HTTP/1.1 connections per host. With the app open in more frames than
    that (several tickets, each with the app in its sidebar), a reload channel that held one of
    them per page (an EventSource) left later pages and every reload waiting forever."""
    project = tree(TOY_APP)
    with running(project, watch="polling") as server:
        assert server.wait_for_build().ok
        url = f"{server.base_url}/v1.2.3/files/html/index.html"
        ready = "() => document.getElementById('app')?.dataset.ready === 'yes'"
        context = browser.new_context()
        try:
            page = context.new_page()
            page.set_content("".join(f'<iframe src="{url}?f={i}"></iframe>' for i in range(8)))
            frames = [f for f in page.frames if f.url.startswith(url)]
            assert len(frames) == 8
            for frame in frames:
                frame.wait_for_function(ready, timeout=5000)
            page.wait_for_timeout(300)  # every page's reload channel is open by now

            page.evaluate(
                "url => { const f = document.createElement('iframe'); f.src = url;"
                " document.body.appendChild(f); }",
                f"{url}?late=1",
            )
            late = _frame_at(page, f"{url}?late=1")
            late.wait_for_function(ready, timeout=5000)

            index = project / "src/main/html/index.html"
            _save(index, index.read_text().replace("hello v1", "hello v2"))
            for frame in [*frames, late]:
                frame.wait_for_function(
                    "() => document.body && document.body.textContent.includes('hello v2')",
                    timeout=5000,
                )
        finally:
            context.close()


def test_page_reloads_after_the_server_restarts(tree: Any, browser: Any) -> None:
    """Build ids start again at 1 in a new server run: a page loaded at build 1 of the last run
    still reloads, once the new run's first build is up, and shows what changed meanwhile."""
    project = tree(TOY_APP)
    context = browser.new_context()
    try:
        page = context.new_page()
        with running(project, watch="off") as first:
            assert first.wait_for_build().ok
            port = first.port
            page.goto(f"{first.base_url}/v1.2.3/files/html/index.html")
            page.wait_for_function("() => document.getElementById('app')?.dataset.ready")
            assert (
                page.evaluate("() => document.querySelector('script[data-build]').dataset.build")
                == "1"
            )
            page.wait_for_timeout(300)  # the page's reload channel is open
        index = project / "src/main/html/index.html"
        _save(index, index.read_text().replace("hello v1", "hello after restart"))
        page.wait_for_timeout(300)  # the page notices the server went away

        second = DevServer(project, toy_build, ServeOptions(port=port, watch="off"))
        second.start()
        try:
            assert second.wait_for_build().ok and second.board.current().id == 1
            page.wait_for_function(
                "() => document.body?.textContent.includes('hello after restart')",
                timeout=15000,
            )
            assert (
                page.evaluate("() => document.querySelector('script[data-run]').dataset.run")
                == second.run_id
            )
        finally:
            second.stop()
    finally:
        context.close()


def test_a_404_page_turns_into_the_page_once_it_is_built(tree: Any, browser: Any) -> None:
    """The server's own 404 page reloads too: a page the app does not have yet, and a page of
    the version the app is about to be brought to, appear by themselves after the save."""
    project = tree(TOY_APP)
    context = browser.new_context()
    try:
        with running(project, watch="polling") as server:
            assert server.wait_for_build().ok
            new_page = context.new_page()
            new_page.goto(f"{server.base_url}/v1.2.3/files/html/new.html")
            assert "not found" in new_page.inner_text("h1")
            next_version = context.new_page()
            next_version.goto(f"{server.base_url}/v1.3.0/files/html/index.html")
            assert "serves version 1.2.3" in next_version.inner_text("body")
            for page in (new_page, next_version):
                assert page.evaluate("() => !!document.querySelector('script[data-run]')")
            new_page.wait_for_timeout(300)  # the pages' reload channels are open

            _save(project / "src/main/html/new.html", "<p id='new'>a new page</p>\n")
            new_page.wait_for_selector("#new", timeout=10000)
            # the page added is the page served now, with its own reload script
            assert new_page.evaluate("() => !!document.querySelector('script[data-build]')")

            pkg = project / "package.json"
            _save(pkg, pkg.read_text().replace('"1.2.3"', '"1.3.0"'))
            next_version.wait_for_function(
                "() => document.getElementById('app')?.textContent === 'hello v1'",
                timeout=10000,
            )
    finally:
        context.close()


def _frame_at(page: Any, url: str, timeout: float = 5.0) -> Any:
    """The page's frame once it has navigated to ``url`` (fails after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url == url:
                return frame
        page.wait_for_timeout(50)
    raise AssertionError(f"no frame reached {url} within {timeout} s")
