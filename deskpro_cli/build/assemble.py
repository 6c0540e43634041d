"""Assembling the bundle: the fixed layout, a staging folder, and swapping it into ``dist/``.

The layout a Deskpro helpdesk expects (spec/deskpro-apps-v1.md §3.3) and the old tool produced:

=============================================  ==============================================
source (in the project)                        bundle (in ``dist/`` and the zip)
=============================================  ==============================================
``src/main/html/**``                           ``html/**``
``src/main/resources/**``                      ``assets/**``
``src/main/docs/ADMIN_README.md``              ``docs/ADMIN_README.md``
``src/installer/resources/**`` (plain screen)  ``assets/install-screen/**``
compiled app / installer screen                ``assets/main.js`` / ``assets/install-screen/``
installer (deskpro-cli's own)                  ``html/install.html``, ``assets/deskpro-installer.*``
the resolved manifest                          ``manifest.json``
=============================================  ==============================================

Any of the sources may be absent: nothing is copied for it (the old tool crashed on a missing
``docs/``). Pages in ``html/`` reach the assets as ``../assets/...``.

The bundle is built in a staging folder inside the output folder; :meth:`Staging.commit` then
swaps it in. Until then the output folder (and the previous ``app.zip``) is untouched; a failure
or Ctrl-C removes the staging folder.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import shutil
import stat
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from deskpro_cli.build.scan import Skipped, collect, unreadable
from deskpro_cli.errors import EnvironmentFailure
from deskpro_cli.fsutil import process_alive
from deskpro_cli.problems import Problem

log = logging.getLogger(__name__)

#: (source folder in the project, folder in the bundle), copied file by file.
SOURCE_FOLDERS = (
    ("src/main/html", "html"),
    ("src/main/resources", "assets"),
    ("src/installer/resources", "assets/install-screen"),
)
ADMIN_README = ("src/main/docs/ADMIN_README.md", "docs/ADMIN_README.md")

RULE_COLLISION = "DP530"

_STAGING_PREFIX = ".deskpro-staging-"
_OLD_PREFIX = ".deskpro-old-"
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


@dataclass
class Bundle:
    """The files of a bundle being built in ``root``: where each came from and where its bytes are.

    ``origins`` maps a bundle path (``assets/icon.png``) to what the user knows it as: the
    project-relative source (``src/main/resources/icon.png``) or a note for generated files
    (``<installer>``, ``<compiled from ...>``, ``<manifest>``). ``sources`` maps it to the file
    holding its bytes now: the project's own file for a copied source (so checks and the zip
    need not wait for the copy), else the file in ``root``. ``pending`` lists the copies still
    to make into ``root`` (see :class:`Copier`).
    """

    root: Path
    origins: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    pending: list[tuple[Path, Path, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def path(self, name: str) -> Path:
        """Where ``name`` lives in the staging folder."""
        return self.root.joinpath(*name.split("/"))

    def claim(self, name: str, origin: str, source: Path | None = None) -> Problem | None:
        """Record ``name`` for ``origin`` (bytes at ``source``, default its staging path); a
        problem when another source already has that name."""
        earlier = self.origins.get(name)
        if earlier is not None:
            return Problem(
                RULE_COLLISION,
                "error",
                f"{origin} and {earlier} both become {name} in the bundle",
                origin if not origin.startswith("<") else earlier,
                hint=_collision_hint(name, origin, earlier),
            )
        self.origins[name] = origin
        self.sources[name] = source if source is not None else self.path(name)
        return None

    def add_bytes(self, name: str, data: bytes, origin: str) -> Problem | None:
        """Write a generated file into the bundle."""
        problem = self.claim(name, origin)
        if problem is None:
            target = self.path(name)
            _guarded_write(self.root, lambda: _write_bytes(target, data))
        return problem

    def add_copy(self, name: str, source: Path, origin: str) -> Problem | None:
        """Add a project file; its copy into the staging folder is left to :class:`Copier`."""
        problem = self.claim(name, origin, source)
        if problem is None:
            self.pending.append((source, self.path(name), origin))
        return problem


def _collision_hint(name: str, origin: str, earlier: str) -> str:
    if "<" in origin or "<" in earlier:
        return f"deskpro-cli writes {name} itself; rename your file"
    return "rename one of them"


def copy_sources(project: Path, bundle: Bundle, *, sourcemaps: bool) -> list[Problem]:
    """Add the project's static sources to the bundle by the fixed layout.

    Returns the problems found (symlinks out of the project, loops, name clashes...); every
    folder is walked either way, so every problem is reported at once. The copies themselves
    are queued in ``bundle.pending``.

    Raises:
        EnvironmentFailure: a source folder cannot be listed (exit 3).
    """
    problems: list[Problem] = []
    for src_rel, dest in SOURCE_FOLDERS:
        found = collect(project / src_rel, project_root=project, sourcemaps=sourcemaps)
        problems += found.problems
        bundle.skipped += found.skipped
        for f in found.files:
            clash = bundle.add_copy(f"{dest}/{f.rel}", f.path, f.origin)
            if clash is not None:
                problems.append(clash)
    src_rel, name = ADMIN_README
    docs = collect(project / "src/main/docs", project_root=project)
    problems += [p for p in docs.problems if p.file == src_rel]
    for f in docs.files:
        if f.rel == "ADMIN_README.md":
            clash = bundle.add_copy(name, f.path, f.origin)
            if clash is not None:
                problems.append(clash)
    return problems


class Copier:
    """Makes the bundle's pending copies on worker threads, while the checks and the zip run.

    Copying is I/O the kernel does (``sendfile``) with the GIL released, so it overlaps with
    deflating the zip. :meth:`wait` re-raises the first failure as the project's error;
    :meth:`close` cancels what has not started and waits for what has, so the staging folder
    can be removed safely after a failure or Ctrl-C.
    """

    def __init__(self, bundle: Bundle, *, workers: int = 2) -> None:
        self.bundle = bundle
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []

    def start(self) -> None:
        """Create the folders, then start copying."""
        pending, self.bundle.pending = self.bundle.pending, []
        folders = sorted({target.parent for _, target, _ in pending})
        _guarded_write(self.bundle.root, lambda: _make_folders(folders))
        if not pending:
            return
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="deskpro-copy")
        root = self.bundle.root
        self._futures = [
            self._pool.submit(_copy, source, target, origin, root)
            for source, target, origin in pending
        ]

    def wait(self) -> None:
        """Block until every copy is made.

        Raises:
            EnvironmentFailure: a source could not be read or the copy not written (exit 3).
        """
        for future in self._futures:
            future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _make_folders(folders: list[Path]) -> None:
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


def _copy(source: Path, target: Path, origin: str, root: Path) -> None:
    """Copy ``source`` to ``target`` (in the staging folder ``root``), dated like the source.

    When the previous build's copy (the same path in the output folder) has the source's size
    and modification time, it is hard-linked into the staging folder instead of copied again:
    the previous bundle is deleted when the new one is committed, so the link never ties a
    bundle file to the project's own file, and a failed build leaves the previous one whole.
    The zip never reads these copies (it reads the project's files), only dist/ does.
    """
    try:
        st = source.stat()
        previous = root.parent / target.relative_to(root)
        if _same_file(previous, st.st_size, st.st_mtime_ns):
            try:
                os.link(previous, target)
                return
            except OSError:
                pass  # a filesystem without hard links: copy
        shutil.copyfile(source, target)
        os.utime(target, ns=(st.st_mtime_ns, st.st_mtime_ns))
    except OSError as exc:
        if exc.errno in _WRITE_ERRNOS or exc.filename == str(target):
            raise _write_failure(root, exc) from exc
        raise unreadable(origin, exc) from exc


def _same_file(previous: Path, size: int, mtime_ns: int) -> bool:
    try:
        st = previous.lstat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == size and st.st_mtime_ns == mtime_ns


def _write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _guarded_write(root: Path, action: Callable[[], None]) -> None:
    try:
        action()
    except OSError as exc:
        raise _write_failure(root, exc) from exc


def _write_failure(root: Path, exc: OSError) -> EnvironmentFailure:
    where = root.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = "free some disk space and run the command again"
    else:
        hint = f"make {where} writable, or remove it so it can be created again"
    why = exc.strerror or str(exc)
    return EnvironmentFailure(f"cannot write the bundle in {where}: {why}", hint=hint)


def _create_failure(out_dir: Path, exc: OSError) -> EnvironmentFailure:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some disk space and run the command again"
    else:
        parent = next((p for p in out_dir.parents if p.exists()), out_dir.parent)
        # -o moves only the zip: the bundle is always built in the project (there is no other
        # output folder to choose)
        hint = (
            f"make {parent} writable (the bundle is built in {out_dir.name}/ there, even with -o), "
            "or work on a copy of the project in a folder you can write to"
        )
    return EnvironmentFailure(f"cannot create {out_dir}: {exc.strerror or exc}", hint=hint)


class Staging:
    """A fresh staging folder inside ``out_dir`` for one build.

    Use as a context manager: the folder is removed on any exception (including Ctrl-C), and
    after :meth:`commit`, which moves its content into ``out_dir``.
    """

    def __init__(self, out_dir: Path, *, keep: frozenset[str] = frozenset()) -> None:
        self.out_dir = out_dir
        self.keep = keep
        self.root = out_dir / f"{_STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self._created = False

    def __enter__(self) -> Staging:
        self._created = not self.out_dir.exists()
        if self._created:
            try:
                self.out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _create_failure(self.out_dir, exc) from exc
        try:
            _remove_leftovers(self.out_dir)
            self.root.mkdir()
        except OSError as exc:
            raise _write_failure(self.root, exc) from exc
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        if exc_type is not None and self._created:
            # a failed first build leaves no empty output folder behind
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()

    def commit(self) -> None:
        """Replace the output folder's content with the staged bundle.

        Kept in the output folder: zips (``app.zip``, a ``-o`` zip written there), dotfiles
        (``.gitkeep``) and anything named in ``keep``; everything else is the previous bundle
        and is replaced.

        Raises:
            EnvironmentFailure: the output folder cannot be changed.
        """
        old = self.out_dir / f"{_OLD_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            old.mkdir()
            for child in sorted(self.out_dir.iterdir()):
                if not _kept(child.name, self.keep):
                    child.rename(old / child.name)
            for child in sorted(self.root.iterdir()):
                child.rename(self.out_dir / child.name)
        except OSError as exc:
            raise _write_failure(self.root, exc) from exc
        finally:
            shutil.rmtree(old, ignore_errors=True)


def _kept(name: str, keep: frozenset[str]) -> bool:
    return name.startswith(".") or name.endswith(".zip") or name in keep


def _remove_leftovers(out_dir: Path) -> None:
    """Remove staging folders that a killed build (SIGKILL, power loss) left behind."""
    for child in out_dir.iterdir():
        if not child.name.startswith((_STAGING_PREFIX, _OLD_PREFIX)):
            continue
        pid_text = child.name.split("-")[-2]
        if pid_text.isdigit() and process_alive(int(pid_text)):
            continue
        log.debug("removing leftover %s", child)
        shutil.rmtree(child, ignore_errors=True)
