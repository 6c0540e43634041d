"""The secrets scan: nothing that looks like a key or a token goes into ``app.zip``.

- :func:`find_secrets` reads one file in bounded chunks and reports private keys, GitHub tokens
  and AWS keys, with line and column; :func:`secret_problems` turns that (and key files known
  by name) into problems naming the file the user edits.
- :func:`secret_setting_problems` refuses a default value for a setting named like a secret.

Why not ``detect-secrets``: measured on the benchmark app (2,000 files, 50 MB, half already
compressed) it took 89 s with its default plugins and 51 s with only its AWS, GitHub and
private-key plugins, against about 1 s for ``zip`` itself; it scans line by line through a
Python plugin framework. The same kinds of secret are found here with literal-prefix regular
expressions over whole chunks (about 0.2 s for the 50 MB), using the same key formats.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskpro_cli.build.scan import unreadable
from deskpro_cli.problems import Problem

#: Rule ids of the problems this module reports (docs/rules.md, "Building the app").
RULE_SECRET = "DP510"  # noqa: S105 - a rule id, not a password
RULE_SECRET_DEFAULT = "DP511"  # noqa: S105 - a rule id, not a password


@dataclass(frozen=True)
class Finding:
    """A secret found in a file: what kind, where (1-based line and column), masked value."""

    kind: str
    line: int
    column: int
    shown: str


# Between the header and the key body: line breaks (real or escaped in a string), and the quotes,
# ``+`` and commas of a key split over JavaScript strings; then optional "Name: value" lines.
_PEM_GAP = rb"(?:\s|\\[rn]|[\"'`+,])"
_BASE64_BODY = _PEM_GAP + rb"*(?:[A-Za-z-]+:[^\n]*" + _PEM_GAP + rb"+)*[A-Za-z0-9+/=]{40}"
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
# A GitHub OAuth App's client secret: 40 lower-case hex digits with no prefix, so looked for only
# as the value given to a name ending in "secret" (clientSecret: "...", CLIENT_SECRET = '...').
_CLIENT_SECRET = re.compile(rb"secret['\"`]?\s*[:=]\s*['\"`]([0-9a-f]{40})['\"`]")
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
    pos = lowered.find(b"secret")
    while 0 <= pos < limit:
        near = _CLIENT_SECRET.match(lowered, pos, min(pos + 80, len(buffer)))
        if near is not None and buffer[near.start(1) : near.end(1)].islower():
            yield "OAuth client secret", near.start(1), near.end(1)
        pos = lowered.find(b"secret", pos + 1)


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
                f"{origin} contains {'an' if f.kind.startswith('AWS') else 'a'} {f.kind} "
                f"({f.shown})",
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
