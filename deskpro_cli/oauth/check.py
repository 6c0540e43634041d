"""``--mode check``: prove the client id/secret pair without a user (spec/github-oauth.md §4.1).

POST the pair with a made-up ``code`` to the token endpoint. GitHub checks the client before the
code: a wrong pair gives ``incorrect_client_credentials``; a right pair gets as far as the code
(``bad_verification_code``) or, on some paths, ``redirect_uri_mismatch``; an unknown or deleted app
gives HTTP 404. No token is created and no user is involved.
"""

from __future__ import annotations

import secrets

from deskpro_cli.oauth.context import Context
from deskpro_cli.oauth.github import error_text, post_oauth
from deskpro_cli.oauth.verdicts import Stop, Verdict, verdict_for_error

#: Error codes that can only come after GitHub accepted the client id and secret.
_PAIR_ACCEPTED = ("bad_verification_code", "redirect_uri_mismatch")


def probe(ctx: Context) -> str:
    """Check the pair; return the detail of ``credentials-valid`` or raise :class:`Stop`."""
    secret = ctx.credentials.secret
    if secret is None:  # pragma: no cover - callers only probe with a secret
        raise ValueError("probe needs a client secret")
    what = "checking the client id and secret"
    ctx.reporter.step(f"Checking the client id and secret at {ctx.endpoints.token} ...")
    body = post_oauth(
        ctx.session,
        ctx.endpoints.token,
        {
            "client_id": ctx.client_id,
            "client_secret": secret,
            # 20 hex characters, the shape of a real code, that GitHub never issued.
            "code": secrets.token_hex(10),
        },
        what=what,
        client_id=ctx.client_id,
    )
    error = body.get("error")
    if error in _PAIR_ACCEPTED:
        return (
            f"GitHub accepted the client id and secret (a made-up code was refused with "
            f"{error}, so no token was created)"
        )
    if error == "incorrect_client_credentials":
        raise Stop(
            Verdict.CREDENTIALS_INVALID,
            f"GitHub rejected the client secret for client id {ctx.client_id} "
            f"(incorrect_client_credentials)",
            hint="the secret is wrong, was regenerated or revoked, or id and secret were swapped; "
            "generate a new client secret on the OAuth App's page on GitHub",
            error_code=error,
        )
    if isinstance(error, str) and error:
        raise Stop(
            verdict_for_error(error),
            f"GitHub answered the credential check with {error_text(body)}",
            error_code=error,
        )
    raise Stop(
        Verdict.SERVER_ERROR,
        "GitHub's answer to the credential check had neither an error nor a token",
        hint="a proxy may be answering instead of GitHub",
    )
