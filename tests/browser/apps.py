"""Lay out a project the way the helpdesk serves it (``html/``, ``assets/``, ``manifest.json``).

Until ``deskpro package`` lands this copies the old tool's layout by hand (spec/deskpro-apps-v1.md
§3.1: ``src/main/html`` -> ``html/``, ``src/main/resources`` -> ``assets/``, the resolved
manifest) and compiles JSX with the real compiler (``deskpro_cli.build.compiler``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from deskpro_cli.build.compiler import CompileOptions, compile_project, needs_compile
from deskpro_cli.manifest import dumps_resolved, load_source, resolve


def built_app(project: Path, out: Path, *, esbuild: Path | None = None) -> Path:
    """The app as served: ``out`` holds ``html/``, ``assets/`` and ``manifest.json``."""
    out.mkdir(parents=True)
    if needs_compile(project):
        compile_project(
            project, out, CompileOptions(mode="serve", esbuild=esbuild, use_cache=False)
        )
    shutil.copytree(project / "src" / "main" / "html", out / "html")
    shutil.copytree(project / "src" / "main" / "resources", out / "assets", dirs_exist_ok=True)
    (out / "manifest.json").write_text(dumps_resolved(resolve(load_source(project))))
    return out
