"""A new project as the helpdesk serves it: packaged by ``deskpro package`` and unzipped."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from deskpro_cli.cli import cli


def built_app(project: Path, out: Path, *, esbuild: Path | None = None) -> Path:
    """Package ``project`` with the real command and unzip ``dist/app.zip`` into ``out``."""
    args = ["package", str(project), "--json"]
    if esbuild is not None:
        args += ["--esbuild", str(esbuild)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    with zipfile.ZipFile(Path(report["path"])) as archive:  # relative to the current folder
        archive.extractall(out)
    return out
