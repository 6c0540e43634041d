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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deskpro_cli.build.scan import Skipped, collect
from deskpro_cli.errors import EnvironmentFailure
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
    """The files of a bundle being built in ``root``, each with where it came from.

    ``origins`` maps a bundle path (``assets/icon.png``) to what the user knows it as: the
    project-relative source (``src/main/resources/icon.png``) or a note for generated files
    (``<installer>``, ``<compiled>``, ``<manifest>``).
    """

    root: Path
    origins: dict[str, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def path(self, name: str) -> Path:
        return self.root.joinpath(*name.split("/"))

    def claim(self, name: str, origin: str) -> Problem | None:
        """Record ``name`` for ``origin``; a problem when another source already has it."""
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
        return None

    def add_bytes(self, name: str, data: bytes, origin: str) -> Problem | None:
        """Write a generated file into the bundle."""
        problem = self.claim(name, origin)
        if problem is None:
            target = self.path(name)
            _guarded_write(self.root, lambda: _write_bytes(target, data))
        return problem

    def adopt_tree(self, folder: Path, origin: str) -> None:
        """Record every file a tool (the compiler) already wrote under ``root``."""
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(self.root).as_posix()
                self.origins.setdefault(name, origin)


def _collision_hint(name: str, origin: str, earlier: str) -> str:
    if "<" in origin or "<" in earlier:
        return f"deskpro-cli writes {name} itself; rename your file"
    return "rename one of them"


def copy_sources(project: Path, bundle: Bundle, *, sourcemaps: bool) -> list[Problem]:
    """Copy the project's static sources into the bundle by the fixed layout.

    Returns the problems found (symlinks out of the project, loops, name clashes...); the files
    that could be copied are copied either way, so every problem is reported at once.

    Raises:
        EnvironmentFailure: a source cannot be read, or the bundle cannot be written (exit 3).
    """
    problems: list[Problem] = []
    for src_rel, dest in SOURCE_FOLDERS:
        found = collect(project / src_rel, project_root=project, sourcemaps=sourcemaps)
        problems += found.problems
        bundle.skipped += found.skipped
        for f in found.files:
            name = f"{dest}/{f.rel}"
            clash = bundle.claim(name, f.origin)
            if clash is not None:
                problems.append(clash)
                continue
            _copy(f.path, bundle.path(name), f.origin, bundle.root)
    problems += _copy_admin_readme(project, bundle)
    return problems


def _copy_admin_readme(project: Path, bundle: Bundle) -> list[Problem]:
    src_rel, name = ADMIN_README
    docs = collect(project / "src/main/docs", project_root=project)
    wanted = [f for f in docs.files if f.rel == "ADMIN_README.md"]
    problems = [p for p in docs.problems if p.file == src_rel]
    for f in wanted:
        clash = bundle.claim(name, f.origin)
        if clash is not None:
            problems.append(clash)
        else:
            _copy(f.path, bundle.path(name), f.origin, bundle.root)
    return problems


def _copy(source: Path, target: Path, origin: str, root: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as exc:
        if exc.errno in _WRITE_ERRNOS or exc.filename == str(target):
            raise _write_failure(root, exc) from exc
        raise EnvironmentFailure(
            f"cannot read {origin}: {exc.strerror or exc}",
            hint="make it readable (chmod a+r), or move it out of the source folder",
        ) from exc


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
        try:
            self._created = not self.out_dir.exists()
            self.out_dir.mkdir(parents=True, exist_ok=True)
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
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        log.debug("removing leftover %s", child)
        shutil.rmtree(child, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
