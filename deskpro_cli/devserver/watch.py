"""Watching a project's sources: ``src/`` (recursively), ``package.json`` and ``manifest.json``.

Two kinds of watcher report changed paths to one callback (called from a watcher thread):

- :class:`NotifyWatcher` uses ``watchfiles`` (the operating system's file events). It watches
  ``src/`` recursively and the project folder itself *non*-recursively, so ``node_modules/``,
  ``target/`` and ``dist/`` never cost a watch, and editors that save by renaming a temporary file
  over the original are still seen.
- :class:`PollingWatcher` compares file dates and sizes a few times a second: the fallback when
  ``watchfiles`` cannot be imported or the system is out of file watches.

Debouncing (grouping a burst of saves into one report) happens here, once: the file-event
watcher reports a batch after ``debounce`` seconds with no new change (watchfiles' own quiet
period), and a polling scan reports everything that changed since the scan before. The server
then builds at once, merging whatever was reported while it was busy; it does not wait again
(two stacked quiet periods were 30 ms of every save's latency).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

ChangeCallback = Callable[[set[Path]], None]
NoticeCallback = Callable[[str], None]

#: The files at the project's root that a build reads: the manifest, and what esbuild reads
#: (``package-lock.json`` changes when ``npm install`` brings new packages).
ROOT_FILES = (
    "package.json",
    "manifest.json",
    "package-lock.json",
    "tsconfig.json",
    "jsconfig.json",
)
_IGNORED_DIRS = frozenset({"node_modules", ".git", ".hg", ".svn", "__pycache__", ".idea"})
# Editor droppings: vim swap files and its 4913 probe, emacs locks and backups, JetBrains temps.
_IGNORED_NAME = re.compile(r"(\.sw.|~|\.tmp|\.___jb_\w+___)$|^(\.#|4913$|\.DS_Store$)")


def is_relevant(project_dir: Path, path: Path) -> bool:
    """Whether a changed path can affect a build (a source file, or a root manifest file)."""
    try:
        rel = path.relative_to(project_dir)
    except ValueError:
        return False
    parts = rel.parts
    if not parts:
        return False
    if len(parts) == 1:
        return parts[0] in ROOT_FILES or parts[0] == "src"
    if parts[0] != "src":
        return False
    if any(p in _IGNORED_DIRS for p in parts[1:]):
        return False
    return not _IGNORED_NAME.search(parts[-1])


class Watcher(Protocol):
    """Something that reports changed sources until stopped.

    ``start()`` returns once the watcher sees changes: a save made after it returns is reported.
    """

    def start(self) -> None: ...

    def stop(self) -> None: ...


class PollingWatcher:
    """Polls ``src/`` and the root files every ``interval`` seconds (dates and sizes)."""

    def __init__(
        self, project_dir: Path, on_change: ChangeCallback, interval: float = 0.25
    ) -> None:
        self.project_dir = project_dir
        self.on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="deskpro-poll", daemon=True)
        self._before: dict[Path, tuple[int, int]] = {}

    def start(self) -> None:
        # The first scan happens here, not on the thread, so a save made right after start()
        # returns is a difference from it.
        self._before = self.snapshot()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        """``{path: (mtime_ns, size)}`` for every watched file that exists now."""
        found: dict[Path, tuple[int, int]] = {}
        for name in ROOT_FILES:
            _stat_into(found, self.project_dir / name)
        src = self.project_dir / "src"
        for folder, dirs, files in os.walk(src):
            dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS]
            for name in files:
                if not _IGNORED_NAME.search(name):
                    _stat_into(found, Path(folder, name))
        return found

    def _run(self) -> None:
        before = self._before
        while not self._stop.wait(self.interval):
            now = self.snapshot()
            if now != before:
                changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
                before = now
                self.on_change(changed)


def _stat_into(found: dict[Path, tuple[int, int]], path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return
    found[path] = (st.st_mtime_ns, st.st_size)


class NotifyWatcher:
    """File-system events through ``watchfiles``: ``src/`` recursively, the root non-recursively.

    When ``src/`` appears (or is replaced, as ``git checkout`` may do) its watch is restarted. If
    ``watchfiles`` fails (for example the system's limit of file watches is reached), ``on_notice``
    is told and a :class:`PollingWatcher` takes over.
    """

    def __init__(
        self,
        project_dir: Path,
        on_change: ChangeCallback,
        on_notice: NoticeCallback,
        *,
        debounce: float = 0.03,
        poll_interval: float = 0.25,
    ) -> None:
        self.project_dir = project_dir
        self.on_change = on_change
        self.on_notice = on_notice
        self.debounce = debounce
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._src_stop = threading.Event()
        self._lock = threading.RLock()
        self._threads: list[threading.Thread] = []
        self._fallback: PollingWatcher | None = None

    #: Seconds start() waits at most for the watches to be in place.
    READY_TIMEOUT = 2.0

    def start(self) -> None:
        """Start watching; return once the watches are in place (or the polling fallback has
        taken its first scan), so a save made after this is seen."""
        root_ready = threading.Event()
        self._spawn(lambda: self._watch_root(root_ready), "deskpro-watch-root")
        src_ready = self._start_src()
        for ready in (root_ready, src_ready):
            if ready is not None:
                ready.wait(self.READY_TIMEOUT)

    def stop(self) -> None:
        self._stop.set()
        self._src_stop.set()
        with self._lock:
            threads, fallback = list(self._threads), self._fallback
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)
        if fallback is not None:
            fallback.stop()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _start_src(self) -> threading.Event | None:
        """(Re)start the watch of ``src/``; the event it returns is set once it is in place."""
        with self._lock:
            if not (self.project_dir / "src").is_dir() or self._stop.is_set():
                return None
            self._src_stop.set()
            self._src_stop = threading.Event()
            stop = self._src_stop
            ready = threading.Event()
            self._spawn(lambda: self._watch_src(stop, ready), "deskpro-watch-src")
            return ready

    def _events(
        self, path: Path, stop: threading.Event, ready: threading.Event, *, recursive: bool
    ) -> Iterable[set[Path]]:
        import watchfiles

        # watchfiles wakes every ``step`` ms and yields once a wake finds no new change, so a
        # batch ends after ``debounce`` seconds of quiet (at most ``2 * step`` after the last
        # change); a stream of changes that never goes quiet is cut after ``longest`` ms.
        step = max(1, round(self.debounce * 1000))
        longest = max(400, 4 * step)
        for changes in watchfiles.watch(
            path,
            watch_filter=None,
            debounce=longest,
            step=step,
            stop_event=_StopAndReady(stop, ready),
            rust_timeout=1000,
            raise_interrupt=False,
            recursive=recursive,
        ):
            yield {Path(p) for _, p in changes}

    def _watch_root(self, ready: threading.Event) -> None:
        try:
            for paths in self._events(self.project_dir, self._stop, ready, recursive=False):
                relevant = {p for p in paths if is_relevant(self.project_dir, p)}
                if any(p.name == "src" and p.parent == self.project_dir for p in relevant):
                    self._start_src()
                if relevant:
                    self.on_change(relevant)
        except Exception as exc:  # noqa: BLE001 - any watcher failure falls back to polling
            self._fall_back(exc)
        finally:
            ready.set()  # nobody waits for a watch that has ended

    def _watch_src(self, stop: threading.Event, ready: threading.Event) -> None:
        try:
            for paths in self._events(self.project_dir / "src", stop, ready, recursive=True):
                relevant = {p for p in paths if is_relevant(self.project_dir, p)}
                if relevant:
                    self.on_change(relevant)
        except FileNotFoundError:
            log.debug("src/ went away; waiting for it to come back")
        except Exception as exc:  # noqa: BLE001 - any watcher failure falls back to polling
            self._fall_back(exc)
        finally:
            ready.set()

    def _fall_back(self, exc: BaseException) -> None:
        if self._stop.is_set():
            return
        with self._lock:
            if self._fallback is not None:
                return
            self._fallback = PollingWatcher(self.project_dir, self.on_change, self.poll_interval)
        self._stop.set()
        self._src_stop.set()
        self._fallback.start()
        self.on_notice(
            f"watching files with the operating system failed ({exc}); polling for changes "
            "instead (a little slower to notice a save)"
        )


class _StopAndReady:
    """The stop event handed to ``watchfiles.watch``, which also tells when the watch is live.

    watchfiles asks ``is_set()`` only from its wait loop, which runs once the operating
    system's watches are in place: the first question sets ``ready``.
    """

    def __init__(self, stop: threading.Event, ready: threading.Event) -> None:
        self.stop = stop
        self.ready = ready

    def is_set(self) -> bool:
        self.ready.set()
        return self.stop.is_set()


def make_watcher(
    project_dir: Path,
    on_change: ChangeCallback,
    on_notice: NoticeCallback,
    *,
    polling: bool = False,
    debounce: float = 0.03,
    poll_interval: float = 0.25,
) -> Watcher:
    """The best watcher available: ``watchfiles`` unless ``polling`` is asked or it is missing.

    ``debounce`` is the file-event watcher's quiet period (seconds); a polling watcher groups by
    its ``poll_interval`` instead.
    """
    if not polling:
        try:
            import watchfiles  # noqa: F401 - only checking that it can be imported
        except ImportError:
            on_notice("the watchfiles package is not installed; polling for changes instead")
        else:
            return NotifyWatcher(
                project_dir,
                on_change,
                on_notice,
                debounce=debounce,
                poll_interval=poll_interval,
            )
    return PollingWatcher(project_dir, on_change, poll_interval)
