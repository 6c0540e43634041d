"""The dev server over real HTTP on loopback: Dev Mode paths, CORS, caching, traversal, events."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from pathlib import Path

import pytest

from deskpro_cli.devserver import BuildFinished, DevServer, Listening, ServeOptions
from deskpro_cli.devserver.handler import CORS_HEADERS
from deskpro_cli.errors import EnvironmentFailure, UsageError

from .serve_support import TOY_APP, raw_request, request, running, toy_build

CORS_METHODS = "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE"


@pytest.fixture
def app(tree) -> Path:
    return tree(TOY_APP)


@pytest.fixture
def server(app: Path):
    with running(app, watch="off") as srv:
        state = srv.wait_for_build()
        assert state.ok, state.error
        yield srv


def test_target_is_laid_out_for_dev_mode(server: DevServer, app: Path) -> None:
    target = app / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["appVersion"] == "1.2.3"
    files = target / "v1.2.3" / "files"
    assert (files / "html" / "index.html").read_text() == TOY_APP["src/main/html/index.html"]
    assert (files / "assets" / "app.js").is_file()
    assert (files / "docs" / "ADMIN_README.md").is_file()
    assert (files / "manifest.json").read_bytes() == (target / "manifest.json").read_bytes()
    # the reload script is only added to what is sent, never to the files
    assert b"__deskpro" not in (files / "html" / "index.html").read_bytes()


def test_serves_dev_mode_paths(server: DevServer) -> None:
    port = server.port
    page = request(port, "/v1.2.3/files/html/index.html")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "hello v1" in page.text
    tag = f'<script src="/__deskpro/reload.js" data-run="{server.run_id}" data-build="1"></script>'
    assert tag + "</body>" in page.text

    js = request(port, "/v1.2.3/files/assets/app.js")
    assert js.status == 200
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.body == TOY_APP["src/main/resources/app.js"].encode()

    png = request(port, "/v1.2.3/files/assets/icon.png")
    assert png.headers["content-type"] == "image/png"
    assert png.body == TOY_APP["src/main/resources/icon.png"]
    assert png.headers["content-length"] == str(len(png.body))

    manifest = request(port, "/manifest.json")
    assert manifest.headers["content-type"] == "application/json"
    assert json.loads(manifest.body)["targets"][0]["url"] == "html/index.html"

    index = request(port, "/")
    assert index.status == 200
    assert f"http://127.0.0.1:{port}/v1.2.3/files/html/index.html" in index.text


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    "path", ["/v1.2.3/files/html/index.html", "/manifest.json", "/nope", "/v1.2.3/files/x.js"]
)
def test_every_response_has_cors_and_no_store(server: DevServer, path: str, method: str) -> None:
    resp = request(
        server.port, path, method=method, headers={"Origin": "https://helpdesk.example.com"}
    )
    assert resp.headers["access-control-allow-origin"] == "*"
    assert resp.headers["access-control-allow-methods"] == CORS_METHODS
    assert resp.headers["access-control-allow-headers"] == "Origin, X-Agent-Request"
    assert resp.headers["cache-control"] == "no-store"


def test_options_preflight(server: DevServer) -> None:
    resp = request(
        server.port,
        "/v1.2.3/files/assets/app.js",
        method="OPTIONS",
        headers={
            "Origin": "https://helpdesk.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Agent-Request",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert resp.status == 204
    assert resp.body == b""
    for name, value in CORS_HEADERS:
        assert resp.headers[name.lower()] == value
    assert resp.headers["access-control-allow-private-network"] == "true"


def test_head_matches_get_without_body(server: DevServer) -> None:
    get = request(server.port, "/v1.2.3/files/assets/icon.png")
    head = request(server.port, "/v1.2.3/files/assets/icon.png", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_other_methods_are_refused(server: DevServer) -> None:
    resp = request(server.port, "/manifest.json", method="POST")
    assert resp.status == 405
    assert resp.headers["allow"] == "GET, HEAD, OPTIONS"


def test_wrong_version_is_404_with_explanation(server: DevServer) -> None:
    resp = request(server.port, "/v1.0.0/files/html/index.html")
    assert resp.status == 404
    assert "serves version 1.2.3" in resp.text
    assert "Bring the app in the helpdesk to version 1.2.3" in resp.text


def test_a_page_that_is_not_there_is_an_html_404_that_reloads(server: DevServer, app: Path) -> None:
    """A page not built (yet), or of another app version, is answered with an HTML 404 that
    carries the reload script: it turns into the page by itself once a build makes it."""
    tag = f'<script src="/__deskpro/reload.js" data-run="{server.run_id}" data-build="1">'
    missing = request(server.port, "/v1.2.3/files/html/new.html")
    assert missing.status == 404
    assert missing.headers["content-type"] == "text/html; charset=utf-8"
    assert missing.headers["access-control-allow-origin"] == "*"
    assert tag in missing.text and "reloads by itself" in missing.text

    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    other = request(server.port, "/v1.0.0/files/manifest.json", headers=browser)
    assert other.status == 404 and other.headers["content-type"].startswith("text/html")
    assert "serves version 1.2.3" in other.text and tag in other.text
    # what the page says is escaped
    odd = request(server.port, "/v%3Cb%3E/files/html/index.html")
    assert odd.status == 404 and "<b>" not in odd.text and "v&lt;b&gt;" in odd.text

    # scripts, styles and tools still get one line of plain text
    js = request(server.port, "/v1.2.3/files/missing.js")
    assert js.status == 404 and js.headers["content-type"] == "text/plain; charset=utf-8"
    assert "__deskpro" not in js.text
    head = request(server.port, "/v1.2.3/files/html/new.html", method="HEAD")
    assert head.status == 404 and head.body == b""
    # nothing of this reaches the files
    for path in (app / "target").rglob("*"):
        if path.is_file() and ".deskpro-cache" not in path.parts:
            assert b"__deskpro" not in path.read_bytes(), path


def test_only_the_build_is_served(server: DevServer, app: Path) -> None:
    (app / "target" / "notes.txt").write_text("not part of the build")
    assert request(server.port, "/notes.txt").status == 404
    assert request(server.port, "/v1.2.3/files/html").status == 404  # folder
    assert request(server.port, "/v1.2.3/files/missing.js").status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1.2.3/files/../../package.json",
        "/v1.2.3/files/%2e%2e/%2e%2e/package.json",
        "/v1.2.3/files/%2E%2E/%2E%2E/package.json",
        "/v1.2.3/files/..%2f..%2fpackage.json",
        "/v1.2.3/files/%252e%252e/%252e%252e/package.json",
        "/v1.2.3/files/..%5c..%5cpackage.json",
        "/v1.2.3/files/html/..\\..\\..\\package.json",
        "/v1.2.3/files/html//../../../package.json",
        "/v1.2.3/files/html/%2e/../../../package.json",
        "/v1.2.3/files/secret.txt",
        "/v1.2.3/files/escape/package.json",
    ],
)
def test_traversal_is_refused(server: DevServer, app: Path, path: str) -> None:
    files = app / "target" / "v1.2.3" / "files"
    (app / "secret.txt").write_text("top secret")
    os.symlink(app / "secret.txt", files / "secret.txt")
    os.symlink(app, files / "escape")
    raw = raw_request(server.port, f"GET {path} HTTP/1.1")
    status_line = raw.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 404"), raw[:300]
    assert b"toy-app" not in raw and b"top secret" not in raw


def test_status_and_event_stream(server: DevServer) -> None:
    status = json.loads(request(server.port, "/__deskpro/status").body)
    assert status["id"] == 1 and status["ok"] is True and status["appVersion"] == "1.2.3"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /__deskpro/events HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"event: build" not in data or not data.endswith(b"\n\n"):
            data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Content-Type: text/event-stream" in head
    assert b"Access-Control-Allow-Origin: *" in head
    event = body.split(b"event: build\n", 1)[1]
    payload = json.loads(event.split(b"data: ", 1)[1].split(b"\n", 1)[0])
    assert payload["id"] == 1 and payload["ok"] is True
    js = request(server.port, "/__deskpro/reload.js")
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"new WebSocket(" in js.body


def test_events_reach_the_caller(app: Path) -> None:
    events: list[object] = []
    with running(app, events=events, watch="off") as srv:
        srv.wait_for_build()
    assert isinstance(events[0], Listening)
    assert events[0].url == f"http://127.0.0.1:{srv.port}"
    finished = [e for e in events if isinstance(e, BuildFinished)]
    assert len(finished) == 1 and finished[0].first and finished[0].state.ok


def test_port_in_use_is_a_clear_error(app: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = DevServer(app, lambda p, o: [], ServeOptions(port=port, watch="off"))
        with pytest.raises(EnvironmentFailure) as info:
            server.start()
        server.stop()
    assert f"port {port}" in info.value.message
    assert "--port" in (info.value.hint or "")
    assert not (app / "target").exists()  # nothing built or created


def test_unknown_host_is_a_usage_error(app: Path) -> None:
    server = DevServer(app, lambda p, o: [], ServeOptions(host="no-such-host.invalid", port=0))
    with pytest.raises(UsageError):
        server.start()


def test_stop_ends_open_connections(app: Path) -> None:
    with running(app, watch="off") as srv:
        srv.wait_for_build()
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        sock.sendall(b"GET /__deskpro/events HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(4096)
        done = threading.Event()

        def drain() -> None:
            while sock.recv(4096):
                pass
            done.set()

        threading.Thread(target=drain, daemon=True).start()
    assert done.wait(5), "the event stream was not closed by stop()"
    sock.close()
    assert not (app / "target" / ".deskpro-serve").exists()


def test_unwritable_target_fails_at_start(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == ".deskpro-serve":
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)
    server = DevServer(app, lambda p, o: [], ServeOptions(port=0, watch="off"))
    with pytest.raises(EnvironmentFailure) as info:
        server.start()
    server.stop()
    assert info.value.message == f"cannot write to {app / 'target'}: Permission denied"
    assert "writable" in (info.value.hint or "")


def test_no_staging_is_left_between_builds(app: Path) -> None:
    """A run killed before (SIGKILL, power loss) left a half build; it goes at start, and a
    running server keeps no staging folder between builds, so a kill leaves nothing either."""
    leftover = app / "target" / ".deskpro-serve" / "build-99-1" / "out"
    leftover.mkdir(parents=True)
    (leftover / "manifest.json").write_text("{}")
    with running(app, watch="off") as srv:
        assert srv.wait_for_build().ok
        assert not (app / "target" / ".deskpro-serve").exists()


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        ("FOO /manifest.json HTTP/1.1", b"501"),
        ("GET /" + "a" * 70_000 + " HTTP/1.1", b"414"),
        ("GET /manifest.json HTTP/9.9", b"505"),
        ("GET /manifest.json HTTP/1.1 extra", b"400"),
    ],
)
def test_refusals_of_http_server_carry_the_same_headers(
    server: DevServer, request_line: str, status: bytes
) -> None:
    raw = raw_request(server.port, request_line)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 " + status), head
    lines = head.decode().lower().split("\r\n")
    for name, value in CORS_HEADERS:
        assert f"{name}: {value}".lower() in lines
    assert "cache-control: no-store" in lines
    assert "content-type: text/plain; charset=utf-8" in lines
    assert "server: deskpro-serve" in lines
    assert body.startswith(status + b" ")


def test_defaults_are_dev_modes_port_on_loopback_only() -> None:
    from deskpro_cli.cli.serve import command

    defaults = {p.name: p.default for p in command.params}
    assert defaults["port"] == 31080 == ServeOptions().port
    assert defaults["host"] == "127.0.0.1" == ServeOptions().host


def test_the_socket_listens_on_loopback_only(server: DevServer) -> None:
    assert server._httpd is not None
    assert server._httpd.socket.getsockname()[0] == "127.0.0.1"


def test_output_gone_is_no_reason_to_stop(app: Path, caplog: pytest.LogCaptureFixture) -> None:
    def closed_pipe(event: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with DevServer(app, toy_build, ServeOptions(port=0, watch="off"), closed_pipe) as srv:
        assert srv.wait_for_build().ok
        assert request(srv.port, "/manifest.json").status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
