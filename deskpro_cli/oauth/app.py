"""What the app at PATH says about OAuth, for ``oauth-test`` (read through the manifest model).

An app "uses OAuth" when its storage declares an ``oauth:<provider>`` item (the SDK's connection
object, spec/deskpro-apps-v1.md §2). From the manifest we report the providers, whether the API
whitelist (``externalApis`` / ``domainWhitelist``) admits the GitHub API host under test (the
app's calls go through Deskpro's proxy, which refuses any URL no entry admits), and the scopes the
app declares. Manifests have no field for scopes, so "declared" means a setting whose name
contains ``scope`` (``githubScopes``) with a default value such as ``"repo, read:org"``; those
become the scopes requested when no ``--scope`` is given.

Nothing here fails a run: a manifest that cannot be read only gives a warning.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskpro_cli.errors import DeskproError, ProblemsFound

log = logging.getLogger(__name__)

_OAUTH_ITEM = re.compile(r"oauth:([^:]+)")
#: The manifest model's rule for a package.json without a "deskpro" key.
_NOT_A_DESKPRO_PACKAGE = "DP006"


@dataclass
class AppOAuth:
    """The OAuth facts of an app's manifest."""

    file: str
    providers: list[str]
    whitelist_key: str
    whitelist: list[str]
    probe_url: str
    api_covered: bool
    scopes: list[str] | None = None
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "providers": self.providers,
            "whitelist_key": self.whitelist_key,
            "probe_url": self.probe_url,
            "api_covered": self.api_covered,
            "scopes": self.scopes,
        }


def _entries(manifest: dict[str, Any]) -> tuple[str, list[str]]:
    """The whitelist key in use and its string entries (both keys are read; 2.4.0 renamed it)."""
    entries: list[str] = []
    key = ""
    for name in ("domainWhitelist", "externalApis"):
        value = manifest.get(name)
        if isinstance(value, list):
            key = key or name
            entries.extend(v for v in value if isinstance(v, str))
    return key or "externalApis", entries


def _declared_scopes(manifest: dict[str, Any]) -> list[str] | None:
    found: list[str] = []
    for item in manifest.get("settings") or []:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        default = item.get("defaultValue", item.get("default"))
        if isinstance(name, str) and "scope" in name.lower() and isinstance(default, str):
            found.extend(s for s in re.split(r"[\s,]+", default) if s)
    return list(dict.fromkeys(found)) or None


def read_app(path: Path, api_url: str) -> tuple[AppOAuth | None, str | None]:
    """``(facts, None)`` for an app using OAuth; ``(None, why)`` when PATH tells nothing.

    ``why`` is None when PATH is simply not an app (no manifest), else a warning to show.
    """
    if path.is_dir() and not any((path / n).is_file() for n in ("package.json", "manifest.json")):
        return None, None  # not an app folder; skip importing the manifest model at all
    from deskpro_cli.manifest import load_source, whitelist_admits
    from deskpro_cli.manifest.whitelist import WhitelistError

    try:
        source = load_source(path)
    except DeskproError as exc:
        if path.is_dir() and not (path / "package.json").exists():
            return None, None  # not an app folder: nothing to say
        if isinstance(exc, ProblemsFound) and exc.problems:  # where exactly, and what
            first = exc.problems[0]
            if first.rule == _NOT_A_DESKPRO_PACKAGE:
                return None, None  # a Node.js project, not an app: nothing to say
            return None, f"could not read the app's manifest: {first.location()}: {first.message}"
        return None, f"could not read the app's manifest at {path}: {exc.message}"
    except OSError as exc:
        where = exc.filename or path
        return None, f"could not read the app's manifest at {where}: {exc.strerror}"
    manifest = source.manifest
    storage = manifest.get("storage") or manifest.get("state") or []
    providers: list[str] = []
    for item in storage if isinstance(storage, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        m = _OAUTH_ITEM.fullmatch(name) if isinstance(name, str) else None
        if m is not None and m.group(1) not in providers:
            providers.append(m.group(1))
    if not providers:
        return None, None
    key, entries = _entries(manifest)
    probe = f"{api_url}/user"
    covered = False
    problems: list[str] = []
    for literal in entries:
        try:
            if whitelist_admits(literal, probe):
                covered = True
        except WhitelistError as exc:
            problems.append(f"whitelist entry {literal!r} is not usable: {exc}")
    log.info(
        "app %s: providers %s, %s admits %s: %s", source.display, providers, key, probe, covered
    )
    return (
        AppOAuth(
            file=source.display,
            providers=providers,
            whitelist_key=key,
            whitelist=entries,
            probe_url=probe,
            api_covered=covered,
            scopes=_declared_scopes(manifest),
            problems=problems,
        ),
        None,
    )
