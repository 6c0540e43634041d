"""Apps as the helpdesk serves them (packaged by ``deskpro package`` and unzipped), and what
the installer is expected to send for them."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


def settings_batch(values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``post batch`` body that saves ``values`` for instance 42 of app 7 (the stub's ids)."""
    return {
        "requests": {
            name: {
                "method": "PUT",
                "headers": JSON_HEADERS,
                "url": f"apps/42/state/app:7/{name}",
                "data": {"value": value},
            }
            for name, value in values.items()
        }
    }
