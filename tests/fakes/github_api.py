"""The fake GitHub's REST API role: `/user`, `/applications/{client_id}/...`, `/rate_limit`."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from fakes.github_data import BAD_CREDENTIALS, NOT_FOUND_API, REQUIRES_AUTH
from fakes.github_plumbing import Plumbing
from fakes.github_state import FakeApp, Recorded, TokenRecord


class ApiRole(Plumbing):
    """The REST API role, on the shared plumbing."""

    def _bearer(self, rec: Recorded) -> str | None:
        auth = rec.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        return value.strip() if scheme.lower() in ("bearer", "token") and value.strip() else None

    def _user(self, rec: Recorded) -> None:
        value = self._bearer(rec)
        if value is None:
            self._json(401, REQUIRES_AUTH)
            return
        record = self.fake.token_for(value)
        if record is None:
            self._json(401, BAD_CREDENTIALS)
            return
        user = record.app.user
        scopes = "" if record.app.kind == "github_app" else ", ".join(sorted(record.scopes))
        remaining = 5000 - sum(1 for r in self.fake.requests if r.path.endswith("/user"))
        headers = {
            "X-OAuth-Scopes": scopes,
            "X-Accepted-OAuth-Scopes": "",
            "X-OAuth-Client-Id": record.app.client_id,
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(self.fake.clock()) + 3600),
            "X-RateLimit-Used": str(5000 - remaining),
            "X-RateLimit-Resource": "core",
        }
        base = f"https://github.com/{user.login}"
        self._json(
            200,
            {
                "login": user.login,
                "id": user.id,
                "node_id": "MDQ6VXNlcj" + str(user.id),
                "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
                "html_url": base,
                "type": "User",
                "site_admin": False,
                "name": user.name,
                "email": user.email,
            },
            headers,
        )

    def _basic_app(self, rec: Recorded) -> FakeApp | bool | None:
        """The app of a Basic header: None when absent, False when the pair is wrong."""
        auth = rec.headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return False
        app = self._app(user)
        return app if app is not None and app.client_secret == password else False

    def _applications(self, rec: Recorded, path: str) -> None:
        parts = path.strip("/").split("/")
        app = self._basic_app(rec)
        if app is None or len(parts) != 3:
            self._json(404, NOT_FOUND_API)
            return
        if app is False or app.client_id != parts[1]:
            self._json(401, BAD_CREDENTIALS)
            return
        value = rec.form.get("access_token")
        if not value:
            self._json(422, {"message": "Validation Failed", "status": "422"})
            return
        record = self.fake.token_for(value)
        if parts[2] == "grant" and rec.method == "DELETE":
            for t in self.fake.tokens.values():
                if t.app is app and record is not None and t.app.user is record.app.user:
                    t.revoked = True
            self._send(204)
            return
        if parts[2] != "token" or record is None or record.app is not app:
            self._json(404, NOT_FOUND_API)
            return
        if rec.method == "DELETE":
            record.revoked = True
            self._send(204)
        elif rec.method == "PATCH":
            record.revoked = True
            new = self.fake.issue_token(app, record.scopes)
            self._json(200, self._authorization(new))
        else:
            self._json(200, self._authorization(record))

    def _authorization(self, record: TokenRecord) -> dict[str, Any]:
        """The REST "Authorization" object (§4.2: the fields GitHub documents)."""
        api = f"http://{self.headers.get('Host', '127.0.0.1')}"
        digest = hashlib.sha256(record.token.encode()).digest()
        return {
            "id": int.from_bytes(digest[:4], "big"),
            "url": f"{api}/authorizations/1",
            "scopes": record.scopes,
            "token": record.token,
            "token_last_eight": record.token[-8:],
            "hashed_token": base64.b64encode(digest).decode(),
            "app": {
                "client_id": record.app.client_id,
                "name": "fake",
                "url": "https://example.com",
            },
            "note": None,
            "note_url": None,
            "updated_at": _iso(record.created),
            "created_at": _iso(record.created),
            "fingerprint": None,
            "user": {"login": record.app.user.login, "id": record.app.user.id, "type": "User"},
            "installation": None,
            "expires_at": None if record.expires_at is None else _iso(record.expires_at),
        }

    def _rate_limit(self, rec: Recorded) -> None:
        app = self._basic_app(rec)
        if app is False:
            self._json(401, BAD_CREDENTIALS)
            return
        limit = 5000 if app else 60
        core = {
            "limit": limit,
            "remaining": limit,
            "reset": int(self.fake.clock()) + 3600,
            "used": 0,
        }
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(limit),
            "X-RateLimit-Reset": str(core["reset"]),
            "X-RateLimit-Used": "0",
            "X-RateLimit-Resource": "core",
        }
        self._json(200, {"resources": {"core": core}, "rate": core}, headers)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
