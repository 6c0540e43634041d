"""Pieces of the oauth package on their own: URL derivation, credential checks, redaction,
scopes, the callback server, the browser seam."""

from __future__ import annotations

import logging
import os
import socket

import pytest
import requests

from deskpro_cli.errors import UsageError
from deskpro_cli.http import USER_AGENT, is_loopback_host, session
from deskpro_cli.oauth import scopes
from deskpro_cli.oauth.credentials import clean
from deskpro_cli.oauth.endpoints import endpoints
from deskpro_cli.oauth.loopback import CallbackServer
from deskpro_cli.oauth.redact import Redactor, mask
from deskpro_cli.oauth.verdicts import Verdict


@pytest.mark.parametrize(
    ("github_url", "api_url", "web", "api"),
    [
        (None, None, "https://github.com", "https://api.github.com"),
        ("github.com/", None, "https://github.com", "https://api.github.com"),
        ("https://www.github.com", None, "https://github.com", "https://api.github.com"),
        ("https://acme.ghe.com", None, "https://acme.ghe.com", "https://api.acme.ghe.com"),
        (
            "https://GHE.Example.com/",
            None,
            "https://ghe.example.com",
            "https://ghe.example.com/api/v3",
        ),
        (
            "https://ghe.example.com:8443",
            None,
            "https://ghe.example.com:8443",
            "https://ghe.example.com:8443/api/v3",
        ),
        (
            "https://ghe.example.com",
            "https://api.example.com/",
            "https://ghe.example.com",
            "https://api.example.com",
        ),
        ("http://127.0.0.1:8080", None, "http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v3"),
        ("http://[::1]:8080", None, "http://[::1]:8080", "http://[::1]:8080/api/v3"),
        ("http://localhost:9", None, "http://localhost:9", "http://localhost:9/api/v3"),
    ],
)
def test_endpoint_derivation(github_url, api_url, web, api) -> None:
    ep = endpoints(github_url, api_url)
    assert (ep.web, ep.api) == (web, api)
    assert ep.token == web + "/login/oauth/access_token"
    assert ep.authorize == web + "/login/oauth/authorize"
    assert ep.device_code == web + "/login/device/code"
    assert ep.user == api + "/user"


@pytest.mark.parametrize(
    "bad",
    [
        "http://github.com",
        "ftp://github.com",
        "https://u:p@github.com",
        "https://github.com/?x=1",
        "https://",
    ],
)
def test_bad_urls_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        endpoints(bad, None)
    assert "p@" not in info.value.message


@pytest.mark.parametrize(
    ("given", "fix"),
    [
        ("https://api.github.com", "--github-url https://github.com "),
        ("api.acme.ghe.com", "--github-url https://acme.ghe.com "),
        ("https://ghe.example.com/api/v3", "--github-url https://ghe.example.com "),
        ("https://github.com/settings/developers", "--github-url https://github.com"),
        ("https://ghe.example.com:8443/login/oauth", "--github-url https://ghe.example.com:8443"),
    ],
)
def test_github_url_must_be_the_web_address_itself(given: str, fix: str) -> None:
    """An API URL or a pasted page would reach no OAuth endpoint (a misleading 404 later)."""
    with pytest.raises(UsageError) as info:
        endpoints(given, None)
    assert info.value.hint is not None and fix in info.value.hint + " "


