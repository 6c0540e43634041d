"""The dev server: bind, build into ``target/``, serve, watch, rebuild, stop.

:class:`DevServer` ties the parts together. The build itself is one injected callable
(:data:`BuildStep`), so the server never knows how an app is compiled: ``deskpro serve`` passes
the shared pipeline (:mod:`deskpro_cli.devserver.pipeline_step`), tests may pass their own.

Threads: one serves HTTP (``ThreadingHTTPServer``, one more thread per connection), one runs
builds one at a time, and the watcher has its own. Nothing here prints: the caller learns what
happens through ``on_event``.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from deskpro_cli.devserver.handler import DevRequestHandler
from deskpro_cli.devserver.state import BuildState, StateBoard
from deskpro_cli.devserver.target import TargetDir
from deskpro_cli.devserver.watch import Watcher, make_watcher
from deskpro_cli.errors import DeskproError, EnvironmentFailure, UsageError
from deskpro_cli.problems import Problem

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 31080

#: ``build_step(project_dir, out_dir) -> warnings``: build the app into the empty folder
#: ``out_dir`` in the zip's layout (``manifest.json``, ``html/``, ``assets/``, ``docs/``), not
#: minified and with no zip. Raise a :class:`~deskpro_cli.errors.DeskproError` (``ProblemsFound``
#: with file and line) when the app cannot be built.
BuildStep = Callable[[Path, Path], Sequence[Problem]]


@dataclass(frozen=True)
class ServeOptions:
    """How to serve.

    Attributes:
        host: address to listen on (loopback unless the user asks otherwise).
        port: TCP port; 0 picks a free one.
        watch: ``auto`` (watchfiles, else polling), ``polling``, or ``off``.
        debounce: seconds of quiet after a change before a build starts (a burst of saves, a
            ``git checkout``, is one build).
        poll_interval: seconds between scans when polling.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    watch: Literal["auto", "polling", "off"] = "auto"
    debounce: float = 0.03
    poll_interval: float = 0.25


# -- events the caller renders ------------------------------------------------------------
@dataclass(frozen=True)
class Listening:
    """The port is bound and requests are answered from now on, at ``url``."""

    url: str


@dataclass(frozen=True)
class BuildStarted:
    """A build began; ``changed`` lists the changed paths (relative), empty for the first one."""

    changed: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BuildFinished:
    """A build ended (good or failed); ``state`` is what the server now serves."""

    state: BuildState
    first: bool
    traceback: str | None = None


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not a build result (a watcher fallback)."""

    message: str


ServeEvent = Listening | BuildStarted | BuildFinished | Notice


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DevHTTPServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` that knows its :class:`DevServer` and its open connections."""

    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second server steal a port that is in use.
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, address: tuple[Any, ...], app: DevServer, family: int) -> None:
        self.address_family = family
        self.app = app
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, DevRequestHandler)

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


