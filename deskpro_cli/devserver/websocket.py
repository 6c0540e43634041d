"""The little of WebSocket (RFC 6455) the dev server needs to tell pages about builds.

Why a WebSocket and not only server-sent events: browsers give each host six HTTP/1.1
connections, and an ``EventSource`` holds one for as long as its page is open. With six app
frames open (a few tickets, each with the app in its sidebar, plus the installer), every further
request to the dev server waits forever. WebSocket connections are counted apart from that pool.

The server only sends (text frames, and a closing frame when it stops); what a browser sends back
(pongs, its closing frame) is read and, except for a ping or a close, thrown away.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Callable

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

TEXT = 0x1
CLOSE = 0x8
PING = 0x9
PONG = 0xA

#: Longest client frame read (a browser's control frames carry at most 125 bytes).
MAX_CLIENT_FRAME = 1 << 16


def accept_key(header: Callable[[str], str | None]) -> str | None:
    """``Sec-WebSocket-Accept`` for an opening handshake, or None if the request is not one.

    ``header(name)`` gives a request header or None. A handshake is ``Upgrade: websocket``, a
    ``Connection`` header naming ``upgrade``, version 13, and a ``Sec-WebSocket-Key`` that is
    16 bytes in base64.
    """

    def value(name: str) -> str:
        return (header(name) or "").strip()

    if value("Upgrade").lower() != "websocket":
        return None
    if "upgrade" not in [t.strip().lower() for t in value("Connection").split(",")]:
        return None
    if value("Sec-WebSocket-Version") != "13":
        return None
    key = value("Sec-WebSocket-Key")
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            return None
    except (binascii.Error, ValueError):
        return None
    digest = hashlib.sha1(key.encode("ascii") + _GUID).digest()  # noqa: S324 - the protocol's own
    return base64.b64encode(digest).decode("ascii")


def frame(opcode: int, payload: bytes = b"") -> bytes:
    """One final, unmasked frame (servers never mask)."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


def read_frame(read: Callable[[int], bytes]) -> tuple[int, bytes] | None:
    """The next frame from the client as ``(opcode, unmasked payload)``; None when the client
    has gone (end of stream) or sent a frame too large to be one of ours."""
    head = _exactly(read, 2)
    if head is None:
        return None
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    if size == 126:
        more = _exactly(read, 2)
        size = struct.unpack("!H", more)[0] if more else -1
    elif size == 127:
        more = _exactly(read, 8)
        size = struct.unpack("!Q", more)[0] if more else -1
    if size < 0 or size > MAX_CLIENT_FRAME:
        return None
    mask = _exactly(read, 4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = _exactly(read, size)
    if mask is None or payload is None:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _exactly(read: Callable[[int], bytes], size: int) -> bytes | None:
    data = read(size) if size else b""
    return data if len(data) == size else None
