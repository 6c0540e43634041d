"""Listening: the threaded HTTP server, binding its port, and the errors binding can give."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import queue
import socket
import sys
import threading
from collections.abc import Callable
from functools import partial
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from deskpro_cli.devserver.handler import DevRequestHandler
from deskpro_cli.errors import DeskproError, EnvironmentFailure, UsageError

if TYPE_CHECKING:
    from deskpro_cli.devserver.server import DevServer

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Workers:
    """Threads that answer connections, kept for the next one once a connection ends.

    ``ThreadingHTTPServer`` starts a thread per connection, and the accepting thread waits for
    each to start: with a new connection per request that was most of a small file's cost.
    A connection is given to an idle worker, or to a new thread when none is idle (there is no
    limit: event streams, sockets and keep-alives each hold a worker for as long as they stay
    open). Workers idle for :attr:`IDLE_SECONDS` end. Threads are daemons, so a stuck one never
    holds up the end of the process.
    """

    IDLE_SECONDS = 30.0

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # workers waiting for a job that no queued job has claimed yet
        self._threads = 0
        self._closed = False

    def submit(self, job: Callable[[], object]) -> None:
        """Run ``job`` on an idle worker, or on a new one."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the workers were closed")
            spawn = self._idle == 0
            if spawn:
                self._threads += 1
                name = f"{self.name}-{self._threads}"
            else:
                self._idle -= 1
        self._jobs.put(job)
        if spawn:
            threading.Thread(target=self._work, name=name, daemon=True).start()

    def close(self) -> None:
        """Let every worker end once it is done with its current job."""
        with self._lock:
            self._closed = True
            count = self._threads
        for _ in range(count):
            self._jobs.put(None)

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # nobody counts on this worker: end it
                        self._idle -= 1
                        self._threads -= 1
                        return
                continue  # a job was handed to this worker as it timed out
            if job is None:
                return
            try:
                job()
            finally:
                with self._lock:
                    self._idle += 1


class DevHTTPServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` that knows its :class:`DevServer` and its open connections, and
    answers them on reused :class:`Workers`."""

    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second server steal a port that is in use.
    allow_reuse_address = sys.platform != "win32"
    # A browser opens several connections at once; the default backlog of 5 drops the rest
    # (a second's delay for each dropped one while the client retries).
    request_queue_size = 64

    def __init__(self, address: tuple[Any, ...], app: DevServer, family: int) -> None:
        self.address_family = family
        self.app = app
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._workers = Workers("deskpro-http")
        super().__init__(address, DevRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._workers.submit(partial(self.process_request_thread, request, client_address))

    def server_close(self) -> None:
        super().server_close()
        self._workers.close()

    def track(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.discard(conn)

    def close_connections(self) -> None:
        """End every open connection (idle keep-alives, event streams) so threads finish."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The base class prints a traceback to stderr; a client hanging up is not worth one.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, exc)
        else:
            log.warning("error while answering %s", client_address, exc_info=True)


def bind(host: str, port: int, app: DevServer) -> DevHTTPServer:
    """A :class:`DevHTTPServer` listening on ``host:port`` (IPv4 or IPv6, as ``host`` resolves).

    Raises:
        EnvironmentFailure: the port is in use or needs privileges (exit 3).
        UsageError: ``host`` is not an address of this machine (exit 2).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(
            f"--host {host!r} is not an address this machine can listen on ({exc.strerror})",
            hint="use 127.0.0.1 (the default), localhost, or one of this machine's addresses",
        ) from exc
    family, _, _, _, address = infos[0]
    try:
        return DevHTTPServer(address, app, family)
    except OSError as exc:
        raise _bind_error(exc, host, port) from exc


def _bind_error(exc: OSError, host: str, port: int) -> DeskproError:
    if exc.errno == errno.EADDRINUSE:
        return EnvironmentFailure(
            f"port {port} on {host} is already in use (another deskpro serve, or another server)",
            hint=f"stop the program using port {port}, or serve on another port with --port N "
            "(then point Dev Mode at that port)",
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return EnvironmentFailure(
            f"not allowed to listen on port {port} on {host}",
            hint="ports below 1024 need administrator rights; choose another with --port N",
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return UsageError(
            f"--host {host} is not an address of this machine",
            hint="use 127.0.0.1 (the default), localhost, or one of this machine's addresses",
        )
    return EnvironmentFailure(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