class DevServer:
    """Build a project into ``target/`` and serve it for Dev Mode, rebuilding on change.

    Use :meth:`start`, then :meth:`wait` (or :meth:`wait_for_build`), then :meth:`stop`; or use
    it as a context manager.
    """

    def __init__(
        self,
        project_dir: Path,
        build_step: BuildStep,
        options: ServeOptions | None = None,
        on_event: Callable[[ServeEvent], None] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project_dir = project_dir.resolve()
        # The build sees the path as the user gave it, so its messages name files the way
        # `deskpro package` does (``my-app/package.json:16:14``).
        self._build_path = project_dir
        self.build_step = build_step
        self.options = options or ServeOptions()
        self.on_event = on_event or (lambda _event: None)
        self.clock = clock
        self.board = StateBoard()
        self.target = TargetDir(self.project_dir / "target")
        self._httpd: DevHTTPServer | None = None
        self._changes: queue.Queue[set[Path] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watcher: Watcher | None = None

    # -- addresses --------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        if self._httpd is None:
            return self.options.port
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://host:port`` as a browser on this machine would reach the server."""
        host = self.options.host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Bind the port, prepare ``target/``, start serving and the first build, then watch.

        Raises:
            EnvironmentFailure: the port is in use or needs privileges; ``target`` is unusable.
            UsageError: ``host`` is not an address of this machine.
        """
        self._httpd = self._bind()
        try:
            self.target.prepare()
        except BaseException:
            self._httpd.server_close()
            raise
        self._emit(Listening(self.base_url))
        self._spawn(self._serve_loop, "deskpro-http")
        self._spawn(self._build_loop, "deskpro-build")
        self._changes.put(set())
        if self.options.watch != "off":
            self._watcher = make_watcher(
                self.project_dir,
                self._changes.put,
                lambda message: self._emit(Notice(message)),
                polling=self.options.watch == "polling",
                poll_interval=self.options.poll_interval,
            )
            self._watcher.start()

    def wait(self) -> None:
        """Block until :meth:`stop` (Ctrl-C raises ``KeyboardInterrupt`` here)."""
        while not self._stopped.wait(0.5):
            pass

    def wait_for_build(self, after: int = 0, timeout: float = 30.0) -> BuildState:
        """The state once a build with an id greater than ``after`` has finished.

        Raises:
            TimeoutError: no such build within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        state = self.board.current()
        while state.id <= after:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no build after #{after} within {timeout} s")
            state = self.board.wait_change(state.id, left)
        return state

    def stop(self) -> None:
        """Stop watching, building and serving; close every connection; clear staging."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.stop()
        self._changes.put(None)
        self.board.close()
        for thread in self._threads:
            # A thread whose start() was cut short by Ctrl-C has no ident and cannot be joined.
            if thread.ident is not None and thread is not threading.current_thread():
                thread.join(timeout=10)
        if self._httpd is not None:
            # No new connection is accepted now; end the open ones (keep-alives, event streams).
            self._httpd.close_connections()
            self._httpd.server_close()
        self.target.clear_staging()
        self._stopped.set()

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals --------------------------------------------------------------------------
    def _serve_loop(self) -> None:
        """Answer connections until stop(); each waits at most 0.1 s so stopping is quick.

        (``serve_forever``/``shutdown`` would hang forever if Ctrl-C came between starting this
        thread and its first loop; checking an event here cannot.)
        """
        httpd = self._httpd
        assert httpd is not None
        httpd.timeout = 0.1
        while not self._stopping.is_set():
            try:
                httpd.handle_request()
            except (OSError, ValueError):
                if self._stopping.is_set():
                    return
                raise

    def _spawn(self, target: Callable[[], object], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _emit(self, event: ServeEvent) -> None:
        if self._stopping.is_set():
            return
        try:
            self.on_event(event)
        except Exception:
            log.exception("the serve event handler failed")

    def _bind(self) -> DevHTTPServer:
        host, port = self.options.host, self.options.port
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except socket.gaierror as exc:
            raise UsageError(
                f"--host {host!r} is not an address this machine can listen on ({exc.strerror})",
                hint="use 127.0.0.1 (the default), localhost, or one of this machine's addresses",
            ) from exc
        family, _, _, _, address = infos[0]
        try:
            return DevHTTPServer(address, self, family)
        except OSError as exc:
            raise _bind_error(exc, host, port) from exc

    def _build_loop(self) -> None:
        first = True
        while True:
            changed = self._changes.get()
            if changed is None:
                return
            changed = self._settle(changed)
            if changed is None:
                return
            self._build(changed, first=first)
            first = False

    def _settle(self, changed: set[Path]) -> set[Path] | None:
        """Wait until changes stop for ``debounce`` seconds, merging them; None on stop."""
        merged = set(changed)
        while True:
            try:
                more = self._changes.get(timeout=self.options.debounce)
            except queue.Empty:
                return merged
            if more is None:
                return None
            merged |= more

    def _build(self, changed: set[Path], *, first: bool) -> None:
        rel = tuple(sorted(_relative(p, self.project_dir) for p in changed))
        self._emit(BuildStarted(changed=rel))
        previous = self.board.current()
        started = self.clock()
        out_dir = self.target.new_staging()
        trace: str | None = None
        try:
            warnings = tuple(self.build_step(self._build_path, out_dir))
            built = self.target.install(out_dir)
            state = BuildState(
                id=previous.id + 1,
                ok=True,
                built=built,
                warnings=warnings,
                duration=self.clock() - started,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes the error page
            self.target.discard(out_dir)
            error, internal = _as_error(exc)
            if internal:
                import traceback

                trace = traceback.format_exc()
            state = BuildState(
                id=previous.id + 1,
                ok=False,
                built=previous.built,
                error=error,
                duration=self.clock() - started,
                internal=internal,
            )
        if self._stopping.is_set():
            return
        self.board.publish(state)
        self._emit(BuildFinished(state=state, first=first, traceback=trace))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _as_error(exc: Exception) -> tuple[DeskproError, bool]:
    """The error to show for a failed build, and whether it is a bug of ours."""
    if isinstance(exc, DeskproError):
        return exc, False
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return EnvironmentFailure(f"{exc.strerror or exc}{where}"), False
    return DeskproError(f"internal error while building: {type(exc).__name__}: {exc}"), True


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
