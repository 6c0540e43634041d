"""The fake GitHub's device-flow role: ``/login/device/code`` and the polls (spec §3, §8)."""

from __future__ import annotations

import secrets
import string

from fakes.github_data import NOT_FOUND_HTML, error_fields, negotiate, normalise_scopes
from fakes.github_plumbing import Plumbing
from fakes.github_state import DeviceGrant, FakeApp, Recorded, _rand


class DeviceRole(Plumbing):
    """The device-flow role, on the shared plumbing."""

    def _device_code(self, rec: Recorded) -> None:
        kind = negotiate(rec.headers.get("accept"))
        if kind is None:
            self._send(406, b"", "text/plain; charset=utf-8")
            return
        app = self._app(rec.form.get("client_id"))
        if app is None:
            self._html(404, NOT_FOUND_HTML)
            return
        if not app.device_flow_enabled:
            self._oauth_answer(kind, error_fields("device_flow_disabled"), status=400)
            return
        device_code = secrets.token_hex(20)
        alphabet = "BCDFGHJKLMNPQRSTVWXZ" + string.digits
        user_code = _rand(4, alphabet) + "-" + _rand(4, alphabet)
        self.fake.devices[device_code] = DeviceGrant(
            app,
            user_code,
            normalise_scopes(rec.form.get("scope", "").split()),
            self.fake.clock(),
            self.fake.device_expires_in,
            self.fake.device_interval,
        )
        host = rec.headers.get("host", f"127.0.0.1:{self.fake.port}")
        fields: list[tuple[str, object]] = [
            ("device_code", device_code),
            ("user_code", user_code),
            ("verification_uri", f"http://{host}/login/device"),
            ("expires_in", self.fake.device_expires_in),
            ("interval", self.fake.device_interval),
        ]
        self._oauth_answer(kind, fields)

    def _device_poll(self, rec: Recorded, app: FakeApp, kind: str) -> None:
        if not app.device_flow_enabled:
            self._oauth_answer(kind, error_fields("device_flow_disabled"))
            return
        grant = self.fake.devices.get(rec.form.get("device_code", ""))
        if grant is None or grant.app is not app or grant.status == "used":
            self._oauth_answer(kind, error_fields("incorrect_device_code"))
            return
        now = self.fake.clock()
        if now - grant.created > grant.expires_in:
            self._oauth_answer(kind, error_fields("expired_token"))
            return
        previous = grant.last_poll if grant.last_poll is not None else grant.created
        grant.last_poll = now
        forced = self.fake.slow_down_polls > 0
        if forced:
            self.fake.slow_down_polls -= 1
        if forced or now - previous < grant.interval:
            grant.interval += self.fake.slow_down_increment
            interval: object = grant.interval if kind == "json" else str(grant.interval)
            self._oauth_answer(kind, error_fields("slow_down", interval=interval))
            return
        grant.polls += 1
        outcome = self.fake.device_outcome
        if (
            grant.status == "pending"
            and outcome
            and grant.polls >= self.fake.device_outcome_after_polls
        ):
            grant.status = "approved" if outcome == "approve" else "denied"
        if grant.status == "pending":
            self._oauth_answer(kind, error_fields("authorization_pending"))
        elif grant.status == "denied":
            self._oauth_answer(kind, error_fields("access_denied"))
        else:
            grant.status = "used"
            self._grant(app, grant.scopes, kind)
