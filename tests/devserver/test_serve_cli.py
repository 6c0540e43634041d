"""``deskpro serve`` as a user runs it: a real process, real signals, real ports."""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .serve_support import TOY_APP, alive, request, slow_esbuild, wait_for_pids
from conftest import REPO_ROOT


class ServeProcess:
    """``python -m deskpro_cli serve`` in a subprocess, with its output read as it comes."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
        env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deskpro_cli", "serve", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.stdout = b""
        self.stderr = b""

    def _read(self, timeout: float) -> None:
        sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        sel.register(self.proc.stdout, selectors.EVENT_READ, "out")
        sel.register(self.proc.stderr, selectors.EVENT_READ, "err")
        for key, _ in sel.select(timeout):
            data = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
            if key.data == "out":
                self.stdout += data
            else:
                self.stderr += data
        sel.close()

    def wait_for(self, pattern: str, timeout: float = 15.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, (self.stdout + self.stderr).decode(errors="replace"))
            if found:
                return found
            if self.proc.poll() is not None:
                self._read(0.1)
                break
            self._read(0.1)
        found = re.search(pattern, (self.stdout + self.stderr).decode(errors="replace"))
        if found:
            return found
        raise AssertionError(f"{pattern!r} not seen; output:\n{self.output}")

    def finish(self, timeout: float = 15.0) -> int:
        out, err = self.proc.communicate(timeout=timeout)
        self.stdout += out
        self.stderr += err
        return self.proc.returncode

    @property
    def output(self) -> str:
        return (self.stdout + self.stderr).decode(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def app(tree) -> Path:
    return tree(TOY_APP)


def test_ctrl_c_stops_cleanly_with_130(app: Path) -> None:
    proc = ServeProcess("--port", "0", cwd=app)
    try:
        url = proc.wait_for(r"on (http://127\.0\.0\.1:(\d+))").group(2)
        proc.wait_for(r"build #1")  # the first build finished (good or failed)
        assert request(int(url), "/__deskpro/status").status == 200
        proc.proc.send_signal(signal.SIGINT)
        code = proc.finish()
    finally:
        proc.kill()
    assert code == 130, proc.output
    assert "Traceback" not in proc.output
    assert "stopped the server (interrupted)" in proc.output
    assert "error" not in proc.output  # Ctrl-C is the normal way to stop a server
    assert not (app / "target" / ".deskpro-serve").exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(url)), timeout=1).close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes in /proc")
def test_ctrl_c_during_a_build_stops_at_once(tree, tmp_path: Path, esbuild_path: Path) -> None:
    """Ctrl-C does not wait for a build to finish: esbuild (which a Ctrl-C sent to deskpro
    alone never reaches) is killed with what it started, and the half-written build is gone."""
    from .test_serve_pipeline import COMPILED_APP

    app = tree(COMPILED_APP)
    script, pids = slow_esbuild(tmp_path, esbuild_path)
    proc = ServeProcess("--port", "0", "--esbuild", str(script), cwd=app)
    try:
        proc.wait_for(r"on http://127\.0\.0\.1:\d+")
        processes = wait_for_pids(pids)
        assert all(alive(pid) for pid in processes)
        proc.proc.send_signal(signal.SIGINT)
        code = proc.finish(timeout=5)  # the build would take a minute; stopping used to wait 10 s
    finally:
        proc.kill()
    assert code == 130, proc.output
    assert "Traceback" not in proc.output and "interrupted" in proc.output
    assert "failed" not in proc.output
    assert not [pid for pid in processes if alive(pid)]
    assert not (app / "target" / ".deskpro-serve").exists()


def test_port_in_use_exits_3_naming_the_port(app: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = ServeProcess("--port", str(port), cwd=app)
        try:
            code = proc.finish()
        finally:
            proc.kill()
    assert code == 3, proc.output
    assert f"port {port}" in proc.output
    assert "--port" in proc.output
    assert "Traceback" not in proc.output


def test_non_loopback_host_warns(app: Path) -> None:
    proc = ServeProcess("--host", "0.0.0.0", "--port", "0", "--no-watch", cwd=app)
    try:
        proc.wait_for(r"Serving .* on http://127\.0\.0\.1:\d+")
        proc.proc.send_signal(signal.SIGINT)
        code = proc.finish()
    finally:
        proc.kill()
    assert code == 130, proc.output
    assert "warning: serving on 0.0.0.0: other machines on your network" in proc.output
    assert "no rebuilds with --no-watch" in proc.output


def test_host_not_of_this_machine_is_a_usage_error_without_the_warning(cli, app: Path) -> None:
    run = cli("serve", app, "--host", "192.0.2.1", "--port", "0", code=2)  # TEST-NET-1
    assert "--host 192.0.2.1 is not an address of this machine" in run.stderr
    assert "other machines" not in run.stderr  # nothing is served, so nothing is exposed


def test_loopback_host_does_not_warn(app: Path) -> None:
    proc = ServeProcess("--host", "localhost", "--port", "0", "--no-watch", cwd=app)
    try:
        proc.wait_for(r"Serving .* on http://localhost:\d+")
        proc.proc.send_signal(signal.SIGINT)
        proc.finish()
    finally:
        proc.kill()
    assert "warning" not in proc.output


def test_folder_without_an_app_is_refused(cli, tree) -> None:
    empty = tree({"README.md": "hi"})
    run = cli("serve", empty, code=1)
    assert "no package.json or manifest.json" in run.stderr
    assert "deskpro init" in run.stderr


def test_a_file_that_is_not_a_manifest_is_a_usage_error(cli, tree) -> None:
    folder = tree({"README.md": "hi"})
    run = cli("serve", folder / "README.md", code=2)
    assert "takes a project folder" in run.stderr


def test_bad_port_is_a_usage_error(cli, app: Path) -> None:
    run = cli("serve", app, "--port", "70000", code=2)
    assert "--port" in run.stderr


def test_terminal_shows_urls_problems_and_recovery(app: Path) -> None:
    proc = ServeProcess(".", "--port", "0", cwd=app)
    try:
        port = int(proc.wait_for(r"on http://127\.0\.0\.1:(\d+)").group(1))
        proc.wait_for(
            rf"ticket-sidebar\s+http://127\.0\.0\.1:{port}/v1\.2\.3/files/html/index\.html"
        )
        proc.wait_for(rf"install\s+http://127\.0\.0\.1:{port}/v1\.2\.3/files/html/install\.html")
        pkg = app / "package.json"
        good = pkg.read_text()
        pkg.write_text(good.replace('"title": "Toy app"', '"title": 42'))
        # the problem as `package` prints it: file as given, line, column, rule, hint
        proc.wait_for(r"changed: package\.json; rebuilding")
        proc.wait_for(r"package\.json:\d+:\d+: error DP\d+ title must be a string")
        proc.wait_for(r"build #2 failed")
        proc.wait_for(r"hint: .*and save: deskpro serve rebuilds by itself")
        assert "run deskpro serve again" not in proc.output
        assert request(port, "/v1.2.3/files/html/index.html").status == 500
        pkg.write_text(good)
        proc.wait_for(r"built 1\.2\.3 in [\d.]+ s \(build #3\)")
        assert request(port, "/v1.2.3/files/html/index.html").status == 200
        proc.proc.send_signal(signal.SIGINT)
        assert proc.finish() == 130
    finally:
        proc.kill()
    assert "Traceback" not in proc.output


def test_urls_are_shown_once_the_app_builds_and_again_when_they_move(tree) -> None:
    good = TOY_APP["package.json"]
    assert isinstance(good, str)
    broken = dict(TOY_APP)
    broken["package.json"] = good.replace('"title": "Toy app"', '"title": 4')
    app = tree(broken)
    proc = ServeProcess("--port", "0", cwd=app)
    try:
        port = int(proc.wait_for(r"on http://127\.0\.0\.1:(\d+)").group(1))
        proc.wait_for(r"build #1 failed")
        assert "ticket-sidebar" not in proc.output
        (app / "package.json").write_text(good)
        proc.wait_for(
            rf"ticket-sidebar\s+http://127\.0\.0\.1:{port}/v1\.2\.3/files/html/index\.html"
        )
        bumped = good.replace('"1.2.3"', '"1.3.0"')
        (app / "package.json").write_text(bumped)
        proc.wait_for(r"The app's URLs changed \(version 1\.3\.0\)")
        proc.wait_for(
            rf"ticket-sidebar\s+http://127\.0\.0\.1:{port}/v1\.3\.0/files/html/index\.html"
        )
        (app / "src/main/resources/app.js").write_text("// an edit that moves nothing\n")
        proc.wait_for(r"build #4\)")
        proc.proc.send_signal(signal.SIGINT)
        assert proc.finish() == 130
    finally:
        proc.kill()
    assert proc.output.count("ticket-sidebar") == 2, proc.output


def test_sigterm_stops_like_ctrl_c(app: Path) -> None:
    proc = ServeProcess("--port", "0", cwd=app)
    try:
        port = int(proc.wait_for(r"on http://127\.0\.0\.1:(\d+)").group(1))
        proc.wait_for(r"build #1")
        proc.proc.send_signal(signal.SIGTERM)
        code = proc.finish()
    finally:
        proc.kill()
    assert code == 130, proc.output
    assert "Traceback" not in proc.output and "interrupted" in proc.output
    assert not (app / "target" / ".deskpro-serve").exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
