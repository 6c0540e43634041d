"""The JSON Schema of each manifest version, and its errors turned into placed, hinted problems.

The schemas (draft 2020-12) ship as package data in ``deskpro_cli/manifest/schemas/``.
:mod:`jsonschema` is imported only when a manifest is validated, so ``deskpro --help`` stays fast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from deskpro_cli.manifest.jsonpos import join_pointer
from deskpro_cli.manifest.model import NPM_KEYS, SUPPORTED_VERSIONS, TARGETS
from deskpro_cli.manifest.registry import severity
from deskpro_cli.manifest.source import ManifestSource
from deskpro_cli.manifest.suggest import closest, did_you_mean
from deskpro_cli.problems import Problem

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["known_keys", "schema_for", "schema_problems", "validator_for"]

_SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas")
_NPM_FROM_MANIFEST = {v: k for k, v in NPM_KEYS.items()}
_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "boolean": "a boolean (true or false)",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


@cache
def schema_for(version: str) -> dict[str, Any]:
    """The JSON Schema of manifest ``version`` (one of SUPPORTED_VERSIONS)."""
    if version not in SUPPORTED_VERSIONS:
        raise KeyError(version)
    # beside this module (os.path, not resources.package_file: pathlib costs start-up time)
    path = os.path.join(_SCHEMA_DIR, f"manifest-{version}.schema.json")
    with open(path, encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


@cache
def validator_for(version: str) -> Validator:
    """A compiled draft 2020-12 validator for ``version`` (jsonschema imported here, lazily)."""
    from jsonschema import Draft202012Validator

    validator: Validator = Draft202012Validator(schema_for(version))
    return validator


def known_keys(version: str) -> list[str]:
    """The top-level keys the schema of ``version`` declares."""
    return list(schema_for(version)["properties"])


def all_known_keys() -> list[str]:
    """Every top-level key some supported version declares."""
    keys: list[str] = []
    for v in SUPPORTED_VERSIONS:
        keys += [k for k in known_keys(v) if k not in keys]
    return keys


def schema_problems(
    source: ManifestSource, manifest: dict[str, Any], version: str
) -> list[Problem]:
    """Every schema violation of ``manifest`` (composed from ``source``) as problems.

    A manifest the quick check finds valid never imports jsonschema (start-up time); anything
    else is validated by jsonschema, which says what is wrong.
    """
    from deskpro_cli.manifest.quickcheck import quick_valid

    if quick_valid(schema_for(version), manifest) is True:
        return []
    errors = sorted(
        validator_for(version).iter_errors(manifest),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for error in _leaves(errors):
        for problem in _convert(source, error, version):
            key = (problem.rule, problem.pointer, problem.message)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    # a value of the wrong type also fails its enum; the type problem says it better
    wrong_type = {p.pointer for p in problems if p.rule == "DP102"}
    return [p for p in problems if not (p.rule == "DP103" and p.pointer in wrong_type)]


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """Errors, with anyOf/oneOf replaced by the errors of their best branch."""
    from jsonschema.exceptions import best_match

    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            yield best_match(error.context)
        else:
            yield error


def _path(error: ValidationError) -> list[str | int]:
    return list(error.absolute_path)


def _pointer(path: Sequence[str | int]) -> str:
    return join_pointer("", *path)


def dotted(path: Sequence[str | int]) -> str:
    """``targets[0].target`` for a path, or ``the manifest`` for the root."""
    out = ""
    for token in path:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else str(token))
    return out or "the manifest"


def _convert(source: ManifestSource, error: ValidationError, version: str) -> list[Problem]:
    path = _path(error)
    pointer = _pointer(path)
    where = dotted(path)
    kind = error.validator
    instance = error.instance
    expected: Any = error.validator_value  # typed loosely by jsonschema (may be "unset")
    subschema: Any = error.schema

    if kind == "required":
        missing = [k for k in expected if isinstance(instance, dict) and k not in instance]
        present = list(instance) if isinstance(instance, dict) else []
        return [_missing(source, path, name, present) for name in missing]

    if kind == "additionalProperties":
        declared = list(subschema.get("properties", {}))
        extras = [k for k in instance if k not in declared] if isinstance(instance, dict) else []
        return [
            source.problem(
                "DP104",
                "error",
                f'unknown key "{k}" in {where}: manifest version {version} does not allow it'
                + did_you_mean(k, declared),
                _pointer([*path, k]),
                hint=_unknown_key_hint(k, version),
                key=True,
            )
            for k in extras
        ]

    if kind == "type":
        return [_wrong_type(source, path, instance, expected)]

    if kind in ("enum", "const"):
        allowed = expected if kind == "enum" else [expected]
        if len(path) >= 3 and path[0] == "targets" and path[-1] == "target":
            return [
                source.problem(
                    "DP105",
                    "error",
                    f"{json.dumps(instance)} is not a target name"
                    + did_you_mean(str(instance), TARGETS),
                    pointer,
                    hint="targets are ticket-*, person-*, org-*, background or install (see "
                    "docs/rules.md#dp105 for the full list)",
                )
            ]
        shown = ", ".join(json.dumps(a) for a in allowed)
        return [
            source.problem(
                "DP103",
                "error",
                f"{where} is {json.dumps(instance)}, but it must be one of {shown}"
                + (
                    did_you_mean(instance, [str(a) for a in allowed])
                    if isinstance(instance, str)
                    else ""
                ),
                pointer,
                hint=f"write one of {shown} (exactly, case matters)",
            )
        ]

    if kind == "minItems":
        hint: str | None
        if path == ["targets"]:
            message, hint = (
                "targets is empty: the app would appear nowhere",
                'add a target, e.g. {"target": "ticket-sidebar", "url": "html/index.html"}',
            )
        else:
            message, hint = f"{where} needs at least {expected} item(s)", None
        return [source.problem("DP100", "error", message, pointer, hint=hint)]

    if kind == "minLength":
        return [source.problem("DP100", "error", f"{where} must not be empty", pointer, hint=None)]

    if kind == "pattern":
        hint = "start it with a letter or an underscore" if path[-1:] == ["alias"] else None
        return [
            source.problem(
                "DP100",
                "error",
                f"{where} is {json.dumps(instance)}, which does not match {expected}",
                pointer,
                hint=hint,
            )
        ]

    return [source.problem("DP100", "error", f"{where}: {error.message}", pointer)]


def _missing(
    source: ManifestSource, path: list[str | int], name: str, present: list[str]
) -> Problem:
    parent = _pointer(path)
    where = dotted(path)
    if source.kind == "package.json" and not path and name in _NPM_FROM_MANIFEST:
        npm_key = _NPM_FROM_MANIFEST[name]
        what = {
            "appVersion": "the app's version, which becomes appVersion",
            "author": "the author, an object with name and email",
            "description": "a one-line description of the app",
            "name": "the package name, which becomes the app's name",
        }[name]
        hint = f'add "{npm_key}" at the top of package.json'
        if name in source.declared:
            hint += f' (the "{name}" under "deskpro" is ignored: the npm key is used)'
        return source.problem(
            "DP101",
            "error",
            f'package.json has no "{npm_key}" ({what})',
            hint=hint,
            file_pointer="",
        )
    missing_hint = _MISSING_HINTS.get(name)
    where_text = "the manifest" if not path else where
    message = f'{where_text} is missing the required key "{name}"'
    near = closest(name, [k for k in present if k != name], cutoff=0.75)
    if near is not None:  # "permread", "default_value": a misspelling, not a gap
        message += f' (it has "{near}": did you mean "{name}"?)'
        missing_hint = f'rename "{near}" to "{name}"'
    return source.problem(
        "DP101",
        "error",
        message,
        parent,
        hint=missing_hint or f'add "{name}" to {where_text}',
    )


_MISSING_HINTS = {
    "version": 'add "version": "2.3.0" (the manifest format version, not the app\'s version)',
    "scope": 'add "scope": "agent" (or "user")',
    "targets": 'add "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}]',
    "url": 'add "url": the page to load, relative to the zip root, e.g. "html/index.html"',
    "target": 'add "target", e.g. "ticket-sidebar"',
    "isBackendOnly": 'add "isBackendOnly": true if only the helpdesk\'s proxy may read it, '
    "else false",
    "permRead": 'add "permRead": "OWNER" (per user) or "EVERYBODY"',
    "permWrite": 'add "permWrite": "OWNER" (per user) or "EVERYBODY"',
    "defaultValue": 'add "defaultValue" ("" for an empty text, false for a boolean)',
    "required": 'add "required": true or false',
    "email": 'add "email" to author (the old schemas require it)',
}


def _wrong_type(
    source: ManifestSource, path: list[str | int], instance: Any, expected: str | list[str]
) -> Problem:
    pointer = _pointer(path)
    where = dotted(path)
    types = [expected] if isinstance(expected, str) else list(expected)
    want = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
    got = _TYPE_NAMES.get(_json_type(instance), "something else")
    message = f"{where} must be {want}, not {got}"
    hint: str | None = None
    if "boolean" in types and isinstance(instance, str) and instance.lower() in ("true", "false"):
        hint = f"write {instance.lower()} without quotes"
    elif "boolean" in types and instance in (0, 1) and not isinstance(instance, bool):
        hint = f"write {'true' if instance else 'false'}"
    elif "string" in types and isinstance(instance, list) and len(instance) == 1:
        hint = f"write the one value as a string: {json.dumps(instance[0])}"
    elif path == ["author"] and isinstance(instance, str):
        hint = 'write author as an object: {"name": "...", "email": "...", "url": "..."}'
    elif (
        "string" in types and isinstance(instance, (int, float)) and not isinstance(instance, bool)
    ):
        hint = f'put it in quotes: "{instance}"'
    elif "array" in types and isinstance(instance, (str, dict)):
        hint = "wrap it in a list: [ ... ]"
    return source.problem("DP102", severity("DP102"), message, pointer, hint=hint)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _unknown_key_hint(key: str, version: str) -> str:
    if key == "domainWhitelist":
        return "versions before 2.4.0 call the whitelist externalApis: rename the key"
    if key == "externalApis":
        return "version 2.4.0 calls the whitelist domainWhitelist: rename the key"
    if key in ("state",) and version in ("2.2.0", "2.3.0"):
        return f"version {version} calls it storage: rename the key"
    if key == "customFields":
        return "customFields needs manifest version 2.3.0 or later"
    return "remove the key, or fix its spelling"
