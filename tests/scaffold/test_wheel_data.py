"""The wheel ships templates/ and boilerplate/, and init works from the wheel alone.

The rest of the suite may import the package from the checkout (``python -m pytest`` puts the
current folder first on ``sys.path``), where the data sits at the top of the repository; this
test builds the real wheel and runs ``init`` with nothing but the wheel's files importable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import IN_CI, REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0:
        message = f"pip wheel failed (is the build backend reachable?):\n{run.stderr}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    (built,) = out.glob("deskpro_cli-*.whl")
    return built


def _data_files(folder: str) -> dict[str, bytes]:
    root = REPO_ROOT / folder
    return {
        f"deskpro_cli/{folder}/{p.relative_to(root).as_posix()}": p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_wheel_holds_every_template_and_boilerplate_file(wheel: Path) -> None:
    expected = {**_data_files("templates"), **_data_files("boilerplate")}
    assert "deskpro_cli/boilerplate/gitignore" in expected
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith(("deskpro_cli/templates/", "deskpro_cli/boilerplate/"))
        }
    assert shipped == expected


@pytest.mark.parametrize("template", ["vanilla", "github-oauth"])
def test_init_runs_from_the_wheel_alone(wheel: Path, tmp_path: Path, template: str) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    # Only the unpacked wheel (and the installed dependencies) can be imported: not the checkout.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CI")}
    env["PYTHONPATH"] = str(site)
    where = subprocess.run(
        [sys.executable, "-c", "import deskpro_cli, sys; sys.stdout.write(deskpro_cli.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout).is_relative_to(site)
    run = subprocess.run(
        [sys.executable, "-m", "deskpro_cli", "init", "app", "--template", template, "--no-input"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    project = work / "app"
    assert json.loads((project / "package.json").read_text())["name"] == "app"
    assert (project / ".gitignore").read_bytes() == (
        REPO_ROOT / "boilerplate/gitignore"
    ).read_bytes()
    assert (project / "src/main/resources/app.js").is_file()
