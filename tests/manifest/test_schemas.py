"""The shipped schemas: valid draft 2020-12, one per version, as spec §1.3 describes them."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from deskpro_cli.manifest import SUPPORTED_VERSIONS, TARGETS, whitelist_key
from deskpro_cli.manifest.schema import schema_for

BASE_REQUIRED = {"version", "appVersion", "name", "description", "author", "targets"}


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_schema_is_draft_2020_12_and_lists_every_target(version: str) -> None:
    schema = schema_for(version)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["$defs"]["targetName"]["enum"] == list(TARGETS)
    assert len(TARGETS) == 61 and len(set(TARGETS)) == 61


@pytest.mark.parametrize(
    ("version", "scope_required", "closed", "typed_settings", "custom_fields"),
    [
        ("2.1.0", True, False, False, False),
        ("2.2.0", True, True, False, False),
        ("2.3.0", True, True, True, True),
        ("2.4.0", False, False, True, True),
    ],
)
def test_what_each_version_declares(
    version: str, scope_required: bool, closed: bool, typed_settings: bool, custom_fields: bool
) -> None:
    schema = schema_for(version)
    required = set(schema["required"])
    assert required == BASE_REQUIRED | ({"scope"} if scope_required else set())
    assert (schema.get("additionalProperties") is False) is closed
    props = schema["properties"]
    assert whitelist_key(version) in props
    other = "externalApis" if whitelist_key(version) == "domainWhitelist" else "domainWhitelist"
    assert other not in props
    assert ("items" in props["settings"]) is typed_settings
    assert ("customFields" in props) is custom_fields
    assert "storage" in props  # every real manifest uses storage, whatever the version
    assert ("state" in props) is (version in ("2.1.0", "2.4.0"))
