"""Semantic rules: what the schema cannot say about a manifest (docs/rules.md lists them all).

Each check reads the composed manifest and reports problems placed in the user's file. Checks
never raise on odd shapes (the schema reports those): they skip what they cannot read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from deskpro_cli.manifest.jsonpos import join_pointer
from deskpro_cli.manifest.model import (
    NPM_KEYS,
    oauth_connection_provider,
    oauth_tokens_provider,
)
from deskpro_cli.manifest.registry import severity
from deskpro_cli.manifest.resolve import normalise_storage
from deskpro_cli.manifest.rulecontext import RuleContext
from deskpro_cli.manifest.rules_items import check_item_keys
from deskpro_cli.manifest.rules_whitelist import (
    check_oauth_hosts,
    check_whitelist_entries,
    check_whitelist_key,
)
from deskpro_cli.manifest.schema import all_known_keys, known_keys
from deskpro_cli.manifest.secrets import looks_secret
from deskpro_cli.manifest.source import ManifestSource
from deskpro_cli.manifest.suggest import did_you_mean
from deskpro_cli.problems import Problem

__all__ = ["SEMVER", "is_semver", "semantic_problems"]

#: semver.org 2.0.0, as the npm ecosystem writes versions (no leading "v").
SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?",
    re.ASCII,
)
_TOLERANT_VERSIONS = ("2.1.0", "2.4.0")  # no additionalProperties: false at the top level


def is_semver(text: str) -> bool:
    """Whether ``text`` is a semantic version (``1.2.3``, ``1.0.0-beta.7``, ``1.0.0+build``)."""
    return SEMVER.fullmatch(text) is not None


Check = Callable[[RuleContext], None]


def semantic_problems(
    source: ManifestSource, manifest: dict[str, Any], version: str
) -> list[Problem]:
    """Every semantic problem of ``manifest`` (composed from ``source``, schema ``version``)."""
    ctx = RuleContext(source, manifest, version)
    for check in CHECKS:
        check(ctx)
    return ctx.problems


# -- keys -----------------------------------------------------------------------------------
def _check_tolerated_unknown_keys(ctx: RuleContext) -> None:
    """DP104 as a warning where the version tolerates extra keys (the helpdesk ignores them)."""
    if ctx.version not in _TOLERANT_VERSIONS:
        return
    known = all_known_keys()
    for key in ctx.manifest:
        if key in known or key in known_keys(ctx.version):
            continue
        ctx.report(
            "DP104",
            f'unknown key "{key}": the helpdesk ignores it' + did_you_mean(key, known),
            join_pointer("", key),
            hint="remove the key, or fix its spelling",
            key=True,
            level="warning",
        )


def _check_ignored_npm_keys(ctx: RuleContext) -> None:
    """DP009: ``deskpro.name`` & co. are ignored; package.json's own keys are used."""
    if ctx.source.kind != "package.json":
        return
    for npm_key, manifest_key in NPM_KEYS.items():
        if manifest_key not in ctx.source.declared:
            continue
        file_pointer = f"/deskpro/{manifest_key}"
        line, column = ctx.source.position(file_pointer, key=True)
        ctx.problems.append(
            Problem(
                "DP009",
                severity("DP009"),
                f'"{manifest_key}" under "deskpro" is ignored: the manifest takes it from '
                f'package.json\'s "{npm_key}"',
                ctx.source.display,
                file_pointer,
                line,
                column,
                f'remove it from "deskpro" and set "{npm_key}" at the top of package.json',
            )
        )


def _check_app_version(ctx: RuleContext) -> None:
    """DP106: appVersion must be semver (the helpdesk files the app under v<appVersion>)."""
    value = ctx.manifest.get("appVersion")
    if not isinstance(value, str) or is_semver(value):
        return
    bare = value.strip().lstrip("vV=")
    fix = "1.0.0"
    if is_semver(bare):
        fix = bare
    elif re.fullmatch(r"\d+\.\d+", bare):
        fix = bare + ".0"
    elif re.fullmatch(r"\d+", bare):
        fix = bare + ".0.0"
    where = '"version" of package.json' if ctx.source.kind == "package.json" else "appVersion"
    ctx.report(
        "DP106",
        f"{where} is {json.dumps(value)}, which is not a semantic version (MAJOR.MINOR.PATCH)",
        "/appVersion",
        hint=f'write it like "{fix}"',
    )


# -- settings and storage ---------------------------------------------------------------------
def _check_duplicate_names(ctx: RuleContext) -> None:
    """DP201/DP202: two settings or two storage items with one name (one would shadow the other)."""
    for key, rule, what in (
        ("settings", "DP201", "setting"),
        (ctx.storage_key(), "DP202", "storage item"),
    ):
        first: dict[str, int] = {}
        for i, item in ctx.items(key):
            name = item.get("name")
            if not isinstance(name, str):
                continue
            if name in first:
                ctx.report(
                    rule,
                    f'{what} "{name}" is declared twice ({key}[{first[name]}] and {key}[{i}])',
                    join_pointer("", key, i, "name"),
                    hint=f"remove one of them, or rename it; every {what} needs its own name",
                )
            else:
                first[name] = i


