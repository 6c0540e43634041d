"""The build step ``deskpro serve`` uses: the shared pipeline of ``package``, in serve mode.

Serve mode: not minified, no secrets scan, no zip. The output folder is the empty staging folder
the server hands over; the server then lays the bundle out for Dev Mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from deskpro_cli.devserver.contract import BuildStep
from deskpro_cli.errors import DeskproError
from deskpro_cli.problems import Problem

#: How the pipeline's hints end; a served app is not run again, it is saved again.
_AGAIN = ("run deskpro serve again", "run the command again")


def pipeline_build_step(
    *,
    compiler: Literal["auto", "esbuild", "none"] = "auto",
    esbuild: Path | None = None,
    sourcemaps: bool = True,
    watching: bool = True,
) -> BuildStep:
    """A :data:`~deskpro_cli.devserver.contract.BuildStep` running the shared build pipeline.

    Source maps are on by default: they never reach a zip, and they make the browser's
    developer tools show the app's own files. ``watching`` words the hints of failed builds
    ("save" rather than "run the command again").
    """
    again = (
        "save: deskpro serve rebuilds by itself"
        if watching
        else "restart deskpro serve (it was started with --no-watch)"
    )

    def step(project_dir: Path, out_dir: Path) -> Sequence[Problem]:
        from deskpro_cli.build.pipeline import BuildOptions, build

        options = BuildOptions(
            mode="serve",
            out_dir=out_dir,
            compiler=compiler,
            esbuild=esbuild,
            sourcemaps=sourcemaps,
        )
        try:
            return build(project_dir, options).warnings
        except DeskproError as exc:
            if exc.hint:
                for phrase in _AGAIN:
                    exc.hint = exc.hint.replace(phrase, again)
            raise

    return step
