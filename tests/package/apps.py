"""Fixture apps for the package tests, built in each test's temporary folder."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (so the zip stores a truly compressed type)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def package_json(**deskpro: Any) -> str:
    manifest: dict[str, Any] = {
        "version": "2.3.0",
        "title": "My first app",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
        "storage": [],
        "settings": [],
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": [],
    }
    manifest.update(deskpro)
    doc = {
        "name": "my-app",
        "version": "0.1.0",
        "description": "My first app",
        "author": {"name": "Jane Doe", "email": "jane@example.com", "url": "https://example.com"},
        "private": True,
        "scripts": {"package": "deskpro package"},
        "deskpro": manifest,
    }
    return json.dumps(doc, indent=2) + "\n"


INDEX_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>My first app</title>
  <link rel="stylesheet" href="../assets/main.css">
  <script src="https://cdn.jsdelivr.net/npm/@deskpro/apps-sdk-core@2.0.0/dist/apps-sdk-core.js"></script>
</head>
<body>
  <div id="deskpro-app"><img src="../assets/icon.png" alt=""> <span id="title"></span></div>
  <script src="../assets/main.js"></script>
</body>
</html>
"""

MAIN_JS = """\
(function () {
  "use strict";
  var title = document.getElementById("title");
  window.DeskproAppsSDKCore.createApp(function (dpapp) {
    if (!dpapp || typeof dpapp.getProperty !== "function") {
      title.textContent = "Could not connect to Deskpro";
      return;
    }
    title.textContent = "Hello from " + (dpapp.appTitle || "my first app");
  });
})();
"""


def vanilla_app(**deskpro: Any) -> dict[str, str | bytes]:
    """A buildless app shaped like the old boilerplate (and the vanilla template)."""
    return {
        "package.json": package_json(**deskpro),
        "README.md": "# my-app\n",
        ".gitignore": "node_modules/\ndist/\ntarget/\n",
        "src/main/html/index.html": INDEX_HTML,
        "src/main/resources/main.js": MAIN_JS,
        "src/main/resources/main.css": "body { font: 14px sans-serif; }\n#title { color: red; }\n",
        "src/main/resources/icon.png": png(),
        "src/main/docs/README.md": "Developer notes (not packed).\n",
    }


#: Exactly what a helpdesk gets for :func:`vanilla_app` (spec/deskpro-apps-v1.md §3.3).
VANILLA_ENTRIES = [
    "manifest.json",
    "assets/deskpro-installer.css",
    "assets/deskpro-installer.js",
    "assets/icon.png",
    "assets/main.css",
    "assets/main.js",
    "html/index.html",
    "html/install.html",
]