def _check_oauth_storage(ctx: RuleContext) -> None:
    """DP203/DP204: OAuth connection and token items must not reach agents' browsers."""
    key = ctx.storage_key()
    for i, item in ctx.items(key):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        backend_only = item.get("isBackendOnly") is True
        provider = oauth_connection_provider(name)
        if provider and not backend_only:
            ctx.report(
                "DP203",
                f'storage item "{name}" holds the {provider} OAuth connection (client id and '
                "secret) but is not backend-only: every agent's browser could read the secret",
                join_pointer("", key, i, "isBackendOnly" if "isBackendOnly" in item else "name"),
                hint='set "isBackendOnly": true',
            )
        tokens_of = oauth_tokens_provider(name)
        if tokens_of and item.get("permRead") == "EVERYBODY":
            pointer = join_pointer("", key, i, "permRead")
            if backend_only:
                ctx.report(
                    "DP204",
                    f'storage item "{name}" holds users\' {tokens_of} tokens but has permRead '
                    "EVERYBODY: every agent's requests would go out with the same user's token",
                    pointer,
                    hint='set "permRead": "OWNER" and "permWrite": "OWNER" so each agent has '
                    "their own token",
                    level="warning",
                )
            else:
                ctx.report(
                    "DP204",
                    f'storage item "{name}" holds users\' {tokens_of} tokens, is readable by '
                    "EVERYBODY and is not backend-only: any agent could read another's token",
                    pointer,
                    hint='set "permRead": "OWNER", "permWrite": "OWNER" and "isBackendOnly": true',
                )


def _check_secret_names(ctx: RuleContext) -> None:
    """DP205/DP206: settings and storage items named like secrets but readable by browsers."""
    effective = normalise_storage(normalise_storage(ctx.manifest)).get("storage")
    by_name = {
        item["name"]: item
        for item in (effective if isinstance(effective, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }
    setting_names: set[str] = set()
    for i, setting in ctx.items("settings"):
        name = setting.get("name")
        if not isinstance(name, str):
            continue
        setting_names.add(name)
        if not looks_secret(name) or name.startswith("oauth:"):
            continue
        entry = by_name.get(name, {})
        if entry.get("isBackendOnly") is True:
            continue
        who = "every agent" if entry.get("permRead", "EVERYBODY") == "EVERYBODY" else "its owner"
        ctx.report(
            "DP205",
            f'setting "{name}" looks like a secret, but its value is readable by {who} in the '
            "browser (it is not backend-only)",
            join_pointer("", "settings", i, "name"),
            hint='add "isBackendOnly": true to the setting; the helpdesk\'s proxy can still use '
            f"it in requests as {{{{{name}}}}}",
        )
    key = ctx.storage_key()
    for i, item in ctx.items(key):
        name = item.get("name")
        if (
            not isinstance(name, str)
            or name in setting_names
            or name.startswith("oauth:")
            or not looks_secret(name)
        ):
            continue
        if item.get("isBackendOnly") is not True and item.get("permRead") == "EVERYBODY":
            ctx.report(
                "DP206",
                f'storage item "{name}" looks like a secret, but every agent can read it '
                "(permRead EVERYBODY, not backend-only)",
                join_pointer("", key, i, "name"),
                hint='set "isBackendOnly": true, or "permRead": "OWNER" for per-user values',
            )


def _check_choice_defaults(ctx: RuleContext) -> None:
    """DP207: a choice setting whose default is not one of its choices."""
    for i, setting in ctx.items("settings"):
        choices = setting.get("choices")
        if setting.get("type") != "choice" or not isinstance(choices, list):
            continue
        if "defaultValue" not in setting:
            continue
        values = [c.get("value") for c in choices if isinstance(c, dict)]
        default = setting["defaultValue"]
        wanted = default if isinstance(default, list) else [default]
        for value in wanted:
            if value not in values and value not in ("", None):
                ctx.report(
                    "DP207",
                    f"default value {json.dumps(value)} of setting "
                    f"{json.dumps(setting.get('name'))} is not one of its choices",
                    join_pointer("", "settings", i, "defaultValue"),
                    hint="use the value of one of the choices",
                )


# -- targets ----------------------------------------------------------------------------------
def _check_targets(ctx: RuleContext) -> None:
    """DP220/DP221/DP222: duplicate targets, URLs outside the app, files missing from the build."""
    seen: dict[str, int] = {}
    bundle = ctx.source.bundle
    for i, item in ctx.items("targets"):
        name = item.get("target")
        if isinstance(name, str):
            if name in seen:
                ctx.report(
                    "DP221",
                    f'target "{name}" is listed twice (targets[{seen[name]}] and targets[{i}])',
                    join_pointer("", "targets", i, "target"),
                    hint="remove one of them",
                )
            else:
                seen[name] = i
        url = item.get("url")
        if not isinstance(url, str) or url == "":
            continue
        pointer = join_pointer("", "targets", i, "url")
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//|/", url) or ".." in url.split("/"):
            ctx.report(
                "DP222",
                f"target URL {json.dumps(url)} must be a path inside the app, relative to the "
                "zip root",
                pointer,
                hint='write it like "html/index.html"',
            )
            continue
        if bundle is not None and not bundle.has(url):
            ctx.report(
                "DP220",
                f'target "{name}" loads {url}, but {bundle.display} has no such file',
                pointer,
                hint="rebuild with `deskpro package`, or fix the URL",
            )


CHECKS: tuple[Check, ...] = (
    _check_tolerated_unknown_keys,
    check_item_keys,
    _check_ignored_npm_keys,
    _check_app_version,
    _check_duplicate_names,
    _check_oauth_storage,
    _check_secret_names,
    _check_choice_defaults,
    check_whitelist_key,
    check_whitelist_entries,
    check_oauth_hosts,
    _check_targets,
)
