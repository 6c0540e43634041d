"""Lay out a project the way the helpdesk serves it (``html/``, ``assets/``, ``manifest.json``).

Until ``deskpro package`` lands this copies the old tool's layout by hand (spec/deskpro-apps-v1.md
§3.1: ``src/main/html`` -> ``html/``, ``src/main/resources`` -> ``assets/``, the resolved
manifest), which is all the buildless templates' sidebars need.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from deskpro_cli.manifest import dumps_resolved, load_source, resolve


def built_app(project: Path, out: Path) -> Path:
    """The app as served: ``out`` holds ``html/``, ``assets/`` and ``manifest.json``."""
    out.mkdir(parents=True)
    shutil.copytree(project / "src" / "main" / "html", out / "html")
    shutil.copytree(project / "src" / "main" / "resources", out / "assets")
    (out / "manifest.json").write_text(dumps_resolved(resolve(load_source(project))))
    return out
