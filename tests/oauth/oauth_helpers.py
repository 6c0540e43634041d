"""Helpers of the oauth-test suite (importable by the tests; fixtures are in conftest)."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


_CURRENT: list[tuple[str, str]] = []


def record_output(where: str, text: str) -> None:
    """Hand output captured outside the fixtures (a subprocess, a pty) to the leak check."""
    _CURRENT.append((where, text))


def take_recorded() -> list[tuple[str, str]]:
    texts = list(_CURRENT)
    _CURRENT.clear()
    return texts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_args(github: FakeGitHub, client_id: str, *extra: str) -> list[str]:
    return ["oauth-test", "--github-url", github.url, "--client-id", client_id, "--json", *extra]


def secret_env(secret: str) -> dict[str, str]:
    return {"DESKPRO_OAUTH_CLIENT_SECRET": secret}


#: spec/cli.md: each verdict and its exit status.
VERDICT_EXIT = {
    "credentials-valid": 0,
    "token-obtained": 0,
    "credentials-invalid": 1,
    "app-not-found": 1,
    "redirect-uri-mismatch": 1,
    "access-denied": 1,
    "device-flow-disabled": 1,
    "oauth-error": 1,  # ours: an OAuth error spec/cli.md names no verdict for
    "timeout": 3,
    "unreachable": 3,
    "server-error": 3,
    "rate-limited": 3,
}


#: Every verdict a test saw through :func:`parse_json` (checked by test_oauth_zz_session.py).
SEEN_VERDICTS: set[str] = set()


def parse_json(run: Any) -> dict[str, Any]:
    """The one JSON object on stdout (nothing else there), in spec/cli.md's shape, agreeing
    with the exit status."""
    data = json.loads(run.stdout)
    assert isinstance(data, dict)
    assert isinstance(data["ok"], bool)
    assert data["verdict"] in VERDICT_EXIT, data["verdict"]
    assert data["mode"] in ("check", "web", "device")
    assert isinstance(data["github_url"], str) and isinstance(data["client_id"], str)
    assert data["login"] is None or isinstance(data["login"], str)
    scopes = data["scopes"]
    assert scopes is None or (isinstance(scopes, list) and all(isinstance(s, str) for s in scopes))
    assert isinstance(data["detail"], str) and data["detail"]
    assert run.exit_code == VERDICT_EXIT[data["verdict"]], (run.exit_code, data["verdict"])
    assert data["ok"] is (run.exit_code == 0)
    assert (data["login"] is not None) is (data["verdict"] == "token-obtained")
    SEEN_VERDICTS.add(data["verdict"])
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
        thread = threading.Thread(
            target=self._visit, args=(url,), daemon=True, name=f"robot-browser-{len(self.urls)}"
        )
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
        except BaseException as exc:
            self.errors.append(exc)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=10)
        assert not self.errors, self.errors


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
