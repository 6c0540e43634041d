"""What may go into an app's bundle: the files of a source folder, and the secrets scan.

Two jobs, both about keeping things out of ``app.zip``:

- :func:`collect` walks a source folder (``src/main/resources``, ...) and says which files are
  packed, which are left out and why (dotfiles such as ``.env*`` and ``.git``, ``node_modules``,
  source maps unless asked, editor and OS litter), and which cannot be packed at all (a symlink
  that leaves the project, a symlink loop, a broken link, a FIFO or device). It never follows a
  link out of the project and never loops.
- :func:`find_secrets` reads one file in bounded chunks and reports private keys, GitHub tokens
  and AWS keys, with line and column.

Why not ``detect-secrets``: measured on the benchmark app (2,000 files, 50 MB, half already
compressed) it took 89 s with its default plugins and 51 s with only its AWS, GitHub and
private-key plugins, against about 1 s for ``zip`` itself; it scans line by line through a
Python plugin framework. The same kinds of secret are found here with literal-prefix regular
expressions over whole chunks (about 0.2 s for the 50 MB), using the same key formats.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskpro_cli.errors import EnvironmentFailure
from deskpro_cli.problems import Problem

#: Rule ids of the problems this module reports (docs/rules.md, "Building the app").
RULE_LINK_OUTSIDE = "DP501"
RULE_LINK_BROKEN = "DP502"
RULE_NOT_A_FILE = "DP503"
RULE_BAD_NAME = "DP504"
RULE_SECRET = "DP510"  # noqa: S105 - a rule id, not a password
RULE_SECRET_DEFAULT = "DP511"  # noqa: S105 - a rule id, not a password

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
        raise unreadable(origin_prefix, exc) from exc
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
            out.problems.append(
                _problem(RULE_BAD_NAME, origin, "has a name that is not valid UTF-8", "rename it")
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
    return real


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


def unreadable(origin: str, exc: OSError) -> EnvironmentFailure:
    """The error for a source that cannot be read (exit 3), naming it as the user knows it."""
    why = exc.strerror or str(exc)
    return EnvironmentFailure(
        f"cannot read {origin}: {why}",
        hint="make it readable (chmod a+r), or move it out of the source folder",
    )


# -- secrets ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """A secret found in a file: what kind, where (1-based line and column), masked value."""

    kind: str
    line: int
    column: int
    shown: str


_BASE64_BODY = rb"(?:\s|\\[rn])*(?:[A-Za-z-]+:[^\n]*(?:\s|\\[rn])+)*[A-Za-z0-9+/=]{40}"
# Each pattern starts with a literal, which Python's regex engine finds with a fast scan; word
# boundaries are checked by hand afterwards because a leading \b makes the search 15x slower.
_PATTERNS: list[tuple[str, re.Pattern[bytes]]] = [
    # A PEM header alone is common in crypto libraries' code; a key needs its base64 body too.
    (
        "private key",
        re.compile(rb"-----BEGIN[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----" + _BASE64_BODY),
    ),
    ("private key", re.compile(rb"PuTTY-User-Key-File-[23]: ")),
    ("GitHub token", re.compile(rb"gh[pousr]_[A-Za-z0-9]{36,251}")),
    ("GitHub token", re.compile(rb"github_pat_[A-Za-z0-9_]{82}")),
    ("AWS access key", re.compile(rb"A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}")),
]
# An AWS secret access key is 40 base64 characters with no prefix: looked for only near "aws".
_AWS_SECRET = re.compile(
    rb"(?i:aws).{0,20}?(?i:key|pwd|pw|password|pass|token).{0,20}?['\"]([0-9a-zA-Z/+]{40})['\"]"
)
_ALLOW = b"pragma: allowlist secret"
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_KEY_FILE_SUFFIXES = (".p12", ".pfx", ".jks", ".keystore")
_KEY_FILE_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}

CHUNK = 1 << 20
_OVERLAP = 4096  # longer than any match the patterns need to see whole


def key_file_kind(name: str) -> str | None:
    """A file whose *name* says it holds a private key (a key store or an SSH key), or None."""
    lower = name.lower()
    if lower in _KEY_FILE_NAMES:
        return "SSH private key file"
    if lower.endswith(_KEY_FILE_SUFFIXES):
        return "key store file"
    return None


def find_secrets(path: Path, *, chunk_size: int = CHUNK) -> list[Finding]:
    """Every secret found in the file at ``path``, in file order.

    The file is read in chunks of ``chunk_size`` bytes (overlapping, so a secret across a chunk
    boundary is still found), so memory does not grow with the file. A line carrying
    ``pragma: allowlist secret`` (detect-secrets' marker) is not reported.

    Raises:
        OSError: the file cannot be read.
    """
    findings: list[Finding] = []
    for buffer, limit, base_line, line_start in _chunks(path, chunk_size):
        for kind, start, end in _matches(buffer, limit):
            nl = buffer.rfind(b"\n", 0, start)
            line = base_line + buffer.count(b"\n", 0, start)
            column = start - nl if nl >= 0 else start + 1 + line_start
            eol = buffer.find(b"\n", end)
            if _ALLOW in buffer[nl + 1 : eol if eol >= 0 else len(buffer)]:
                continue
            findings.append(Finding(kind, line, column, _mask(kind, buffer[start:end])))
    return sorted(findings, key=lambda f: (f.line, f.column, f.kind))


def _chunks(path: Path, chunk_size: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(buffer, scan limit, line number at buffer start, column offset of the buffer start).

    Matches are accepted only when they start before the limit; the bytes after it are carried
    into the next buffer, so every start position is judged exactly once with enough lookahead.
    """
    overlap = min(_OVERLAP, chunk_size)
    line = 1
    col_offset = 0  # bytes of the current line that lie before the buffer
    carry = b""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size <= chunk_size:  # most files: one read, no copies
            data = handle.read()
            yield data, len(data), 1, 0
            return
        while True:
            data = handle.read(chunk_size)
            buffer = carry + data
            final = not data
            limit = len(buffer) if final else max(len(buffer) - overlap, 0)
            if limit or final:
                yield buffer, limit, line, col_offset
            consumed = buffer[:limit]
            newlines = consumed.count(b"\n")
            if newlines:
                line += newlines
                col_offset = limit - consumed.rfind(b"\n") - 1
            else:
                col_offset += limit
            carry = buffer[limit:]
            if final:
                return


def _matches(buffer: bytes, limit: int) -> Iterator[tuple[str, int, int]]:
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(buffer):
            if m.start() >= limit:
                break
            if _bounded(buffer, m.start(), m.end(), kind):
                yield kind, m.start(), m.end()
    lowered = buffer.lower()
    pos = lowered.find(b"aws")
    while 0 <= pos < limit:
        near = _AWS_SECRET.match(buffer, pos, min(pos + 200, len(buffer)))
        if near is not None:
            yield "AWS secret access key", near.start(1), near.end(1)
        pos = lowered.find(b"aws", pos + 1)


def _bounded(buffer: bytes, start: int, end: int, kind: str) -> bool:
    """Tokens and key ids must stand alone: ``xghp_...`` or ``...AKIA...Z9`` are other things."""
    if kind == "private key":
        return True
    before_ok = start == 0 or buffer[start - 1] not in _WORD
    after_ok = end == len(buffer) or buffer[end] not in _WORD
    return before_ok and after_ok


def _mask(kind: str, value: bytes) -> str:
    if kind == "private key":
        return "-----BEGIN ... PRIVATE KEY-----"
    text = value.decode("ascii", "replace")
    return f"{text[:4]}…{text[-4:]}" if len(text) > 12 else "…"


def secret_problems(
    path: Path, origin: str, *, content: bool = True, chunk_size: int = CHUNK
) -> list[Problem]:
    """The secrets scan of one file as problems naming ``origin`` (the file the user edits).

    ``content=False`` checks the name only: for already-compressed media, fonts and archives,
    whose bytes cannot show a secret as text (and make up much of a large app).

    Raises:
        EnvironmentFailure: the file cannot be read.
    """
    problems = []
    by_name = key_file_kind(path.name)
    if by_name is not None:
        problems.append(
            Problem(
                RULE_SECRET,
                "error",
                f"{origin} is a {by_name}; private keys must never ship in an app",
                origin,
                hint="delete it from the source folder and revoke the key if it was ever shared",
            )
        )
    try:
        found = find_secrets(path, chunk_size=chunk_size) if content else []
    except OSError as exc:
        raise unreadable(origin, exc) from exc
    for f in found:
        problems.append(
            Problem(
                RULE_SECRET,
                "error",
                f"{origin} contains a {f.kind} ({f.shown})",
                origin,
                line=f.line,
                column=f.column,
                hint="remove it and revoke it; let the admin enter secrets as settings at "
                "install time (or mark a false positive with `pragma: allowlist secret`)",
            )
        )
    return problems


def secret_setting_problems(
    manifest: Mapping[str, Any], make_problem: Callable[..., Problem]
) -> list[Problem]:
    """A setting named like a secret (``clientSecret``, ``apiKey``...) with a non-empty default:
    every install of the app would start with that value, and it ships in ``manifest.json``.

    ``make_problem(rule, severity, message, manifest_pointer, hint=...)`` places the problem in
    the user's file (:meth:`deskpro_cli.manifest.ManifestSource.problem`).
    """
    from deskpro_cli.manifest.secrets import looks_secret

    settings = manifest.get("settings")
    problems = []
    for i, setting in enumerate(settings if isinstance(settings, list) else []):
        if not isinstance(setting, dict):
            continue
        name, default = setting.get("name"), setting.get("defaultValue")
        if not (isinstance(name, str) and isinstance(default, str) and default.strip()):
            continue
        if not looks_secret(name):
            continue
        problems.append(
            make_problem(
                RULE_SECRET_DEFAULT,
                "error",
                f'setting "{name}" holds a secret but has a default value; it would ship in '
                "manifest.json to every helpdesk that installs the app",
                f"/settings/{i}/defaultValue",
                hint='set "defaultValue": "" and let the admin enter it when installing',
            )
        )
    return problems
