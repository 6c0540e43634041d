"""Each semantic and schema rule: its id, severity, place in the file, hint and 'did you mean'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskpro_cli.manifest import looks_secret, validate_source
from deskpro_cli.manifest.source import ManifestSource, load_source

from .helpers import PACKAGE, manifest_json, only, package, rules_of, validate_doc

TEXT = {"name": "t", "title": "T", "required": True, "type": "text", "defaultValue": ""}


def storage(name: str, backend: bool = False, read: str = "OWNER", write: str = "OWNER") -> dict:
    return {"name": name, "isBackendOnly": backend, "permRead": read, "permWrite": write}


def setting(name: str, **extra: object) -> dict:
    return {**TEXT, "name": name, **extra}


def test_a_valid_manifest_has_no_problems(tmp_path: Path) -> None:
    assert validate_doc(tmp_path, PACKAGE) == []
    assert validate_doc(tmp_path, manifest_json(), "manifest.json") == []


def test_is_single_as_a_string(tmp_path: Path) -> None:
    p = only(validate_doc(tmp_path, package(isSingle="true")), "DP102")
    assert p.severity == "error" and p.pointer == "/deskpro/isSingle"
    assert (p.line, p.column) == (12, 17)
    assert p.hint == "write true without quotes"


@pytest.mark.parametrize(
    ("scope", "rule", "hint"),
    [("Agent", "DP103", 'did you mean "agent"'), (["agent"], "DP102", 'as a string: "agent"')],
)
def test_scope_slips(tmp_path: Path, scope: object, rule: str, hint: str) -> None:
    problems = validate_doc(tmp_path, package(scope=scope))
    assert rules_of(problems) == [rule]  # a type error is not also reported as a bad value
    assert hint in problems[0].message + (problems[0].hint or "")


def test_unknown_target_with_did_you_mean(tmp_path: Path) -> None:
    doc = package(targets=[{"target": "ticket-side-bar", "url": "html/index.html"}])
    p = only(validate_doc(tmp_path, doc), "DP105")
    assert 'did you mean "ticket-sidebar"' in p.message
    assert p.pointer == "/deskpro/targets/0/target"


def test_unknown_key_is_an_error_where_the_version_refuses_extras(tmp_path: Path) -> None:
    p = only(validate_doc(tmp_path, package(titel="x")), "DP104")
    assert p.severity == "error" and 'did you mean "title"' in p.message
    # placed at the key, not the value
    text = (tmp_path / "package.json").read_text()
    assert text.splitlines()[p.line - 1][p.column - 1 :].startswith('"titel"')


def test_unknown_key_is_a_warning_where_the_version_tolerates_extras(tmp_path: Path) -> None:
    doc = package(version="2.1.0", is_single=True, customFields=...)
    p = only(validate_doc(tmp_path, doc), "DP104")
    assert p.severity == "warning" and 'did you mean "isSingle"' in p.message


def test_whitelist_under_the_wrong_versions_key(tmp_path: Path) -> None:
    p = only(validate_doc(tmp_path, package(domainWhitelist=[])), "DP104")
    assert "externalApis" in (p.hint or "")
    doc = package(version="2.4.0", scope=..., title=...)
    p = only(validate_doc(tmp_path, doc), "DP214")
    assert p.severity == "warning" and "domainWhitelist" in p.message


def test_duplicate_setting_and_storage_names(tmp_path: Path) -> None:
    doc = package(
        settings=[setting("a"), setting("b"), setting("a")],
        storage=[storage("x"), storage("x")],
    )
    problems = validate_doc(tmp_path, doc)
    p = only(problems, "DP201")
    assert p.pointer == "/deskpro/settings/2/name" and "settings[0] and settings[2]" in p.message
    p = only(problems, "DP202")
    assert p.pointer == "/deskpro/storage/1/name"


def test_oauth_connection_must_be_backend_only(tmp_path: Path) -> None:
    doc = package(
        storage=[storage("oauth:github", backend=False, read="EVERYBODY")],
        externalApis=["/^https:\\/\\/([a-z0-9-]+\\.)*github\\.com(\\/.*)?$/"],
    )
    p = only(validate_doc(tmp_path, doc), "DP203")
    assert p.severity == "error" and p.pointer == "/deskpro/storage/0/isBackendOnly"
    assert p.hint == 'set "isBackendOnly": true'


@pytest.mark.parametrize(("backend", "level"), [(False, "error"), (True, "warning")])
def test_token_items_readable_by_everybody(tmp_path: Path, backend: bool, level: str) -> None:
    doc = package(storage=[storage("oauth:jira:tokens", backend=backend, read="EVERYBODY")])
    p = only(validate_doc(tmp_path, doc), "DP204")
    assert p.severity == level and p.pointer == "/deskpro/storage/0/permRead"


def test_per_user_tokens_are_fine(tmp_path: Path) -> None:
    doc = package(storage=[storage("oauth:jira:tokens", backend=True)])
    assert validate_doc(tmp_path, doc) == []


def test_secret_setting_not_backend_only(tmp_path: Path) -> None:
    doc = package(settings=[setting("clientId"), setting("clientSecret")])
    p = only(validate_doc(tmp_path, doc), "DP205")
    assert p.severity == "warning" and p.pointer == "/deskpro/settings/1/name"
    assert "every agent" in p.message and '"isBackendOnly": true' in (p.hint or "")


def test_secret_setting_made_backend_only_by_its_storage_item(tmp_path: Path) -> None:
    doc = package(settings=[setting("apiKey")], storage=[storage("apiKey", backend=True)])
    assert validate_doc(tmp_path, doc) == []
    doc = package(settings=[setting("apiKey", isBackendOnly=True)])
    assert validate_doc(tmp_path, doc) == []


def test_secret_storage_item_readable_by_everybody(tmp_path: Path) -> None:
    doc = package(storage=[storage("password", read="EVERYBODY"), storage("token", read="OWNER")])
    p = only(validate_doc(tmp_path, doc), "DP206")
    assert p.pointer == "/deskpro/storage/0/name"


def test_choice_default_not_a_choice(tmp_path: Path) -> None:
    choice = {
        "name": "colour",
        "title": "Colour",
        "required": False,
        "type": "choice",
        "multi": False,
        "choices": [{"title": "Red", "value": "red"}],
        "defaultValue": "blue",
    }
    p = only(validate_doc(tmp_path, package(settings=[choice])), "DP207")
    assert p.pointer == "/deskpro/settings/0/defaultValue"


@pytest.mark.parametrize(
    ("bad", "missing"),
    [
        ({"type": "text"}, "defaultValue"),
        ({"type": "boolean", "defaultValue": "no"}, None),
        ({"type": "choice", "defaultValue": ""}, "choices"),
    ],
)
def test_settings_are_checked_by_their_type(tmp_path: Path, bad: dict, missing: str | None) -> None:
    item = {"name": "s", "title": "S", "required": True, **bad}
    problems = validate_doc(tmp_path, package(settings=[item]))
    if missing:
        p = only(problems, "DP101")
        assert f'"{missing}"' in p.message and p.pointer == "/deskpro/settings/0"
    else:
        p = only(problems, "DP102")
        assert p.pointer == "/deskpro/settings/0/defaultValue"


def test_whitelist_rules(tmp_path: Path) -> None:
    doc = package(
        externalApis=[
            "http*",
            "/.*/",
            "/^https?://([^.]+\\.)*github.com/?.*$/",
            "/^https:\\/\\/x\\.io\\//",
        ]
    )
    problems = validate_doc(tmp_path, doc)
    assert rules_of(problems) == ["DP210", "DP211", "DP212"]
    assert [p.pointer[-1] for p in problems] == ["0", "1", "2"]
    assert "github.com.attacker.example" in problems[2].message


def test_oauth_provider_hosts_not_whitelisted(tmp_path: Path) -> None:
    doc = package(
        storage=[storage("oauth:github", backend=True, read="EVERYBODY")],
        externalApis=["/^https:\\/\\/api\\.github\\.com(\\/.*)?$/"],
    )
    p = only(validate_doc(tmp_path, doc), "DP213")
    assert "github.com" in p.message and "api.github.com" not in p.message.split("admit")[1]
    assert p.hint == "`deskpro domains add github.com`"


def test_app_version_must_be_semver(tmp_path: Path) -> None:
    p = only(validate_doc(tmp_path, {**PACKAGE, "version": "v1.2"}), "DP106")
    assert p.pointer == "/version" and (p.line, p.column) == (3, 14)
    assert p.hint == 'write it like "1.2.0"'
    for good in ("0.1.0-beta.7", "1.0.0+build.5", "10.20.30"):
        assert validate_doc(tmp_path, {**PACKAGE, "version": good}) == []


def test_npm_key_missing_points_at_package_json(tmp_path: Path) -> None:
    doc = {k: v for k, v in PACKAGE.items() if k != "description"}
    doc["deskpro"] = {**doc["deskpro"], "description": "here instead"}
    problems = validate_doc(tmp_path, doc)
    p = only(problems, "DP101")
    assert p.pointer == "" and 'no "description"' in p.message and "ignored" in (p.hint or "")
    assert only(problems, "DP009").pointer == "/deskpro/description"


def test_author_as_an_npm_string(tmp_path: Path) -> None:
    p = only(validate_doc(tmp_path, {**PACKAGE, "author": "Me <me@x.io>"}), "DP102")
    assert p.pointer == "/author" and "object" in (p.hint or "")


def test_targets(tmp_path: Path) -> None:
    doc = package(
        targets=[
            {"target": "ticket-sidebar", "url": "html/index.html"},
            {"target": "ticket-sidebar", "url": "../x.html"},
            {"target": "background", "url": "https://cdn.example/app.html"},
            {"target": "install"},
        ]
    )
    problems = validate_doc(tmp_path, doc)
    assert rules_of(problems) == ["DP221", "DP222", "DP222", "DP101"]
    assert only(validate_doc(tmp_path, package(targets=[])), "DP100").pointer == "/deskpro/targets"


def test_duplicate_json_keys_are_warned(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    text = json.dumps(PACKAGE, indent=2).replace(
        '"title": "My app",', '"title": "A",\n"title": "My app",'
    )
    path.write_text(text, encoding="utf-8")
    p = only(validate_source(load_source(path)), "DP007")
    assert p.pointer == "/deskpro/title" and p.severity == "warning"
    assert text.splitlines()[p.line - 1].startswith('"title": "My app"')


def test_manifest_json_wins_and_the_shadowed_one_is_noted(tree) -> None:
    root = tree({"package.json": json.dumps(PACKAGE), "manifest.json": json.dumps(manifest_json())})
    source = load_source(root)
    assert isinstance(source, ManifestSource) and source.kind == "manifest.json"
    p = only(validate_source(source), "DP008")
    assert p.file.endswith("package.json") and p.pointer == "/deskpro"


def test_every_version_validates_its_own_valid_manifest(tmp_path: Path) -> None:
    for version in ("2.1.0", "2.2.0"):
        doc = package(version=version, customFields=...)
        assert validate_doc(tmp_path, doc) == [], version
    doc = package(version="2.4.0", scope=..., externalApis=..., domainWhitelist=[])
    assert validate_doc(tmp_path, doc) == []
    assert rules_of(validate_doc(tmp_path, package(version="2.2.0"))) == ["DP104"]  # customFields


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("githubClientSecret", True),
        ("apiKey", True),
        ("api_key", True),
        ("APIKEY", True),
        ("password", True),
        ("accessToken", True),
        ("rsaPrivateKey", True),
        ("authorization", True),
        ("clientsecret", True),
        ("rsaPublicKey", False),
        ("githubClientId", False),
        ("keyword", False),
        ("monkey", False),
        ("author", False),
        ("githubCallbackURL", False),
        ("title", False),
    ],
)
def test_looks_secret(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_a_misspelt_required_key_is_named(tmp_path: Path) -> None:
    item = {"name": "s", "isBackendOnly": True, "permread": "OWNER", "permWrite": "OWNER"}
    p = only(validate_doc(tmp_path, package(storage=[item])), "DP101")
    assert 'it has "permread"' in p.message and p.hint == 'rename "permread" to "permRead"'
    doc = package(settings=[{**TEXT, "default_value": ""}])
    del doc["deskpro"]["settings"][0]["defaultValue"]
    p = only(validate_doc(tmp_path, doc), "DP101")
    assert p.hint == 'rename "default_value" to "defaultValue"'
