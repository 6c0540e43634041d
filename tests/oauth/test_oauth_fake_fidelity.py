"""The fake GitHub itself: how it behaves (codes single use and expiring, PKCE, redirect rules,
device polling, tokens and their revocation, faults). Every string the spec quotes is replayed
in test_oauth_fake_strings.py."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from fakes.github import FakeGitHub, redirect_matches

JSON_ACCEPT = {"Accept": "application/json"}

# §2.7, quoted "exactly as github.com sends it".
BAD_CODE_FORM = (
    "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired."
    "&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-"
    "oauth-app-access-token-request-errors%2F%23bad-verification-code"
)


def token_post(gh: FakeGitHub, data: dict[str, str], accept: str | None = "application/json"):
    headers = {"Accept": accept} if accept else {}
    return requests.post(
        gh.url + "/login/oauth/access_token", data=data, headers=headers, timeout=5
    )


def authorize(gh: FakeGitHub, **params: str) -> requests.Response:
    return requests.get(
        gh.url + "/login/oauth/authorize", params=params, allow_redirects=False, timeout=5
    )


def test_bad_code_form_body_is_byte_for_byte(github: FakeGitHub) -> None:
    app = github.add_app()
    r = token_post(
        github,
        {"client_id": app.client_id, "client_secret": app.client_secret, "code": "0" * 20},
        accept=None,
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert r.text == BAD_CODE_FORM


def test_unknown_or_deleted_app_is_404_at_the_token_endpoint(github: FakeGitHub) -> None:
    app = github.add_app(deleted=True)
    for cid in (app.client_id, "Ov23liUnknownApp0000"):
        r = token_post(github, {"client_id": cid, "client_secret": "x", "code": "y"})
        assert r.status_code == 404
        assert r.headers["Content-Type"].startswith("text/html")


def _approve(github: FakeGitHub, app, redirect_uri: str, **extra: str) -> tuple[str, str]:
    r = authorize(
        github, client_id=app.client_id, redirect_uri=redirect_uri, state="st4te", **extra
    )
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["state"] == "st4te"
    assert re.fullmatch(r"[0-9a-f]{20}", query["code"])
    return location, query["code"]


@pytest.mark.parametrize("accept", ["form", "json", "xml"])
def test_success_body_in_each_encoding(github: FakeGitHub, accept: str) -> None:
    app = github.add_app()
    _, code = _approve(github, app, "http://127.0.0.1:5555/oauth-test", scope="repo gist")
    header = {"form": None, "json": "application/json", "xml": "application/xml"}[accept]
    r = token_post(
        github,
        {"client_id": app.client_id, "client_secret": app.client_secret, "code": code},
        accept=header,
    )
    assert r.status_code == 200
    token = next(iter(github.tokens))
    assert re.fullmatch(r"gho_[A-Za-z0-9]{36}", token)
    if accept == "form":
        assert r.text == f"access_token={token}&scope=repo%2Cgist&token_type=bearer"
    elif accept == "json":
        assert r.text == f'{{"access_token":"{token}","token_type":"bearer","scope":"repo,gist"}}'
    else:
        assert r.text == (
            f"<OAuth><token_type>bearer</token_type><scope>repo,gist</scope>"
            f"<access_token>{token}</access_token></OAuth>"
        )


def test_code_is_single_use_and_expires(github: FakeGitHub) -> None:
    now = [1000.0]
    github.clock = lambda: now[0]
    app = github.add_app()
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}
    _, code = _approve(github, app, "http://127.0.0.1:1/oauth-test")
    assert "access_token" in token_post(github, {**creds, "code": code}).json()
    assert token_post(github, {**creds, "code": code}).json()["error"] == "bad_verification_code"
    _, code2 = _approve(github, app, "http://127.0.0.1:1/oauth-test")
    now[0] += 601
    assert token_post(github, {**creds, "code": code2}).json()["error"] == "bad_verification_code"


def test_pkce_is_checked(github: FakeGitHub) -> None:
    app = github.add_app()
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}
    verifier = "v" * 43
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    pk = {"code_challenge": challenge, "code_challenge_method": "S256"}
    _, code = _approve(github, app, "http://127.0.0.1:1/oauth-test", **pk)
    wrong = token_post(github, {**creds, "code": code, "code_verifier": "w" * 43})
    assert wrong.json()["error"] == "bad_verification_code"
    _, code = _approve(github, app, "http://127.0.0.1:1/oauth-test", **pk)
    right = token_post(github, {**creds, "code": code, "code_verifier": verifier})
    assert "access_token" in right.json()
    assert github.pkce_checked == [False, True]


def test_redirect_uri_must_match_at_the_exchange(github: FakeGitHub) -> None:
    app = github.add_app()
    _, code = _approve(github, app, "http://127.0.0.1:7/oauth-test")
    r = token_post(
        github,
        {
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "redirect_uri": "http://127.0.0.1:8/oauth-test",
        },
    )
    assert r.json()["error"] == "redirect_uri_mismatch"


def test_client_credentials_by_basic_auth_and_json_body(github: FakeGitHub) -> None:
    app = github.add_app()
    _, code = _approve(github, app, "http://127.0.0.1:7/oauth-test")
    r = requests.post(
        github.url + "/login/oauth/access_token",
        json={"code": code},
        auth=(app.client_id, app.client_secret),
        headers=JSON_ACCEPT,
        timeout=5,
    )
    assert "access_token" in r.json()


def test_error_redirects_keep_githubs_order_and_encoding(github: FakeGitHub) -> None:
    app = github.add_app(callbacks=["http://127.0.0.1/oauth-test"])
    github.authorize_outcome = "deny"
    r = authorize(github, client_id=app.client_id, state="abc")
    assert r.status_code == 302
    assert r.headers["Location"] == (
        "http://127.0.0.1/oauth-test?error=access_denied&error_description=The+user+has+denied"
        "+your+application+access.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2Fmanaging-"
        "oauth-apps%2Ftroubleshooting-authorization-request-errors%2F%23access-denied&state=abc"
    )


def test_unknown_client_at_authorize_is_a_404_page(github: FakeGitHub) -> None:
    for params in ({"client_id": "undefined"}, {}):
        r = authorize(github, **params)
        assert r.status_code == 404
        assert r.headers["Content-Type"].startswith("text/html")


def test_redirect_rules_of_the_docs() -> None:
    from fakes.github import FakeApp

    app = FakeApp("id", "secret", callbacks=["http://example.com/path"])
    good = [
        "http://example.com/path",
        "http://example.com/path/subdir/other",
        "http://oauth.example.com/path",
    ]
    bad = [
        "http://example.com/bar",
        "http://example.com/",
        "http://example.com:8080/path",
        "http://example.org",
    ]
    assert all(redirect_matches(app, u) for u in good)
    assert not any(redirect_matches(app, u) for u in bad)
    loop = FakeApp("id", "secret", callbacks=["http://127.0.0.1/path"])
    assert redirect_matches(loop, "http://127.0.0.1:1234/path")
    assert not redirect_matches(loop, "http://127.0.0.1:1234/other")


def test_device_code_and_polls(github: FakeGitHub) -> None:
    now = [5000.0]
    github.clock = lambda: now[0]
    app = github.add_app(device_flow_enabled=True)
    r = requests.post(
        github.url + "/login/device/code",
        data={"client_id": app.client_id},
        headers=JSON_ACCEPT,
        timeout=5,
    )
    body = r.json()
    assert list(body) == ["device_code", "user_code", "verification_uri", "expires_in", "interval"]
    assert re.fullmatch(r"[0-9a-f]{40}", body["device_code"])
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", body["user_code"])
    assert body["verification_uri"] == f"{github.url}/login/device"
    assert (body["expires_in"], body["interval"]) == (899, 5)

    poll = {
        "client_id": app.client_id,
        "device_code": body["device_code"],
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
    }
    now[0] += 6
    assert token_post(github, poll).text == (
        '{"error":"authorization_pending","error_description":"The authorization request is '
        'still pending.","error_uri":"https://docs.github.com/developers/apps/authorizing-oauth-'
        'apps#error-codes-for-the-device-flow"}'
    )
    now[0] += 1  # too early: slow_down, interval + 5
    assert token_post(github, poll).json() == {
        "error": "slow_down",
        "error_description": "Too many requests have been made in the same timeframe.",
        "error_uri": "https://docs.github.com",
        "interval": 10,
    }
    now[0] += 1
    form = token_post(github, poll, accept=None)
    assert dict(parse_qsl(form.text))["interval"] == "15"
    github.approve_device(body["user_code"])
    now[0] += 16
    assert "access_token" in token_post(github, poll).json()
    assert token_post(github, poll).json()["error"] == "incorrect_device_code"
    now[0] += 900
    r2 = requests.post(
        github.url + "/login/device/code",
        data={"client_id": app.client_id},
        headers=JSON_ACCEPT,
        timeout=5,
    ).json()
    now[0] += 900
    expired = token_post(github, {**poll, "device_code": r2["device_code"]}).json()
    assert expired["error"] == "expired_token"
    bad_grant = token_post(github, {**poll, "grant_type": "password"}).json()
    assert bad_grant["error"] == "unsupported_grant_type"


def _token(github: FakeGitHub, app, scope: str = "repo") -> str:
    _, code = _approve(github, app, "http://127.0.0.1:1/oauth-test", scope=scope)
    r = token_post(
        github, {"client_id": app.client_id, "client_secret": app.client_secret, "code": code}
    )
    return r.json()["access_token"]


def test_user_headers_and_bad_credentials(github: FakeGitHub) -> None:
    app = github.add_app()
    token = _token(github, app, "workflow repo read:org gist")
    r = requests.get(
        github.api_url + "/user", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert r.status_code == 200
    assert r.headers["X-OAuth-Scopes"] == "gist, read:org, repo, workflow"
    assert r.headers["X-OAuth-Client-Id"] == app.client_id
    assert r.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    assert re.fullmatch(
        r"[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}:[0-9A-F]{8}",
        r.headers["X-GitHub-Request-Id"],
    )
    remaining = int(r.headers["X-RateLimit-Remaining"])
    again = requests.get(
        github.url + "/user", headers={"Authorization": f"token {token}"}, timeout=5
    )
    assert int(again.headers["X-RateLimit-Remaining"]) == remaining - 1
    assert r.json()["login"] == "octocat"
    bad = requests.get(
        github.api_url + "/user", headers={"Authorization": "Bearer gho_nope"}, timeout=5
    )
    assert bad.status_code == 401
    assert bad.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    none = requests.get(github.api_url + "/user", timeout=5)
    assert none.json()["message"] == "Requires authentication"


def test_token_revocation_needs_basic_auth(github: FakeGitHub) -> None:
    app = github.add_app()
    token = _token(github, app)
    url = f"{github.api_url}/applications/{app.client_id}/token"
    assert requests.delete(url, json={"access_token": token}, timeout=5).status_code == 404
    wrong = requests.delete(
        url, json={"access_token": token}, auth=(app.client_id, "x" * 40), timeout=5
    )
    assert wrong.status_code == 401
    ok = requests.delete(
        url, json={"access_token": token}, auth=(app.client_id, app.client_secret), timeout=5
    )
    assert ok.status_code == 204
    assert (
        requests.get(
            github.api_url + "/user", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ).status_code
        == 401
    )


def test_eleventh_token_revokes_the_oldest(github: FakeGitHub) -> None:
    app = github.add_app()
    tokens = [_token(github, app) for _ in range(11)]
    assert tokens[0] not in {t.token for t in github.live_tokens()}
    assert tokens[10] in {t.token for t in github.live_tokens()}


def test_expiring_tokens_and_refresh_rotation(github: FakeGitHub) -> None:
    app = github.add_app(expiring_tokens=True)
    _, code = _approve(github, app, "http://127.0.0.1:1/oauth-test")
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}
    body = token_post(github, {**creds, "code": code}).json()
    assert (body["expires_in"], body["refresh_token_expires_in"]) == (28800, 15811200)
    assert body["refresh_token"].startswith("ghr_")
    refreshed = token_post(
        github, {**creds, "grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    ).json()
    assert refreshed["access_token"] != body["access_token"]
    again = token_post(
        github, {**creds, "grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    ).json()
    assert again["error"] == "bad_refresh_token"


def test_faults(github: FakeGitHub) -> None:
    app = github.add_app()
    data = {"client_id": app.client_id, "client_secret": app.client_secret, "code": "0" * 20}
    github.fault("token", "status", status=502)
    r = token_post(github, data)
    assert r.status_code == 502 and "Unicorn" in r.text
    assert token_post(github, data).status_code == 200  # one-shot
    github.fault("token", "rate_limit", mode="retry_after", retry_after=30)
    r = token_post(github, data)
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"
    github.fault("token", "rate_limit")
    r = token_post(github, data)
    assert r.status_code == 403 and r.headers["X-RateLimit-Remaining"] == "0"
    github.fault("token", "reset")
    with pytest.raises(requests.ConnectionError):
        token_post(github, data)
    github.fault("token", "delay", seconds=2)
    with pytest.raises(requests.ReadTimeout):
        requests.post(github.url + "/login/oauth/access_token", data=data, timeout=(2, 0.5))
    github.fault(
        "*",
        "status",
        status=503,
        sticky=True,
        body='{"message":"down"}',
        content_type="application/json",
    )
    assert token_post(github, data).status_code == 503
    assert token_post(github, data).status_code == 503
