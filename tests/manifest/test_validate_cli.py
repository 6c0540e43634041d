"""`deskpro validate` and `deskpro manifest show` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CliFixture

BOILERPLATE_LIKE = """\
{
  "name": "my-app",
  "version": "1.0.0",
  "description": "An app",
  "author": {"name": "Me", "email": "me@example.com"},
  "deskpro": {
    "version": "2.3.0",
    "title": "My app",
    "isSingle": true,
    "scope": "agent",
    "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
    "storage": [],
    "settings": [],
    "externalApis": []
  }
}
"""


def test_validate_a_valid_project(cli: CliFixture, tree) -> None:
    root = tree({"package.json": BOILERPLATE_LIKE})
    run = cli("validate", root)
    assert "valid (manifest 2.3.0)" in run.output
    run = cli("validate", root / "package.json", "--json")
    report = json.loads(run.stdout)
    assert report["ok"] is True and report["schema_version"] == "2.3.0"
    assert report["problems"] == []
    assert report["source"].endswith("package.json")


def test_validate_reports_like_a_compiler_and_exits_1(cli: CliFixture, tree) -> None:
    text = BOILERPLATE_LIKE.replace('"ticket-sidebar"', '"ticket-sidbar"')
    root = tree({"package.json": text})
    run = cli("validate", root, code=1)
    line = next(x for x in run.stdout.splitlines() if "DP105" in x)
    # package.json:11:28: error DP105 "ticket-sidbar" is not a target name (did you mean ...)
    where, _, rest = line.partition(": error DP105 ")
    assert where.endswith("package.json:11:28")
    assert 'did you mean "ticket-sidebar"' in rest
    assert "invalid (manifest 2.3.0), 1 error" in run.stdout
    report = json.loads(cli("validate", root, "--json", code=1).stdout)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert problem["pointer"] == "/deskpro/targets/0/target"
    assert (problem["line"], problem["column"]) == (11, 28)


def test_strict_fails_on_warnings(cli: CliFixture, shared_dir: Path, tmp_path: Path) -> None:
    src = shared_dir / "spec" / "dpat-output" / "oauth-example.package.json"
    (tmp_path / "package.json").write_bytes(src.read_bytes())
    cli("validate", tmp_path)
    run = cli("validate", tmp_path, "--strict", "--json", code=1)
    report = json.loads(run.stdout)
    assert report["ok"] is False
    assert {p["severity"] for p in report["problems"]} == {"warning"}


def test_manifest_show_as_written_and_resolved(
    cli: CliFixture, shared_dir: Path, tmp_path: Path
) -> None:
    out = shared_dir / "spec" / "dpat-output"
    (tmp_path / "package.json").write_bytes((out / "oauth-example.package.json").read_bytes())
    declared = json.loads(cli("manifest", "show", tmp_path).stdout)
    assert declared == json.loads((out / "oauth-example.package.json").read_text())["deskpro"]
    run = cli("manifest", "show", tmp_path, "--resolved", "--json")
    shown = json.loads(run.stdout)
    assert shown["resolved"] is True and shown["schema_version"] == "2.3.0"
    assert shown["manifest"] == json.loads((out / "oauth-example.manifest.json").read_text())
    assert "DP205" in run.stderr  # warnings go to stderr, stdout stays one JSON object
    # ... in the same form as validate gives them
    line = next(x for x in run.stderr.splitlines() if "DP205" in x)
    assert line in cli("validate", tmp_path).stdout.splitlines()
    assert line.startswith(f"{tmp_path / 'package.json'}:63:17: warning DP205 ")


def test_manifest_show_resolved_refuses_an_invalid_manifest(cli: CliFixture, tree) -> None:
    root = tree({"package.json": BOILERPLATE_LIKE.replace('"scope": "agent"', '"scope": "agents"')})
    run = cli("manifest", "show", root, "--resolved", code=1)
    assert "DP103" in run.stderr and run.stdout == ""
    run = cli("manifest", "show", root, "--resolved", "--json", code=1)
    assert json.loads(run.stdout)["ok"] is False


def test_heavy_modules_load_only_when_needed(tree) -> None:
    """`--help` loads no manifest code; validating a valid manifest never imports jsonschema."""
    import subprocess
    import sys

    root = tree({"package.json": BOILERPLATE_LIKE})

    def imported(*args: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "deskpro_cli", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert "Traceback" not in done.stderr
        return {
            line.rsplit("|", 1)[1].strip()
            for line in done.stderr.splitlines()
            if line.startswith("import time:")
        }

    help_imports = imported("--help")
    assert not any(m.startswith("deskpro_cli.manifest") for m in help_imports)
    assert "jsonschema" not in help_imports
    valid = imported("validate", str(root))
    assert "deskpro_cli.manifest.validate" in valid and "jsonschema" not in valid
    # every rule runs on this one (secret setting, OAuth storage, a look-alike whitelist entry),
    # and still nothing slow to import is loaded (docs/architecture.md, start-up)
    busy = json.loads(BOILERPLATE_LIKE)
    busy["deskpro"]["settings"] = [
        {"name": "clientSecret", "title": "S", "type": "text", "required": True, "defaultValue": ""}
    ]
    connection = {"isBackendOnly": True, "permRead": "EVERYBODY", "permWrite": "OWNER"}
    busy["deskpro"]["storage"] = [{"name": "oauth:github", **connection}]
    busy["deskpro"]["externalApis"] = ["/^https?://([^.]+\\.)*github.com/?.*$/"]
    loaded = imported("validate", str(tree({"package.json": json.dumps(busy)})))
    assert "deskpro_cli.manifest.rules" in loaded
    assert not loaded & {"jsonschema", "pathlib", "dataclasses", "logging", "zipfile"}
    invalid = tree({"package.json": BOILERPLATE_LIKE.replace('"agent"', '"agents"')})
    assert "jsonschema" in imported("validate", str(invalid))


def test_a_reader_that_goes_away_ends_it_quietly(tmp_path: Path) -> None:
    """`deskpro validate | head -1`: when the reader closes the pipe, no traceback and no
    message; the status is 141 (what a shell reports for a program SIGPIPE ended), or the
    verdict itself when the output was handed over whole before the reader left."""
    import subprocess
    import sys

    doc = json.loads(BOILERPLATE_LIKE)
    doc["deskpro"].update({f"unknown{i}": i for i in range(3000)})  # 6,000 lines of output
    (tmp_path / "package.json").write_text(json.dumps(doc, indent=1))
    for extra in ([], ["--json"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "deskpro_cli", "validate", str(tmp_path), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) in (141, 1), err
        assert err == ""
