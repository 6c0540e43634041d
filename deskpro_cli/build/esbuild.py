"""esbuild as an outside tool: finding it, asking its version, and running it (the one seam).

Everything that starts an esbuild process goes through :func:`run_esbuild`, so tests can replace
or count it. The compile logic lives in :mod:`deskpro_cli.build.compiler`.

Where esbuild is looked for, first match wins:
1. the path given by ``--esbuild`` (``explicit``);
2. the ``DESKPRO_ESBUILD`` environment variable;
3. ``node_modules/.bin/esbuild`` in the project folder or any folder above it (npm workspaces
   hoist it to the root);
4. ``esbuild`` on ``PATH``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deskpro_cli import cancel
from deskpro_cli.errors import ToolMissing

log = logging.getLogger(__name__)

#: The esbuild version deskpro-cli is tested with; the fix for a missing esbuild installs it.
ESBUILD_PIN = "0.28.2"
#: The oldest esbuild whose command line and log format we rely on (``--alias``, ``[ERROR]`` logs).
MIN_VERSION = (0, 17, 0)
ENV_VAR = "DESKPRO_ESBUILD"


def install_command(project_dir: Path | None = None) -> str:
    """The exact command that puts esbuild into the app in ``project_dir``.

    Plain ``npm install`` when the app's package.json already lists esbuild (it is only not
    installed yet, as in a fresh ``deskpro init --template react`` project); otherwise the
    command that adds the pinned esbuild as a devDependency.
    """
    if project_dir is not None and _lists_esbuild(project_dir / "package.json"):
        return "npm install"
    return f"npm install --save-dev esbuild@{ESBUILD_PIN}"


def _lists_esbuild(package_json: Path) -> bool:
    """Whether ``package_json`` names esbuild among its dependencies (False when unreadable)."""
    try:
        document = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(document, dict):
        return False
    sections = ("dependencies", "devDependencies", "optionalDependencies")
    return any(
        isinstance(document.get(key), dict) and "esbuild" in document[key] for key in sections
    )


@dataclass(frozen=True)
class Esbuild:
    """A usable esbuild: where it is, its version, and how it was found."""

    path: Path
    version: str
    found_by: str  # "--esbuild" | "DESKPRO_ESBUILD" | "node_modules" | "PATH"


@dataclass(frozen=True)
class EsbuildRun:
    """What one esbuild process gave back."""

    returncode: int
    stdout: str
    stderr: str


def run_esbuild(
    executable: Path, args: Sequence[str], *, cwd: Path, stdin: str | None = None
) -> EsbuildRun:
    """Run esbuild once and wait for it: THE subprocess seam of the compile step.

    Inside a cancel scope (:mod:`deskpro_cli.cancel`: the dev server's builds) esbuild runs in
    its own process group, and cancelling kills that group at once.

    Raises:
        ToolMissing: the executable cannot be started at all.
        Cancelled: the scope's token was cancelled before or while esbuild ran.
    """
    cmd = [str(executable), *args]
    log.debug("running %s (in %s)", " ".join(cmd), cwd)
    token = cancel.current()
    if token is not None:
        return _run_cancellable(cmd, cwd, stdin, token)
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as exc:  # not executable, wrong architecture, vanished
        raise ToolMissing(
            f"esbuild at {executable} cannot be run: {exc.strerror or exc}",
            hint=f"reinstall it: `{install_command()}` in the app folder",
        ) from exc
    return EsbuildRun(proc.returncode, proc.stdout, proc.stderr)


def _run_cancellable(
    cmd: list[str], cwd: Path, stdin: str | None, token: cancel.CancelToken
) -> EsbuildRun:
    """:func:`run_esbuild` under a cancel token: a cancelled build must not wait for esbuild.

    esbuild gets a process group of its own (a Ctrl-C at the terminal then reaches only us), so
    cancelling can kill it together with anything it started (npm's JavaScript launcher runs
    the real binary as a child). Killing loses nothing: its output goes to a staging folder that
    is removed.
    """
    token.raise_if_cancelled()
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        raise ToolMissing(
            f"esbuild at {cmd[0]} cannot be run: {exc.strerror or exc}",
            hint=f"reinstall it: `{install_command()}` in the app folder",
        ) from exc
    unregister = token.on_cancel(lambda: _kill_group(proc))
    try:
        stdout, stderr = proc.communicate(stdin if stdin is not None else "")
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        unregister()
    token.raise_if_cancelled()
    return EsbuildRun(proc.returncode, stdout, stderr)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` and its process group (just ``proc`` where there are none)."""
    if proc.returncode is not None:
        return  # already reaped: its id may belong to another process by now
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass  # it ended meanwhile


def _parse_version(text: str) -> tuple[int, int, int] | None:
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


_version_memo: dict[tuple[str, int, int], str] = {}


def esbuild_version(path: Path) -> str:
    """``esbuild --version`` for the binary at ``path`` (remembered while the file is unchanged).

    Raises:
        ToolMissing: it does not run, does not answer like esbuild, or is older than we support.
    """
    path = path.absolute()  # it runs in its own folder: a relative path would miss
    try:
        st = path.stat()
    except OSError as exc:
        raise ToolMissing(
            f"esbuild not found at {path}", hint=f"install it: `{install_command()}`"
        ) from exc
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _version_memo:
        return _version_memo[key]
    run = run_esbuild(path, ["--version"], cwd=path.parent)
    version = run.stdout.strip()
    parsed = _parse_version(version)
    if run.returncode != 0 or parsed is None:
        said = (run.stderr or run.stdout).strip().splitlines()
        detail = f": {said[0]}" if said else ""
        raise ToolMissing(
            f"{path} does not work as esbuild (`--version` failed{detail})",
            hint=(
                "reinstall it in the app (`rm -rf node_modules && npm install`), or run "
                f"`{install_command()}`"
            ),
        )
    if parsed < MIN_VERSION:
        wanted = ".".join(map(str, MIN_VERSION))
        raise ToolMissing(
            f"esbuild {version} at {path} is too old (deskpro-cli needs {wanted} or newer)",
            hint=f"upgrade it: `{install_command()}` in the app folder",
        )
    _version_memo[key] = version
    return version


def _node_modules_bin(project_dir: Path) -> Path | None:
    names = ["esbuild.cmd", "esbuild.exe", "esbuild"] if os.name == "nt" else ["esbuild"]
    for folder in [project_dir, *project_dir.parents]:
        for name in names:
            candidate = folder / "node_modules" / ".bin" / name
            if candidate.is_file():
                return candidate
    return None


def find_esbuild(
    project_dir: Path,
    *,
    explicit: Path | None = None,
    env: Mapping[str, str] | None = None,
    needed_for: str = "this app",
) -> Esbuild:
    """Find a working esbuild for ``project_dir`` (see the module docstring for the order).

    ``needed_for`` names what is to be compiled, for the error message.

    Raises:
        ToolMissing: none found (the hint is the exact command that installs it), or the one
            pointed at does not work.
    """
    environ = os.environ if env is None else env
    # Paths the user gives are relative to the current folder; esbuild runs elsewhere (in the
    # project, and `--version` in its own folder), so they are made absolute here.
    if explicit is not None:
        path = explicit.expanduser().absolute()
        return Esbuild(_must_exist(path, "--esbuild"), esbuild_version(path), "--esbuild")
    from_env = environ.get(ENV_VAR, "")
    if from_env:
        path = Path(from_env).expanduser().absolute()
        return Esbuild(_must_exist(path, ENV_VAR), esbuild_version(path), ENV_VAR)
    local = _node_modules_bin(project_dir)
    if local is not None:
        return Esbuild(local, esbuild_version(local), "node_modules")
    on_path = shutil.which("esbuild", path=environ.get("PATH"))
    if on_path is not None:
        path = Path(on_path).absolute()  # a relative PATH entry ("node_modules/.bin")
        return Esbuild(path, esbuild_version(path), "PATH")
    raise ToolMissing(
        f"esbuild is needed to compile {needed_for} but was not found "
        f"(looked in node_modules/.bin of {project_dir} and above, and on PATH)",
        hint=(
            f"run `{install_command(project_dir)}` in {project_dir} "
            f"(or point --esbuild / {ENV_VAR} at an esbuild binary)"
        ),
    )


def _must_exist(path: Path, where: str) -> Path:
    if not path.is_file():
        raise ToolMissing(
            f"esbuild not found at {path} (given by {where})",
            hint=f"fix the path, or install esbuild in the app: `{install_command()}`",
        )
    return path
