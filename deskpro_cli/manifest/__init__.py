"""The Apps v1 manifest: load it with positions, validate it, resolve the zip's manifest.json.

The public surface other parts use (docs/architecture.md, "Manifest model"):

- :func:`load_source` → :class:`ManifestSource` (text, parsed document with spans, the
  manifest as declared and as composed, positions for any pointer);
- :func:`validate_source` → list of :class:`~deskpro_cli.problems.Problem` (file, version,
  schema, semantic rules; ids in :data:`RULES` and docs/rules.md);
- :func:`resolve` / :func:`dumps_resolved`: the ``manifest.json`` that goes in the zip;
- facts: :data:`SUPPORTED_VERSIONS`, :data:`TARGETS`, :func:`whitelist_key`;
- helpers: :func:`looks_secret` (secret-looking names), :func:`whitelist_admits` and
  :func:`literal_for_host` (whitelist regex literals), :func:`parse_json` (spans).

Nothing here imports jsonschema until a manifest is actually validated.
"""

from __future__ import annotations

from deskpro_cli.manifest.jsonpos import JsonSyntaxError, ParsedJson, Span, parse_json
from deskpro_cli.manifest.model import (
    DEFAULT_VERSION,
    INSTALL_TARGET,
    INSTALL_URL,
    SUPPORTED_VERSIONS,
    TARGETS,
    has_typed_settings,
    is_supported,
    storage_key,
    whitelist_key,
)
from deskpro_cli.manifest.registry import RULES, Rule
from deskpro_cli.manifest.resolve import dumps_resolved, normalise_storage, resolve
from deskpro_cli.manifest.secrets import looks_secret
from deskpro_cli.manifest.source import Bundle, ManifestSource, load_source
from deskpro_cli.manifest.validate import declared_version, validate_source
from deskpro_cli.manifest.whitelist import (
    WhitelistError,
    literal_for_host,
    parse_literal,
)
from deskpro_cli.manifest.whitelist import admits as whitelist_admits

__all__ = [
    "DEFAULT_VERSION",
    "INSTALL_TARGET",
    "INSTALL_URL",
    "RULES",
    "SUPPORTED_VERSIONS",
    "TARGETS",
    "Bundle",
    "JsonSyntaxError",
    "ManifestSource",
    "ParsedJson",
    "Rule",
    "Span",
    "WhitelistError",
    "declared_version",
    "dumps_resolved",
    "has_typed_settings",
    "is_supported",
    "literal_for_host",
    "load_source",
    "looks_secret",
    "normalise_storage",
    "parse_json",
    "parse_literal",
    "resolve",
    "storage_key",
    "validate_source",
    "whitelist_admits",
    "whitelist_key",
]
