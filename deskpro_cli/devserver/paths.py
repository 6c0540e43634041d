"""Turning a request path into a file under ``target/``, safely, and naming its content type.

The dev server answers every path that is not plainly a file of the current build with 404: dot
segments (``..``, ``.``) in any spelling (raw, percent-encoded, double-encoded), backslashes, NUL
bytes, empty segments, hidden names (the staging folder, ``.gitkeep``), folders, and anything a
symlink would take outside ``target/``. Nothing here touches the network; it is pure path logic
plus one ``realpath``.
"""

from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, unquote_to_bytes, urlsplit

#: Content types for what an app's bundle holds. The platform's ``mimetypes`` table depends on the
#: machine (``/etc/mime.types``, the Windows registry), so the web's own types are fixed here.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".wasm": "application/wasm",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
}

_HTML_SUFFIXES = (".html", ".htm")
# What a second round of decoding could still turn into a separator or a dot.
_ENCODED_DANGER = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)
_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x1f\x7f\\]")


def content_type(name: str) -> str:
    """The ``Content-Type`` for a file name (by suffix; ``application/octet-stream`` if unknown)."""
    suffix = PurePosixPath(name).suffix.lower()
    known = CONTENT_TYPES.get(suffix)
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(name, strict=True)
    return guessed or "application/octet-stream"


def is_html(name: str) -> bool:
    """Whether a file is an HTML page (the pages that get the reload script or the error page)."""
    return name.lower().endswith(_HTML_SUFFIXES)


def request_segments(raw_path: str) -> list[str] | None:
    """The decoded path segments of a request target, or None when it must be refused.

    ``"/"`` gives ``[]``. The query string and fragment are dropped. Refused (None): a target that
    is not an absolute path, bytes that are not UTF-8 after decoding, NUL or control characters,
    backslashes, empty segments (``//`` or a trailing ``/``), dot segments and hidden names, and
    anything that still decodes into one of those on a second round (double encoding).
    """
    try:
        parts = urlsplit(raw_path)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        decoded = unquote_to_bytes(parts.path).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if decoded == "/":
        return []
    if _ENCODED_DANGER.search(decoded) or "\\" in unquote(decoded):
        return None
    if _CONTROL_OR_BACKSLASH.search(decoded):
        return None
    segments = decoded[1:].split("/")
    for seg in segments:
        if not seg or seg.startswith(".") or ":" in seg:
            return None
    return segments


def resolve_file(root: Path, segments: list[str]) -> Path | None:
    """The regular file at ``root/segments`` if it is really inside ``root``, else None.

    ``root`` must already be a real (symlink-free) absolute path. Symlinks inside the tree are
    followed, but only to files that are themselves inside ``root``.
    """
    if not segments:
        return None
    root_str = str(root)
    candidate = os.path.realpath(os.path.join(root_str, *segments))  # noqa: PTH118 - hot path
    if not candidate.startswith(root_str + os.sep):
        return None
    if not os.path.isfile(candidate):  # noqa: PTH113 - hot path
        return None
    return Path(candidate)
