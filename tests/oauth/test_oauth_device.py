"""``deskpro oauth-test --mode device`` against the fake, on simulated time (the CLI's sleeps and
the fake's clock are one :class:`SimTime`, so a 15-minute expiry takes no real time)."""

from __future__ import annotations

import pytest

from fakes.github import FakeGitHub
from oauth.oauth_helpers import SimTime, base_args, parse_json, secret_env


@pytest.fixture
def device_github(github: FakeGitHub, sim_time: SimTime) -> FakeGitHub:
    github.clock = sim_time.time
    return github


def device_args(github: FakeGitHub, client_id: str, *extra: str) -> list[str]:
    return base_args(github, client_id, "--mode", "device", "--no-browser", *extra)


def test_approve(cli, device_github: FakeGitHub, sim_time: SimTime) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    gh.device_outcome, gh.device_outcome_after_polls = "approve", 3
    run = cli(*device_args(gh, app.client_id, "--scope", "gist"), env=secret_env(app.client_secret))
    data = parse_json(run)
    assert (data["ok"], data["verdict"], data["mode"]) == (True, "token-obtained", "device")
    assert (data["login"], data["scopes"]) == ("octocat", ["gist"])
    assert data["token_revoked"] is True
    # the code is shown with the verification page; polls wait interval * 1.2
    (grant,) = gh.devices.values()
    assert f"Enter the one-time code {grant.user_code} at {gh.url}/login/device" in run.stderr
    assert sim_time.sleeps == [6.0, 6.0, 6.0]
    polls = [r for r in gh.requests_to("/login/oauth/access_token") if "device_code" in r.form]
    assert len(polls) == 3
    assert polls[0].form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    assert "client_secret" not in polls[0].form  # the device flow sends no secret
    (code_request,) = gh.requests_to("/login/device/code")
    assert code_request.form == {"client_id": app.client_id, "scope": "gist"}
    assert code_request.headers["accept"] == "application/json"


def test_deny(cli, device_github: FakeGitHub) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    gh.device_outcome = "deny"
    run = cli(*device_args(gh, app.client_id), env=secret_env(app.client_secret), code=1)
    data = parse_json(run)
    assert (data["verdict"], data["error_code"]) == ("access-denied", "access_denied")


def test_expire(cli, device_github: FakeGitHub, sim_time: SimTime) -> None:
    """GitHub's code lives 899 s; a user who never approves gets expired_token (or our own
    deadline first): a timeout verdict, exit 3."""
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    gh.device_expires_in = 30
    run = cli(*device_args(gh, app.client_id), env=secret_env(app.client_secret), code=3)
    data = parse_json(run)
    assert data["verdict"] == "timeout"
    assert "expired" in data["detail"]
    assert sum(sim_time.sleeps) <= 30


def test_expired_token_from_github(cli, device_github: FakeGitHub, sim_time: SimTime) -> None:
    """GitHub's clock may call the code expired before ours does (a VM clock running slow):
    its ``expired_token`` answer to a poll is a timeout verdict too, and says so."""
    from fakes.github_data import encode, error_fields

    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    body, ctype = encode(error_fields("expired_token"), "json")
    # No secret, so no probe: the first request to the token endpoint is the first poll.
    gh.fault("token", "status", status=200, body=body, content_type=ctype)
    run = cli(*device_args(gh, app.client_id, "--timeout", "3600"), code=3)
    data = parse_json(run)
    assert (data["verdict"], data["error_code"]) == ("timeout", "expired_token")
    assert "expired" in data["detail"]
    assert len(sim_time.sleeps) == 1  # GitHub's answer ended it, not our own deadline


def test_user_timeout_shorter_than_expiry(cli, device_github: FakeGitHub) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    run = cli(
        *device_args(gh, app.client_id, "--timeout", "20"),
        env=secret_env(app.client_secret),
        code=3,
    )
    assert "--timeout 20 s" in parse_json(run)["detail"]


def test_slow_down_is_honoured(cli, device_github: FakeGitHub, sim_time: SimTime) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    gh.slow_down_polls = 2
    gh.device_outcome, gh.device_outcome_after_polls = "approve", 1
    run = cli(*device_args(gh, app.client_id), env=secret_env(app.client_secret))
    assert parse_json(run)["verdict"] == "token-obtained"
    # interval 5 -> 10 -> 15 as GitHub returned it, each wait 1.2x
    assert sim_time.sleeps == pytest.approx([6.0, 10 * 1.4, 15 * 1.6])
    assert "asked twice to poll more slowly" in run.stderr


def test_early_polls_get_slow_down_and_the_new_interval_sticks(
    cli, device_github: FakeGitHub, sim_time: SimTime, monkeypatch
) -> None:
    """A client whose clock runs fast polls early (simulated: its margin cut to 0.9x); the fake's
    timing rule answers slow_down, and the CLI must take the new interval and widen its margin,
    or it would be early forever."""
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    gh.device_outcome, gh.device_outcome_after_polls = "approve", 1
    monkeypatch.setattr("deskpro_cli.oauth.device.POLL_FACTOR", 0.9)
    run = cli(*device_args(gh, app.client_id), env=secret_env(app.client_secret))
    assert parse_json(run)["verdict"] == "token-obtained"
    assert sim_time.sleeps[0] == pytest.approx(4.5)
    assert sim_time.sleeps[1] == pytest.approx(11.0)  # interval 10, margin 0.9 + 0.2
    assert len(sim_time.sleeps) == 2


def test_device_flow_disabled(cli, device_github: FakeGitHub) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=False)
    run = cli(*device_args(gh, app.client_id), env=secret_env(app.client_secret), code=1)
    data = parse_json(run)
    assert (data["verdict"], data["error_code"]) == ("device-flow-disabled", "device_flow_disabled")
    assert "Enable Device Flow" in data["hint"]


def test_device_without_secret(cli, device_github: FakeGitHub) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    gh.device_outcome = "approve"
    run = cli(*device_args(gh, app.client_id))
    data = parse_json(run)
    assert data["verdict"] == "token-obtained"
    assert data["token_revoked"] is False
    assert any("not revoked" in n for n in data["notes"])
    assert "no client secret given" in run.stderr
    assert len(gh.live_tokens()) == 1
    # no probe without a secret
    assert all("device_code" in r.form for r in gh.requests_to("/login/oauth/access_token"))


def test_device_with_wrong_secret_stops_at_the_probe(cli, device_github: FakeGitHub) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    run = cli(*device_args(gh, app.client_id), env=secret_env("2" * 40), code=1)
    assert parse_json(run)["verdict"] == "credentials-invalid"
    assert gh.requests_to("/login/device/code") == []


def test_unknown_client_at_device_code(cli, device_github: FakeGitHub) -> None:
    run = cli(*device_args(device_github, "Ov23liNoSuchApp12345"), code=1)
    assert parse_json(run)["verdict"] == "app-not-found"


def test_server_error_while_polling(cli, device_github: FakeGitHub) -> None:
    gh = device_github
    app = gh.add_app(device_flow_enabled=True)
    run_probe_then_fail = gh.take_fault

    calls = []

    def take(endpoint):
        if endpoint == "token":
            calls.append(1)
            if len(calls) == 2:  # the probe, then the first poll
                from fakes.github import Fault

                return Fault("status", False, {"status": 500})
        return run_probe_then_fail(endpoint)

    gh.take_fault = take  # type: ignore[method-assign]
    run = cli(*device_args(gh, app.client_id), env=secret_env(app.client_secret), code=3)
    assert parse_json(run)["verdict"] == "server-error"
