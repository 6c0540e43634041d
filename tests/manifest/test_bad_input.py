"""Bad input: a clear message naming the file and place, the right exit code, no traceback."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.errors import ProblemsFound
from deskpro_cli.manifest import load_source

from .helpers import PACKAGE, package
from conftest import CliFixture


def check_bad(
    cli: CliFixture, path: Path, rule: str, words: str, *, unreadable: bool = True
) -> dict:
    """Run validate on ``path`` in text and JSON mode; return the one problem (as JSON).

    ``unreadable``: the manifest cannot even be read, so `manifest show` fails too.
    """
    run = cli("validate", path, code=1)
    assert "Traceback" not in run.output
    assert f"error {rule} " in run.stdout, run.output
    assert words in run.stdout, run.output
    assert "hint: " in run.stdout
    report = json.loads(cli("validate", path, "--json", code=1).stdout)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert problem["rule"] == rule and problem["hint"]
    # the other commands that read a manifest fail the same way, through the error funnel
    shown = cli("manifest", "show", path, "--resolved", code=1)
    assert rule in shown.stderr and "Traceback" not in shown.output
    if unreadable:
        cli("manifest", "show", path, code=1)
    return problem


def test_invalid_json_points_at_line_and_column(cli: CliFixture, tree) -> None:
    root = tree(
        {"package.json": '{\n  "name": "x",\n  "deskpro": {\n    "version": "2.3.0",,\n  }\n}\n'}
    )
    problem = check_bad(cli, root, "DP001", "invalid JSON")
    assert (problem["line"], problem["column"]) == (4, 24)
    run = cli("validate", root, code=1)
    assert "package.json:4:24: error DP001" in run.stdout
    assert "hint: fix the JSON syntax at this line and column" in run.stdout


def test_a_file_that_is_not_json_is_named_as_the_wrong_path(cli: CliFixture, tree) -> None:
    root = tree({"src/main/html/index.html": "<!DOCTYPE html>\n<p>hi</p>\n"})
    for command in ("validate", "package"):
        run = cli(command, root / "src/main/html/index.html", "--json", code=1)
        (problem,) = json.loads(run.stdout)["problems"]
        assert problem["rule"] == "DP001"
        assert problem["hint"].startswith("this file is not a manifest: point PATH at")
    run = cli("validate", root / "src/main/html/index.html", code=1)
    assert "JSON syntax" not in run.output  # the file is fine; the PATH is wrong


def test_trailing_comma_is_named(cli: CliFixture, tree) -> None:
    root = tree({"package.json": '{"deskpro": {"version": "2.3.0",}}'})
    problem = check_bad(cli, root, "DP001", "Trailing comma")
    assert (problem["line"], problem["column"]) == (1, 32)  # the comma itself


def test_bom(cli: CliFixture, tree) -> None:
    root = tree({"package.json": b"\xef\xbb\xbf" + json.dumps(PACKAGE).encode()})
    problem = check_bad(cli, root, "DP003", "byte order mark")
    assert (problem["line"], problem["column"]) == (1, 1)
    assert "without BOM" in problem["hint"]


def test_not_utf8_names_the_byte_and_its_place(cli: CliFixture, tree) -> None:
    text = json.dumps(package(title="Caf\u00e9"), indent=2, ensure_ascii=False).encode("latin-1")
    root = tree({"package.json": text})
    problem = check_bad(cli, root, "DP002", "not UTF-8")
    line = text.split(b"\n").index(next(x for x in text.split(b"\n") if b"\xe9" in x)) + 1
    assert problem["line"] == line
    assert problem["column"] == text.split(b"\n")[line - 1].index(b"\xe9") + 1
    assert "0xe9" in json.dumps(problem)


def test_utf16(cli: CliFixture, tree) -> None:
    root = tree({"package.json": json.dumps(PACKAGE).encode("utf-16")})
    check_bad(cli, root, "DP002", "UTF-16")


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n"])
def test_empty_file(cli: CliFixture, tree, content: bytes) -> None:
    root = tree({"package.json": content})
    check_bad(cli, root, "DP004", "empty")


@pytest.mark.parametrize(
    ("text", "what"), [("[1, 2]", "an array"), ('"deskpro"', "a string"), ("42", "a number")]
)
def test_top_level_not_an_object(cli: CliFixture, tree, text: str, what: str) -> None:
    root = tree({"manifest.json": text, "src/.keep": ""})
    problem = check_bad(cli, root, "DP005", what)
    assert problem["file"].endswith("manifest.json")


def test_deskpro_key_missing(cli: CliFixture, tree) -> None:
    root = tree({"package.json": '{"name": "x", "version": "1.0.0"}'})
    check_bad(cli, root, "DP006", 'no "deskpro" key')


def test_a_node_projects_package_json_says_what_it_is(cli: CliFixture, tree) -> None:
    node = {"name": "x", "version": "1.0.0", "scripts": {"test": "jest"}, "private": True}
    root = tree({"package.json": json.dumps(node)})
    problem = check_bad(cli, root, "DP006", "this is not a Deskpro app, or its manifest is in")
    assert "deskpro init" in problem["hint"]
    # under another name it is still recognised as a package.json (not "no version")
    root = tree({"package.backup.json": json.dumps(node)})
    problem = check_bad(cli, root / "package.backup.json", "DP006", "(an npm package.json)")
    assert (problem["line"], problem["column"]) == (1, 1)


def test_package_json_without_deskpro_points_at_the_manifest_json_beside_it(
    cli: CliFixture, tree
) -> None:
    root = tree(
        {
            "package.json": '{"name": "x", "version": "1.0.0"}',
            "manifest.json": json.dumps(PACKAGE["deskpro"]),
        }
    )
    problem = check_bad(cli, root / "package.json", "DP006", 'has no "deskpro" key')
    assert "manifest is " in problem["hint"] and "manifest.json" in problem["hint"]
    assert "deskpro validate " in problem["hint"]


SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"version": {"type": "string"}, "targets": {"type": "array"}},
    "required": ["version", "targets"],
}
PWA = {
    "short_name": "React App",
    "name": "Create React App Sample",
    "icons": [{"src": "favicon.ico", "sizes": "64x64", "type": "image/x-icon"}],
    "start_url": ".",
    "display": "standalone",
}
TSCONFIG = {"compilerOptions": {"strict": True}, "include": ["src"]}


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        (SCHEMA, "this is a JSON Schema"),
        ({k: v for k, v in SCHEMA.items() if k != "$schema"}, "this is a JSON Schema"),
        (PWA, "this is a web app manifest"),
        (TSCONFIG, "none of its keys (compilerOptions, include) is a manifest's"),
    ],
    ids=["json-schema", "schema-without-$schema", "web-app-manifest", "tsconfig"],
)
def test_a_file_that_is_something_else_says_what_it_is(
    cli: CliFixture, tree, doc: dict, words: str
) -> None:
    for name in ("manifest.json", "other.json"):
        root = tree({name: json.dumps(doc, indent=2), "src/.keep": ""})
        path = root if name == "manifest.json" else root / name
        problem = check_bad(cli, path, "DP023", words)
        assert "not a Deskpro app manifest" in problem["message"]
        assert (problem["line"], problem["column"]) == (1, 1) and problem["pointer"] == ""


def test_an_empty_object_or_a_manifest_with_a_schema_key_is_still_a_manifest(
    cli: CliFixture, tree
) -> None:
    root = tree({"manifest.json": "{}", "src/.keep": ""})
    check_bad(cli, root, "DP010", "no version", unreadable=False)
    # "$schema" for an editor's completion, but no targets: checked as a manifest
    doc = {k: v for k, v in PACKAGE["deskpro"].items() if k != "targets"}
    doc["$schema"] = "./manifest.schema.json"
    root = tree({"manifest.json": json.dumps(doc, indent=2), "src/.keep": ""})
    report = json.loads(cli("validate", root, "--json", code=1).stdout)
    rules = {p["rule"] for p in report["problems"]}
    assert "DP023" not in rules and "DP101" in rules


@pytest.mark.parametrize("value", ['"2.3.0"', "[]", "null"])
def test_deskpro_not_an_object(cli: CliFixture, tree, value: str) -> None:
    root = tree({"package.json": '{\n  "name": "x",\n  "deskpro": ' + value + "\n}"})
    problem = check_bad(cli, root, "DP006", "must be an object")
    assert (problem["pointer"], problem["line"], problem["column"]) == ("/deskpro", 3, 14)


@pytest.mark.parametrize("version", ["2.0.0", "3.0.0", "1.0"])
def test_unknown_version_names_the_supported_ones(cli: CliFixture, tree, version: str) -> None:
    root = tree({"package.json": json.dumps(package(version=version), indent=2)})
    problem = check_bad(cli, root, "DP011", f'"{version}" is not supported', unreadable=False)
    assert "2.1.0, 2.2.0, 2.3.0, 2.4.0" in problem["message"]
    assert problem["pointer"] == "/deskpro/version"


def test_version_not_a_string(cli: CliFixture, tree) -> None:
    root = tree({"package.json": json.dumps(package(version=2.3), indent=2)})
    problem = check_bad(cli, root, "DP011", "must be a string", unreadable=False)
    assert '"2.3.0"' in problem["hint"]


def test_missing_version(cli: CliFixture, tree) -> None:
    root = tree({"package.json": json.dumps(package(version=...), indent=2)})
    problem = check_bad(cli, root, "DP010", "no version", unreadable=False)
    assert "2.1.0, 2.2.0, 2.3.0, 2.4.0" in problem["message"]
    assert "app's version" in problem["hint"]


def test_folder_without_a_manifest(cli: CliFixture, tree) -> None:
    root = tree({"README.md": "hello"})
    check_bad(cli, root, "DP020", "no manifest here")


def test_folder_without_manifest_but_with_a_build_says_where_to_look(cli: CliFixture, tree) -> None:
    root = tree({"dist/manifest.json": "{}"})
    run = cli("validate", root, code=1)
    assert "deskpro validate" in run.stdout and "dist" in run.stdout


def test_huge_file_is_refused_without_reading_it(cli: CliFixture, tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    with path.open("wb") as f:
        f.truncate(64 * 1024 * 1024)  # sparse: 64 MB of nothing, instantly
    check_bad(cli, tmp_path, "DP004", "MB")


def test_corrupt_zip(cli: CliFixture, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("manifest.json", json.dumps(PACKAGE))
    bad = tmp_path / "app.zip"
    bad.write_bytes(good.read_bytes()[:-30])  # central directory cut short
    check_bad(cli, bad, "DP021", "not a readable zip")


def test_zip_with_a_damaged_entry(cli: CliFixture, tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(PACKAGE) * 20)
    data = bytearray(path.read_bytes())
    data[60] ^= 0xFF  # inside the compressed manifest
    path.write_bytes(bytes(data))
    check_bad(cli, path, "DP021", "manifest.json")


def test_zip_without_manifest(cli: CliFixture, tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("html/index.html", "<p>hi</p>")
    check_bad(cli, path, "DP022", "no manifest.json")


def test_zip_of_the_folder_instead_of_its_contents(cli: CliFixture, tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("dist/manifest.json", "{}")
    problem = check_bad(cli, path, "DP022", "no manifest.json")
    assert "dist/manifest.json" in problem["hint"]


def test_path_that_does_not_exist_is_a_usage_error(cli: CliFixture, tmp_path: Path) -> None:
    run = cli("validate", tmp_path / "nope", code=2)
    assert "does not exist" in run.output


def test_load_source_raises_problems_found(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{", encoding="utf-8")
    with pytest.raises(ProblemsFound) as info:
        load_source(tmp_path)
    assert info.value.problems[0].rule == "DP001"
    assert info.value.exit_code == 1


def test_absurdly_deep_nesting_is_refused_at_once(cli: CliFixture, tree) -> None:
    """100,000 nested arrays in 200 KB: a clear problem in well under a second, not gigabytes
    of memory; the editors refuse the file and leave it as it was."""
    deep = "[" * 100_000 + "]" * 100_000
    text = '{\n  "name": "x",\n  "junk": ' + deep + "\n}\n"
    root = tree({"package.json": text})
    problem = check_bad(cli, root, "DP004", "more than 128 levels deep")
    assert (problem["line"], problem["column"]) == (3, 11 + 128 - 1)
    run = cli("storage", "add", "apiKey", root, code=1)
    assert "DP004" in run.stderr
    assert (root / "package.json").read_text() == text


def test_lone_surrogates_are_printed_as_escapes(cli: CliFixture, tree) -> None:
    """JSON may escape a lone surrogate (\\ud800), which no encoding can print: every output
    shows it as its escape instead of crashing, and --json stays valid JSON meaning the same."""
    doc = package()
    doc["deskpro"]["title"] = "\ud800 title"
    doc["deskpro"]["bad\udc00key"] = 1
    root = tree({"package.json": json.dumps(doc)})  # json.dumps writes them as \\u escapes
    run = cli("validate", root, code=1)
    assert 'unknown key "bad\\udc00key"' in run.stdout
    report = json.loads(cli("validate", root, "--json", code=1).stdout)
    assert report["problems"][0]["message"].startswith('unknown key "bad\udc00key"')
    del doc["deskpro"]["bad\udc00key"]
    (root / "package.json").write_text(json.dumps(doc))
    assert "\\ud800 title" in cli("manifest", "show", root).stdout
    shown = json.loads(cli("manifest", "show", root, "--json").stdout)
    assert shown["manifest"]["title"] == "\ud800 title"
