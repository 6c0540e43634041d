"""What may go into an app's bundle: the files of a source folder.

:func:`collect` walks a source folder (``src/main/resources``, ...) and says which files are
packed, which are left out and why (dotfiles such as ``.env*`` and ``.git``, ``node_modules``,
source maps unless asked, editor and OS litter), and which cannot be packed at all (a symlink
that leaves the project or points at something left out by name, a symlink loop, a broken link,
a FIFO or device). It never follows a link out of the project and never loops. The secrets scan
of what is packed is :mod:`deskpro_cli.build.secret_scan`.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from deskpro_cli.errors import EnvironmentFailure
from deskpro_cli.problems import Problem

#: Rule ids of the problems this module reports (docs/rules.md, "Building the app").
RULE_LINK_OUTSIDE = "DP501"
RULE_LINK_BROKEN = "DP502"
RULE_NOT_A_FILE = "DP503"
RULE_BAD_NAME = "DP504"
RULE_LINK_EXCLUDED = "DP505"

_LITTER = {"Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class SourceFile:
    """A file to pack: where it is on disk and its path below the walked folder.

    ``rel`` uses ``/`` and Unicode NFC, so the same tree gives the same names on every system.
    ``origin`` is the path relative to the project, as the user knows it.
    """

    path: Path
    rel: str
    origin: str
    size: int


@dataclass(frozen=True)
class Skipped:
    """A file or folder deliberately left out of the bundle (``origin`` relative to the project)."""

    origin: str
    reason: str


@dataclass
class Collected:
    """What :func:`collect` found: files to pack, things left out, and problems (errors)."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def exclusion_reason(name: str, *, is_dir: bool, sourcemaps: bool) -> str | None:
    """Why a file or folder called ``name`` is never packed, or None when it may be."""
    if name.startswith(".env"):
        return "environment file (.env*)"
    if name == ".git":
        return "git folder"
    if name.startswith("."):
        return "hidden folder" if is_dir else "hidden file (dotfile)"
    if name == "node_modules":
        return "node_modules"
    if not is_dir and name.endswith(".map") and not sourcemaps:
        return "source map (use --sourcemaps to pack them)"
    if name in _LITTER or name.endswith("~"):
        return "system or editor litter"
    return None


def collect(folder: Path, *, project_root: Path, sourcemaps: bool = False) -> Collected:
    """Walk ``folder`` (inside ``project_root``) in name order and sort out what to pack.

    Symlinks are followed when they stay inside the project (a file is packed with its target's
    content under the link's name); one that leaves the project, loops or dangles is a problem.
    A folder that does not exist gives an empty result.

    Raises:
        EnvironmentFailure: a folder cannot be listed or a file cannot be examined
            (permission denied, I/O error); exit 3, naming the path.
    """
    root = project_root.resolve()
    out = Collected()
    if not folder.exists() and not folder.is_symlink():
        return out
    start_rel = _origin(folder, project_root)
    real = _check_link(folder, start_rel, root, out)
    if real is None:
        return out
    if not real.is_dir():
        out.problems.append(_problem(RULE_NOT_A_FILE, start_rel, "is not a folder"))
        return out
    _walk(folder, "", start_rel, root, {real}, sourcemaps, out)
    return out


def _walk(
    folder: Path,
    rel_prefix: str,
    origin_prefix: str,
    root: Path,
    ancestors: set[Path],
    sourcemaps: bool,
    out: Collected,
) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise unreadable(origin_prefix, exc, folder=True) from exc
    for entry in entries:
        rel = rel_prefix + entry.name
        origin = f"{origin_prefix}/{entry.name}"
        is_link = entry.is_symlink()
        try:
            is_dir = entry.is_dir()
        except OSError:  # a link loop; reported below
            is_dir = False
        reason = exclusion_reason(entry.name, is_dir=is_dir, sourcemaps=sourcemaps)
        if reason is not None:
            out.skipped.append(Skipped(origin, reason))
            continue
        name = _portable_name(rel)
        if name is None:
            shown = os.fsencode(origin).decode("utf-8", "backslashreplace")  # bad\xffname
            out.problems.append(
                _problem(RULE_BAD_NAME, shown, "has a name that is not valid UTF-8", "rename it")
            )
            continue
        path = Path(entry.path)
        real = _check_link(path, origin, root, out) if is_link else path.resolve()
        if real is None:
            continue
        try:
            st = path.stat()
        except OSError as exc:
            raise unreadable(origin, exc) from exc
        if stat.S_ISDIR(st.st_mode):
            if real in ancestors:
                out.problems.append(
                    _problem(
                        RULE_LINK_BROKEN,
                        origin,
                        "leads back into a folder that contains it (a symlink loop)",
                        "replace the symlink on that path with the files it should point at",
                    )
                )
                continue
            _walk(path, name + "/", origin, root, ancestors | {real}, sourcemaps, out)
        elif stat.S_ISREG(st.st_mode):
            out.files.append(SourceFile(path, name, origin, st.st_size))
        else:
            out.problems.append(
                _problem(
                    RULE_NOT_A_FILE,
                    origin,
                    "is not a regular file (a FIFO, socket or device)",
                    "remove it from the source folder",
                )
            )


