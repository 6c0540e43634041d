"""Shared fixtures: the ``cli`` runner, a network guard, file-tree builders, outside tools."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from deskpro_cli.cli import cli as deskpro_group

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = REPO_ROOT / "tests"
NODE_DIR = TESTS_DIR / "node"
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


# -- network guard --------------------------------------------------------------------------
def _is_loopback(host: Any) -> bool:
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails the test: GitHub is a fake on 127.0.0.1."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"test network guard: connection to {address!r} blocked")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


# -- running the CLI ------------------------------------------------------------------------
@dataclass
class Run:
    """What one CLI run gave: exit code, stdout, stderr, and click's result."""

    exit_code: int
    stdout: str
    stderr: str
    result: Result

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


CliFixture = Callable[..., Run]


@pytest.fixture
def cli() -> CliFixture:
    """``cli(*args, code=0, input=None, env=None)`` runs ``deskpro`` in-process.

    Asserts the exit code (``code=None`` to skip) and shows the output and any traceback when it
    differs, so a failing test says why.
    """

    def run(
        *args: str | os.PathLike[str],
        code: int | None = 0,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Run:
        runner = CliRunner()
        result = runner.invoke(
            deskpro_group,
            [str(a) for a in args],
            input=input,
            env=dict(env) if env else None,
            catch_exceptions=True,
        )
        run = Run(result.exit_code, result.stdout, result.stderr, result)
        if code is not None and result.exit_code != code:
            import traceback

            tb = ""
            if result.exc_info and not isinstance(result.exception, SystemExit):
                tb = "".join(traceback.format_exception(*result.exc_info))
            raise AssertionError(
                f"deskpro {' '.join(map(str, args))} exited {result.exit_code}, expected {code}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}\n{tb}"
            )
        return run

    return run


# -- file trees -----------------------------------------------------------------------------
def build_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{relative path: content}`` under ``root``; text is dedented. Returns ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8", newline="")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """``tree({...})`` builds a file tree in a fresh temporary folder and returns the folder."""
    counter = iter(range(1_000_000))

    def make(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / f"tree{next(counter)}"
        root.mkdir()
        return build_tree(root, files)

    return make


# -- outside tools and shared data ----------------------------------------------------------
def _missing(what: str, how: str) -> None:
    """Skip on a developer machine; fail in CI, where .ci/run must have installed it."""
    if IN_CI:
        pytest.fail(f"{what} is missing in CI: {how}")
    pytest.skip(f"{what} not installed ({how})")


def npm_install(project: Path) -> None:
    """``npm install`` in ``project`` from the npm registry (the way a developer gets a new
    react app's esbuild, react and react-dom); skips without npm or the registry, fails in CI."""
    import subprocess

    npm = shutil.which("npm")
    if npm is None:
        _missing("npm", "install Node.js")
    out = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        said = f"{out.stdout}\n{out.stderr}".strip()
        _missing("the npm registry", f"npm install failed in {project}:\n{said}")


@pytest.fixture(scope="session")
def esbuild_path() -> Path:
    """The pinned esbuild that .ci/run installs into tests/node."""
    path = NODE_DIR / "node_modules" / ".bin" / "esbuild"
    if not path.exists():
        _missing("esbuild", "run `npm ci` in tests/node")
    return path


@pytest.fixture(scope="session")
def sdk_core_js() -> Path:
    """The real @deskpro/apps-sdk-core 2.0.0 browser build, for browser tests."""
    path = NODE_DIR / "node_modules" / "@deskpro" / "apps-sdk-core" / "dist" / "apps-sdk-core.js"
    if not path.exists():
        _missing("@deskpro/apps-sdk-core", "run `npm ci` in tests/node")
    return path


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium, driven by Playwright (never `playwright install`)."""
    path = Path(os.environ.get("DESKPRO_TEST_CHROMIUM", "/usr/bin/chromium"))
    if not path.exists():
        _missing("chromium", "apt-get install -y chromium")
    return path


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """Headless Chromium (Debian's) through Playwright's sync API, shared by the whole session.

    One Playwright instance per process: a second ``sync_playwright()`` inside the first one's
    event loop fails, so every browser test takes this fixture and opens its own context/page.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright", "pip install -e '.[test]'")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


def _find_shared() -> Path | None:
    candidates = [
        os.environ.get("DESKPRO_SHARED", ""),
        str(REPO_ROOT.parent / "shared"),
        "/work/shared",  # the team's workplace, when the checkout sits elsewhere (CI clones)
    ]
    for c in candidates:
        if c and (Path(c) / "corpus").is_dir():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's read-only ``shared/`` folder (corpus, specs, dpat output), next to the repo.

    It is not part of the repository; tests that read it skip where it is absent.
    """
    found = _find_shared()
    if found is None:
        pytest.skip("../shared (corpus and dpat output) not found; set DESKPRO_SHARED")
    return found


@pytest.fixture
def copy_tree(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a folder into a fresh temporary location and return the copy."""

    def copy(src: Path) -> Path:
        dest = tmp_path / src.name
        shutil.copytree(src, dest)
        return dest

    return copy


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's own Deskpro/OAuth environment variables."""
    for name in list(os.environ):
        if name.startswith("DESKPRO_") and name not in ("DESKPRO_SHARED", "DESKPRO_TEST_CHROMIUM"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    yield
