"""What a JSON file is when it is not a Deskpro manifest: one verdict that says so.

A JSON Schema (dpat shipped ``manifest.schema.json`` next to the manifests), a web app manifest
(the ``manifest.json`` of a PWA, in ``public/`` of React projects), a plain Node project's
``package.json``, or any object with none of a manifest's keys would otherwise be checked as a
manifest and get "no version" or a pile of schema errors. :func:`not_a_manifest` (DP023) and
:func:`no_deskpro_key` (DP006) name what the file is and where the manifest should be instead.

Every real manifest has ``targets`` (every version's schema requires it), so the loader asks
here only about objects without it: a manifest never pays for the import.
"""

from __future__ import annotations

import os
from typing import Any

from deskpro_cli.errors import ProblemsFound
from deskpro_cli.manifest.jsonpos import ParsedJson
from deskpro_cli.manifest.reading import problem_error

__all__ = ["looks_like_npm_package", "no_deskpro_key", "not_a_manifest"]

#: keys only npm's package.json has at its top level: no manifest has them, and neither do the
#: JSON files that share other npm keys (composer.json: scripts, bin, license; tsconfig: files)
_NPM_KEYS = (
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
    "main",
    "module",
    "exports",
    "private",
    "engines",
    "workspaces",
    "browserslist",
)
#: keys of a web app manifest (W3C Web App Manifest, a PWA's manifest.json)
_WEB_APP_KEYS = ("short_name", "start_url", "display", "icons", "theme_color", "background_color")
#: keywords of a JSON Schema that, beside ``properties``, make an object a schema
_SCHEMA_KEYWORDS = ("type", "required", "definitions", "$defs", "additionalProperties", "$id")
#: every key a manifest has at its top, in any Apps v1 version (snake_case of 2017 included) or
#: in Deskpro's current format (DP012 tells that one apart)
_MANIFEST_KEYS = frozenset(
    (
        "version",
        "appVersion",
        "name",
        "title",
        "description",
        "author",
        "targets",
        "storage",
        "state",
        "settings",
        "scope",
        "isSingle",
        "is_single",
        "externalApis",
        "external_apis",
        "domainWhitelist",
        "deskproApiTags",
        "deskpro_api_tags",
        "customFields",
        "isSingleInstall",
        "hasDevMode",
        "serveUrl",
        "proxy",
        "entityAssociations",
    )
)
_WHERE = 'point PATH at your app: its folder, its package.json ("deskpro" key) or manifest.json'


def looks_like_npm_package(doc: dict[str, Any]) -> bool:
    """Whether ``doc`` is an npm package.json (it has keys only package.json has)."""
    return "targets" not in doc and any(k in doc for k in _NPM_KEYS)


def not_a_manifest(parsed: ParsedJson, shown: str) -> ProblemsFound | None:
    """DP023 when the object ``parsed`` holds is plainly something other than a manifest: a JSON
    Schema, a web app manifest, or an object with none of a manifest's keys. None otherwise
    (an empty object, or one with some manifest keys: the version and schema checks speak)."""
    doc: dict[str, Any] = parsed.value
    if "targets" in doc or not doc:
        return None
    meta = doc.get("$schema")
    if (isinstance(meta, str) and "json-schema.org" in meta) or (
        isinstance(doc.get("properties"), dict) and any(k in doc for k in _SCHEMA_KEYWORDS)
    ):
        message = (
            "this is a JSON Schema (it describes JSON documents: properties, required...), "
            "not a Deskpro app manifest"
        )
        hint = f"{_WHERE}; the manifest schemas are built into deskpro-cli"
    elif sum(k in doc for k in _WEB_APP_KEYS) >= 2:
        message = (
            "this is a web app manifest (a PWA's manifest.json: short_name, start_url, "
            "icons...), not a Deskpro app manifest"
        )
        hint = (
            'a Deskpro app\'s manifest is the "deskpro" key of package.json or the manifest.json '
            f"at the project's root; {_WHERE}"
        )
    elif not _MANIFEST_KEYS.intersection(doc):
        keys = ", ".join(list(doc)[:4]) + (", ..." if len(doc) > 4 else "")
        message = f"this is not a Deskpro app manifest: none of its keys ({keys}) is a manifest's"
        hint = f"{_WHERE}; a manifest has version, name, targets..."
    else:
        return None
    span = parsed.spans[""]
    return problem_error(shown, "DP023", message, hint=hint, line=span.line, column=span.column)


def no_deskpro_key(path: str, shown: str) -> ProblemsFound:
    """DP006 for an npm package.json without a ``deskpro`` key (a Node project, or an app whose
    manifest is the manifest.json beside it)."""
    name = os.path.basename(path)
    what = "package.json" if name == "package.json" else f"{name} (an npm package.json)"
    beside = os.path.join(os.path.dirname(path), "manifest.json")
    if os.path.isfile(beside):
        from deskpro_cli.manifest.source import display_path

        folder = display_path(os.path.dirname(path) or ".")
        hint = f"this project's manifest is {display_path(beside)}: run `deskpro validate {folder}`"
    else:
        hint = (
            'to make the project a Deskpro app, add a "deskpro" object holding the manifest '
            "(`deskpro init DIR` writes a complete app to start from)"
        )
    return problem_error(
        shown,
        "DP006",
        f'{what} has no "deskpro" key: this is not a Deskpro app, or its manifest is in '
        "manifest.json",
        hint=hint,
        line=1,
        column=1,
    )
