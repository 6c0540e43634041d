"""The pinned CDN scripts: every SRI hash matches the file npm installs for that version."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from deskpro_cli.build import cdn


@pytest.mark.parametrize("script", cdn.ALL, ids=lambda s: s.package)
def test_integrity_matches_the_npm_file(script: cdn.CdnScript, react_modules: Path) -> None:
    path = react_modules / script.npm_path
    if not path.is_file():
        pytest.fail(f"{script.npm_path} is missing from tests/node (npm ci there)")
    package = json.loads((react_modules / script.package / "package.json").read_text())
    assert package["version"] == script.version
    digest = base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()
    assert script.integrity == f"sha384-{digest}"


def test_urls_and_tags_are_pinned() -> None:
    assert cdn.REACT.url == "https://cdn.jsdelivr.net/npm/react@18.3.1/umd/react.production.min.js"
    for script in cdn.ALL:
        assert f"@{script.version}/" in script.url
        tag = script.script_tag()
        assert f'src="{script.url}"' in tag
        assert f'integrity="{script.integrity}"' in tag
        assert 'crossorigin="anonymous"' in tag
    # React before ReactDOM: the UMD ReactDOM reads window.React when it loads.
    lines = cdn.react_script_tags().splitlines()
    assert [cdn.REACT.url in lines[0], cdn.REACT_DOM.url in lines[1]] == [True, True]
