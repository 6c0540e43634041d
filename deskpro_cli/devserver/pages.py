"""The HTML the dev server writes itself: the build-error page, the waiting page, the index page,
the 404 page, and the small reload script injected into served pages and into all of these.

Everything a user wrote (messages, file names, titles) is HTML-escaped. The reload script is added
only to what the server sends; the files in ``target/`` (and any zip) never contain it.
"""

from __future__ import annotations

import html
import json
import re

from deskpro_cli.devserver.state import BuildState

RELOAD_SCRIPT_PATH = "/__deskpro/reload.js"

#: Reloads the page when the server announces a build other than the one the page came from:
#: another build id, or the same id from another server run (build ids start again at 1 when
#: the server restarts). A server that has not finished its first build yet is waited for, so a
#: restart reloads the page once, into the new build. It listens on a WebSocket, which does not
#: take one of the six connections a browser allows per host (an EventSource would: see
#: :mod:`.websocket`), and reconnects after the server restarts.
RELOAD_JS = b"""\
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.WebSocket) { return; }
  var loaded = me.getAttribute("data-build");
  var run = me.getAttribute("data-run");
  var url = new URL("/__deskpro/socket", me.src);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  var wait = 250;
  function connect() {
    var socket = new WebSocket(url.href);
    socket.onopen = function () { wait = 250; };
    socket.onmessage = function (event) {
      var state = JSON.parse(event.data);
      if (state.ok === null) { return; }
      if (String(state.id) !== loaded || state.run !== run) {
        socket.onclose = null;
        socket.close();
        window.location.reload();
      }
    };
    socket.onclose = function () {
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 5000);
    };
  }
  connect();
})();
"""

_STYLE = """\
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:24px;
color:#1d2733;background:#fff}
h1{font-size:19px;margin:0 0 6px}
.sub{color:#5b6b7b;margin:0 0 18px}
.summary{font-weight:600;margin:0 0 12px}
.problem{border-left:4px solid #d33;background:#fff5f5;padding:10px 14px;margin:0 0 12px}
.problem.warning{border-color:#d90;background:#fffaf0}
.where{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}
pre{white-space:pre-wrap;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:6px 0 0}
.hint{color:#205493;margin-top:6px}
table{border-collapse:collapse}td{padding:3px 12px 3px 0}
code{font-family:ui-monospace,Menlo,Consolas,monospace}
"""


def reload_tag(build_id: int, run: str) -> bytes:
    """The ``<script>`` element injected into served pages: it names the build (``build_id`` of
    the server run ``run``) the page came from."""
    return (
        f'<script src="{RELOAD_SCRIPT_PATH}" data-run="{html.escape(run)}" '
        f'data-build="{build_id}"></script>'
    ).encode()


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)


def inject_reload(page: bytes, build_id: int, run: str) -> bytes:
    """``page`` with the reload script before its last ``</body>`` (else ``</html>``, else at
    the end)."""
    tag = reload_tag(build_id, run)
    for pattern in (_BODY_END, _HTML_END):
        matches = list(pattern.finditer(page))
        if matches:
            at = matches[-1].start()
            return page[:at] + tag + page[at:]
    return page + tag


def _document(title: str, body: str, state: BuildState) -> bytes:
    text = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
    return inject_reload(text.encode("utf-8"), state.id, state.run)


def error_page(state: BuildState) -> bytes:
    """The page shown instead of the app's pages while the latest build is failing."""
    error = state.error
    message = error.message if error else "the build failed"
    parts = [
        "<h1>deskpro serve: the build failed</h1>",
        '<p class="sub">Fix the problem and save: this page reloads by itself when the next '
        "build finishes. The terminal running <code>deskpro serve</code> shows the same.</p>",
    ]
    if state.internal:
        parts.append(
            '<p class="sub">This is a bug in deskpro-cli, not in your app: please report it with '
            "the output from the terminal.</p>"
        )
    problems = state.problems
    if problems:
        parts.append(f'<p class="summary">{html.escape(message)}</p>')
        for p in problems:
            parts.append(
                f'<div class="problem {html.escape(p.severity)}">'
                f'<div class="where">{html.escape(p.location())}: {html.escape(p.severity)} '
                f"{html.escape(p.rule)}</div><pre>{html.escape(p.message)}</pre>"
                + (f'<div class="hint">hint: {html.escape(p.hint)}</div>' if p.hint else "")
                + "</div>"
            )
    else:
        parts.append(f'<div class="problem"><pre>{html.escape(message)}</pre>')
        if error is not None and error.hint:
            parts.append(f'<div class="hint">hint: {html.escape(error.hint)}</div>')
        parts.append("</div>")
    if problems and error is not None and error.hint:
        parts.append(f'<p class="hint">hint: {html.escape(error.hint)}</p>')
    return _document("Build failed", "".join(parts), state)


def waiting_page(state: BuildState) -> bytes:
    """The page shown before the first build has finished."""
    body = (
        "<h1>deskpro serve: building the app…</h1>"
        '<p class="sub">This page reloads by itself when the first build finishes.</p>'
    )
    return _document("Building…", body, state)


def index_page(state: BuildState, base_url: str) -> bytes:
    """``/``: what is served where, and how to point Deskpro's Dev Mode at it."""
    built = state.built
    if built is None:
        return error_page(state) if state.ok is False else waiting_page(state)
    title = built.manifest.get("title") or built.manifest.get("name") or "app"
    rows = "".join(
        f'<tr><td>{html.escape(name)}</td><td><a href="{html.escape(url)}">'
        f"{html.escape(base_url + url)}</a></td></tr>"
        for name, url in built.target_urls()
    )
    status = (
        '<p class="problem">The latest build failed; the files below are from the last good '
        "build. Open a page to see the error.</p>"
        if state.ok is False
        else ""
    )
    body = (
        f"<h1>deskpro serve: {html.escape(str(title))} {html.escape(built.app_version)}</h1>"
        f'<p class="sub">Turn on Dev Mode for this app in your helpdesk: it loads the app from '
        f"<code>{html.escape(base_url)}</code>.</p>{status}"
        f'<table>{rows}<tr><td>manifest</td><td><a href="/manifest.json">'
        f"{html.escape(base_url)}/manifest.json</a></td></tr></table>"
    )
    return _document(str(title), body, state)


def not_found_page(message: str) -> bytes:
    """A short plain-text 404 body (for scripts, styles, images and tools)."""
    return (message.rstrip() + "\n").encode("utf-8")


def not_found_html(message: str, state: BuildState) -> bytes:
    """The 404 page for a browser asking for a page: the same message, and the reload script,
    so the page appears by itself once a build provides it (a page added to the app, the app
    brought to the version asked for)."""
    body = (
        "<h1>deskpro serve: not found</h1>"
        '<p class="sub">This page reloads by itself when the next build finishes. '
        '<a href="/">What this server serves</a>.</p>'
        f'<div class="problem"><pre>{html.escape(message.rstrip())}</pre></div>'
    )
    return _document("Not found", body, state)


def state_json(state: BuildState) -> bytes:
    """``state`` as the compact JSON the event stream and the socket send."""
    return json.dumps(state.to_json(), separators=(",", ":")).encode("utf-8")


def event_message(state: BuildState) -> bytes:
    """One server-sent event announcing ``state``."""
    return b"event: build\nid: %d\ndata: %s\n\n" % (state.id, state_json(state))
