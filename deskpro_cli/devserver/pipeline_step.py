"""The build step ``deskpro serve`` uses: the shared pipeline of ``package``, in serve mode.

Serve mode means not minified and no zip; the output folder is the staging folder the server
hands over, which it then lays out for Dev Mode.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from deskpro_cli.devserver.server import BuildStep
from deskpro_cli.errors import DeskproError
from deskpro_cli.problems import Problem


def pipeline_build_step() -> BuildStep:
    """A :data:`~deskpro_cli.devserver.server.BuildStep` running the shared build pipeline."""

    def step(project_dir: Path, out_dir: Path) -> Sequence[Problem]:
        try:
            importlib.import_module("deskpro_cli.build.pipeline")
        except ImportError as exc:
            raise DeskproError(
                f"cannot build {project_dir.name} into {out_dir.name}: this deskpro-cli has no "
                "build pipeline yet",
                hint="update deskpro-cli",
            ) from exc
        raise DeskproError("the build pipeline is not wired into serve yet")

    return step