def test_loopback_hosts() -> None:
    assert all(is_loopback_host(h) for h in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
    assert not any(
        is_loopback_host(h) for h in ["github.com", "10.0.0.1", "", None, "localhost.evil.com"]
    )


def test_credential_warnings() -> None:
    ok = clean(
        "Ov23liAbcdefghijklmn", "0123456789abcdef0123456789abcdef01234567", secret_required=True
    )
    assert ok.warnings == []
    swapped = clean(
        "0123456789abcdef0123456789abcdef01234567", "Ov23liAbcdefghijklmn", secret_required=True
    )
    assert any("swapped" in w for w in swapped.warnings)
    assert swapped.id_looks_like_secret
    numeric = clean("123456", "x" * 40, secret_required=True)
    assert any("GitHub App ID" in w for w in numeric.warnings)
    spaced = clean(" 178c6fc778ccc68e1d6a ", " " + "a" * 40 + "\n", secret_required=True)
    assert (spaced.client_id, spaced.secret) == ("178c6fc778ccc68e1d6a", "a" * 40)
    for w in swapped.warnings + numeric.warnings + spaced.warnings:
        assert "a" * 40 not in w and "0123456789abcdef0123" not in w
    assert clean("Iv1.0123456789abcdef", None, secret_required=False).secret is None
    with pytest.raises(UsageError):
        clean("Ov23liAbcdefghijklmn", "  ", secret_required=True)
    one = clean("Ov23liAbcdefghijklmn", "y", secret_required=True)
    assert one.secret_shape == "is 1 character long"  # not "1 characters"


def test_mask_and_scrub() -> None:
    token = "gho_" + "x" * 32 + "WXYZ"
    assert mask(token) == "gho_…WXYZ"
    assert mask("short") == "[redacted]"
    r = Redactor()
    r.add(token)
    r.add("s" * 40)
    text = r.scrub(f"token={token} secret={'s' * 40}")
    assert text == "token=gho_…WXYZ secret=[redacted]"


def test_redactor_guards_every_log_record(caplog: pytest.LogCaptureFixture) -> None:
    r = Redactor()
    r.add("hunter2hunter2")
    chatty = logging.getLogger("requests_oauthlib")
    caplog.set_level(logging.DEBUG)
    with r.guard_logging():
        logging.getLogger("some.library").warning("body: client_secret=%s", "hunter2hunter2")
        chatty.debug("Request body: client_secret=hunter2hunter2")
    assert "hunter2hunter2" not in caplog.text
    assert "client_secret=[redacted]" in caplog.text
    assert "Request body" not in caplog.text  # requests-oauthlib's debug lines are never made
    assert chatty.level == logging.DEBUG or chatty.level == logging.NOTSET


def test_scope_cover() -> None:
    assert scopes.missing(["repo", "user:email", "gist"], ["repo", "user"]) == ["gist"]
    assert scopes.missing(["public_repo"], ["repo"]) == []


def test_verdict_exit_codes() -> None:
    assert {v.value: v.exit_code for v in Verdict} == {
        "credentials-valid": 0,
        "token-obtained": 0,
        "credentials-invalid": 1,
        "app-not-found": 1,
        "redirect-uri-mismatch": 1,
        "access-denied": 1,
        "device-flow-disabled": 1,
        "oauth-error": 1,
        "timeout": 3,
        "unreachable": 3,
        "server-error": 3,
        "rate-limited": 3,
    }


def test_http_session_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    s = session(timeout=3)
    assert s.headers["User-Agent"] == USER_AGENT
    assert s.default_timeout == 3
    # loopback never goes through a proxy, other hosts do
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert (
        s.merge_environment_settings("http://127.0.0.1:5/x", {}, None, None, None)["proxies"] == {}
    )
    assert s.merge_environment_settings("https://github.com/x", {}, None, None, None)["proxies"]


class TestCallbackServer:
    def test_only_the_callback_completes(self) -> None:
        with CallbackServer(host="127.0.0.1", port=0, path="/oauth-test", state="S" * 30) as server:
            base = f"http://127.0.0.1:{server.port}"
            assert server.redirect_uri == f"{base}/oauth-test"
            assert requests.get(base + "/favicon.ico", timeout=5).status_code == 404
            assert requests.get(base + "/oauth-test", timeout=5).status_code == 400
            assert requests.post(base + "/oauth-test", timeout=5).status_code == 405
            wrong = requests.get(base + "/oauth-test?code=abc&state=nope", timeout=5)
            assert wrong.status_code == 400 and server.refused == 1
            ok = requests.get(base + "/oauth-test?code=abc&state=" + "S" * 30 + "&x=1", timeout=5)
            assert ok.status_code == 200
            again = requests.get(base + "/oauth-test?code=def&state=" + "S" * 30, timeout=5)
            assert "already" in again.text
            result = server.wait(1)
        assert result is not None and result.code == "abc"
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", server.port)) != 0

    def test_error_with_our_state_on_another_path(self) -> None:
        with CallbackServer(host="localhost", port=0, path="/oauth-test", state="T" * 30) as server:
            assert server.redirect_uri.startswith("http://localhost:")
            url = (
                f"http://127.0.0.1:{server.port}/registered?error=access_denied&error_description=%3Cb%3E&state="
                + "T" * 30
            )
            page = requests.get(url, timeout=5)
            assert "<b>" not in page.text and "&lt;b&gt;" in page.text  # escaped
            result = server.wait(1)
        assert result is not None and (result.error, result.path) == (
            "access_denied",
            "/registered",
        )

    def test_timeout_returns_none(self) -> None:
        with CallbackServer(host="127.0.0.1", port=0, path="/", state="x" * 30) as server:
            assert server.wait(0.3) is None

    def test_ipv6_loopback(self) -> None:
        if not socket.has_ipv6:
            pytest.skip("no IPv6")
        try:
            server = CallbackServer(host="[::1]", port=0, path="/cb", state="y" * 30)
        except UsageError:
            pytest.skip("::1 not available here")
        with server:
            assert server.redirect_uri.startswith("http://[::1]:")


def test_browser_seam_keeps_stdout_clean(monkeypatch: pytest.MonkeyPatch, capfd) -> None:
    """Whatever a browser launcher prints must land on stderr, never in --json's stdout."""
    import webbrowser

    from deskpro_cli.oauth.browser import open_browser

    def noisy_open(url: str, new: int = 0) -> bool:
        os.write(1, b"launcher noise\n")
        return True

    monkeypatch.setattr(webbrowser, "open", noisy_open)
    monkeypatch.setenv("DISPLAY", ":0")
    assert open_browser("http://127.0.0.1/") is True
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert out == "after\n"
    assert "launcher noise" in err
    monkeypatch.setenv("BROWSER", "false")
    assert open_browser("http://127.0.0.1/") is False


def test_no_console_browser_without_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over SSH, webbrowser would start lynx or w3m in the terminal and block: the URL is shown
    instead, unless BROWSER names a browser."""
    import sys
    import webbrowser

    from deskpro_cli.oauth.browser import open_browser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    assert open_browser("http://127.0.0.1/a") is False
    monkeypatch.setenv("BROWSER", "w3m")
    assert open_browser("http://127.0.0.1/b") is True
    monkeypatch.delenv("BROWSER")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert open_browser("http://127.0.0.1/c") is True
    assert opened == ["http://127.0.0.1/b", "http://127.0.0.1/c"]
