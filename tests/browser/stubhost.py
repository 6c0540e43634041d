"""The stub Deskpro host, driven from Python: configuration, CDN routing, and what a test reads.

``stub/host.js`` is the host itself (plain JS in the browser); this module serves it, gives it a
configuration, answers its proxy upstream calls, and wraps the Playwright page in
:class:`StubHost`. The fixtures in ``conftest.py`` put the pieces together.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .servers import LoopbackServer, Request, Response, content_type, static_files

STUB_DIR = Path(__file__).resolve().parent / "stub"
FIRE_AND_FORGET = "event.invocation_fireandforget"
INSTALL_STATUS_EVENT = "app.install_status"

# `https://cdn.jsdelivr.net/npm/<pkg>@<version>/<path>` and the same on unpkg.com (http too: a
# protocol-relative `//unpkg.com/...` in a page served over http asks for it).
_CDN_URL = re.compile(
    r"^https?://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/"
    r"(?P<pkg>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>[^?#]+)"
)

Upstream = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]


# -- CDN URLs -> tests/node/node_modules ----------------------------------------------------
def cdn_file(url: str, node_modules: Path) -> tuple[Path | None, str]:
    """The installed file a pinned CDN URL stands for, or ``None`` and the reason."""
    match = _CDN_URL.match(url)
    if match is None:
        return None, "not a pinned npm CDN URL"
    pkg_dir = node_modules / match["pkg"]
    try:
        installed = json.loads((pkg_dir / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None, f"{match['pkg']} is not installed in tests/node (add it to package.json)"
    if installed != match["version"]:
        return (
            None,
            f"{match['pkg']} {installed} is installed, the page asks for {match['version']}",
        )
    target = (pkg_dir / match["path"]).resolve()
    if not target.is_relative_to(pkg_dir.resolve()) or not target.is_file():
        return None, f"{match['path']} is not in {match['pkg']}@{installed}"
    return target, ""


# -- the host server (one per session) ------------------------------------------------------
class HostServer:
    """Serves ``stub/``, the per-page configurations and the proxy upstream, on 127.0.0.1."""

    def __init__(self) -> None:
        self._configs: dict[str, dict[str, Any]] = {}
        self._upstreams: dict[str, Upstream | None] = {}
        self._upstream_log: dict[str, list[dict[str, Any]]] = {}
        self._static = static_files(STUB_DIR)
        self.server = LoopbackServer(self._handle)
        self.origin = self.server.origin("127.0.0.1")

    def register(self, config: dict[str, Any], upstream: Upstream | None) -> str:
        cfg_id = secrets.token_hex(8)
        self._configs[cfg_id] = config
        self._upstreams[cfg_id] = upstream
        self._upstream_log[cfg_id] = []
        return cfg_id

    def forget(self, cfg_id: str) -> None:
        self._configs.pop(cfg_id, None)
        self._upstreams.pop(cfg_id, None)
        self._upstream_log.pop(cfg_id, None)

    def upstream_log(self, cfg_id: str) -> list[dict[str, Any]]:
        return self._upstream_log.get(cfg_id, [])

    def _handle(self, request: Request) -> Response:
        if request.path.startswith("/__config/"):
            config = self._configs.get(request.path.removeprefix("/__config/"))
            if config is None:
                return Response(404, b"unknown configuration")
            return Response(200, json.dumps(config).encode(), "application/json")
        if request.path.startswith("/__upstream/") and request.method == "POST":
            cfg_id = request.path.removeprefix("/__upstream/")
            if cfg_id not in self._upstreams:
                return Response(404, b"unknown configuration")
            proxied = json.loads(request.body)
            answer = _call_upstream(self._upstreams[cfg_id], proxied)
            self._upstream_log[cfg_id].append({"request": proxied, "response": answer})
            return Response(200, json.dumps(answer).encode(), "application/json")
        return self._static(request)

    def close(self) -> None:
        self.server.close()


def _call_upstream(upstream: Upstream | None, request: dict[str, Any]) -> dict[str, Any]:
    """The canned upstream answer ``{status, body, headers}`` for one proxied request."""
    if callable(upstream):
        answer: Mapping[str, Any] | None = upstream(request)
    elif upstream is not None:
        answer = upstream.get(f"{request['method']} {request['url']}") or upstream.get(
            request["url"]
        )
    else:
        answer = None
    if answer is None:
        return {
            "status": 599,
            "body": {
                "message": f"stub upstream: no canned answer for {request['method']} "
                f"{request['url']}"
            },
            "headers": {},
        }
    return {"status": 200, "headers": {}, "body": None, **answer}


# -- configuration ----------------------------------------------------------------------------
def _merge(defaults: dict[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """``defaults`` updated with ``overrides``; an override of ``None`` removes the key."""
    merged = dict(defaults)
    for key, value in (overrides or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def build_config(
    *,
    app_url: str,
    manifest: Mapping[str, Any] | None,
    mode: str,
    install_type: str,
    widget_id: str,
    instance_props: Mapping[str, Any] | None,
    context_props: Mapping[str, Any] | None,
    tab: Mapping[str, Any] | None,
    me: Mapping[str, Any] | None,
    helpdesk_url: str,
    installed: bool,
    manifest_changes: list[Any] | None,
    storage: Mapping[str, Any] | None,
    oauth_tokens: Mapping[str, Any] | None,
    oauth_require_connection: bool,
    whitelist: list[str] | None,
    events: Mapping[str, Any] | None,
    deskpro_routes: Mapping[str, Any] | None,
    invocations: Mapping[str, str] | None,
    fire_and_forget: list[str] | None,
    params_in_hash: bool,
) -> dict[str, Any]:
    """The JSON configuration ``host.js`` reads (see :func:`conftest.stub_host` for the knobs)."""
    manifest = dict(manifest or {})
    instance = _merge(
        {
            "appId": "7",
            "appTitle": manifest.get("title", "Demo"),
            "appPackageName": manifest.get("name", "demo"),
            "instanceId": "42",
        },
        instance_props,
    )
    app_id = str(instance.get("appId", ""))
    if mode == "install":
        default_context: dict[str, Any] = {
            "type": "app",
            "entityId": app_id,
            "locationId": "install",
            "tabId": "tab-install",
            "tabUrl": f"{helpdesk_url}/agent/#admin:apps",
            "installType": install_type,
            "onInstallStatus": {"event": INSTALL_STATUS_EVENT, "invocationType": FIRE_AND_FORGET},
        }
    elif mode == "app":
        default_context = {
            "type": "ticket",
            "entityId": "101",
            "locationId": "ticket-sidebar",
            "tabId": "tab-1",
            "tabUrl": f"{helpdesk_url}/agent/#ticket:101",
        }
    else:
        raise ValueError(f"mode must be 'app' or 'install', not {mode!r}")
    context = _merge(default_context, context_props)
    ff = list(fire_and_forget or [])
    status_event = context.get("onInstallStatus")
    if isinstance(status_event, dict) and status_event.get("invocationType") == FIRE_AND_FORGET:
        ff.append(str(status_event.get("event")))
    if whitelist is None:
        whitelist = list(manifest.get("domainWhitelist") or manifest.get("externalApis") or [])
    return {
        "appUrl": app_url,
        "widgetId": widget_id,
        "paramsInHash": params_in_hash,
        "instanceProps": instance,
        "contextProps": context,
        "appId": app_id,
        "instanceId": str(instance.get("instanceId", "")),
        "manifest": manifest,
        "manifestChanges": list(manifest_changes or []),
        "helpdeskUrl": helpdesk_url,
        "installed": installed,
        "me": dict(me or {"id": 1, "name": "Ada Agent", "email": "ada@example.com"}),
        "tab": dict(
            tab
            or {
                "data": {
                    "id": 101,
                    "subject": "Printer on fire",
                    "person_email": "grace@example.com",
                    "person": {"id": 5, "name": "Grace Hopper", "email": "grace@example.com"},
                }
            }
        ),
        "storage": dict(storage or {}),
        "oauth": {
            "tokens": dict(oauth_tokens or {}),
            "requireConnection": oauth_require_connection,
        },
        "whitelist": whitelist,
        "events": dict(events or {}),
        "deskproRoutes": dict(deskpro_routes or {}),
        "invocations": dict(invocations or {}),
        "fireAndForget": ff,
    }


# -- what a test drives and reads --------------------------------------------------------------
@dataclass(frozen=True)
class ApiCall:
    """One helpdesk API request the page made (``webapi.request.deskpro`` or a non-proxy fetch)."""

    event: str
    method: str  # lower case
    path: str
    body: Any


@dataclass
class ConsoleEntry:
    type: str
    text: str
    url: str


@dataclass
class StubHost:
    """One host page framing one app page; see the ``stub_host`` fixture for how to get one."""

    page: Any  # playwright.sync_api.Page (the host, 127.0.0.1)
    frame: Any  # playwright.sync_api.Frame (the app, localhost)
    host_origin: str
    app_url: str
    cfg_id: str
    host_server: HostServer
    app_server: LoopbackServer | None
    console: list[ConsoleEntry] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    # reading the host's records
    def _get(self, name: str) -> Any:
        return self.page.evaluate(f"() => window.{name}")

    def records(self, event_name: str | None = None) -> list[dict[str, Any]]:
        """``window.__records``: every widget event the app sent, optionally of one name."""
        records: list[dict[str, Any]] = self._get("__records")
        return [r for r in records if event_name is None or r["eventName"] == event_name]

    def storage(self) -> dict[str, Any]:
        """The helpdesk's app storage, ``{"<entity>/<name>": value}`` (e.g. ``app:7/apiKey``)."""
        result: dict[str, Any] = self._get("__storage")
        return result

    def host_errors(self) -> list[str]:
        """What the stub could not answer (unknown events, routes, refused host messages)."""
        result: list[str] = self._get("__hostErrors")
        return result

    def proxy_log(self) -> list[dict[str, Any]]:
        """Proxied requests after placeholder substitution, with ``allowed`` and ``missing``."""
        result: list[dict[str, Any]] = self._get("__proxyLog")
        return result

    def upstream_log(self) -> list[dict[str, Any]]:
        """Requests the canned upstream answered (Python side), with its answers."""
        return self.host_server.upstream_log(self.cfg_id)

    def sent(self) -> list[dict[str, Any]]:
        """Every post-robot request the host sent to the app (replies and host events)."""
        result: list[dict[str, Any]] = self._get("__sent")
        return result

    def api_calls(self) -> list[ApiCall]:
        """The helpdesk API requests in order: ``webapi.request.deskpro`` and non-proxy fetches."""
        calls = []
        for r in self.records():
            body = r.get("body") or {}
            if r["eventName"] == "webapi.request.deskpro" and "status" not in r:
                calls.append(
                    ApiCall(r["eventName"], body["method"].lower(), body["path"], body.get("body"))
                )
            elif r["eventName"] == "webapi.request.fetch" and "status" not in r:
                init = body.get("init") or {}
                if init.get("mode") == "cors":
                    continue
                raw = init.get("body")
                calls.append(
                    ApiCall(
                        r["eventName"],
                        str(init.get("method", "GET")).lower(),
                        body["url"],
                        json.loads(raw) if isinstance(raw, str) else raw,
                    )
                )
        return calls

    @property
    def console_errors(self) -> list[str]:
        return [f"{c.text} ({c.url})" for c in self.console if c.type == "error"]

    @property
    def app_requests(self) -> list[Any]:
        """Requests the app server answered (``Served(method, path, status)``)."""
        return list(self.app_server.log) if self.app_server else []

    # waiting
    def wait_ready(self, timeout: float = 10_000) -> None:
        """Wait until the app's SDK finished the onready handshake."""
        self.page.wait_for_function("() => window.__ready === true", timeout=timeout)

    def wait_for_record(
        self,
        event_name: str,
        where: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10_000,
    ) -> dict[str, Any]:
        """The first ``event_name`` record matching ``where``; waits up to ``timeout`` ms."""
        deadline = time.monotonic() + timeout / 1000
        while True:
            for record in self.records(event_name):
                if where is None or where(record):
                    return record
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {event_name!r} event within {timeout} ms; the app sent "
                    f"{[r['eventName'] for r in self.records()]}; host errors "
                    f"{self.host_errors()}; console errors {self.console_errors}; "
                    f"page errors {self.page_errors}"
                )
            self.page.wait_for_timeout(50)

    def wait_subscribed(self, event_name: str, timeout: float = 10_000) -> None:
        """Wait until the app's SDK listens for host event ``event_name`` (after ``subscribe``).

        Reads post-robot's listener table in the app frame (``window.__postRobot__``), the one
        reliable sign that a host event will no longer be refused.
        """
        self.frame.wait_for_function(
            "n => !!(window.__postRobot__ && window.__postRobot__.requestListeners"
            " && window.__postRobot__.requestListeners[n])",
            arg=event_name,
            timeout=timeout,
        )

    def wait_install_status(self, timeout: float = 10_000) -> dict[str, Any]:
        """The body of the installer's ``onInstallStatus`` event (``{status, manifest}``)."""
        body: dict[str, Any] = self.wait_for_record(INSTALL_STATUS_EVENT, timeout=timeout)["body"]
        return body

    # driving
    def emit_to_app(self, name: str, body: Any) -> Any:
        """Send host event ``name`` to the app; returns the app's answer (``None`` for F&F)."""
        return self.page.evaluate("([n, b]) => window.__emitToApp(n, b)", [name, body])

    def set_answer(self, kind: str, key: str, answer: Mapping[str, Any] | None) -> None:
        """Change an answer while the page runs: ``kind`` is ``"events"`` or ``"deskproRoutes"``,
        ``answer`` ``{"reply": body}`` or ``{"error": body}``, ``None`` to restore the default.
        """
        if kind not in ("events", "deskproRoutes"):
            raise ValueError(f"kind must be 'events' or 'deskproRoutes', not {kind!r}")
        self.page.evaluate(
            "([kind, key, answer]) => { if (answer === null) delete window.__config[kind][key];"
            " else window.__config[kind][key] = answer; }",
            [kind, key, answer],
        )

    def problems(self) -> list[str]:
        """Everything that went wrong in the page or the host, as readable lines."""
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"blocked request: {e}" for e in self.blocked_requests]
            + [f"failed request: {e}" for e in self.failed_requests]
            + [f"host error: {e}" for e in self.host_errors()]
        )

    def assert_clean(self) -> None:
        """Fail when the page logged an error, threw, missed a file, or puzzled the host."""
        problems = self.problems()
        assert not problems, "\n".join(problems)


# -- Playwright wiring ---------------------------------------------------------------------------
def route_offline(context: Any, node_modules: Path, blocked: list[str]) -> None:
    """Serve pinned CDN URLs from ``node_modules``; abort other non-loopback requests.

    Aborted URLs are appended to ``blocked`` with the reason (the tests run offline by design).
    """

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in (
            "127.0.0.1",
            "localhost",
        ):
            route.fallback()
            return
        target, reason = cdn_file(url, node_modules)
        if target is None:
            blocked.append(f"{url} ({reason})")
            route.abort("blockedbyclient")
            return
        route.fulfill(
            status=200,
            body=target.read_bytes(),
            headers={
                "Content-Type": content_type(target),
                # The pages load CDN files with crossorigin="anonymous" and an integrity hash.
                "Access-Control-Allow-Origin": "*",
            },
        )

    context.route("**/*", guard)
