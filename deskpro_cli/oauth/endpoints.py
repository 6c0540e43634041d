"""Where GitHub lives: web/OAuth base and REST API base for github.com, GHE.com and GHES.

spec/github-oauth.md §1: the OAuth endpoints hang off the web base on every deployment; the API is
``api.github.com`` for github.com, ``api.SUB.ghe.com`` for GHE.com (data residency) and
``HOST/api/v3`` for GitHub Enterprise Server. Only ``https://`` is accepted, except plain
``http://`` on loopback addresses (how the tests reach their fake GitHub).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from deskpro_cli.errors import UsageError
from deskpro_cli.http import is_loopback_host

GITHUB_COM = "https://github.com"


@dataclass(frozen=True)
class Endpoints:
    """Every URL a run needs, derived once from ``--github-url`` and ``--api-url``."""

    web: str
    api: str

    @property
    def authorize(self) -> str:
        return f"{self.web}/login/oauth/authorize"

    @property
    def token(self) -> str:
        return f"{self.web}/login/oauth/access_token"

    @property
    def device_code(self) -> str:
        return f"{self.web}/login/device/code"

    @property
    def device_page(self) -> str:
        return f"{self.web}/login/device"

    @property
    def user(self) -> str:
        return f"{self.api}/user"

    def application_token(self, client_id: str) -> str:
        return f"{self.api}/applications/{client_id}/token"

    @property
    def is_loopback_http(self) -> bool:
        """Whether any endpoint is plain http (allowed only on loopback, i.e. a local fake)."""
        return self.web.startswith("http://") or self.api.startswith("http://")


def normalise_url(value: str, option: str) -> str:
    """Check a base URL given on the command line and return it without a trailing slash.

    A bare host name (``ghe.example.com``) means ``https://``. Raises :class:`UsageError` for a
    scheme other than https (http only on loopback), user info, a query or a fragment.
    """
    text = value.strip()
    if not text:
        raise UsageError(f"{option} is empty", hint=f"give a URL such as {GITHUB_COM}")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"{option}: not a valid URL ({exc})") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        # Never echo the URL: user info may be a password.
        raise UsageError(
            f"{option} must not contain a user name or password",
            hint="give only the scheme, host and port; credentials go in --client-id and "
            "DESKPRO_OAUTH_CLIENT_SECRET",
        )
    host = parts.hostname
    if not host:
        raise UsageError(f"{option}: no host in {value!r}")
    scheme = parts.scheme.lower()
    if scheme == "http":
        if not is_loopback_host(host):
            raise UsageError(
                f"{option}: plain http:// is allowed only for loopback addresses, not {host}",
                hint=f"use https://{parts.netloc}",
            )
    elif scheme != "https":
        raise UsageError(f"{option}: unsupported scheme {parts.scheme!r} (use https://)")
    if parts.query or parts.fragment:
        raise UsageError(f"{option} must not have a query or a fragment: {value!r}")
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc += f":{port}"
    return urlunsplit(SplitResult(scheme, netloc.lower(), parts.path.rstrip("/"), "", ""))


def check_web_base(web: str) -> None:
    """Refuse a ``--github-url`` that is not GitHub's web address (a normalised URL).

    The OAuth endpoints hang off the web address's root on every deployment, so a path (the
    API's ``/api/v3``, a settings page pasted from the browser) or the API host would only earn
    a misleading 404 ("no such OAuth App") later.
    """
    parts = urlsplit(web)
    host = parts.hostname or ""
    root = f"{parts.scheme}://{parts.netloc}"
    if host == "api.github.com" or (host.startswith("api.") and host.endswith(".ghe.com")):
        site = f"{parts.scheme}://{parts.netloc[len('api.') :]}"
        raise UsageError(
            f"--github-url {web} is GitHub's REST API, not its web address",
            hint=f"use --github-url {site} (the API URL is derived from it)",
        )
    if parts.path.startswith("/api/"):
        raise UsageError(
            f"--github-url {web} is a GitHub Enterprise Server's REST API, not its web address",
            hint=f"use --github-url {root} (the API URL {root}/api/v3 is derived from it)",
        )
    if parts.path:
        raise UsageError(
            f"--github-url must be the address of the GitHub server itself, without a path "
            f"(got {web})",
            hint=f"use --github-url {root}",
        )


def derive_api_url(web: str) -> str:
    """The REST API base for a web base (spec/cli.md, spec/github-oauth.md §1)."""
    parts = urlsplit(web)
    host = (parts.hostname or "").lower()
    if host in ("github.com", "www.github.com"):
        return "https://api.github.com"
    if host.endswith(".ghe.com"):
        sub = host[: -len(".ghe.com")]
        return f"{parts.scheme}://api.{sub}.ghe.com" + (f":{parts.port}" if parts.port else "")
    return f"{web}/api/v3"


def endpoints(github_url: str | None, api_url: str | None) -> Endpoints:
    """Endpoints from the two options (``None`` means the default / the derived value)."""
    web = normalise_url(github_url or GITHUB_COM, "--github-url")
    check_web_base(web)
    if urlsplit(web).hostname == "www.github.com":
        web = GITHUB_COM
    api = normalise_url(api_url, "--api-url") if api_url else derive_api_url(web)
    return Endpoints(web=web, api=api)
