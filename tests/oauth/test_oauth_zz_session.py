"""Checks over the whole oauth session (this file runs last in file order): all output searched
for every secret and token (each oauth test also checks its own at teardown), and every verdict
of spec/cli.md produced by some test with its exit status and JSON shape.

Both need the whole suite: when only part of it runs (a file, ``-k``, ``-m``), they skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oauth.oauth_helpers import SEEN_VERDICTS, VERDICT_EXIT, LeakLog

HERE = Path(__file__).parent


@pytest.fixture
def whole_suite(request: pytest.FixtureRequest) -> None:
    option = request.config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
        pytest.skip("part of the oauth suite was deselected (-k/-m)")
    files = {p.name for p in HERE.glob("test_oauth_*.py")}
    collected = {Path(str(item.path)).name for item in request.session.items}
    if not files <= collected:
        pytest.skip("run together with the other oauth tests")


def test_the_detector_finds_a_planted_secret() -> None:
    log = LeakLog()
    log.secrets = {"gho_" + "A" * 36, "0123456789abcdef0123456789abcdef01234567"}
    log.add("planted", "token: gho_" + "A" * 36)
    log.add("masked", "token gho_…AAAA revoked")
    log.add("planted secret", "secret=0123456789abcdef0123456789abcdef01234567&x")
    assert [where for where, _ in log.leaks()] == ["planted", "planted secret"]


@pytest.mark.usefixtures("whole_suite")
def test_no_secret_or_token_in_any_oauth_output(leak_log: LeakLog) -> None:
    assert len(leak_log.texts) > 10
    # Tokens were really issued and really searched for (the check is not vacuous).
    assert any(s.startswith("gho_") for s in leak_log.secrets)
    assert any("token-obtained" in text for _, text in leak_log.texts)
    assert leak_log.leaks() == []


@pytest.mark.usefixtures("whole_suite")
def test_every_verdict_was_produced_by_a_test() -> None:
    assert sorted(set(VERDICT_EXIT) - SEEN_VERDICTS) == []
