"""The build step ``deskpro serve`` uses: the shared pipeline of ``package``, in serve mode.

Serve mode: not minified, no secrets scan, no zip. The output folder is the empty staging folder
the server hands over; the server then lays the bundle out for Dev Mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from deskpro_cli.devserver.contract import BuildStep
from deskpro_cli.problems import Problem


def pipeline_build_step(
    *,
    compiler: Literal["auto", "esbuild", "none"] = "auto",
    esbuild: Path | None = None,
    sourcemaps: bool = True,
) -> BuildStep:
    """A :data:`~deskpro_cli.devserver.server.BuildStep` running the shared build pipeline.

    Source maps are on by default: they never reach a zip, and they make the browser's
    developer tools show the app's own files.
    """

    def step(project_dir: Path, out_dir: Path) -> Sequence[Problem]:
        from deskpro_cli.build.pipeline import BuildOptions, build

        options = BuildOptions(
            mode="serve",
            out_dir=out_dir,
            compiler=compiler,
            esbuild=esbuild,
            sourcemaps=sourcemaps,
        )
        return build(project_dir, options).warnings

    return step
