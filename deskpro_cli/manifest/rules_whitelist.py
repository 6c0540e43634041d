"""Semantic rules about the whitelist (externalApis / domainWhitelist): DP210-DP215.

Every probe of an entry runs within a time budget (:mod:`~deskpro_cli.manifest.regexbudget`):
an entry that backtracks catastrophically gets DP215 and no other verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from deskpro_cli.manifest.jsonpos import join_pointer
from deskpro_cli.manifest.model import (
    OAUTH_PROVIDER_HOSTS,
    oauth_connection_provider,
    whitelist_key,
)
from deskpro_cli.manifest.rulecontext import RuleContext
from deskpro_cli.manifest.whitelist import (
    SlowRegex,
    WhitelistEntry,
    WhitelistError,
    admits_any_host,
    check_backtracking,
    intended_hosts,
    literal_for_host,
    lookalike_urls,
    parse_literal,
    slow_regex_hint,
)


def _whitelist_keys(ctx: RuleContext) -> list[str]:
    return [k for k in ("externalApis", "domainWhitelist") if k in ctx.manifest]


def check_whitelist_key(ctx: RuleContext) -> None:
    """DP214: the whitelist under the other version's key (where the schema does not refuse it)."""
    expected = whitelist_key(ctx.version)
    for key in _whitelist_keys(ctx):
        if key == expected or ctx.version in ("2.2.0", "2.3.0"):
            continue  # 2.2.0/2.3.0 refuse unknown keys: the schema reports it as DP104
        ctx.report(
            "DP214",
            f"manifest version {ctx.version} reads its whitelist from {expected}, not {key}: "
            "the helpdesk may ignore these entries",
            join_pointer("", key),
            hint=f"rename {key} to {expected}",
            key=True,
        )


def _entries(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for key in _whitelist_keys(ctx):
        value = ctx.manifest[key]
        if isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, str):
                    yield join_pointer("", key, i), entry


def check_whitelist_entries(ctx: RuleContext) -> None:
    """DP210/DP211/DP212/DP215: entries that are not regex literals, admit far too much, or
    backtrack catastrophically."""
    for pointer, literal in _entries(ctx):
        try:
            entry = parse_literal(literal)
        except WhitelistError as exc:
            ctx.report(
                "DP210",
                f"whitelist entry {json.dumps(literal)} is not a valid regex literal: {exc}",
                pointer,
                hint=_literal_hint(literal),
            )
            continue
        try:
            check_backtracking(entry)
            _check_reach(ctx, pointer, entry)
        except SlowRegex as exc:
            ctx.report(
                "DP215",
                f"whitelist entry {json.dumps(literal)}: {exc}",
                pointer,
                hint=slow_regex_hint(entry),
            )


def _check_reach(ctx: RuleContext, pointer: str, entry: WhitelistEntry) -> None:
    """DP211/DP212 for one entry (SlowRegex from any probe goes to the caller)."""
    literal = entry.literal
    if admits_any_host(entry):
        ctx.report(
            "DP211",
            f"whitelist entry {json.dumps(literal)} admits every host: the proxy would "
            "send the app's requests (and their secrets) anywhere",
            pointer,
            hint="list the hosts the app calls, e.g. `deskpro domains add api.example.com`",
        )
        return
    for host in intended_hosts(entry):
        bad = lookalike_urls(entry, host)
        if not bad:
            continue
        reasons = []
        for _, why in bad:
            if why not in reasons:
                reasons.append(why)
        subdomains = entry.admits(f"https://sub.{host}/")
        fixed = literal_for_host(host, include_subdomains=subdomains)
        ctx.report(
            "DP212",
            f"whitelist entry {json.dumps(literal)} also admits {bad[0][0]} "
            f"(not {host}): {'; '.join(reasons)}",
            pointer,
            hint=f"anchor the host and escape its dots, e.g. {json.dumps(fixed)}",
        )


def _literal_hint(literal: str) -> str:
    m = re.search(r"(?:https?://)?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", literal)
    if m and "$" not in m.group(1):
        try:
            return (
                f"write a regex literal such as {json.dumps(literal_for_host(m.group(1)))}, "
                f"or run `deskpro domains add {m.group(1)}`"
            )
        except ValueError:
            pass
    return (
        'write a regex literal between slashes, e.g. "/^https:\\\\/\\\\/api\\\\.example\\\\.com'
        '(\\\\/.*)?$/", or run `deskpro domains add HOST`'
    )


def check_oauth_hosts(ctx: RuleContext) -> None:
    """DP213: an OAuth provider whose hosts no whitelist entry admits.

    An entry too slow to run (DP215) counts as unknown: no DP213 for a host that only it might
    admit, since the fix of that entry decides.
    """
    entries = []
    for _, literal in _entries(ctx):
        try:
            entries.append(parse_literal(literal))
        except WhitelistError:
            continue
    key = ctx.storage_key()
    for i, item in ctx.items(key):
        name = item.get("name")
        provider = oauth_connection_provider(name) if isinstance(name, str) else None
        if provider is None or provider not in OAUTH_PROVIDER_HOSTS:
            continue
        missing = [
            host
            for host in OAUTH_PROVIDER_HOSTS[provider]
            if _admitted(entries, f"https://{host}/") is False
        ]
        if missing:
            wl = whitelist_key(ctx.version)
            ctx.report(
                "DP213",
                f'storage item "{name}" sets up {provider} OAuth, but the whitelist ({wl}) '
                f"does not admit {', '.join(missing)}: the app's calls there would be refused",
                join_pointer("", key, i, "name"),
                hint=" and ".join(f"`deskpro domains add {h}`" for h in missing),
            )


def _admitted(entries: list[WhitelistEntry], url: str) -> bool | None:
    """Whether an entry admits ``url``: True, False, or None when only a slow entry might."""
    unknown = False
    for entry in entries:
        try:
            if entry.admits(url):
                return True
        except SlowRegex:
            unknown = True
    return None if unknown else False
