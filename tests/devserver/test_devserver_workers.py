"""The dev server's connection workers: reused when idle, never a limit, ended when idle long."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from deskpro_cli.devserver.listen import Workers

from .serve_support import TOY_APP, request, running


def _threads(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix + "-")]


def _wait(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_an_idle_worker_takes_the_next_job() -> None:
    workers = Workers("t-reuse")
    try:
        seen: list[str] = []
        for _ in range(20):
            done = threading.Event()
            workers.submit(
                lambda done=done: (seen.append(threading.current_thread().name), done.set())
            )
            assert done.wait(5)
            time.sleep(0.005)  # the worker is back waiting before the next job comes
        assert set(seen) == {"t-reuse-1"}
    finally:
        workers.close()


def test_busy_workers_never_hold_up_a_new_job() -> None:
    workers = Workers("t-busy")
    release = threading.Event()
    started = threading.Semaphore(0)
    try:
        for _ in range(12):  # like event streams and keep-alives that stay open
            workers.submit(lambda: (started.release(), release.wait(10)))
        for _ in range(12):
            assert started.acquire(timeout=5)
        done = threading.Event()
        workers.submit(done.set)
        assert done.wait(5)
        assert len(_threads("t-busy")) == 13
    finally:
        release.set()
        workers.close()
    _wait(lambda: not _threads("t-busy"))


def test_idle_workers_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Workers, "IDLE_SECONDS", 0.2)
    workers = Workers("t-idle")
    release = threading.Event()
    try:
        for _ in range(4):
            workers.submit(lambda: release.wait(10))
        _wait(lambda: len(_threads("t-idle")) == 4)
        release.set()
        _wait(lambda: not _threads("t-idle"))
        done = threading.Event()
        workers.submit(done.set)  # and a new one comes when needed
        assert done.wait(5)
    finally:
        workers.close()


def test_many_open_streams_and_a_request_besides(tree) -> None:  # type: ignore[no-untyped-def]
    app: Path = tree(TOY_APP)
    with running(app, watch="off") as srv:
        srv.wait_for_build()
        streams = []
        try:
            for _ in range(20):
                sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                sock.sendall(b"GET /__deskpro/events HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while b"event: build" not in data:
                    data += sock.recv(4096)
                streams.append(sock)
            assert request(srv.port, "/manifest.json").status == 200
        finally:
            for sock in streams:
                sock.close()
    _wait(lambda: not _threads("deskpro-http"))
