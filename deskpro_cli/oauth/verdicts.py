"""Verdicts of ``deskpro oauth-test`` and their exit codes (spec/cli.md wins over the research).

A run always ends in exactly one :class:`Outcome`. Failures inside the flows are raised as
:class:`Stop` (carrying the verdict) and turned into an outcome in one place, the runner, so a
verdict can never escape as a traceback. Verdicts are keyed on GitHub's ``error`` codes and on
what the network did, never on GitHub's prose (descriptions differ between github.com and GHES).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from deskpro_cli.errors import EXIT_ENVIRONMENT, EXIT_FAILED, EXIT_OK


class Verdict(str, Enum):
    """What ``oauth-test`` concluded; the value is the ``verdict`` string of ``--json``."""

    CREDENTIALS_VALID = "credentials-valid"
    TOKEN_OBTAINED = "token-obtained"  # noqa: S105 - a verdict name
    CREDENTIALS_INVALID = "credentials-invalid"
    APP_NOT_FOUND = "app-not-found"
    REDIRECT_URI_MISMATCH = "redirect-uri-mismatch"
    ACCESS_DENIED = "access-denied"
    DEVICE_FLOW_DISABLED = "device-flow-disabled"
    #: Any other OAuth error GitHub answered with (``bad_verification_code`` at the exchange,
    #: ``application_suspended``, ``unverified_user_email``...): not in spec/cli.md's list, which
    #: names no verdict for them; the raw ``error`` code is in the detail.
    OAUTH_ERROR = "oauth-error"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    SERVER_ERROR = "server-error"
    RATE_LIMITED = "rate-limited"

    @property
    def exit_code(self) -> int:
        return _EXIT[self]

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


_EXIT: dict[Verdict, int] = {
    Verdict.CREDENTIALS_VALID: EXIT_OK,
    Verdict.TOKEN_OBTAINED: EXIT_OK,
    Verdict.CREDENTIALS_INVALID: EXIT_FAILED,
    Verdict.APP_NOT_FOUND: EXIT_FAILED,
    Verdict.REDIRECT_URI_MISMATCH: EXIT_FAILED,
    Verdict.ACCESS_DENIED: EXIT_FAILED,
    Verdict.DEVICE_FLOW_DISABLED: EXIT_FAILED,
    Verdict.OAUTH_ERROR: EXIT_FAILED,
    Verdict.TIMEOUT: EXIT_ENVIRONMENT,
    Verdict.UNREACHABLE: EXIT_ENVIRONMENT,
    Verdict.SERVER_ERROR: EXIT_ENVIRONMENT,
    Verdict.RATE_LIMITED: EXIT_ENVIRONMENT,
}

#: GitHub ``error`` codes that mean the same wherever they come from (token endpoint, error
#: redirects, device polls) -> verdict. Codes whose meaning depends on the step
#: (``unauthorized_client`` at ``/login/device/code``, ``expired_token`` while polling) are
#: judged by that step.
ERROR_CODES: dict[str, Verdict] = {
    "incorrect_client_credentials": Verdict.CREDENTIALS_INVALID,
    # RFC 6749's name for the same thing (servers in front of GitHub, future GHES versions).
    "invalid_client": Verdict.CREDENTIALS_INVALID,
    "redirect_uri_mismatch": Verdict.REDIRECT_URI_MISMATCH,
    "access_denied": Verdict.ACCESS_DENIED,
    "device_flow_disabled": Verdict.DEVICE_FLOW_DISABLED,
}


def verdict_for_error(code: str) -> Verdict:
    """The verdict for a GitHub OAuth ``error`` code (unknown codes are :attr:`OAUTH_ERROR`)."""
    return ERROR_CODES.get(code, Verdict.OAUTH_ERROR)


class Stop(Exception):
    """Ends a flow with a verdict. ``detail`` and ``hint`` must never hold a secret or token."""

    def __init__(
        self,
        verdict: Verdict,
        detail: str,
        *,
        hint: str | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.verdict = verdict
        self.detail = detail
        self.hint = hint
        self.error_code = error_code


@dataclass
class Outcome:
    """The result of one ``oauth-test`` run, rendered as text or as spec/cli.md's JSON object."""

    verdict: Verdict
    mode: str
    github_url: str
    api_url: str
    client_id: str
    detail: str
    hint: str | None = None
    login: str | None = None
    scopes: list[str] | None = None
    #: GitHub's raw ``error`` code when one decided the verdict.
    error_code: str | None = None
    #: The token as ``gho_…abcd`` (first four and last four characters) when one was minted.
    token: str | None = None
    token_revoked: bool | None = None
    #: What the app's manifest says about OAuth (see :mod:`deskpro_cli.oauth.app`), if PATH is one.
    app: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    def to_json(self) -> dict[str, Any]:
        """spec/cli.md's shape first (``ok`` … ``detail``), then this tool's extra keys."""
        return {
            "ok": self.ok,
            "verdict": self.verdict.value,
            "mode": self.mode,
            "github_url": self.github_url,
            "client_id": self.client_id,
            "login": self.login,
            "scopes": self.scopes,
            "detail": self.detail,
            "api_url": self.api_url,
            "hint": self.hint,
            "error_code": self.error_code,
            "token": self.token,
            "token_revoked": self.token_revoked,
            "app": self.app,
            "notes": list(self.notes),
        }