def _check_link(path: Path, origin: str, root: Path, out: Collected) -> Path | None:
    """The real path behind ``path`` when it may be followed, else None (a problem is added)."""
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        real = None
        message = "is a symlink loop"
    except OSError as exc:
        real = None
        message = "is a symlink loop" if exc.errno == errno.ELOOP else "is a broken symlink"
    if real is None:
        out.problems.append(
            _problem(
                RULE_LINK_BROKEN,
                origin,
                f"{message} ({_link_text(path)})",
                "fix or delete the link",
            )
        )
        return None
    if not real.is_relative_to(root):
        out.problems.append(
            _problem(
                RULE_LINK_OUTSIDE,
                origin,
                f"is a symlink to {real}, outside the project; it is not packed",
                "copy the file into the project, or link to a file inside it",
            )
        )
        return None
    excluded = _excluded_target(real, root)
    if excluded is not None:
        target, reason = excluded
        out.problems.append(
            _problem(
                RULE_LINK_EXCLUDED,
                origin,
                f"is a symlink to {target}, which never ships ({reason}); it is not packed",
                "copy what the app needs into the source folder, or remove the link",
            )
        )
        return None
    return real


def _excluded_target(real: Path, root: Path) -> tuple[str, str] | None:
    """(the link's target relative to the project, why it never ships) when a folder on the
    way to it, or the target itself, could not be packed as a plain file (dotfiles, ``.git``,
    ``node_modules``): a link must not bring in what the walk leaves out by name."""
    parts = real.relative_to(root).parts
    for i, part in enumerate(parts):
        is_dir = i < len(parts) - 1 or real.is_dir()
        reason = exclusion_reason(part, is_dir=is_dir, sourcemaps=True)
        if reason is not None:
            return "/".join(parts), reason
    return None


def _link_text(path: Path) -> str:
    try:
        return f"-> {path.readlink()}"
    except OSError:
        return "a link in its path cannot be read"


def _portable_name(rel: str) -> str | None:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return unicodedata.normalize("NFC", rel)


def _origin(path: Path, project_root: Path) -> str:
    try:
        return path.relative_to(project_root).as_posix()
    except ValueError:
        return path.as_posix()


def _problem(rule: str, origin: str, what: str, hint: str | None = None) -> Problem:
    return Problem(rule, "error", f"{origin} {what}", origin, hint=hint)


class UnreadableSource(EnvironmentFailure):
    """A source file or folder cannot be read (exit 3).

    ``origin`` names it relative to the project (``src/main/resources/app.js``);
    :meth:`named_from` gives the same error naming it relative to the current folder.
    """

    def __init__(self, origin: str, reason: str, *, folder: bool = False) -> None:
        self.origin = origin
        self.reason = reason
        self.folder = folder
        fix = "chmod a+rx: a folder must be listable" if folder else "chmod a+r"
        super().__init__(
            f"cannot read {origin}: {reason}",
            hint=f"make it readable ({fix}), or move it out of the source folder",
        )

    def named_from(self, shown: str) -> UnreadableSource:
        """The same error with the source shown as ``shown``."""
        return UnreadableSource(shown, self.reason, folder=self.folder)


def unreadable(origin: str, exc: OSError, *, folder: bool = False) -> UnreadableSource:
    """The error for a source that cannot be read (exit 3), naming it as the user knows it."""
    return UnreadableSource(origin, exc.strerror or str(exc), folder=folder)
