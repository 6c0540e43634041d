"""The fake GitHub says what spec/github-oauth.md quotes, string for string.

The expected values below are copied from the spec's text (§2.3, §2.5, §2.7, §3.1, §3.3, §4.2,
§4.3, §4.5), not imported from the fake, so a change to the fake's data cannot pass unnoticed.
Each error is produced by the situation that makes GitHub answer it, in both encodings the
endpoint negotiates: compact JSON for ``Accept: application/json`` and ``urlencode`` form bytes
(``+`` for a space, ``%2F`` for ``/``) without an ``Accept`` header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

from fakes.github import FakeGitHub

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TOKEN_TROUBLE = (
    "https://docs.github.com/apps/managing-oauth-apps/"
    "troubleshooting-oauth-app-access-token-request-errors/"
)
AUTHZ_TROUBLE = (
    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/"
)
DEVICE_ERRORS_URI = (
    "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow"
)

#: error -> (error_description, error_uri) as the spec quotes them; None where the spec marks
#: the live value as not seen (only the anchor is checked then).
QUOTED: dict[str, tuple[str, str | None]] = {
    "incorrect_client_credentials": (
        "The client_id and/or client_secret passed are incorrect.",
        TOKEN_TROUBLE + "#incorrect-client-credentials",
    ),
    "redirect_uri_mismatch": (
        "The redirect_uri MUST match the registered callback URL for this application.",
        AUTHZ_TROUBLE + "#redirect-uri-mismatch2",
    ),
    "bad_verification_code": (
        "The code passed is incorrect or expired.",
        TOKEN_TROUBLE + "#bad-verification-code",
    ),
    "unverified_user_email": ("The user must have a verified primary email.", None),
    "bad_refresh_token": ("The refresh token passed is incorrect or expired.", None),
    "authorization_pending": ("The authorization request is still pending.", DEVICE_ERRORS_URI),
    "slow_down": (
        "Too many requests have been made in the same timeframe.",
        "https://docs.github.com",
    ),
    "incorrect_device_code": ("The device_code provided is not valid.", None),
    "device_flow_disabled": (
        "Device Flow must be explicitly enabled for this App",
        "https://docs.github.com",
    ),
}
ANCHORS = {
    "unverified_user_email": "#unverified_user_email",
    "bad_refresh_token": "#bad-refresh-token",
    "incorrect_device_code": "#error-codes-for-the-device-flow",
}


def _post(gh: FakeGitHub, path: str, data: dict[str, str], accept: str | None) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.post(gh.url + path, data=data, headers=headers, timeout=5)


def _code(gh: FakeGitHub, app, **extra: str) -> str:
    r = requests.get(
        gh.url + "/login/oauth/authorize",
        params={
            "client_id": app.client_id,
            "redirect_uri": "http://127.0.0.1:1/oauth-test",
            **extra,
        },
        allow_redirects=False,
        timeout=5,
    )
    assert r.status_code == 302, r.text
    return dict(parse_qsl(urlsplit(r.headers["Location"]).query))["code"]


def _device(gh: FakeGitHub, app) -> dict[str, str]:
    body = _post(gh, "/login/device/code", {"client_id": app.client_id}, "application/json").json()
    return {
        "client_id": app.client_id,
        "device_code": body["device_code"],
        "grant_type": DEVICE_GRANT,
    }


# Each scenario: (the fake, its clock, the Accept header) -> GitHub's answer.
Scenario = Callable[[FakeGitHub, list[float], "str | None"], requests.Response]


def _wrong_secret(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    app = gh.add_app()
    data = {"client_id": app.client_id, "client_secret": "f" * 40, "code": "0" * 20}
    return _post(gh, "/login/oauth/access_token", data, accept)


def _no_code(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    app = gh.add_app()
    data = {"client_id": app.client_id, "client_secret": app.client_secret}
    return _post(gh, "/login/oauth/access_token", data, accept)


def _bogus_code(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    app = gh.add_app()
    data = {"client_id": app.client_id, "client_secret": app.client_secret, "code": "0" * 20}
    return _post(gh, "/login/oauth/access_token", data, accept)


def _unverified_email(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    app = gh.add_app()
    app.user.email_verified = False
    data = {"client_id": app.client_id, "client_secret": app.client_secret, "code": _code(gh, app)}
    return _post(gh, "/login/oauth/access_token", data, accept)


def _bad_refresh(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    app = gh.add_app(expiring_tokens=True)
    data = {
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": "ghr_" + "x" * 76,
    }
    return _post(gh, "/login/oauth/access_token", data, accept)


def _pending(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    poll = _device(gh, gh.add_app(device_flow_enabled=True))
    now[0] += 6
    return _post(gh, "/login/oauth/access_token", poll, accept)


def _early_poll(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    poll = _device(gh, gh.add_app(device_flow_enabled=True))
    now[0] += 1
    return _post(gh, "/login/oauth/access_token", poll, accept)


def _unknown_device_code(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    poll = _device(gh, gh.add_app(device_flow_enabled=True))
    return _post(gh, "/login/oauth/access_token", {**poll, "device_code": "0" * 40}, accept)


def _device_disabled(gh: FakeGitHub, now: list[float], accept: str | None) -> requests.Response:
    app = gh.add_app(device_flow_enabled=False)
    return _post(gh, "/login/device/code", {"client_id": app.client_id}, accept)


SCENARIOS: dict[str, Scenario] = {
    "incorrect_client_credentials": _wrong_secret,
    "redirect_uri_mismatch": _no_code,
    "bad_verification_code": _bogus_code,
    "unverified_user_email": _unverified_email,
    "bad_refresh_token": _bad_refresh,
    "authorization_pending": _pending,
    "slow_down": _early_poll,
    "incorrect_device_code": _unknown_device_code,
    "device_flow_disabled": _device_disabled,
}


@pytest.fixture
def clocked(github: FakeGitHub) -> tuple[FakeGitHub, list[float]]:
    now = [1_790_000_000.0]
    github.clock = lambda: now[0]
    return github, now


@pytest.mark.parametrize("error", sorted(QUOTED))
def test_every_quoted_error_in_json_and_form(
    clocked: tuple[FakeGitHub, list[float]], error: str
) -> None:
    gh, now = clocked
    description, uri = QUOTED[error]
    status = 400 if error == "device_flow_disabled" else 200  # GitHub's one 400 (§3.1)

    as_json = SCENARIOS[error](gh, now, "application/json")
    assert as_json.status_code == status
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    body = as_json.json()
    assert (body["error"], body["error_description"]) == (error, description)
    if uri is None:
        assert body["error_uri"].endswith(ANCHORS[error])
    else:
        assert body["error_uri"] == uri
    assert list(body)[:3] == ["error", "error_description", "error_uri"]
    assert as_json.text == json.dumps(body, separators=(",", ":"))  # compact, as GitHub's

    as_form = SCENARIOS[error](gh, now, None)
    assert as_form.status_code == status
    assert as_form.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    fields = {k: str(v) for k, v in body.items()}
    if error == "slow_down":  # the interval grew with the second early poll
        fields["interval"] = dict(parse_qsl(as_form.text))["interval"]
    assert as_form.text == urlencode(fields)


def test_slow_down_carries_the_new_interval(clocked: tuple[FakeGitHub, list[float]]) -> None:
    gh, now = clocked
    answer = _early_poll(gh, now, "application/json").json()
    assert answer["interval"] == 10  # a JSON number (a string in form bodies)


def test_authorize_error_redirects_byte_for_byte(github: FakeGitHub) -> None:
    """§2.3: error, error_description, error_uri, state; form encoding; sent to the registered
    callback."""
    app = github.add_app(callbacks=["http://127.0.0.1/registered"])
    github.mismatch_mode = "redirect"
    r = requests.get(
        github.url + "/login/oauth/authorize",
        params={"client_id": app.client_id, "redirect_uri": "http://127.0.0.1:9/x", "state": "s"},
        allow_redirects=False,
        timeout=5,
    )
    assert r.headers["Location"] == (
        "http://127.0.0.1/registered?error=redirect_uri_mismatch&error_description=The+redirect_"
        "uri+MUST+match+the+registered+callback+URL+for+this+application.&error_uri=https%3A%2F%2F"
        "docs.github.com%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-authorization-request-"
        "errors%2F%23redirect-uri-mismatch&state=s"
    )
    suspended = github.add_app(suspended=True, callbacks=["http://127.0.0.1/registered"])
    r = requests.get(
        github.url + "/login/oauth/authorize",
        params={"client_id": suspended.client_id, "state": "s"},
        allow_redirects=False,
        timeout=5,
    )
    query = dict(parse_qsl(urlsplit(r.headers["Location"]).query))
    assert query["error"] == "application_suspended"
    assert query["error_description"] == (
        "Your application has been suspended. Contact support@github.com."
    )
    assert query["error_uri"].endswith("#application-suspended")  # live value not seen (§2.3)
    assert query["state"] == "s"


def test_redirect_mismatch_interstitial_has_githubs_whole_sentence(github: FakeGitHub) -> None:
    app = github.add_app(callbacks=["http://127.0.0.1/registered"])
    r = requests.get(
        github.url + "/login/oauth/authorize",
        params={"client_id": app.client_id, "redirect_uri": "http://127.0.0.1:9/x", "state": "s"},
        allow_redirects=False,
        timeout=5,
    )
    assert r.status_code == 200 and "Location" not in r.headers
    assert (
        "Be careful! The redirect_uri is not associated with this application. The application "
        "might be misconfigured or could be trying to redirect you to a website you weren't "
        "expecting."
    ) in r.text


@pytest.mark.parametrize("path", ["/login/oauth/access_token", "/login/device/code"])
@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/x-www-form-urlencoded; charset=utf-8"),
        ("*/*", "application/x-www-form-urlencoded; charset=utf-8"),
        ("application/json", "application/json; charset=utf-8"),
        ("application/xml", "application/xml; charset=utf-8"),
        ("application/vnd.github.v3+json", None),  # 406 (octokit/request.js#83)
    ],
)
def test_content_negotiation_on_every_login_post(
    github: FakeGitHub, path: str, accept: str | None, content_type: str | None
) -> None:
    """§2.5: the same negotiation on every ``POST /login/*`` endpoint (github/docs#3944)."""
    app = github.add_app(device_flow_enabled=True)
    data = {"client_id": app.client_id, "client_secret": app.client_secret, "code": "0" * 20}
    r = _post(github, path, data, accept)
    if content_type is None:
        assert r.status_code == 406
    else:
        assert r.status_code == 200 and r.headers["Content-Type"] == content_type


def test_device_code_answer_has_the_quoted_shape(github: FakeGitHub) -> None:
    """§3.1's capture, with the fake's own values in place of GitHub's."""
    app = github.add_app(device_flow_enabled=True)
    r = _post(github, "/login/device/code", {"client_id": app.client_id}, "application/json")
    assert re.fullmatch(
        r'\{"device_code":"[0-9a-f]{40}","user_code":"[A-Z0-9]{4}-[A-Z0-9]{4}",'
        r'"verification_uri":"http://127\.0\.0\.1:\d+/login/device","expires_in":899,'
        r'"interval":5\}',
        r.text,
    ), r.text
    for client_id in ("Ov23liUnknownApp0000", ""):  # unknown or missing client: 404
        data = {"client_id": client_id} if client_id else {}
        assert _post(github, "/login/device/code", data, "application/json").status_code == 404


def _token(gh: FakeGitHub, app, scope: str = "repo") -> str:
    data = {
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "code": _code(gh, app, scope=scope),
    }
    return str(
        _post(gh, "/login/oauth/access_token", data, "application/json").json()["access_token"]
    )


def test_user_answer_carries_githubs_headers(github: FakeGitHub) -> None:
    """§4.5: the header family of a REST answer, one ``Server`` header, and an empty
    ``X-OAuth-Scopes`` for a GitHub App's user token."""
    app = github.add_app()
    r = requests.get(
        github.api_url + "/user",
        headers={"Authorization": f"Bearer {_token(github, app, 'repo gist')}"},
        timeout=5,
    )
    h = r.headers
    assert h["Content-Type"] == "application/json; charset=utf-8"
    assert h["Server"] == "github.com"
    assert h["X-OAuth-Scopes"] == "gist, repo"
    assert "X-Accepted-OAuth-Scopes" in h
    assert h["X-OAuth-Client-Id"] == app.client_id
    assert h["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    assert h["X-GitHub-Media-Type"] == "github.v3; format=json"
    assert h["X-RateLimit-Limit"] == "5000" and h["X-RateLimit-Resource"] == "core"
    assert int(h["X-RateLimit-Used"]) + int(h["X-RateLimit-Remaining"]) == 5000
    assert h["X-RateLimit-Reset"].isdigit()
    body = r.json()
    for key in ("login", "id", "node_id", "type", "site_admin", "name", "email", "html_url"):
        assert key in body
    assert body["type"] == "User"

    gh_app = github.add_app(kind="github_app", callbacks=["http://127.0.0.1:1/oauth-test"])
    user_token = _token(github, gh_app)
    assert user_token.startswith("ghu_")
    r = requests.get(
        github.api_url + "/user", headers={"Authorization": f"token {user_token}"}, timeout=5
    )
    assert r.status_code == 200 and r.headers["X-OAuth-Scopes"] == ""
    none = requests.get(github.api_url + "/user", timeout=5)
    assert (none.status_code, none.json()["message"]) == (401, "Requires authentication")


def test_oauth_applications_api(github: FakeGitHub) -> None:
    """§4.2: check (POST), reset (PATCH), revoke (DELETE token) and revoke the grant."""
    app = github.add_app()
    token = _token(github, app)
    url = f"{github.api_url}/applications/{app.client_id}/token"
    auth = (app.client_id, app.client_secret)
    check = requests.post(url, json={"access_token": token}, auth=auth, timeout=5)
    assert check.status_code == 200
    fields = {
        "id", "url", "scopes", "token", "token_last_eight", "hashed_token", "app", "note",
        "note_url", "updated_at", "created_at", "fingerprint", "user", "expires_at",
    }  # fmt: skip
    assert fields <= set(check.json())
    assert check.json()["app"]["client_id"] == app.client_id
    assert (
        requests.post(url, json={"access_token": "gho_x"}, auth=auth, timeout=5).status_code == 404
    )
    assert requests.post(url, json={}, auth=auth, timeout=5).status_code == 422
    assert requests.post(url, json={"access_token": token}, timeout=5).status_code == 404

    reset = requests.patch(url, json={"access_token": token}, auth=auth, timeout=5)
    new = reset.json()["token"]
    assert new != token
    assert requests.post(url, json={"access_token": token}, auth=auth, timeout=5).status_code == 404

    grant = f"{github.api_url}/applications/{app.client_id}/grant"
    second = _token(github, app, "gist")
    gone = requests.delete(grant, json={"access_token": new}, auth=auth, timeout=5)
    assert gone.status_code == 204
    for value in (new, second):  # every token of that user for the app
        assert (
            requests.post(url, json={"access_token": value}, auth=auth, timeout=5).status_code
            == 404
        )


def test_rate_limit_with_app_credentials(github: FakeGitHub) -> None:
    """§4.3: Basic ``client_id:client_secret`` gets the app's quota; a bad pair 401."""
    app = github.add_app()
    ok = requests.get(
        github.api_url + "/rate_limit", auth=(app.client_id, app.client_secret), timeout=5
    )
    assert ok.headers["X-RateLimit-Limit"] == "5000"
    assert ok.json()["resources"]["core"]["limit"] == 5000
    anonymous = requests.get(github.api_url + "/rate_limit", timeout=5)
    assert anonymous.headers["X-RateLimit-Limit"] == "60"
    bad = requests.get(github.api_url + "/rate_limit", auth=(app.client_id, "x" * 40), timeout=5)
    assert (bad.status_code, bad.json()["message"]) == (401, "Bad credentials")


def test_truncated_answer_fault(github: FakeGitHub) -> None:
    app = github.add_app()
    github.fault("token", "truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _post(github, "/login/oauth/access_token", {"client_id": app.client_id}, None)
