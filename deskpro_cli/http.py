"""The one HTTP seam: every request the tool makes goes through :func:`session`.

A session here always has a timeout (requests has none by default, so a silent server would hang
the command forever) and the User-Agent ``deskpro-cli/<version>``. Proxies from the environment
(``HTTPS_PROXY``, ``NO_PROXY``) are honoured, except for loopback addresses, which are never sent
through a proxy: the local callback server and the tests' fake GitHub live there.

``requests`` is imported here, and this module is imported only by the commands that talk HTTP, so
``deskpro --help`` never pays for it. Tests replace the network by pointing URLs at loopback
servers, not by patching this module.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import requests

from deskpro_cli import __version__

USER_AGENT = f"deskpro-cli/{__version__}"

#: (connect, read) seconds used when the caller gives no timeout.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 30.0)

Timeout = float | tuple[float, float]


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is loopback."""
    if not host:
        return False
    host = host.strip("[]").split("%")[0].lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Session(requests.Session):
    """A :class:`requests.Session` with a default timeout and no proxy for loopback hosts."""

    def __init__(self, timeout: Timeout = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout: Timeout = timeout
        self.headers["User-Agent"] = USER_AGENT

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        settings = super().merge_environment_settings(
            url, dict(proxies or {}), stream, verify, cert
        )
        text = url.decode() if isinstance(url, bytes) else (url or "")
        if is_loopback_host(urlsplit(text).hostname):
            settings["proxies"] = {}
        return settings


def session(timeout: Timeout = DEFAULT_TIMEOUT) -> Session:
    """A new session: User-Agent ``deskpro-cli/<version>``, ``timeout`` on every request."""
    return Session(timeout)
