"""Browser-test fixtures: headless Chromium and a stub Deskpro helpdesk framing the page under test.

The stub host (``stub/host.js``, plain JS written for this project) speaks the real post-robot 7
wire protocol of ``@deskpro/apps-sdk-core`` 2.0.0 (spec/deskpro-host-protocol.md §2, §4), so the
real SDK build runs inside the page under test. The host page is served from
``http://127.0.0.1:<P1>`` and the app from ``http://localhost:<P2>``: two origins, like the
helpdesk's cross-origin iframe. Requests to ``https://cdn.jsdelivr.net/npm/<pkg>@<version>/...``
and ``https://unpkg.com/...`` are answered with the files ``npm ci`` installed in
``tests/node/node_modules`` (the exact version must be installed, so pages can keep their SRI
hashes); any other non-loopback request is aborted and reported.

Fixtures
--------
``browser`` (session)
    Playwright's Chromium on ``/usr/bin/chromium`` (or ``DESKPRO_TEST_CHROMIUM``). Skips when
    Playwright, Chromium or ``tests/node/node_modules`` is missing; fails instead under ``CI=true``.

``stub_host`` (function)
    A callable opening one host page (in its own browser context) around one app page::

        host = stub_host(dist_dir, "html/install.html", install_type="update",
                         storage={"app:7/apiKey": "k-1"})
        host.wait_ready()                       # the SDK finished its onready handshake
        host.frame.fill("[name=apiKey]", "k-2")  # the app's Playwright Frame
        host.frame.click("text=Install")
        assert host.wait_install_status()["status"] == "success"
        assert [(c.method, c.path) for c in host.api_calls()][:2] == [
            ("get", "apps/packages/7/manifest"), ("get", "helpdesk/discover")]
        host.assert_clean()                     # no console/page/host errors, nothing blocked

    Arguments (all optional except ``app``):

    - ``app``: a folder (``Path``) served at the app origin, or the base URL of a server that is
      already running (a ``str``, e.g. the dev server's); ``page``: the page's path in it
      (``html/index.html`` by default). The host frames ``<app>/<page>?dp.widgetId=<widget_id>``
      (``params_in_hash=True`` puts the parameter in the fragment instead).
    - ``mode``: ``"app"`` (a ticket-sidebar context) or ``"install"`` (the installer's ``app``
      context with ``installType`` and ``onInstallStatus``); default: ``"install"`` when the page
      is named ``install.html``. ``install_type``: ``"install"`` or ``"update"``.
    - ``instance_props`` / ``context_props``: merged over the defaults (appId ``"7"``,
      instanceId ``"42"``, tabId, ...); a value of ``None`` removes a key (e.g.
      ``context_props={"tabId": None}`` to see the SDK refuse to start).
    - ``manifest``: what ``get apps/packages/<appId>/manifest`` returns (default: the folder's
      ``manifest.json`` when there is one); it also gives the proxy whitelist
      (``externalApis``/``domainWhitelist``) unless ``whitelist=[...]`` is given.
    - ``installed`` (``apps/<iid>/status``), ``manifest_changes`` (``.../manifest-changes``),
      ``helpdesk_url`` (discover and the OAuth redirect URL), ``me`` (``getMe()``), ``tab`` (what
      ``context.get(type).get(path)`` walks, ``{"data": {...}}``).
    - ``storage``: initial app storage ``{"app:7/<name>": value}``.
    - ``oauth_tokens``: ``{provider: {access_token, ...}}`` answered to ``oauth.requestAccess`` /
      ``refreshAccess``; ``oauth_require_connection`` (default ``True``) makes those fail, like the
      helpdesk, until ``oauth.register`` stored ``oauth:<provider>``.
    - ``upstream``: the fake third party behind ``fetchProxy``/``fetchCORS``: a mapping
      ``{"GET https://api.example/x" or "https://api.example/x": {"status", "body", "headers"}}``
      or a callable ``request -> answer`` (``request`` = ``{url, method, headers, body}`` after
      ``{{storage}}`` placeholders were substituted; it runs in a server thread and may call
      another loopback server).
    - ``events`` / ``deskpro_routes``: overrides, ``{"<eventName>": {"reply": body}}`` or
      ``{"error": body}``; ``{"get helpdesk/discover": {"error": {...}}}`` for API routes.
    - ``invocations``: ``{hostEvent: invocationType}`` the host announces on ``subscribe``;
      ``fire_and_forget``: more app events the host must not answer.

    What a ``StubHost`` gives: ``page`` (host), ``frame`` (app), ``records(name=None)``
    (``window.__records``), ``storage()``, ``api_calls()`` (``ApiCall(event, method, path,
    body)`` in order), ``proxy_log()``, ``upstream_log()``, ``sent()``, ``host_errors()``,
    ``console`` / ``console_errors``, ``page_errors``, ``blocked_requests``, ``failed_requests``
    (HTTP >= 400 and network failures), ``app_requests`` (what the app server served),
    ``wait_ready()``, ``wait_for_record(name, where=None)``, ``wait_subscribed(name)``,
    ``wait_install_status()``,
    ``emit_to_app(name, body)`` (returns the app's answer to a request/response host event),
    ``set_answer("deskproRoutes" | "events", key, {"reply"|"error": body} | None)`` (mid-test),
    ``problems()`` and ``assert_clean()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from .servers import LoopbackServer, static_files
from .stubhost import (
    ConsoleEntry,
    HostServer,
    StubHost,
    Upstream,
    build_config,
    route_offline,
)
from conftest import NODE_DIR

NODE_MODULES = NODE_DIR / "node_modules"


@pytest.fixture(scope="session")
def host_server() -> Iterator[HostServer]:
    server = HostServer()
    yield server
    server.close()


class StubHostFactory:
    """The ``stub_host`` fixture's value: call it to open a page (see the module docstring)."""

    def __init__(self, browser: Any, host_server: HostServer) -> None:
        self._browser = browser
        self._host_server = host_server
        self._opened: list[tuple[Any, LoopbackServer | None, str]] = []

    def __call__(
        self,
        app: Path | str,
        page: str = "html/index.html",
        *,
        mode: str | None = None,
        install_type: str = "install",
        manifest: Mapping[str, Any] | None = None,
        widget_id: str = "w-1",
        instance_props: Mapping[str, Any] | None = None,
        context_props: Mapping[str, Any] | None = None,
        tab: Mapping[str, Any] | None = None,
        me: Mapping[str, Any] | None = None,
        helpdesk_url: str = "https://helpdesk.example",
        installed: bool = False,
        manifest_changes: list[Any] | None = None,
        storage: Mapping[str, Any] | None = None,
        oauth_tokens: Mapping[str, Any] | None = None,
        oauth_require_connection: bool = True,
        whitelist: list[str] | None = None,
        upstream: Upstream | None = None,
        events: Mapping[str, Any] | None = None,
        deskpro_routes: Mapping[str, Any] | None = None,
        invocations: Mapping[str, str] | None = None,
        fire_and_forget: list[str] | None = None,
        params_in_hash: bool = False,
        timeout: float = 10_000,
    ) -> StubHost:
        import json

        app_server: LoopbackServer | None = None
        if isinstance(app, Path):
            if manifest is None and (app / "manifest.json").is_file():
                manifest = json.loads((app / "manifest.json").read_text(encoding="utf-8"))
            app_server = LoopbackServer(static_files(app))
            base = app_server.origin("localhost")
        else:
            base = app.rstrip("/")
        app_url = f"{base}/{page.lstrip('/')}"
        if mode is None:
            mode = "install" if page.rsplit("/", 1)[-1] == "install.html" else "app"
        config = build_config(
            app_url=app_url,
            manifest=manifest,
            mode=mode,
            install_type=install_type,
            widget_id=widget_id,
            instance_props=instance_props,
            context_props=context_props,
            tab=tab,
            me=me,
            helpdesk_url=helpdesk_url,
            installed=installed,
            manifest_changes=manifest_changes,
            storage=storage,
            oauth_tokens=oauth_tokens,
            oauth_require_connection=oauth_require_connection,
            whitelist=whitelist,
            events=events,
            deskpro_routes=deskpro_routes,
            invocations=invocations,
            fire_and_forget=fire_and_forget,
            params_in_hash=params_in_hash,
        )
        cfg_id = self._host_server.register(config, upstream)
        context = self._browser.new_context()
        self._opened.append((context, app_server, cfg_id))
        context.set_default_timeout(timeout)
        blocked: list[str] = []
        route_offline(context, NODE_MODULES, blocked)
        host_page = context.new_page()
        host = StubHost(
            page=host_page,
            frame=None,
            host_origin=self._host_server.origin,
            app_url=app_url,
            cfg_id=cfg_id,
            host_server=self._host_server,
            app_server=app_server,
            blocked_requests=blocked,
        )
        host_page.on(
            "console",
            lambda msg: host.console.append(
                ConsoleEntry(msg.type, msg.text, (msg.location or {}).get("url", ""))
            ),
        )
        host_page.on("pageerror", lambda err: host.page_errors.append(str(err)))
        host_page.on(
            "response",
            lambda r: r.status >= 400 and host.failed_requests.append(f"{r.status} {r.url}"),
        )
        host_page.on(
            "requestfailed",
            lambda r: (
                "ERR_BLOCKED_BY_CLIENT" not in (r.failure or "")
                and host.failed_requests.append(f"{r.failure} {r.url}")
            ),
        )
        host_page.goto(f"{self._host_server.origin}/host.html?cfg={cfg_id}")
        host_page.wait_for_function(
            "() => window.__appLoaded === true || window.__hostErrors.length > 0"
        )
        if host.host_errors():
            raise AssertionError(f"the stub host did not start: {host.host_errors()}")
        host.frame = host_page.query_selector("#app").content_frame()
        return host

    def close(self) -> None:
        for context, app_server, cfg_id in self._opened:
            context.close()
            if app_server is not None:
                app_server.close()
            self._host_server.forget(cfg_id)
        self._opened.clear()


@pytest.fixture
def stub_host(browser: Any, host_server: HostServer) -> Iterator[StubHostFactory]:
    """Open app pages inside a stub Deskpro host (see the module docstring)."""
    factory = StubHostFactory(browser, host_server)
    yield factory
    factory.close()
