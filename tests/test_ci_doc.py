"""docs/ci.md's problem matcher really reads the problems the commands print."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from conftest import CliFixture

DOC = Path(__file__).resolve().parent.parent / "docs" / "ci.md"


def matcher() -> re.Pattern[str]:
    block = re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None, "docs/ci.md has no problem matcher"
    (pattern,) = json.loads(block.group(1))["problemMatcher"][0]["pattern"]
    assert (pattern["file"], pattern["line"], pattern["column"]) == (1, 2, 3)
    assert (pattern["severity"], pattern["code"], pattern["message"]) == (4, 5, 6)
    return re.compile(pattern["regexp"])


def problem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(r" (error|warning) DP\d{3} ", line)]


def test_lines_with_a_position(cli: CliFixture, tree) -> None:
    doc = {
        "name": "x",
        "version": "1.0.0",
        "description": "d",
        "author": {"name": "A", "email": "a@example.com"},
        "deskpro": {
            "version": "2.3.0",
            "scope": "agent",
            "targets": [{"target": "ticket-sidebr", "url": "html/index.html"}],
            "settings": [
                {
                    "name": "apiKey",
                    "title": "K",
                    "type": "text",
                    "required": True,
                    "defaultValue": "",
                }
            ],
        },
    }
    root = tree({"package.json": json.dumps(doc, indent=2) + "\n"})
    run = cli("validate", root, code=1)
    lines = problem_lines(run.output)
    assert {"error", "warning"} <= {m.group(4) for m in map(matcher().match, lines) if m}
    for line in lines:
        m = matcher().match(line)
        assert m is not None, line
        assert m.group(1).endswith("package.json") and m.group(2) and m.group(3)
        assert re.fullmatch(r"DP\d{3}", m.group(5)) and m.group(6)
    # hint lines are not problems
    hints = [line for line in run.output.splitlines() if line.lstrip().startswith("hint:")]
    assert hints and not any(matcher().match(h) for h in hints)


def test_lines_without_a_position(cli: CliFixture, tmp_path: Path) -> None:
    app = tmp_path / "app.zip"
    with zipfile.ZipFile(app, "w") as zf:
        zf.writestr("readme.txt", "not an app")
    run = cli("validate", app, code=1)
    (line,) = problem_lines(run.output)
    m = matcher().match(line)
    assert m is not None, line
    assert m.group(1).endswith("app.zip") and m.group(2) is None and m.group(3) is None
    assert (m.group(4), m.group(5)) == ("error", "DP022")
