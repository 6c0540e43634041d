"""``deskpro oauth-test`` as a real process: Ctrl-C while waiting for the callback, the hidden
secret prompt on a terminal, and the web flow end to end in headless Chromium."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from fakes.github import FakeGitHub
from oauth.oauth_helpers import record_output

URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+/login/oauth/authorize\?\S+)")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKPRO_")}
    env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    env.update(extra)
    env["NO_COLOR"] = "1"
    return env


def _start(github: FakeGitHub, client_id: str, secret: str, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "deskpro_cli",
        "-vv",  # the most a real process logs: still no secret, code or token (leak check)
        "oauth-test",
        "--github-url",
        github.url,
        "--client-id",
        client_id,
        "--mode",
        "web",
        "--no-browser",
        "--json",
        *extra,
    ]
    return subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: select() then readline() must not strand lines in a buffer
        env=_env(DESKPRO_OAUTH_CLIENT_SECRET=secret),
    )


def _read_url(proc: subprocess.Popen[bytes], seen: list[str], deadline: float = 20) -> str:
    """Read stderr lines until the authorize URL shows up (the listener is bound by then)."""
    assert proc.stderr is not None
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            line = proc.stderr.readline().decode("utf-8", "replace")
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            match = URL_RE.search(line)
            if match:
                return match.group(1)
    proc.kill()
    raise AssertionError("no authorize URL on stderr:\n" + "".join(seen))


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_ctrl_c_while_waiting_closes_the_port_and_exits_130(github: FakeGitHub) -> None:
    app = github.add_app()
    proc = _start(github, app.client_id, app.client_secret, "--timeout", "60")
    seen: list[str] = []
    try:
        url = _read_url(proc, seen)
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        port = urlsplit(redirect).port
        assert port is not None and not _port_closed(port)  # listening while it waits
        proc.send_signal(signal.SIGINT)
        out_b, err_b = proc.communicate(timeout=20)
        out, err = out_b.decode(), err_b.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = "".join(seen) + err
    record_output("ctrl-c stdout", out)
    record_output("ctrl-c stderr", stderr)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    # --json: stdout still holds exactly one JSON object, saying how the run ended
    data = json.loads(out)
    assert (data["ok"], data["exit_code"]) == (False, 130)
    assert _port_closed(port)
    assert github.tokens == {}


class _Terminal:
    """``deskpro oauth-test`` on a pseudo-terminal, no secret in the environment."""

    def __init__(self, github: FakeGitHub, client_id: str) -> None:
        self.chunks: list[bytes] = []
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the CLI on a terminal
            os.execve(
                sys.executable,
                [
                    sys.executable,
                    "-m",
                    "deskpro_cli",
                    "oauth-test",
                    "--github-url",
                    github.url,
                    "--client-id",
                    client_id,
                    "--json",
                ],
                _env(),
            )

    @property
    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace")

    def read_until(self, marker: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while marker not in self.text and time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                self.chunks.append(data)

    def type(self, data: bytes) -> None:
        os.write(self.fd, data)

    def finish(self) -> int:
        self.read_until("\n__never__", timeout=2)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        record_output("pty", self.text)
        return os.waitstatus_to_exitcode(status)


def test_secret_prompt_on_a_terminal_is_hidden(github: FakeGitHub) -> None:
    app = github.add_app()
    term = _Terminal(github, app.client_id)
    try:
        term.read_until("Client secret")
        assert "Client secret" in term.text, term.text
        term.type(app.client_secret.encode() + b"\r")
        term.read_until("credentials-valid")
    finally:
        code = term.finish()
    assert code == 0, term.text
    assert "credentials-valid" in term.text
    assert app.client_secret not in term.text  # not echoed


def test_ctrl_c_at_the_secret_prompt_exits_130(github: FakeGitHub) -> None:
    app = github.add_app()
    term = _Terminal(github, app.client_id)
    try:
        term.read_until("Client secret")
        term.type(b"\x03")  # the terminal turns it into SIGINT
        term.read_until('"exit_code": 130')
    finally:
        code = term.finish()
    assert code == 130, term.text
    assert "Traceback" not in term.text and "Aborted" not in term.text
    assert "nothing was sent" in term.text
    assert github.requests == []


@pytest.mark.browser
def test_web_flow_end_to_end_in_chromium(github: FakeGitHub, browser: Any) -> None:
    app = github.add_app()
    github.authorize_outcome = "consent"  # an HTML page with Authorize / Cancel
    proc = _start(github, app.client_id, app.client_secret, "--timeout", "60", "--scope", "repo")
    seen: list[str] = []
    try:
        url = _read_url(proc, seen)
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(url)
            assert "repo" in page.inner_text("body")
            page.click("#js-oauth-authorize-btn")
            page.wait_for_selector("text=Authorization received", timeout=15000)
            landed = page.url
        finally:
            context.close()
        out_b, err_b = proc.communicate(timeout=30)
        out, err = out_b.decode(), err_b.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = "".join(seen) + err
    record_output("chromium stdout", out)
    record_output("chromium stderr", stderr)
    assert proc.returncode == 0, stderr
    assert landed.startswith(parse_qs(urlsplit(url).query)["redirect_uri"][0] + "?code=")
    data = json.loads(out)
    assert (data["verdict"], data["login"], data["scopes"]) == (
        "token-obtained",
        "octocat",
        ["repo"],
    )
    assert data["token_revoked"] is True
    assert github.live_tokens() == []
