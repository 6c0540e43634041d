"""``deskpro init`` as a user runs it: options, refusals, prompts on a real terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskpro_cli.cli import init as init_cli

from conftest import REPO_ROOT


def tree(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def manifest(project: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((project / "package.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("template", ["vanilla", "react", "github-oauth"])
def test_init_each_template(cli, tmp_path: Path, template: str) -> None:
    target = tmp_path / "my-app"
    run = cli("init", target, "--template", template, "--no-input")
    assert f"Created {target} from the {template} template" in run.stdout
    assert "deskpro package" in run.stdout
    assert ("npm install" in run.stdout) == (template == "react")
    package = manifest(target)
    assert package["name"] == "my-app"
    assert package["deskpro"]["title"] == "My App"
    assert (target / ".gitignore").is_file()


def test_default_template_is_vanilla(cli, tmp_path: Path) -> None:
    cli("init", tmp_path / "app", "--no-input")
    assert (tmp_path / "app/src/main/resources/app.js").is_file()
    assert not (tmp_path / "app/src/installer").exists()


def test_options_fill_the_manifest(cli, tmp_path: Path) -> None:
    target = tmp_path / "x"
    cli(
        "init",
        target,
        "--name",
        "@acme/helper",
        "--title",
        "Acme Helper",
        "--description",
        "Helps with Acme",
        "--author-name",
        "Ada",
        "--author-email",
        "ada@acme.test",
        "--target",
        "ticket-sidebar",
        "--target",
        "person-sidebar",
    )
    package = manifest(target)
    assert package["name"] == "@acme/helper"
    assert package["description"] == "Helps with Acme"
    assert package["author"] == {"name": "Ada", "email": "ada@acme.test"}
    assert package["deskpro"]["title"] == "Acme Helper"
    assert package["deskpro"]["targets"] == [
        {"target": "ticket-sidebar", "url": "html/index.html"},
        {"target": "person-sidebar", "url": "html/index.html"},
    ]


def test_init_dot_uses_the_current_folder(cli, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "Support Tools"
    target.mkdir()
    monkeypatch.chdir(target)
    run = cli("init", ".", "--no-input")
    assert manifest(target)["name"] == "support-tools"
    assert "cd " not in run.stdout


def test_next_steps_quote_a_folder_name_for_the_shell(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli("init", "My Tools", "--no-input")
    assert "  cd 'My Tools'\n" in run.stdout
    assert manifest(tmp_path / "My Tools")["name"] == "my-tools"


def test_quiet_prints_no_next_steps(cli, tmp_path: Path) -> None:
    run = cli("-q", "init", tmp_path / "app", "--no-input")
    assert run.stdout == ""
    assert manifest(tmp_path / "app")["name"] == "app"


# -- refusals leave nothing on disk -------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--name", "My App"], 2, "must be lower case"),
        (["--name", ".hidden"], 2, "must not start with a period"),
        (["--name", "fs"], 2, "Node.js core module"),
        (["--target", "ticket-sidebr"], 2, "did you mean 'ticket-sidebar'"),
        (["--target", "install"], 2, "install target"),
        (["--template", "angular"], 2, "'angular' is not one of"),
        (["--author-email", "nobody"], 2, "invalid e-mail address"),
        (["--title", ""], 2, "--title must not be empty"),
    ],
)
def test_bad_values_are_refused_before_writing(
    cli, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    run = cli("init", tmp_path / "new" / "app", "--no-input", *args, code=code)
    assert message in run.stderr
    assert "Traceback" not in run.output
    assert list(tmp_path.iterdir()) == []


def test_a_name_too_long_for_the_file_system_is_a_usage_error(cli, tmp_path: Path) -> None:
    run = cli("init", tmp_path / ("a" * 300), "--no-input", code=2)
    assert "the name is too long for the file system" in run.stderr
    assert "Traceback" not in run.output
    assert list(tmp_path.iterdir()) == []


def test_non_empty_folder_is_refused(cli, tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    (target / "notes.md").write_text("mine")
    before = tree(tmp_path)
    run = cli("init", target, "--no-input", code=1)
    assert "is not empty; nothing was written" in run.stderr
    assert "--force" in run.stderr
    assert tree(tmp_path) == before


def test_force_keeps_existing_files_and_says_so(cli, tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    (target / "README.md").write_text("mine\n")
    run = cli("init", target, "--no-input", "--force")
    assert (target / "README.md").read_text() == "mine\n"
    assert "kept 1 existing file(s) as they were: README.md" in run.stderr
    assert manifest(target)["name"] == "app"


def test_a_file_as_dir_is_refused(cli, tmp_path: Path) -> None:
    (tmp_path / "app").write_text("x")
    run = cli("init", tmp_path / "app", "--no-input", code=1)
    assert "exists and is not a folder" in run.stderr
    assert (tmp_path / "app").read_text() == "x"


def test_a_file_in_the_path_is_refused(cli, tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    run = cli("init", tmp_path / "notes" / "sub" / "app", "--no-input", code=1)
    assert "notes is a file, not a folder" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_interrupt_during_writing_is_exit_130_and_leaves_nothing(
    cli, tmp_path: Path, monkeypatch
) -> None:
    from deskpro_cli import place

    def interrupted(root: Path, files: object) -> None:
        (root / "half-written").write_text("x")
        raise KeyboardInterrupt

    monkeypatch.setattr(place, "_write_tree", interrupted)
    run = cli("init", tmp_path / "a" / "app", "--no-input", code=130)
    assert "interrupted" in run.stderr
    assert list(tmp_path.iterdir()) == []


# -- unwritable folders -------------------------------------------------------------------------
@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A folder every user can enter (pytest's own tmp folders are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="deskpro-init-perm-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for sub in path.rglob("*"):
            if sub.is_dir():
                sub.chmod(0o755)
        shutil.rmtree(path)


def _run_unprivileged(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``deskpro`` in a subprocess, as user ``nobody`` when we are root (root ignores modes).

    ``setpriv`` (util-linux) drops to nobody: Python's own ``user=`` fails here to exec an
    interpreter that lives under a private home folder, where setpriv succeeds.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if _running_from_checkout():
        env["PYTHONPATH"] = str(REPO_ROOT)
    command = [sys.executable, "-m", "deskpro_cli", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("setpriv (util-linux) is needed to drop root privileges for this test")
        command = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def _running_from_checkout() -> bool:
    import deskpro_cli

    return Path(deskpro_cli.__file__).resolve().parent.parent == REPO_ROOT


def test_unreadable_parent_is_exit_3_and_leaves_nothing(world_dir: Path) -> None:
    private = world_dir / "private"
    private.mkdir()
    private.chmod(0o700)  # root's: nobody may not even look inside
    out = _run_unprivileged(world_dir, "init", str(private / "app"), "--no-input")
    assert out.returncode == 3, out.stdout + out.stderr
    assert f"cannot look at {private / 'app'}: Permission denied; nothing was written" in (
        out.stderr
    )
    assert "Traceback" not in out.stderr
    assert list(private.iterdir()) == []


@pytest.mark.parametrize("case", ["parent", "existing-empty"])
def test_unwritable_folder_is_exit_3_and_leaves_nothing(world_dir: Path, case: str) -> None:
    locked = world_dir / "locked"
    locked.mkdir()
    target = locked / "app"
    if case == "existing-empty":
        target.mkdir()
        target.chmod(0o555)
    locked.chmod(0o555)
    before = tree(world_dir)
    out = _run_unprivileged(world_dir, "init", str(target), "--no-input")
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Permission denied" in out.stderr
    # The folder the user can fix, not the name of init's own temporary folder.
    assert f"cannot write in {target if case == 'existing-empty' else locked}:" in out.stderr
    assert ".deskpro-init-" not in out.stderr
    assert "hint:" in out.stderr
    assert "Traceback" not in out.stderr
    assert tree(world_dir) == before


# -- prompts ------------------------------------------------------------------------------------
def test_prompts_ask_for_missing_values(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(init_cli, "interactive", lambda no_input: not no_input)
    answers = "\n".join(
        [
            "github-oauth",  # template
            "Bad Name",  # refused, asked again
            "  gh-repos ",  # spaces around an answer do not count
            "",  # description: the default (--title was given, so it is not asked)
            "Ada",
            "not-an-email",  # refused, asked again
            "ada@example.com",
        ]
    )
    run = cli("init", tmp_path / "GitHub Repos", "--title", "Given Title", input=answers + "\n")
    assert "must be lower case" in run.stdout
    assert "invalid e-mail address" in run.stdout
    package = manifest(tmp_path / "GitHub Repos")
    assert package["name"] == "gh-repos"
    assert package["deskpro"]["title"] == "Given Title"
    assert package["description"] == "Lists the GitHub repositories of a ticket's owner"
    assert package["author"] == {"name": "Ada", "email": "ada@example.com"}
    assert "Title [" not in run.stdout


def test_prompt_defaults_come_from_the_folder(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(init_cli, "interactive", lambda no_input: not no_input)
    run = cli("init", tmp_path / "Ticket Tools", input="\n" * 6)
    assert "Package name [ticket-tools]" in run.stdout
    assert "Title [Ticket Tools]" in run.stdout
    package = manifest(tmp_path / "Ticket Tools")
    assert package["name"] == "ticket-tools"
    assert package["deskpro"]["title"] == "Ticket Tools"


def test_no_input_never_prompts(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(init_cli, "interactive", lambda no_input: not no_input)
    run = cli("init", tmp_path / "app", "--no-input")
    assert "Package name" not in run.stdout


def test_ctrl_c_at_a_prompt_is_exit_130_and_writes_nothing(
    cli, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(init_cli, "interactive", lambda no_input: not no_input)
    run = cli("init", tmp_path / "app", "--template", "vanilla", input="my-app\n", code=130)
    assert "interrupted; nothing was written" in run.stderr
    # The open prompt line is ended, so the message does not trail after it on a terminal.
    assert run.stdout.startswith("Package name [app]: my-app\nTitle [App]: \n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("ci", "no_input", "tty", "expected"),
    [
        (None, False, True, True),
        ("true", False, True, False),
        ("1", False, True, False),
        ("false", False, True, True),
        (None, True, True, False),
        (None, False, False, False),
    ],
)
def test_when_init_may_ask(monkeypatch, ci, no_input, tty, expected) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)

    class Stdin:
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr(sys, "stdin", Stdin())
    assert init_cli.interactive(no_input) is expected


def _read_until(fd: int, needle: bytes, seen: bytearray, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; got {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError(f"terminal closed before {needle!r}; got {bytes(seen)!r}")
            seen.extend(chunk)


def _on_a_terminal(cwd: Path, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``deskpro ARGS`` with a pseudo-terminal as its controlling terminal (so Ctrl-C typed
    there is a real SIGINT); returns the process and the terminal's master side."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTHONPATH")}
    if _running_from_checkout():
        env["PYTHONPATH"] = str(REPO_ROOT)
    env["NO_COLOR"] = "1"
    master, slave = pty.openpty()

    def take_the_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "deskpro_cli", *args],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        preexec_fn=take_the_terminal,
    )
    os.close(slave)
    return proc, master


def test_prompts_on_a_real_terminal(tmp_path: Path) -> None:
    """The real program on a pseudo-terminal, as a developer types the answers."""
    proc, master = _on_a_terminal(tmp_path, "init", "ticket-helper")
    seen = bytearray()
    try:
        for prompt, answer in [
            (b"Template [vanilla]", b"react"),
            (b"Package name [ticket-helper]", b""),
            (b"Title [Ticket Helper]", b"Ticket Helper Pro"),
            (b"Description [", b""),
            (b"Author name [", b"Grace Hopper"),
            (b"Author e-mail [", b"grace@example.com"),
        ]:
            _read_until(master, prompt, seen)
            os.write(master, answer + b"\r")
        _read_until(master, b"npm install", seen)
        assert proc.wait(timeout=30) == 0, bytes(seen).decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    package = manifest(tmp_path / "ticket-helper")
    assert package["name"] == "ticket-helper"
    assert package["deskpro"]["title"] == "Ticket Helper Pro"
    assert package["author"] == {"name": "Grace Hopper", "email": "grace@example.com"}
    assert "esbuild" in package["devDependencies"]


def test_ctrl_c_on_a_real_terminal_is_exit_130_and_writes_nothing(tmp_path: Path) -> None:
    proc, master = _on_a_terminal(tmp_path, "init", "new-app")
    seen = bytearray()
    try:
        _read_until(master, b"Template [vanilla]", seen)
        os.write(master, b"\r")
        _read_until(master, b"Package name [new-app]", seen)
        # Python writes the prompt and only then blocks reading the line: a SIGINT that lands
        # between the two waits for the next line (a CPython race no person types fast enough to
        # hit). Give it a moment, as a person would, before typing Ctrl-C.
        time.sleep(0.5)
        os.write(master, b"\x03")  # the terminal turns it into SIGINT
        _read_until(master, b"nothing was written", seen)
        assert proc.wait(timeout=30) == 130, bytes(seen).decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = bytes(seen).decode(errors="replace")
    assert "\nerror: interrupted; nothing was written" in text.replace("\r\n", "\n")
    assert "Traceback" not in text
    assert list(tmp_path.iterdir()) == []
