"""The whole session's oauth output, searched for every secret and token (runs last in file
order; each oauth test also checks its own output at teardown)."""

from __future__ import annotations

import pytest

from oauth.oauth_helpers import LeakLog


def test_the_detector_finds_a_planted_secret() -> None:
    log = LeakLog()
    log.secrets = {"gho_" + "A" * 36, "0123456789abcdef0123456789abcdef01234567"}
    log.add("planted", "token: gho_" + "A" * 36)
    log.add("masked", "token gho_…AAAA revoked")
    log.add("planted secret", "secret=0123456789abcdef0123456789abcdef01234567&x")
    assert [where for where, _ in log.leaks()] == ["planted", "planted secret"]


def test_no_secret_or_token_in_any_oauth_output(leak_log: LeakLog) -> None:
    if not leak_log.secrets:
        pytest.skip("run together with the other oauth tests (nothing collected yet)")
    assert len(leak_log.texts) > 10
    # Tokens were really issued and really searched for (the check is not vacuous).
    assert any(s.startswith("gho_") for s in leak_log.secrets)
    assert any("token-obtained" in text for _, text in leak_log.texts)
    assert leak_log.leaks() == []
