"""The old tool's two reference apps: boilerplate clean, OAuth guide with two warnings."""

from __future__ import annotations

import json
from pathlib import Path

from deskpro_cli.manifest import parse_literal

from conftest import CliFixture


def project(shared: Path, tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    root.mkdir()
    src = shared / "spec" / "dpat-output" / f"{name}.package.json"
    (root / "package.json").write_bytes(src.read_bytes())
    return root


def test_boilerplate_is_clean(cli: CliFixture, shared_dir: Path, tmp_path: Path) -> None:
    root = project(shared_dir, tmp_path, "boilerplate")
    report = json.loads(cli("validate", root, "--json", "--strict").stdout)
    assert report == {
        "ok": True,
        "source": report["source"],
        "schema_version": "2.3.0",
        "problems": [],
    }


def test_oauth_guide_gets_its_two_warnings(
    cli: CliFixture, shared_dir: Path, tmp_path: Path
) -> None:
    root = project(shared_dir, tmp_path, "oauth-example")
    text = (root / "package.json").read_text()
    report = json.loads(cli("validate", root, "--json").stdout)
    assert report["ok"] is True
    secret, regex = report["problems"]

    assert (secret["rule"], secret["severity"]) == ("DP205", "warning")
    assert secret["pointer"] == "/deskpro/settings/1/name"
    assert text.splitlines()[secret["line"] - 1][secret["column"] - 1 :].startswith(
        '"githubClientSecret"'
    )
    assert "every agent" in secret["message"]
    assert '"isBackendOnly": true' in secret["hint"]

    assert (regex["rule"], regex["severity"]) == ("DP212", "warning")
    assert regex["pointer"] == "/deskpro/externalApis/0"
    assert "https://github.com.attacker.example/" in regex["message"]
    # the hint's regex really is the fix: it admits GitHub and its API, not the look-alike
    suggested = json.loads(regex["hint"].split("e.g. ", 1)[1])
    fixed = parse_literal(suggested)
    assert fixed.admits("https://github.com/login/oauth/access_token")
    assert fixed.admits("https://api.github.com/user")
    assert not fixed.admits("https://github.com.attacker.example/")
    assert not fixed.admits("https://github.com@attacker.example/")

    run = cli("validate", root)
    assert run.stdout.count("warning DP") == 2 and "hint:" in run.stdout
    cli("validate", root, "--strict", code=1)
