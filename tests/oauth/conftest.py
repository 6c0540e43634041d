"""Fixtures of the oauth-test suite: the fake GitHub, a robot browser, and the leak check.

Every oauth test runs under :func:`_leak_guard`: all it printed (captured fds, every in-process CLI
run, subprocess output handed to :func:`record_output`) and every log record (root and
``deskpro_cli`` loggers at DEBUG) are collected in the session-wide :class:`LeakLog`, then
searched for the fake's client secrets, authorization codes, device codes and every token it
issued. A hit fails that test at teardown; ``test_oauth_zz_session.py`` checks the whole session.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fakes.github import FakeGitHub
from oauth.oauth_helpers import LeakLog, RobotBrowser, SimTime, record_output, take_recorded

_LEAK_LOG = LeakLog()


@pytest.fixture(scope="session")
def leak_log() -> LeakLog:
    return _LEAK_LOG


@pytest.fixture(autouse=True)
def _leak_guard(
    request: pytest.FixtureRequest,
    leak_log: LeakLog,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> Iterator[None]:
    # Every record at DEBUG, from any logger, except the robot browser's (it plays the user's
    # browser, which sees the code by design).
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(threadName)s: %(message)s"))
    handler.addFilter(lambda record: not record.threadName.startswith("robot-browser"))
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("deskpro_cli")]
    for logger in loggers:
        logger.addHandler(handler)
    take_recorded()
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    out, err = capfd.readouterr()
    node = request.node.nodeid
    texts = [(f"{node} log", stream.getvalue()), (f"{node} stdout", out), (f"{node} stderr", err)]
    texts += [(f"{node} {w}", t) for w, t in take_recorded()]
    for where, text in texts:
        leak_log.add(where, text)
    leaks = leak_log.leaks(texts)
    assert not leaks, f"a secret or token appeared in the output: {leaks}"


@pytest.fixture
def cli(cli: Callable[..., Any]) -> Callable[..., Any]:
    """The suite's ``cli`` runner, with every run's output handed to the leak check."""

    def run(*args: Any, code: int | None = 0, **kwargs: Any) -> Any:
        result = cli(*args, code=None, **kwargs)
        # Recorded before the exit code is checked, so a failing run is searched too.
        record_output("cli stdout", result.stdout)
        record_output("cli stderr", result.stderr)
        if code is not None and result.exit_code != code:
            import traceback

            tb = ""
            if result.result.exc_info and not isinstance(result.result.exception, SystemExit):
                tb = "".join(traceback.format_exception(*result.result.exc_info))
            raise AssertionError(
                f"deskpro {' '.join(map(str, args))} exited {result.exit_code}, expected {code}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}\n{tb}"
            )
        return result

    return run


# -- the fake ---------------------------------------------------------------------------------
@pytest.fixture
def github(leak_log: LeakLog) -> Iterator[FakeGitHub]:
    """A running fake GitHub on 127.0.0.1; its secrets join the leak check at the end."""
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()
        leak_log.secrets |= fake.secrets()


@pytest.fixture
def robot(monkeypatch: pytest.MonkeyPatch) -> RobotBrowser:
    """A robot browser installed as the CLI's browser seam."""
    browser = RobotBrowser()
    monkeypatch.setattr("deskpro_cli.oauth.browser.open_browser", browser)
    return browser


@pytest.fixture
def sim_time(monkeypatch: pytest.MonkeyPatch) -> SimTime:
    """Simulated time for the CLI's device polling (its sleeps take no real time)."""
    sim = SimTime()
    monkeypatch.setattr("deskpro_cli.oauth.context.time", sim)
    return sim
