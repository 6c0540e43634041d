"""The dev server: bind, build into ``target/``, serve, watch, rebuild, stop.

:class:`DevServer` ties the parts together. The build itself is one injected callable
(:data:`BuildStep`), so the server never knows how an app is compiled: ``deskpro serve`` passes
the shared pipeline (:mod:`deskpro_cli.devserver.pipeline_step`), tests may pass their own.

Threads: one accepts connections (each is answered on a :class:`~.listen.Workers` thread), one runs
builds one at a time, and the watcher has its own. Nothing here prints: the caller learns what
happens through ``on_event``.

Stopping does not wait for a running build to finish: the build runs in a cancel scope
(:mod:`deskpro_cli.cancel`) and :meth:`DevServer.stop` cancels it, which kills its esbuild at
once; its staging folder is removed. A build step busy in Python code of its own is waited for
at most :data:`STOP_WAIT` seconds, then left to end on its own (its thread does not keep the
process alive, and the next start clears what it leaves in staging).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from deskpro_cli.cancel import Cancelled, CancelToken, scope
from deskpro_cli.devserver.contract import (
    BuildFinished,
    BuildStarted,
    BuildStep,
    Listening,
    Notice,
    ServeEvent,
    ServeOptions,
)
from deskpro_cli.devserver.listen import DevHTTPServer, bind
from deskpro_cli.devserver.state import BuildState, StateBoard
from deskpro_cli.devserver.target import TargetDir
from deskpro_cli.devserver.watch import Watcher, make_watcher
from deskpro_cli.errors import DeskproError, EnvironmentFailure

log = logging.getLogger(__name__)

#: Seconds stop() waits for each of the server's threads (a cancelled build ends well before).
STOP_WAIT = 2.0


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
        self._cancel = CancelToken()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watcher: Watcher | None = None

    @property
    def run_id(self) -> str:
        """This server run's token (in every build state, and in every page's reload script)."""
        return self.board.current().run

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
        self._httpd = bind(self.options.host, self.options.port, self)
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
                self.report_changes,
                lambda message: self._emit(Notice(message)),
                polling=self.options.watch == "polling",
                debounce=self.options.debounce,
                poll_interval=self.options.poll_interval,
            )
            self._watcher.start()

    def report_changes(self, paths: set[Path]) -> None:
        """Tell the server that ``paths`` changed (the watcher calls this, from its thread).

        The report is taken as final: the watcher has already waited for the burst to end
        (``ServeOptions.debounce``). A build starts as soon as the build thread is free, with
        every path reported until then.
        """
        self._changes.put(set(paths))

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
        """Stop watching, building (a running build is cancelled, not waited for) and serving;
        close every connection; clear staging."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._cancel.cancel()
        if self._watcher is not None:
            self._watcher.stop()
        self._changes.put(None)
        self.board.close()
        for thread in self._threads:
            # A thread whose start() was cut short by Ctrl-C has no ident and cannot be joined.
            if thread.ident is not None and thread is not threading.current_thread():
                thread.join(timeout=STOP_WAIT)
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
        except OSError as exc:
            # The terminal or pipe the events go to has gone (``deskpro serve | head``): that
            # is no reason to stop serving, nor to print a traceback per event.
            log.debug("could not report %s: %s", type(event).__name__, exc)
        except Exception:
            log.exception("the serve event handler failed")

    def _build_loop(self) -> None:
        first = True
        while True:
            changed = self._changes.get()
            if changed is None:
                return
            changed = self._merge_queued(changed)
            if changed is None:
                return
            self._build(changed, first=first)
            first = False

    def _merge_queued(self, changed: set[Path]) -> set[Path] | None:
        """``changed`` and every report already queued (those that came in during the last
        build, or together with this one), without waiting for more; None on stop.

        The watcher has already waited for quiet, so waiting here again would only add to the
        time between a save and the new build (it was 30 ms of each save's latency)."""
        merged = set(changed)
        while True:
            try:
                more = self._changes.get_nowait()
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
        out_dir: Path | None = None
        trace: str | None = None
        try:
            out_dir = self.target.new_staging()
            with scope(self._cancel):
                warnings = tuple(self.build_step(self._build_path, out_dir))
            # Stopping while a build step that does not check its token ran: its result is
            # thrown away rather than swapped in.
            self._cancel.raise_if_cancelled()
            built = self.target.install(out_dir)
            state = BuildState(
                id=previous.id + 1,
                run=previous.run,
                ok=True,
                built=built,
                warnings=warnings,
                duration=self.clock() - started,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes the error page
            if out_dir is not None:
                self.target.discard(out_dir)
            if isinstance(exc, Cancelled) or self._stopping.is_set():
                return  # stopped mid-build: nothing to show, nobody to show it to
            error, internal = _as_error(exc)
            if internal:
                import traceback

                trace = traceback.format_exc()
            state = BuildState(
                id=previous.id + 1,
                run=previous.run,
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
