"""The client id and secret as given: cleaned, and checked for the usual copy-paste mistakes.

GitHub documents no format for either, so nothing here fails a run except an empty value; odd
shapes only give warnings (spec/github-oauth.md §7 rows 1–3), above all the classic swap of id and
secret (grafana#8388, takenote#442). Warnings never quote the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deskpro_cli.errors import UsageError

_HEX20 = re.compile(r"[0-9a-f]{20}")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_NEW_OAUTH_APP_ID = re.compile(r"Ov23li[A-Za-z0-9]{14}")
_GITHUB_APP_ID = re.compile(r"Iv1\.[0-9a-f]{16}|Iv23li[A-Za-z0-9]{14}")
_NUMERIC = re.compile(r"[0-9]+")


def looks_like_client_id(value: str) -> bool:
    """A known client id shape: 20 hex (older OAuth Apps), ``Ov23li…``, ``Iv1.…``, ``Iv23li…``."""
    return bool(
        _HEX20.fullmatch(value)
        or _NEW_OAUTH_APP_ID.fullmatch(value)
        or _GITHUB_APP_ID.fullmatch(value)
    )


def is_github_app_id(value: str) -> bool:
    return bool(_GITHUB_APP_ID.fullmatch(value))


@dataclass
class Credentials:
    """A cleaned client id and (optional, for the device flow) secret, plus format warnings."""

    client_id: str
    secret: str | None
    warnings: list[str] = field(default_factory=list)
    #: What is odd about the secret's shape ("is wrapped in quotes, ..."), or None.
    secret_shape: str | None = None

    @property
    def id_looks_like_secret(self) -> bool:
        """The "client id" has a secret's shape: it must then be treated as one (never shown)."""
        return bool(_HEX40.fullmatch(self.client_id))

    @property
    def look_swapped(self) -> bool:
        """The id has a secret's shape or the secret an id's: most likely given the wrong way."""
        return self.id_looks_like_secret or (
            self.secret is not None and looks_like_client_id(self.secret)
        )


SWAPPED_HINT = (
    "the client id and secret look swapped: pass the Client ID (20 characters, e.g. Ov23li…) "
    "with --client-id and the client secret (40 hex characters) in DESKPRO_OAUTH_CLIENT_SECRET"
)


def _secret_shape(secret: str) -> str:
    """Why ``secret`` is not 40 hex characters, in words (never quoting it)."""
    if len(secret) > 1 and secret[0] in "\"'" and secret[-1] == secret[0]:
        return "is wrapped in quotes, which are sent as part of it"
    if any(c.isspace() for c in secret):
        return "has a space or line break inside"
    if len(secret) != 40:
        return f"is {len(secret)} character{'' if len(secret) == 1 else 's'} long"
    return "has characters other than 0-9 and a-f"


def clean(client_id: str | None, secret: str | None, *, secret_required: bool) -> Credentials:
    """Strip and check the pair; empty values are usage errors (exit 2), odd shapes warnings."""
    warnings: list[str] = []
    cid = (client_id or "").strip()
    if not cid:
        raise UsageError(
            "no client id: pass --client-id or set DESKPRO_OAUTH_CLIENT_ID (in the environment or "
            "the project's .env)",
            hint="the Client ID is on the OAuth App's page on GitHub (Settings → Developer "
            "settings → OAuth Apps)",
        )
    if cid != (client_id or ""):
        warnings.append("removed whitespace (spaces or a line break) around the client id")
    sec: str | None = None
    if secret is not None:
        sec = secret.strip()
        if sec != secret and sec:
            warnings.append("removed whitespace (spaces or a line break) around the client secret")
        if not sec:
            sec = None
    if sec is None and secret_required:
        raise UsageError(
            "no client secret: set DESKPRO_OAUTH_CLIENT_SECRET in the environment or the project's "
            ".env (or run in a terminal to be asked)",
            hint="generate a new client secret on the OAuth App's page on GitHub if you lost it",
        )
    if any(c.isspace() for c in cid) or "/" in cid or "?" in cid:
        raise UsageError(f"the client id {cid!r} contains spaces or URL characters")

    if _HEX40.fullmatch(cid):
        warnings.append(
            "the client id looks like a client secret (40 hex characters): were id and secret "
            "swapped?"
        )
    elif _NUMERIC.fullmatch(cid):
        warnings.append(
            "the client id is a number: that is probably the GitHub App ID; use its Client ID"
        )
    elif not looks_like_client_id(cid):
        warnings.append(
            "the client id does not look like a GitHub client id (20 hex characters, "
            "Ov23li… or Iv1.…/Iv23li… for GitHub Apps)"
        )
    shape: str | None = None
    if sec is not None:
        if looks_like_client_id(sec):
            warnings.append("the client secret looks like a client id: were id and secret swapped?")
        elif not _HEX40.fullmatch(sec):
            shape = _secret_shape(sec)
            warnings.append(
                f"the client secret does not look like a GitHub client secret (40 hex "
                f"characters): it {shape}"
            )
    return Credentials(cid, sec, warnings, shape)
