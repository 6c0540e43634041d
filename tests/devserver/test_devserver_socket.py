"""The reload channel pages use: a WebSocket on ``/__deskpro/socket`` (framing, handshake, and
the real server announcing builds over it)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import socket
import struct
import time
from pathlib import Path

import pytest

from deskpro_cli.devserver import DevServer
from deskpro_cli.devserver import websocket as ws

from .serve_support import TOY_APP, request, running

RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 §1.3's example


def _headers(**overrides: str | None) -> dict[str, str]:
    headers = {
        "Upgrade": "websocket",
        "Connection": "keep-alive, Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": RFC_KEY,
    }
    for name, value in overrides.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return headers


def test_accept_key_is_the_rfc_example() -> None:
    assert ws.accept_key(_headers().get) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize(
    "overrides",
    [
        {"Upgrade": None},
        {"Upgrade": "h2c"},
        {"Connection": "keep-alive"},
        {"Sec_WebSocket_Version": "8"},
        {"Sec_WebSocket_Key": None},
        {"Sec_WebSocket_Key": "not base64!"},
        {"Sec_WebSocket_Key": base64.b64encode(b"short").decode()},
        {"Sec_WebSocket_Key": "ééé"},
    ],
)
def test_non_handshakes_are_refused(overrides: dict[str, str | None]) -> None:
    assert ws.accept_key(_headers(**overrides).get) is None


def _masked(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    return head + mask + body


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536])
def test_frames_round_trip(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    assert ws.read_frame(io.BytesIO(ws.frame(ws.TEXT, payload)).read) == (ws.TEXT, payload)
    assert ws.read_frame(io.BytesIO(_masked(ws.PING, payload)).read) == (ws.PING, payload)


def test_truncated_or_oversized_frames_end_the_stream() -> None:
    assert ws.read_frame(io.BytesIO(b"").read) is None
    assert ws.read_frame(io.BytesIO(_masked(ws.TEXT, b"hello")[:-2]).read) is None
    too_big = _masked(ws.TEXT, bytes(ws.MAX_CLIENT_FRAME + 1))
    assert ws.read_frame(io.BytesIO(too_big).read) is None


class Client:
    """A minimal WebSocket client over a raw socket."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                "GET /__deskpro/socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Key: {key}\r\nOrigin: https://helpdesk.example.com\r\n\r\n"
            ).encode()
        )
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        assert status.startswith(b"HTTP/1.1 101"), status
        headers = {}
        while (line := self.file.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        assert headers["sec-websocket-accept"] == ws.accept_key({"Upgrade": "websocket",
            "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": key}.get)  # fmt: skip

    def next(self) -> tuple[int, bytes] | None:
        return ws.read_frame(self.file.read)

    def send(self, opcode: int, payload: bytes = b"") -> None:
        self.sock.sendall(_masked(opcode, payload))

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def app(tree) -> Path:
    return tree(TOY_APP)


def test_socket_announces_each_build(app: Path) -> None:
    with running(app, watch="polling") as srv:
        assert srv.wait_for_build().ok
        client = Client(srv.port)
        try:
            opcode, data = client.next() or (None, b"")
            assert opcode == ws.TEXT and json.loads(data)["id"] == 1

            (app / "src/main/resources/app.js").write_text("BROKEN\n")
            opcode, data = client.next() or (None, b"")
            failed = json.loads(data)
            assert opcode == ws.TEXT and failed["id"] == 2 and failed["ok"] is False
            assert failed["problems"][0]["file"] == "src/main/resources/app.js"

            client.send(ws.PING, b"are you there")
            assert client.next() == (ws.PONG, b"are you there")
            client.send(ws.CLOSE)
            assert client.next() == (ws.CLOSE, b"")
            assert client.file.read(1) == b""  # the server hung up
        finally:
            client.close()


def test_each_server_run_has_its_own_token(app: Path) -> None:
    """Build ids start again at 1 after a restart; the run token tells the two apart, in the
    announcements, the status and the page's reload script alike."""
    runs = []
    for _ in range(2):
        with running(app, watch="off") as srv:
            assert srv.wait_for_build().ok
            client = Client(srv.port)
            try:
                _opcode, data = client.next() or (None, b"")
                announced = json.loads(data)
            finally:
                client.close()
            status = json.loads(request(srv.port, "/__deskpro/status").body)
            page = request(srv.port, "/v1.2.3/files/html/index.html").text
            assert announced["id"] == status["id"] == 1
            assert announced["run"] == status["run"] == srv.run_id
            assert re.fullmatch(r"[0-9a-f]{16}", srv.run_id)
            assert f'data-run="{srv.run_id}" data-build="1"' in page
            runs.append(srv.run_id)
    assert runs[0] != runs[1]


def test_plain_request_to_the_socket_is_400_with_cors(app: Path) -> None:
    with running(app, watch="off") as srv:
        resp = request(srv.port, "/__deskpro/socket")
    assert resp.status == 400
    assert resp.headers["access-control-allow-origin"] == "*"


def _open_connections(server: DevServer) -> int:
    httpd = server._httpd  # counting the live connections
    assert httpd is not None
    return len(httpd._connections)


def test_a_client_that_leaves_frees_its_connection_within_seconds(app: Path) -> None:
    with running(app, watch="off") as srv:
        srv.wait_for_build()
        client = Client(srv.port)
        assert client.next() is not None
        events = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        events.sendall(b"GET /__deskpro/events HTTP/1.1\r\nHost: x\r\n\r\n")
        events.recv(4096)
        assert _open_connections(srv) == 2
        client.close()  # no closing frame: a crashed tab
        events.close()
        deadline = time.monotonic() + 5
        while _open_connections(srv) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _open_connections(srv) == 0


def test_stopping_says_going_away(app: Path) -> None:
    with running(app, watch="off") as srv:
        srv.wait_for_build()
        client = Client(srv.port)
        assert client.next() is not None
    try:
        assert client.next() == (ws.CLOSE, struct.pack("!H", 1001))
    finally:
        client.close()
