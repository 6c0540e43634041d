"""Fixtures of the oauth-test suite: the fake GitHub, a robot browser, and the leak check.

Every oauth test runs under :func:`_leak_guard`: all it printed (captured fds, every in-process CLI
run, subprocess output handed to :func:`record_output`) and every log record (root and
``deskpro_cli`` loggers at DEBUG) are collected in the session-wide :class:`LeakLog`, then
searched for the fake's client secrets, authorization codes, device codes and every token it
issued. A hit fails that test at teardown; ``test_oauth_zz_leaks.py`` checks the whole session.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from fakes.github import FakeGitHub


# -- leak collection --------------------------------------------------------------------------
@dataclass
class LeakLog:
    """Everything the oauth tests printed or logged, and every secret the fakes knew."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)

    def add(self, where: str, text: str) -> None:
        if text:
            self.texts.append((where, text))

    def leaks(self, texts: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        """(where, secret prefix) for every secret found in the collected texts."""
        found = []
        for where, text in self.texts if texts is None else texts:
            for secret in self.secrets:
                if len(secret) >= 8 and secret in text:
                    found.append((where, secret[:4] + "…"))
        return found


_LEAK_LOG = LeakLog()


@pytest.fixture(scope="session")
def leak_log() -> LeakLog:
    return _LEAK_LOG


_current_texts: list[tuple[str, str]] = []


def record_output(where: str, text: str) -> None:
    """Hand output captured outside the fixtures (a subprocess, a pty) to the leak check."""
    _current_texts.append((where, text))


@pytest.fixture(autouse=True)
def _leak_guard(
    request: pytest.FixtureRequest,
    leak_log: LeakLog,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    ours = logging.getLogger("deskpro_cli")
    ours.addHandler(caplog.handler)
    _current_texts.clear()
    yield
    ours.removeHandler(caplog.handler)
    out, err = capfd.readouterr()
    node = request.node.nodeid
    texts = [(f"{node} log", caplog.text), (f"{node} stdout", out), (f"{node} stderr", err)]
    texts += [(f"{node} {w}", t) for w, t in _current_texts]
    for where, text in texts:
        leak_log.add(where, text)
    leaks = leak_log.leaks(texts)
    assert not leaks, f"a secret or token appeared in the output: {leaks}"


@pytest.fixture
def cli(cli: Callable[..., Any]) -> Callable[..., Any]:
    """The suite's ``cli`` runner, with every run's output handed to the leak check."""

    def run(*args: Any, **kwargs: Any) -> Any:
        result = cli(*args, **kwargs)
        record_output("cli stdout", result.stdout)
        record_output("cli stderr", result.stderr)
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_args(github: FakeGitHub, client_id: str, *extra: str) -> list[str]:
    return ["oauth-test", "--github-url", github.url, "--client-id", client_id, "--json", *extra]


def secret_env(secret: str) -> dict[str, str]:
    return {"DESKPRO_OAUTH_CLIENT_SECRET": secret}


def parse_json(run: Any) -> dict[str, Any]:
    """The one JSON object on stdout (and nothing else there)."""
    data = json.loads(run.stdout)
    assert isinstance(data, dict)
    for key in ("ok", "verdict", "mode", "github_url", "client_id", "login", "scopes", "detail"):
        assert key in data, key
    return data


# -- a robot browser --------------------------------------------------------------------------
@dataclass
class RobotBrowser:
    """Plays the user's browser for in-process tests (the ``open_browser`` seam).

    Opens the authorize URL on the fake without following redirects, then follows the
    ``Location`` to the CLI's callback. ``forge_first`` sends a callback with a wrong state
    before the real one; ``follow`` False stops after the fake's answer.
    """

    forge_first: bool = False
    follow: bool = True
    urls: list[str] = field(default_factory=list)
    fake_answers: list[requests.Response] = field(default_factory=list)
    callback_answers: list[requests.Response] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        thread = threading.Thread(target=self._visit, args=(url,), daemon=True)
        self.threads.append(thread)
        thread.start()
        return True

    def redirect_uri(self) -> str:
        return parse_qs(urlsplit(self.urls[-1]).query)["redirect_uri"][0]

    def _visit(self, url: str) -> None:
        try:
            if self.forge_first:
                forged = self.redirect_uri() + "?code=0123456789abcdef0123&state=not-this-run"
                self.callback_answers.append(requests.get(forged, timeout=10))
            answer = requests.get(url, allow_redirects=False, timeout=10)
            self.fake_answers.append(answer)
            if self.follow and answer.status_code == 302:
                location = answer.headers["Location"]
                self.callback_answers.append(requests.get(location, timeout=10))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=10)
        assert not self.errors, self.errors


@pytest.fixture
def robot(monkeypatch: pytest.MonkeyPatch) -> RobotBrowser:
    """A robot browser installed as the CLI's browser seam."""
    browser = RobotBrowser()
    monkeypatch.setattr("deskpro_cli.oauth.browser.open_browser", browser)
    return browser


# -- simulated time for the device flow -------------------------------------------------------
class SimTime:
    """A clock shared by the CLI (``monotonic``/``sleep``) and the fake (``time``)."""

    def __init__(self) -> None:
        self.now = 1_790_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def sim_time(monkeypatch: pytest.MonkeyPatch) -> SimTime:
    """Simulated time for the CLI's device polling (its sleeps take no real time)."""
    sim = SimTime()
    monkeypatch.setattr("deskpro_cli.oauth.context.time", sim)
    return sim
