"""Pinned CDN scripts with their Subresource Integrity hashes: the one place they are written down.

The installer page and the app pages of the ``react`` template load React (when a compiled app or
screen keeps it external) and Deskpro's apps SDK from a CDN. Each script is pinned to an exact npm
version and file, so the bytes the CDN serves are the bytes of the npm tarball, and the page carries
an ``integrity`` hash the browser checks. The hashes were computed from the files inside the npm
tarballs (``sha384`` of the file, base64); ``tests/build/test_cdn.py`` recomputes them from the same
files installed in ``tests/node`` so a wrong hash fails the suite.

Browser tests route these URLs to the files in ``tests/node/node_modules`` (``npm_path``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The CDN every pinned script comes from (serves files straight from immutable npm tarballs).
CDN_BASE = "https://cdn.jsdelivr.net/npm"


@dataclass(frozen=True)
class CdnScript:
    """One pinned browser script: an npm package file at an exact version.

    Attributes:
        package: npm package name.
        version: exact version (never a range: the integrity hash is for one file).
        file: path of the file inside the package.
        integrity: the SRI value (``sha384-...``) of that file.
        global_name: the global the script defines when loaded with a plain ``<script>``.
    """

    package: str
    version: str
    file: str
    integrity: str
    global_name: str

    @property
    def url(self) -> str:
        """The pinned CDN URL."""
        return f"{CDN_BASE}/{self.package}@{self.version}/{self.file}"

    @property
    def npm_path(self) -> str:
        """Where the file is inside ``node_modules`` (for tests that serve it locally)."""
        return f"{self.package}/{self.file}"

    def script_tag(self) -> str:
        """The ``<script>`` element that loads it with integrity checking."""
        return (
            f'<script src="{self.url}" integrity="{self.integrity}" '
            'crossorigin="anonymous"></script>'
        )


#: React 18 UMD production build: defines ``window.React``.
REACT = CdnScript(
    package="react",
    version="18.3.1",
    file="umd/react.production.min.js",
    integrity="sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    global_name="React",
)

#: ReactDOM 18 UMD production build (``createRoot`` included): defines ``window.ReactDOM``.
#: It needs ``window.React``, so it loads after :data:`REACT`.
REACT_DOM = CdnScript(
    package="react-dom",
    version="18.3.1",
    file="umd/react-dom.production.min.js",
    integrity="sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    global_name="ReactDOM",
)

#: Deskpro's apps SDK browser build (spec/deskpro-host-protocol.md §5).
APPS_SDK_CORE = CdnScript(
    package="@deskpro/apps-sdk-core",
    version="2.0.0",
    file="dist/apps-sdk-core.js",
    integrity="sha384-I5oSqHrUaces7Kq19PllXv3ylhXsQNWbW26ym7WBVPIyIPfs0l0li344eH2pPlGT",
    global_name="DeskproAppsSDKCore",
)

#: What a page needs, in load order, when a compiled bundle keeps React external.
REACT_GLOBALS: tuple[CdnScript, ...] = (REACT, REACT_DOM)

#: Every pinned script (tests check each hash against the npm file).
ALL: tuple[CdnScript, ...] = (REACT, REACT_DOM, APPS_SDK_CORE)


def react_script_tags() -> str:
    """The ``<script>`` elements for React and ReactDOM globals, one per line, in load order."""
    return "\n".join(s.script_tag() for s in REACT_GLOBALS)
