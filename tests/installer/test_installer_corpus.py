"""render_installer on every real manifest of the corpus, resolved the way the zip gets it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from deskpro_cli.build.installer import INSTALL_HTML, render_installer
from deskpro_cli.errors import CheckFailed
from deskpro_cli.manifest.resolve import resolve
from deskpro_cli.manifest.source import load_source


def _corpus_files(shared: Path) -> list[Path]:
    return sorted((shared / "corpus" / "v1").glob("*.json"))


def _load_resolved(src: Path, tmp_path: Path) -> dict[str, object]:
    kind = (
        "package.json"
        if re.search(r"__package(@[0-9a-f]+)?\.json$", src.name)
        else ("manifest.json")
    )
    folder = tmp_path / src.stem
    folder.mkdir()
    shutil.copyfile(src, folder / kind)
    return resolve(load_source(folder / kind))


def test_every_corpus_manifest_renders_or_fails_clearly(shared_dir: Path, tmp_path: Path) -> None:
    rendered = 0
    for src in _corpus_files(shared_dir):
        manifest = _load_resolved(src, tmp_path)
        try:
            html = render_installer(manifest)[INSTALL_HTML].decode()
        except CheckFailed as exc:
            assert "/settings" in exc.message, src.name
            continue
        rendered += 1
        data = re.search(
            r'<script type="application/json" id="deskpro-installer-data">(.*?)</script>', html
        )
        assert data, src.name
        settings = manifest.get("settings") or []
        assert json.loads(data.group(1))["settings"] == settings, src.name
    assert rendered >= 30
