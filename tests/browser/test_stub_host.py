"""The stub Deskpro host, proved against the real @deskpro/apps-sdk-core 2.0.0 browser build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PAGES = Path(__file__).resolve().parent / "pages"
PROBE = PAGES / "sdk_probe"


def _ready(host: Any) -> None:
    host.wait_ready()
    host.frame.wait_for_function("() => window.probe.ready || window.probe.error")
    assert host.frame.evaluate("() => window.probe.error") is None


def test_sdk_boots_across_origins_with_the_init_payload(stub_host: Any) -> None:
    host = stub_host(PROBE, instance_props={"appTitle": "Probe"})
    _ready(host)

    assert host.host_origin.startswith("http://127.0.0.1:")
    assert host.app_url.startswith("http://localhost:")
    props = host.frame.evaluate("() => window.dpapp.properties")
    assert props["appId"] == "7"
    assert props["instanceId"] == "42"
    assert props["appTitle"] == "Probe"
    assert props["tabId"] == "tab-1"
    assert host.frame.evaluate("() => window.dpapp.environment") == "production"
    # The SDK really came through the CDN route (the app server never saw it).
    assert all("apps-sdk-core" not in r.path for r in host.app_requests)
    host.assert_clean()


def test_storage_round_trips_through_the_host(stub_host: Any) -> None:
    host = stub_host(PROBE, storage={"app:7/b": "B!"})
    _ready(host)

    stored = host.frame.evaluate(
        "() => window.dpapp.storage.setAppStorage('greeting', {hello: 'world'})"
    )
    assert stored == {"hello": "world"}
    assert host.storage()["app:7/greeting"] == {"hello": "world"}
    put = host.records("webapi.request.fetch")[0]["body"]
    assert put["url"] == "apps/42/state/app:7/greeting"
    assert put["init"]["method"] == "PUT"

    assert host.frame.evaluate("() => window.dpapp.storage.getAppStorage('greeting')") == {
        "hello": "world"
    }
    assert host.frame.evaluate("() => window.dpapp.storage.getAppStorage('nope', 'dflt')") == (
        "dflt"
    )
    assert host.frame.evaluate(
        "() => window.dpapp.storage.getAppStorage(['greeting', 'b', 'c'])"
    ) == {
        "greeting": {"hello": "world"},
        "b": "B!",
        "c": None,
    }
    failures = host.frame.evaluate(
        "() => window.dpapp.storage.setAppStorage([['x', 1], ['y', [2, 3]]])"
    )
    assert failures == []
    assert host.storage()["app:7/x"] == 1
    assert host.storage()["app:7/y"] == [2, 3]
    host.frame.evaluate("() => window.dpapp.storage.setAppStorage('x', null)")
    assert "app:7/x" not in host.storage()
    host.assert_clean()


def test_context_me_and_tab_properties(stub_host: Any) -> None:
    host = stub_host(PROBE, me={"id": 3, "name": "Linus"})
    _ready(host)

    assert host.frame.evaluate("() => window.dpapp.context.getMe()") == {"id": 3, "name": "Linus"}
    email = host.frame.evaluate("() => window.dpapp.context.get('ticket').get('data.person_email')")
    assert email == "grace@example.com"
    assert host.records("context.property.get")[0]["body"] == {
        "path": ["data", "person_email"],
        "type": "ticket",
        "tabId": "tab-1",
    }
    host.assert_clean()


def test_oauth_settings_register_and_access(stub_host: Any) -> None:
    token = {"access_token": "gho_x", "refresh_token": "r", "expires": 0, "resource_owner_id": 1}
    host = stub_host(PROBE, oauth_tokens={"github": token})
    _ready(host)

    settings = host.frame.evaluate("() => window.dpapp.oauth.settings('github')")
    assert settings == {"urlRedirect": "https://helpdesk.example/api/oauth/2.0/github/grant-access"}
    # Like the helpdesk, no token before a connection is registered.
    refused = host.frame.evaluate(
        "() => window.dpapp.oauth.requestAccess('github').then(() => 'resolved', e => e.message)"
    )
    assert "no OAuth connection registered for github" in refused

    host.frame.evaluate(
        "() => window.dpapp.oauth.register('github', {urlAuthorize: 'https://a', "
        "urlAccessToken: 'https://t', urlRedirect: 'https://r', clientId: 'cid'})"
    )
    assert host.storage()["app:7/oauth:github"]["clientId"] == "cid"
    granted = host.frame.evaluate("() => window.dpapp.oauth.requestAccess('github')")
    assert granted["access_token"] == "gho_x"
    assert granted["oauthVersion"] == "2.0"


def test_subscribe_and_host_event_round_trip(stub_host: Any) -> None:
    host = stub_host(PROBE)
    _ready(host)
    host.wait_subscribed("context.ticket.reply")

    answer = host.emit_to_app("context.ticket.reply", {"message": "hi"})

    assert answer == {"canceled": False, "message": "ok-from-app"}
    assert host.frame.evaluate("() => window.probe.replies") == [{"message": "hi"}]
    host.assert_clean()


def test_proxy_substitutes_placeholders_and_checks_the_whitelist(stub_host: Any) -> None:
    seen: list[dict[str, Any]] = []

    def upstream(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(request)
        return {"status": 200, "body": {"login": "octocat"}}

    host = stub_host(
        PROBE,
        manifest={"externalApis": ["/^https?://api\\.github\\.com/.*$/"]},
        storage={"app:7/oauth:github:tokens": "gho_secret"},
        upstream=upstream,
    )
    _ready(host)

    reply = host.frame.evaluate(
        "() => window.dpapp.restApi.fetchProxy('https://api.github.com/user', "
        "{method: 'GET', headers: {Authorization: 'token {{oauth:github:tokens}}'}})"
    )
    assert reply == {"status": 200, "headers": {}, "body": {"login": "octocat"}}
    assert seen[0]["headers"] == {"Authorization": "token gho_secret"}
    assert host.proxy_log()[0]["allowed"] is True

    refused = host.frame.evaluate(
        "() => window.dpapp.restApi.fetchProxy('https://evil.example/', {method: 'GET'})"
        ".then(() => 'resolved', e => e.body.message)"
    )
    assert "not in the app's domain whitelist" in refused
    assert len(seen) == 1
    host.assert_clean()


def test_sdk_refuses_to_start_without_a_tab_id(stub_host: Any) -> None:
    host = stub_host(PROBE, context_props={"tabId": None})
    host.wait_ready()
    host.frame.wait_for_function("() => window.probe.error !== null")
    assert host.frame.evaluate("() => window.probe.error") == "context is missing the tab id"


def test_init_params_in_the_fragment(stub_host: Any) -> None:
    host = stub_host(PROBE, params_in_hash=True, widget_id="frag-9")
    _ready(host)
    assert host.frame.url.endswith("#dp.widgetId=frag-9")


def test_unknown_events_get_an_error_and_are_reported(stub_host: Any) -> None:
    host = stub_host(PROBE)
    _ready(host)
    message = host.frame.evaluate(
        "() => window.dpapp.restApi.get('nowhere/at/all')"
        ".then(() => 'resolved', e => e.status + ' ' + e.body.message)"
    )
    assert message == "404 stub host: no route for get nowhere/at/all"
    assert any("get nowhere/at/all" in e for e in host.host_errors())
    with pytest.raises(AssertionError, match="no Deskpro API route"):
        host.assert_clean()


def test_errors_in_the_app_frame_are_caught(stub_host: Any) -> None:
    """The "no console errors" checks other tests rely on can fail."""
    host = stub_host(PAGES / "noisy")
    for _ in range(100):  # the uncaught error is thrown from a timer
        if host.page_errors:
            break
        host.frame.wait_for_timeout(50)

    assert any("boom from the app" in e for e in host.console_errors)
    assert any("kaboom from the app" in e for e in host.page_errors)
    # A CDN URL for a version tests/node does not pin is blocked, and says why.
    assert any("1.0.2" in b and "2.0.0 is installed" in b for b in host.blocked_requests)
    assert any("missing.png" in f and f.startswith("404") for f in host.failed_requests)
    assert host.app_requests[-1].status == 404
    with pytest.raises(AssertionError):
        host.assert_clean()
