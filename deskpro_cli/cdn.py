"""Pinned browser scripts that buildless pages load from a CDN, each with its SRI hash.

The URLs name an exact npm version, so the CDN serves the bytes of the immutable npm tarball and
the ``integrity`` hash (sha384 of that file, spec/deskpro-host-protocol.md §5) stays valid. Browser
tests route these URLs to the same files installed from npm in ``tests/node``.
"""

from __future__ import annotations

from dataclasses import dataclass

CDN_BASE = "https://cdn.jsdelivr.net/npm"


@dataclass(frozen=True)
class PinnedScript:
    """One file of one npm package version, as a ``<script>`` loads it."""

    package: str
    version: str
    path: str
    integrity: str
    global_name: str

    @property
    def url(self) -> str:
        return f"{CDN_BASE}/{self.package}@{self.version}/{self.path}"

    def script_tag(self) -> str:
        """The ``<script>`` element (SRI needs ``crossorigin`` on a cross-origin script)."""
        return (
            f'<script src="{self.url}" integrity="{self.integrity}" '
            'crossorigin="anonymous"></script>'
        )


#: Deskpro's apps SDK browser build; defines the global ``DeskproAppsSDKCore``.
SDK_CORE = PinnedScript(
    package="@deskpro/apps-sdk-core",
    version="2.0.0",
    path="dist/apps-sdk-core.js",
    integrity="sha384-I5oSqHrUaces7Kq19PllXv3ylhXsQNWbW26ym7WBVPIyIPfs0l0li344eH2pPlGT",
    global_name="DeskproAppsSDKCore",
)

#: React's UMD production build (React 18 is the last major with UMD builds); global ``React``.
REACT = PinnedScript(
    package="react",
    version="18.3.1",
    path="umd/react.production.min.js",
    integrity="sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    global_name="React",
)

#: ReactDOM's UMD production build; global ``ReactDOM`` (includes ``createRoot``).
REACT_DOM = PinnedScript(
    package="react-dom",
    version="18.3.1",
    path="umd/react-dom.production.min.js",
    integrity="sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    global_name="ReactDOM",
)
