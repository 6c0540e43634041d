"""``deskpro settings|storage|domains``: what each edit writes, refuses, prints and keeps."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from .edit_support import manifest_json, package_json, write_project
from conftest import CliFixture

OAUTH_EXAMPLE = "v1/DeskproApps__dev-guide-oauth2__package.json"


@pytest.fixture
def oauth_app(shared_dir: Path, tmp_path: Path) -> Path:
    """A copy of the GitHub OAuth example app's package.json, in a project folder."""
    folder = tmp_path / "oauth-app"
    folder.mkdir()
    shutil.copyfile(shared_dir / "corpus" / OAUTH_EXAMPLE, folder / "package.json")
    return folder


def deskpro(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["deskpro"]


# -- settings -------------------------------------------------------------------------------
def test_settings_add_secret_is_backend_only_and_touches_only_its_lines(
    cli: CliFixture, oauth_app: Path
) -> None:
    pkg = oauth_app / "package.json"
    before = pkg.read_text(encoding="utf-8")
    run = cli("settings", "add", "githubToken", oauth_app, "--title", "A token", "--required")
    assert "looks like a secret" in run.stderr and "--no-backend-only" in run.stderr
    tail = '"type": "text"\n      }\n    ],\n    "customFields"'
    assert before.count(tail) == 1
    new_item = (
        '"type": "text"\n      },\n      {\n        "name": "githubToken",\n'
        '        "title": "A token",\n        "type": "text",\n        "required": true,\n'
        '        "defaultValue": "",\n        "isBackendOnly": true\n      }\n    ],\n'
        '    "customFields"'
    )
    assert pkg.read_text(encoding="utf-8") == before.replace(tail, new_item)
    cli("validate", oauth_app)


def test_settings_add_no_backend_only_is_honoured_with_a_warning(
    cli: CliFixture, oauth_app: Path
) -> None:
    run = cli("settings", "add", "apiKey", oauth_app, "--title", "Key", "--no-backend-only")
    setting = deskpro(oauth_app / "package.json")["settings"][-1]
    assert setting["isBackendOnly"] is False
    assert "DP205" in run.stderr and "so it is backend-only" not in run.stderr


def test_settings_add_an_existing_name_is_refused(cli: CliFixture, oauth_app: Path) -> None:
    pkg = oauth_app / "package.json"
    before = pkg.read_bytes()
    run = cli("settings", "add", "githubClientId", oauth_app, "--title", "x", code=1)
    assert "already exists (line 55)" in run.stderr
    assert pkg.read_bytes() == before


def test_settings_add_typed_settings(cli: CliFixture, tmp_path: Path) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    cli(
        "settings",
        "add",
        "color",
        pkg.parent,
        "--title",
        "Colour",
        "--type",
        "choice",
        "--choice",
        "r=Red",
        "--choice",
        "g",
        "--default",
        "g",
    )
    cli(
        "settings",
        "add",
        "enabled",
        pkg.parent,
        "--title",
        "On?",
        "--type",
        "boolean",
        "--default",
        "yes",
    )
    cli("settings", "add", "sha", pkg.parent, "--title", "SHA", "--validator", "^[0-9a-f]{40}$")
    settings = deskpro(pkg)["settings"]
    assert settings == [
        {
            "name": "color",
            "title": "Colour",
            "type": "choice",
            "required": False,
            "defaultValue": "g",
            "multi": False,
            "choices": [{"title": "Red", "value": "r"}, {"title": "g", "value": "g"}],
        },
        {
            "name": "enabled",
            "title": "On?",
            "type": "boolean",
            "required": False,
            "defaultValue": True,
        },
        {
            "name": "sha",
            "title": "SHA",
            "type": "text",
            "required": False,
            "defaultValue": "",
            "validator": {"type": "regex", "pattern": "^[0-9a-f]{40}$"},
        },
    ]
    cli("validate", pkg.parent)


@pytest.mark.parametrize(
    "args",
    [
        ["--type", "choice"],  # no choices
        ["--type", "choice", "--choice", "a", "--default", "b"],
        ["--type", "boolean", "--default", "maybe"],
        ["--validator", "(unclosed"],
        ["--type", "boolean", "--validator", "x"],
        ["--choice", "a"],
    ],
)
def test_settings_add_bad_options_are_usage_errors(
    cli: CliFixture, tmp_path: Path, args: list[str]
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()
    run = cli("settings", "add", "x", pkg.parent, "--title", "X", *args, code=2)
    assert "error:" in run.stderr and "Traceback" not in run.output
    assert pkg.read_bytes() == before


@pytest.mark.parametrize("option", [["--choice", "eu"], ["--multi"]])
def test_choice_options_without_type_choice_say_to_add_it(
    cli: CliFixture, tmp_path: Path, option: list[str]
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    run = cli("settings", "add", "x", pkg.parent, "--title", "X", *option, code=2)
    assert "(this setting is text)" in run.stderr
    assert "hint: add --type choice" in run.stderr


def test_settings_remove_and_list(cli: CliFixture, oauth_app: Path) -> None:
    run = cli("settings", "list", oauth_app)
    assert run.stdout.splitlines()[0].split() == [
        "NAME",
        "TYPE",
        "REQUIRED",
        "BACKEND-ONLY",
        "DEFAULT",
        "TITLE",
    ]
    assert "githubClientSecret  text  yes       no (secret?)" in run.stdout
    data = json.loads(cli("settings", "list", oauth_app, "--json").stdout)
    assert data["schema_version"] == "2.3.0"
    assert [s["name"] for s in data["settings"]] == [
        "githubClientId",
        "githubClientSecret",
        "githubCallbackURL",
    ]
    assert data["settings"][1]["looks_secret"] is True

    cli("settings", "remove", "githubClientSecret", oauth_app)
    names = [s["name"] for s in deskpro(oauth_app / "package.json")["settings"]]
    assert names == ["githubClientId", "githubCallbackURL"]
    run = cli("settings", "remove", "githubClientSecrt", oauth_app, code=1)
    assert "did you mean" in run.stderr.lower()


# -- storage --------------------------------------------------------------------------------
def test_storage_oauth_defaults(cli: CliFixture, tmp_path: Path) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"), indent=4)
    run = cli("storage", "add", "oauth:github", pkg.parent)
    assert "backend-only" in run.output
    cli("storage", "add", "oauth:github:tokens", pkg.parent)
    cli("storage", "add", "cache", pkg.parent, "--write", "everybody")
    assert deskpro(pkg)["storage"] == [
        {
            "name": "oauth:github",
            "isBackendOnly": True,
            "permRead": "EVERYBODY",
            "permWrite": "OWNER",
        },
        {
            "name": "oauth:github:tokens",
            "isBackendOnly": True,
            "permRead": "OWNER",
            "permWrite": "OWNER",
        },
        {
            "name": "cache",
            "isBackendOnly": False,
            "permRead": "EVERYBODY",
            "permWrite": "EVERYBODY",
        },
    ]
    assert '\n    "deskpro": {\n' in pkg.read_text()  # still 4 spaces
    listing = json.loads(cli("storage", "list", pkg.parent, "--json").stdout)
    assert listing["key"] == "storage" and len(listing["storage"]) == 3
    assert (
        "oauth:github:tokens  yes           OWNER      OWNER"
        in cli("storage", "list", pkg.parent).stdout
    )


def test_storage_add_that_would_leak_is_refused(cli: CliFixture, tmp_path: Path) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()
    run = cli("storage", "add", "oauth:github", pkg.parent, "--no-backend-only", code=1)
    assert "DP203" in run.stderr and "nothing was written" in run.stderr
    assert pkg.read_bytes() == before
    cli(
        "storage",
        "add",
        "oauth:github:tokens",
        pkg.parent,
        "--no-backend-only",
        "--read",
        "EVERYBODY",
        code=1,
    )
    assert pkg.read_bytes() == before


def test_storage_remove(cli: CliFixture, oauth_app: Path) -> None:
    cli("storage", "remove", "oauth:github:tokens", oauth_app)
    assert [s["name"] for s in deskpro(oauth_app / "package.json")["storage"]] == ["oauth:github"]
    cli("storage", "remove", "nope", oauth_app, code=1)


# -- domains --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "key"), [("2.3.0", "externalApis"), ("2.4.0", "domainWhitelist")]
)
def test_domains_add_host_to_the_versions_key(
    cli: CliFixture, tmp_path: Path, version: str, key: str
) -> None:
    pkg = write_project(tmp_path / "app", package_json(version))
    run = cli("domains", "add", "api.github.com", pkg.parent)
    assert "api.github.com, over https only, any path" in run.stderr
    cli("domains", "add", "*.example.com", pkg.parent)
    entries = deskpro(pkg)[key]
    assert entries == [
        "/^https:\\/\\/api\\.github\\.com(:[0-9]+)?(\\/.*)?$/",
        "/^https:\\/\\/([a-z0-9-]+\\.)+example\\.com(:[0-9]+)?(\\/.*)?$/",
    ]
    listing = json.loads(cli("domains", "list", pkg.parent, "--json").stdout)
    assert listing["key"] == key
    assert listing["domains"][1]["reading"].startswith(
        "any subdomain of example.com (not example.com itself), over https only, any path"
    )
    cli("validate", pkg.parent)
    cli("domains", "remove", "api.github.com", pkg.parent)
    cli("domains", "remove", entries[1], pkg.parent)
    assert deskpro(pkg)[key] == []


def test_storage_permissions_are_shown_as_the_manifest_spells_them(
    cli: CliFixture, tmp_path: Path
) -> None:
    assert "--read [EVERYBODY|OWNER]" in cli("storage", "add", "--help").stdout
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    run = cli("storage", "add", "x", pkg.parent, "--read", "nobody", code=2)
    assert "'nobody' is not one of 'EVERYBODY', 'OWNER'" in run.stderr
    cli("storage", "add", "x", pkg.parent, "--read", "owner")  # any case is taken
    assert deskpro(pkg)["storage"][-1]["permRead"] == "OWNER"


def test_domains_literal_is_checked(cli: CliFixture, tmp_path: Path) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()
    run = cli("domains", "add", "/^https:\\/\\/(x\\.com$/", pkg.parent, code=2)
    assert "does not compile" in run.stderr
    cli("domains", "add", "api.github.com/v3", pkg.parent, code=2)
    cli("domains", "add", "not a host", pkg.parent, code=2)
    assert pkg.read_bytes() == before
    cli("domains", "add", "/^https:\\/\\/x\\.com\\/api\\/.*$/", pkg.parent)
    assert deskpro(pkg)["externalApis"] == ["/^https:\\/\\/x\\.com\\/api\\/.*$/"]


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        ("api.example.com:8443", "leave out the port (give api.example.com)"),
        ("münchen.de", "(punycode): xn--mnchen-3ya.de"),
        ("*.bücher.example", "(punycode): *.xn--bcher-kva.example"),
    ],
    ids=["port", "idn", "idn-wildcard"],
)
def test_domains_host_refusal_names_the_fix(
    cli: CliFixture, tmp_path: Path, pattern: str, hint: str
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()
    run = cli("domains", "add", pattern, pkg.parent, code=2)
    assert hint in run.stderr.split("hint: ", 1)[1]
    assert pkg.read_bytes() == before
    fixed = hint.rsplit(" ", 1)[-1].rstrip(")")  # the host the hint gives
    cli("domains", "add", fixed, pkg.parent)  # ... is accepted


def test_domains_path_refusal_suggests_a_regex_for_that_path(
    cli: CliFixture, tmp_path: Path
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    run = cli("domains", "add", "https://API.example.com/v1/", pkg.parent, code=2)
    literal = "/^https:\\/\\/api\\.example\\.com\\/v1(\\/.*)?$/"
    assert f"e.g. '{literal}'" in run.stderr  # their host and path, not someone else's
    run = cli("domains", "add", literal, pkg.parent)  # the suggestion is a usable literal
    assert deskpro(pkg)["externalApis"] == [literal]
    assert "no host name could be read" not in run.output
    # and `domains list` reads it back in words, path included
    listed = cli("domains", "list", pkg.parent).stdout
    assert "api.example.com, over https only, only paths under /v1" in listed


@pytest.mark.parametrize(
    ("literal", "words"),
    [
        (
            r"/^https:\/\/api\.example\.com\/v2$/",
            "api.example.com, over https only, only the path /v2",
        ),
        (
            r"/^https?:\/\/api\.example\.com\/v2\.1\/users\/.*$/",
            "api.example.com, over https or plain http, only paths under /v2.1/users",
        ),
        (r"/^https:\/\/(a|b)\.example\.com\/x$/", "a custom pattern; no host name could be read"),
    ],
)
def test_domains_list_reads_path_limited_entries(literal: str, words: str) -> None:
    from deskpro_cli.manifest.edit_domains import read_entry

    assert read_entry(literal).words.startswith(words)


def test_domains_list_reads_the_guides_regex_and_warns(cli: CliFixture, oauth_app: Path) -> None:
    run = cli("domains", "list", oauth_app)
    assert "/^https?://([^.]+\\.)*github.com/?.*$/" in run.stdout
    assert "github.com and any subdomain of it, over https or plain http, any path" in run.stdout
    assert "also admits https://github.com.attacker.example/" in run.stdout
    run = cli("domains", "remove", "github.com", oauth_app, code=1)
    assert "remove it by its literal" in run.stderr


# -- every edit -----------------------------------------------------------------------------
def test_dry_run_prints_the_diff_and_writes_nothing(cli: CliFixture, oauth_app: Path) -> None:
    pkg = oauth_app / "package.json"
    before = pkg.read_bytes()
    mtime = pkg.stat().st_mtime_ns
    run = cli("storage", "add", "apiToken", oauth_app, "--dry-run")
    assert run.stdout.startswith("--- a/")
    assert '+        "name": "apiToken",' in run.stdout
    assert "nothing was written" in run.stderr
    assert pkg.read_bytes() == before and pkg.stat().st_mtime_ns == mtime


def test_invalid_json_is_refused_with_line_and_column(cli: CliFixture, tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    pkg = folder / "package.json"
    pkg.write_text('{\n  "name": "x",\n  "deskpro": {\n    "version": "2.3.0",\n  }\n}\n')
    before = pkg.read_bytes()
    for args in (
        ["settings", "add", "a", folder, "--title", "A"],
        ["domains", "add", "a.com", folder],
    ):
        run = cli(*args, code=1)
        assert "package.json:4:23" in run.stderr and "DP001" in run.stderr  # the comma
        assert pkg.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["package.json"]


def test_an_already_invalid_manifest_is_not_edited(cli: CliFixture, tmp_path: Path) -> None:
    doc = package_json("2.3.0")
    del doc["deskpro"]["targets"]
    pkg = write_project(tmp_path / "app", doc)
    before = pkg.read_bytes()
    run = cli("storage", "add", "x", pkg.parent, code=1)
    assert "DP101" in run.stderr and "already in the file" in run.stderr
    assert pkg.read_bytes() == before


def test_unknown_version_and_built_apps_are_refused(cli: CliFixture, tmp_path: Path) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.0.0"))
    run = cli("storage", "add", "x", pkg.parent, code=1)
    assert "2.0.0" in run.stderr
    dist = tmp_path / "dist"
    write_project(dist, manifest_json("2.3.0"), kind="manifest.json")
    run = cli("storage", "add", "x", dist, code=2)
    assert "built app" in run.stderr


def test_the_lists_read_a_built_app_too(cli: CliFixture, tmp_path: Path) -> None:
    """Listing only reads: a dist/ folder or an app.zip can be inspected; editing one is not."""
    import zipfile

    doc = manifest_json(
        "2.3.0",
        settings=[
            {
                "name": "apiKey",
                "title": "Key",
                "type": "text",
                "required": True,
                "defaultValue": "",
                "isBackendOnly": True,
            }
        ],
        externalApis=["/^https:\\/\\/api\\.example\\.com(\\/.*)?$/"],
    )
    zip_path = tmp_path / "app.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(doc))
        zf.writestr("html/index.html", "<p>x</p>")
    before = zip_path.read_bytes()
    assert "apiKey" in cli("settings", "list", zip_path).stdout
    assert json.loads(cli("storage", "list", zip_path, "--json").stdout)
    assert "api.example.com" in cli("domains", "list", zip_path).stdout
    cli("settings", "add", "other", zip_path, "--title", "Other", code=2)
    assert zip_path.read_bytes() == before


@pytest.mark.parametrize(
    ("indent", "crlf", "final_newline"),
    [(2, False, True), (4, True, False), ("\t", False, False), ("\t", True, True)],
)
def test_manifest_json_keeps_its_style(
    cli: CliFixture, tmp_path: Path, indent: int | str, crlf: bool, final_newline: bool
) -> None:
    doc = manifest_json("2.3.0", storage=[], settings=[], externalApis=[])
    doc["description"] = "Café ✓ — 日本"
    path = write_project(
        tmp_path / "app",
        doc,
        kind="manifest.json",
        indent=indent,
        crlf=crlf,
        final_newline=final_newline,
    )
    (tmp_path / "app" / "src").mkdir()
    cli("storage", "add", "note", path.parent)
    cli("settings", "add", "url", path.parent, "--title", "URL")
    cli("domains", "add", "api.example.com", path.parent)
    doc["storage"] = [
        {"name": "note", "isBackendOnly": False, "permRead": "EVERYBODY", "permWrite": "OWNER"}
    ]
    doc["settings"] = [
        {"name": "url", "title": "URL", "type": "text", "required": False, "defaultValue": ""}
    ]
    doc["externalApis"] = ["/^https:\\/\\/api\\.example\\.com(:[0-9]+)?(\\/.*)?$/"]
    expected = json.dumps(doc, indent=indent, ensure_ascii=False) + ("\n" if final_newline else "")
    if crlf:
        expected = expected.replace("\n", "\r\n")
    assert path.read_bytes() == expected.encode("utf-8")


def test_permissions_and_symlinks_are_kept(cli: CliFixture, tmp_path: Path) -> None:
    real = write_project(tmp_path / "real", package_json("2.3.0"))
    real.chmod(0o600)
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").symlink_to(real)
    cli("storage", "add", "x", app)
    assert (app / "package.json").is_symlink()
    assert deskpro(real)["storage"][0]["name"] == "x"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == ["package.json"]


def test_settings_list_shows_the_storage_override(cli: CliFixture, tmp_path: Path) -> None:
    doc = package_json(
        "2.3.0",
        settings=[
            {"name": "apiKey", "title": "Key", "type": "text", "required": True, "defaultValue": ""}
        ],
        storage=[
            {"name": "apiKey", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"}
        ],
    )
    pkg = write_project(tmp_path / "app", doc)
    data = json.loads(cli("settings", "list", pkg.parent, "--json").stdout)
    assert data["settings"][0]["access"] == {
        "isBackendOnly": True,
        "permRead": "OWNER",
        "permWrite": "OWNER",
    }
    assert "apiKey  text  yes       yes" in cli("settings", "list", pkg.parent).stdout
    run = cli("storage", "remove", "apiKey", pkg.parent)
    assert "its value now gets the default access" in run.stderr


def test_the_whitelist_key_follows_the_version_even_when_the_other_is_there(
    cli: CliFixture, tmp_path: Path
) -> None:
    pkg = write_project(
        tmp_path / "app", package_json("2.4.0", externalApis=["/^https:\\/\\/a\\.com$/"])
    )
    run = cli("domains", "add", "b.com", pkg.parent)
    assert "also has externalApis" in run.stderr
    manifest = deskpro(pkg)
    assert manifest["externalApis"] == ["/^https:\\/\\/a\\.com$/"]
    assert manifest["domainWhitelist"] == ["/^https:\\/\\/b\\.com(:[0-9]+)?(\\/.*)?$/"]
    assert "also has externalApis" in cli("domains", "list", pkg.parent).stderr


def test_a_manifest_that_keeps_storage_in_state(cli: CliFixture, tmp_path: Path) -> None:
    state = [{"name": "a", "isBackendOnly": False, "permRead": "EVERYBODY", "permWrite": "OWNER"}]
    pkg = write_project(tmp_path / "app", package_json("2.1.0", state=state))
    cli("storage", "add", "b", pkg.parent)
    manifest = deskpro(pkg)
    assert "storage" not in manifest
    assert [i["name"] for i in manifest["state"]] == ["a", "b"]


def test_a_file_changed_during_the_edit_is_not_overwritten(tmp_path: Path) -> None:
    from deskpro_cli.errors import CheckFailed
    from deskpro_cli.manifest.edit import Editor

    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    editor = Editor(pkg.parent)
    editor.append(
        "storage",
        {"name": "x", "isBackendOnly": False, "permRead": "EVERYBODY", "permWrite": "OWNER"},
    )
    pkg.write_text(pkg.read_text() + " ")  # someone else saves the file meanwhile
    changed = pkg.read_bytes()
    with pytest.raises(CheckFailed, match="changed on disk"):
        editor.commit("added x")
    assert pkg.read_bytes() == changed


def test_repeated_keys_near_the_edit_are_refused(cli: CliFixture, tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    text = json.dumps(package_json("2.3.0", storage=[]), indent=2)
    text = text.replace('"storage": []', '"storage": [],\n    "storage": []')
    (folder / "package.json").write_text(text)
    run = cli("storage", "add", "x", folder, code=1)
    line = text[: text.rindex('"storage"')].count("\n") + 1
    assert f"the key at /deskpro/storage (line {line}) appears more than once" in run.stderr
    assert (folder / "package.json").read_text() == text


def test_corpus_manifests_round_trip_through_the_commands(
    cli: CliFixture, shared_dir: Path, tmp_path: Path
) -> None:
    """Add then remove through the real commands: every valid corpus file gets its bytes back."""
    from deskpro_cli.manifest.model import whitelist_key
    from deskpro_cli.manifest.source import load_source
    from deskpro_cli.manifest.validate import validate_source

    edited = 0
    files = sorted((shared_dir / "corpus").glob("*/*.json"))
    for n, src in enumerate(f for f in files if "package" in f.name or "manifest" in f.name):
        folder = tmp_path / f"app{n}"
        folder.mkdir()
        kind = "package.json" if "package" in src.name else "manifest.json"
        (folder / "src").mkdir()
        target = folder / kind
        shutil.copyfile(src, target)
        try:
            source = load_source(folder)
        except Exception:  # not a manifest we can read at all (the schema file)
            continue
        if any(p.is_error for p in validate_source(source)):
            continue
        raw = target.read_bytes()
        manifest = source.declared
        version = source.manifest["version"]
        steps = []
        if isinstance(manifest.get("storage"), list):
            steps.append((["storage", "add", "zzTmp"], ["storage", "remove", "zzTmp"]))
        if isinstance(manifest.get("settings"), list):
            steps.append(
                (["settings", "add", "zzTmp", "--title", "T"], ["settings", "remove", "zzTmp"])
            )
        if isinstance(manifest.get(whitelist_key(version)), list):
            steps.append((["domains", "add", "zz.example"], ["domains", "remove", "zz.example"]))
        for add, remove in steps:
            cli(*add[:3], folder, *add[3:])
            assert target.read_bytes() != raw
            cli(*remove, folder)
            assert target.read_bytes() == raw, f"{src.name}: {add[0]} did not round-trip"
            edited += 1
    assert edited >= 60, edited  # 84 when written


@pytest.mark.parametrize(
    "args",
    [
        ["settings", "add", "a\udcff", "--title", "T"],
        ["settings", "add", "ok", "--title", "T\udcff"],
        ["storage", "add", "a\udcff"],
        ["domains", "add", "/a\udcff/"],
    ],
)
def test_arguments_that_are_not_utf8_are_refused(
    cli: CliFixture, tmp_path: Path, args: list[str]
) -> None:
    """A byte that is not UTF-8 on the command line arrives as a lone surrogate: refused as a
    usage error, never a crash half-way through the write."""
    path = write_project(tmp_path / "app", package_json())
    before = path.read_bytes()
    for dry_run in ([], ["--dry-run"]):
        run = cli(*args, tmp_path / "app", *dry_run, code=2)
        assert "is not valid text" in run.stderr and "\\udcff" in run.stderr
        assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("literal", "rule"),
    [(r"/^https?:\/\/([^.]+\.)*trello.com\/?.*$/", "DP212"), ("/.*/", "DP211")],
)
def test_domains_add_says_a_weakness_once(
    cli: CliFixture, tmp_path: Path, literal: str, rule: str
) -> None:
    """The entry's weakness is the validation warning, with its fix; not also a note."""
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    run = cli("domains", "add", literal, pkg.parent)
    assert f"warning {rule}" in run.output
    said = "also admits" if rule == "DP212" else "every"
    assert sum(said in line for line in run.output.splitlines() if "note:" in line) == 0
    assert "note: it admits" in run.output  # the reading in words stays


def test_a_read_only_editor_never_writes_a_built_app(tmp_path: Path) -> None:
    import zipfile

    from deskpro_cli.errors import UsageError
    from deskpro_cli.manifest.edit import Editor

    zip_path = tmp_path / "app.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest_json("2.3.0")))
    before = zip_path.read_bytes()
    editor = Editor(zip_path, read_only=True)
    editor.append("deskproApiTags", "tickets.*")
    with pytest.raises(UsageError, match="built app"):
        editor.commit("tagged")
    assert zip_path.read_bytes() == before
