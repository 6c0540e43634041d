"""Rebuilding on save: new files served within two seconds, error pages, recovery, debouncing."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from deskpro_cli.devserver import BuildFinished, BuildStarted, Notice, ServeEvent
from deskpro_cli.devserver.watch import NotifyWatcher, make_watcher
from deskpro_cli.problems import Problem

from .serve_support import TOY_APP, poll, request, running, toy_build

WATCH_MODES = ["auto", "polling"]


@pytest.fixture
def app(tree) -> Path:
    return tree(TOY_APP)


def _page(port: int, version: str = "1.2.3"):  # type: ignore[no-untyped-def]
    return lambda: request(port, f"/v{version}/files/html/index.html")


def _save(path: Path, text: str) -> None:
    """Save the way many editors do: write a temporary file, then rename it over the original."""
    tmp = path.with_name(f".{path.name}.tmp-save")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.mark.parametrize("mode", WATCH_MODES)
def test_edit_is_served_within_two_seconds(app: Path, mode: str) -> None:
    with running(app, watch=mode) as srv:
        assert srv.wait_for_build().ok
        index = app / "src/main/html/index.html"
        _save(index, index.read_text().replace("hello v1", "hello v2"))
        poll(_page(srv.port), lambda r: "hello v2" in r.text, timeout=2.0)

        js = app / "src/main/resources/app.js"
        js.write_text("window.edited = 2;\n")  # an in-place write, as other editors do
        poll(
            lambda: request(srv.port, "/v1.2.3/files/assets/app.js"),
            lambda r: r.body == b"window.edited = 2;\n",
            timeout=2.0,
        )


@pytest.mark.parametrize("mode", WATCH_MODES)
def test_broken_edit_shows_error_page_then_recovers(app: Path, mode: str) -> None:
    events: list[ServeEvent] = []
    with running(app, watch=mode, events=events) as srv:
        assert srv.wait_for_build().ok
        js = app / "src/main/resources/app.js"
        good = js.read_text()
        _save(js, "let a = 1;\nBROKEN here\n")

        page = poll(_page(srv.port), lambda r: r.status == 500, timeout=2.0)
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "src/main/resources/app.js:2:1" in page.text
        assert "unexpected BROKEN token" in page.text
        assert "hint: remove it" in page.text
        assert 'src="/__deskpro/reload.js"' in page.text
        # assets of the last good build are still served; the server keeps running
        assert request(srv.port, "/v1.2.3/files/assets/app.js").body == good.encode()
        status = request(srv.port, "/__deskpro/status")
        assert b'"ok": false' in status.body

        _save(js, good + "// fixed\n")
        page = poll(_page(srv.port), lambda r: r.status == 200, timeout=2.0)
        assert "hello v1" in page.text
        assert request(srv.port, "/v1.2.3/files/assets/app.js").body.endswith(b"// fixed\n")

    finished = [e.state for e in events if isinstance(e, BuildFinished)]
    assert [s.ok for s in finished][:1] == [True]
    assert False in [s.ok for s in finished] and finished[-1].ok


def test_manifest_change_is_rebuilt_and_checked(app: Path) -> None:
    with running(app) as srv:
        assert srv.wait_for_build().ok
        pkg = app / "package.json"
        good = pkg.read_text()
        _save(pkg, good.replace('"1.2.3",', '"1.2.3"'))  # a missing comma
        page = poll(_page(srv.port), lambda r: r.status == 500, timeout=2.0)
        assert "package.json:4:" in page.text

        _save(pkg, good.replace('"1.2.3"', '"1.3.0"'))
        poll(_page(srv.port, "1.3.0"), lambda r: r.status == 200, timeout=2.0)
        # the old version's folder is gone; asking for it explains which version is served
        assert not (app / "target" / "v1.2.3").exists()
        old = request(srv.port, "/v1.2.3/files/html/index.html")
        assert old.status == 404 and "serves version 1.3.0" in old.text


def test_first_build_failing_does_not_stop_the_server(tree) -> None:
    broken = dict(TOY_APP)
    broken["src/main/resources/app.js"] = "BROKEN\n"
    app = tree(broken)
    with running(app) as srv:
        state = srv.wait_for_build()
        assert state.ok is False and state.built is None
        page = request(srv.port, "/v1.2.3/files/html/index.html")
        assert page.status == 500 and "app.js:1:1" in page.text
        assert request(srv.port, "/manifest.json").status == 404
        (app / "src/main/resources/app.js").write_text("ok();\n")
        poll(_page(srv.port), lambda r: r.status == 200, timeout=2.0)


def test_a_burst_of_saves_is_one_build(app: Path) -> None:
    events: list[ServeEvent] = []
    with running(app, events=events, debounce=0.3) as srv:
        srv.wait_for_build()
        for i in range(10):
            (app / "src/main/resources" / f"extra{i}.js").write_text(f"// {i}\n")
            time.sleep(0.01)
        poll(
            lambda: request(srv.port, "/v1.2.3/files/assets/extra9.js"),
            lambda r: r.status == 200,
            timeout=3.0,
        )
        time.sleep(0.5)  # let a stray second build show up if there were one
    starts = [e for e in events if isinstance(e, BuildStarted)]
    assert len(starts) == 2, [s.changed for s in starts]  # the first build and one rebuild
    assert "src/main/resources/extra9.js" in starts[1].changed


def test_a_reported_change_is_built_at_once(app: Path) -> None:
    """The watcher has already waited for a burst to end, so the server must not wait again:
    with a quiet period of a minute, a reported change still builds right away."""
    events: list[ServeEvent] = []
    with running(app, events=events, watch="off", debounce=60.0) as srv:
        assert srv.wait_for_build().ok
        js = app / "src/main/resources/app.js"
        js.write_text("window.reported = 1;\n")
        srv.report_changes({js})
        state = srv.wait_for_build(after=1, timeout=10.0)
        assert state.ok
        assert request(srv.port, "/v1.2.3/files/assets/app.js").body == b"window.reported = 1;\n"
    starts = [e for e in events if isinstance(e, BuildStarted)]
    assert [s.changed for s in starts] == [(), ("src/main/resources/app.js",)]


def test_reports_queued_during_a_build_are_one_more_build(app: Path) -> None:
    """Changes reported while a build runs are merged into a single next build."""
    release = threading.Event()
    started = threading.Event()

    def slow_build(project: Path, out: Path) -> list[Problem]:
        if (project / "src/main/resources/hold.txt").exists():
            started.set()
            release.wait(10)
        return toy_build(project, out)

    events: list[ServeEvent] = []
    with running(app, slow_build, events=events, watch="off") as srv:
        assert srv.wait_for_build().ok
        hold = app / "src/main/resources/hold.txt"
        hold.write_text("hold\n")
        srv.report_changes({hold})
        assert started.wait(10)
        for i in range(3):
            extra = app / "src/main/resources" / f"extra{i}.js"
            extra.write_text(f"// {i}\n")
            srv.report_changes({extra})
        release.set()
        srv.wait_for_build(after=2, timeout=10.0)
        time.sleep(0.3)  # a stray fourth build would show up by now
    starts = [e.changed for e in events if isinstance(e, BuildStarted)]
    assert starts == [
        (),
        ("src/main/resources/hold.txt",),
        tuple(f"src/main/resources/extra{i}.js" for i in range(3)),
    ]


def test_file_event_watcher_reports_a_burst_once_it_is_quiet(app: Path) -> None:
    """The quiet period is the watcher's ``debounce``: saves 100 ms apart are one report when
    it is half a second (with watchfiles' fixed 30 ms they were one report each)."""
    reports: list[set[Path]] = []
    watcher = NotifyWatcher(app.resolve(), reports.append, lambda _m: None, debounce=0.5)
    watcher.start()
    try:
        time.sleep(0.3)  # the watches are in place
        folder = app.resolve() / "src/main/resources"
        for i in range(4):
            (folder / f"burst{i}.js").write_text(f"// {i}\n")
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while not reports and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(1.2)  # a second report would have come by now
    finally:
        watcher.stop()
    assert len(reports) == 1, reports
    assert {folder / f"burst{i}.js" for i in range(4)} <= reports[0]


@pytest.mark.parametrize("polling", [False, True])
def test_a_save_right_after_start_is_reported(app: Path, polling: bool) -> None:
    """start() returns once the watcher sees changes (the watches are in place, or the first
    scan is taken), so the server's first build and a save made at once cannot slip between."""
    reports: list[set[Path]] = []
    root = app.resolve()
    watcher = make_watcher(root, reports.append, lambda _m: None, polling=polling)
    watcher.start()
    try:
        js = root / "src/main/resources/app.js"
        js.write_text("// saved at once\n")
        deadline = time.monotonic() + 5
        while not any(js in r for r in reports) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert any(js in r for r in reports), reports


def test_files_outside_the_sources_do_not_rebuild(app: Path) -> None:
    events: list[ServeEvent] = []
    with running(app, events=events) as srv:
        srv.wait_for_build()
        (app / "README.md").write_text("notes\n")
        (app / "node_modules" / "x").mkdir(parents=True)
        (app / "node_modules" / "x" / "index.js").write_text("1\n")
        (app / "src/main/resources/.app.js.swp").write_text("swap\n")
        (app / "src/main/resources/node_modules/dep").mkdir(parents=True)
        (app / "src/main/resources/node_modules/dep/index.js").write_text("1\n")
        time.sleep(0.6)
        (app / "src/main/resources/app.js").write_text("// changed\n")
        srv.wait_for_build(after=1, timeout=3.0)
        time.sleep(0.3)
    starts = [e for e in events if isinstance(e, BuildStarted)]
    assert len(starts) == 2
    assert starts[1].changed == ("src/main/resources/app.js",)


def test_src_created_after_start_is_watched(tree) -> None:
    app = tree({"package.json": TOY_APP["package.json"]})
    with running(app) as srv:
        srv.wait_for_build()
        (app / "src/main/html").mkdir(parents=True)
        time.sleep(0.3)  # the new src/ gets its own watch
        (app / "src/main/html/index.html").write_text("<p>late</p>")
        poll(_page(srv.port), lambda r: "late" in r.text, timeout=3.0)
        (app / "src/main/html/index.html").write_text("<p>later</p>")
        poll(_page(srv.port), lambda r: "later" in r.text, timeout=2.0)


def test_no_watch_serves_the_first_build_only(app: Path) -> None:
    events: list[ServeEvent] = []
    with running(app, events=events, watch="off") as srv:
        assert srv.wait_for_build().ok
        index = app / "src/main/html/index.html"
        _save(index, index.read_text().replace("hello v1", "hello v2"))
        time.sleep(0.6)
        assert "hello v1" in request(srv.port, "/v1.2.3/files/html/index.html").text
    assert len([e for e in events if isinstance(e, BuildStarted)]) == 1


def test_watcher_failure_falls_back_to_polling(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import watchfiles

    def broken_watch(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise OSError("OS file watch limit reached")
        yield  # a generator, like the real one

    monkeypatch.setattr(watchfiles, "watch", broken_watch)
    events: list[ServeEvent] = []
    with running(app, events=events, watch="auto") as srv:
        assert srv.wait_for_build().ok
        index = app / "src/main/html/index.html"
        _save(index, index.read_text().replace("hello v1", "hello polled"))
        poll(_page(srv.port), lambda r: "hello polled" in r.text, timeout=2.0)
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and "polling for changes instead" in notices[0]
    assert "OS file watch limit reached" in notices[0]


def test_target_made_unusable_mid_session_is_a_failed_build(app: Path) -> None:
    """A build that cannot even get its staging folder is shown like any failed build; the
    build loop survives it and the next save after the fix builds again."""
    with running(app, watch="polling") as srv:
        assert srv.wait_for_build().ok
        target = app / "target"
        shutil.rmtree(target)
        target.write_text("not a folder")
        (app / "src/main/resources/app.js").write_text("// edit 1\n")
        state = srv.wait_for_build(after=1, timeout=5)
        assert state.ok is False
        assert state.error is not None and str(target) in state.error.message
        page = request(srv.port, "/v1.2.3/files/html/index.html")
        assert page.status == 500 and "Not a directory" in page.text

        target.unlink()
        (app / "src/main/resources/app.js").write_text("// edit 2\n")
        assert srv.wait_for_build(after=state.id, timeout=5).ok
        body = poll(
            lambda: request(srv.port, "/v1.2.3/files/assets/app.js"),
            lambda r: r.status == 200,
            timeout=2.0,
        ).body
        assert body == b"// edit 2\n"
