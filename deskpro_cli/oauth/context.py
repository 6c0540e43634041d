"""What one ``oauth-test`` run carries through its steps: settings, endpoints, seams, reporter.

Core code never prints; it tells a :class:`Reporter` (implemented by the click layer) what the
user must see while the run is still going: the URL to open, the device code, warnings.
The clock, the sleep and the browser are seams so tests can drive them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import requests

from deskpro_cli.oauth.credentials import Credentials
from deskpro_cli.oauth.endpoints import Endpoints
from deskpro_cli.oauth.redact import Redactor

Mode = Literal["check", "web", "device"]

#: Seconds to wait for one GitHub answer, and for the user (browser or device step).
DEFAULT_HTTP_TIMEOUT = 30.0
DEFAULT_USER_TIMEOUT = 300.0
#: The callback registered for ``--mode web`` when ``--callback-url`` is not given.
DEFAULT_CALLBACK_URL = "http://127.0.0.1/oauth-test"


class Reporter(Protocol):
    """Receives what the user must see during a run (the CLI prints it on stderr)."""

    def step(self, text: str) -> None:
        """Progress: what the run is doing now."""

    def warning(self, text: str, hint: str | None = None) -> None:
        """Something the user should know that does not change the verdict."""

    def authorize_url(self, url: str, opened: bool) -> None:
        """The URL to approve the app at (always shown, whether a browser was opened or not)."""

    def device_code(self, user_code: str, verification_uri: str, opened: bool) -> None:
        """The one-time code to type at ``verification_uri``."""

    def can_ask(self) -> bool:
        """Whether the user can be asked something (a terminal), for the paste mode."""

    def ask_redirect(self) -> str | None:
        """The address the browser landed on, as the user pastes it (hidden: it holds a code)."""


class SilentReporter:
    """A reporter that drops everything (library use)."""

    def step(self, text: str) -> None:
        return None

    def warning(self, text: str, hint: str | None = None) -> None:
        return None

    def authorize_url(self, url: str, opened: bool) -> None:
        return None

    def device_code(self, user_code: str, verification_uri: str, opened: bool) -> None:
        return None

    def can_ask(self) -> bool:
        return False

    def ask_redirect(self) -> str | None:
        return None


@dataclass
class Settings:
    """Everything ``oauth-test`` was asked to do (built by the click layer)."""

    client_id: str | None
    secret: str | None
    mode: Mode = "check"
    github_url: str | None = None
    api_url: str | None = None
    scopes: list[str] = field(default_factory=list)
    port: int | None = None
    callback_url: str | None = None
    open_browser: bool = True
    timeout: float | None = None
    keep_token: bool = False
    path: Path | None = None

    @property
    def http_timeout(self) -> float:
        return self.timeout if self.timeout is not None else DEFAULT_HTTP_TIMEOUT

    @property
    def user_timeout(self) -> float:
        return self.timeout if self.timeout is not None else DEFAULT_USER_TIMEOUT


def _monotonic() -> float:
    return time.monotonic()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _default_open_browser(url: str) -> bool:
    from deskpro_cli.oauth.browser import open_browser

    return open_browser(url)


@dataclass
class Context:
    """One run's state, handed to every step."""

    settings: Settings
    endpoints: Endpoints
    credentials: Credentials
    session: requests.Session
    redactor: Redactor
    reporter: Reporter
    open_browser: Callable[[str], bool] = _default_open_browser
    # Looked up at call time, so tests can run the device flow on simulated time.
    monotonic: Callable[[], float] = _monotonic
    sleep: Callable[[float], None] = _sleep

    @property
    def client_id(self) -> str:
        return self.credentials.client_id
