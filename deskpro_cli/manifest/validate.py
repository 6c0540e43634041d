"""``validate_source``: every problem of a manifest at once: file, version, schema, rules."""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

from deskpro_cli.errors import ProblemsFound
from deskpro_cli.manifest.jsonpos import join_pointer, split_pointer
from deskpro_cli.manifest.model import DEFAULT_VERSION, SUPPORTED_VERSIONS
from deskpro_cli.manifest.registry import severity
from deskpro_cli.manifest.source import ManifestSource, load_source
from deskpro_cli.problems import Problem, has_errors, sort_problems

__all__ = [
    "ValidationReport",
    "declared_version",
    "looks_current_format",
    "validate_path",
    "validate_source",
]

_SUPPORTED_TEXT = ", ".join(SUPPORTED_VERSIONS)
# keys only Deskpro's current (2022+) app format has; see reference/deskpro-current-format.md
_CURRENT_FORMAT_KEYS = ("isSingleInstall", "hasDevMode", "serveUrl", "proxy", "entityAssociations")
_SNAKE_KEYS = {
    "is_single": "isSingle",
    "deskpro_api_tags": "deskproApiTags",
    "external_apis": "externalApis",
}


def validate_source(source: ManifestSource) -> list[Problem]:
    """Every problem of ``source``, in file order: duplicate keys, the manifest version, the
    schema of that version, then the semantic rules (docs/rules.md).

    A manifest whose version is missing or unknown, or that is in Deskpro's current format, gets
    that one verdict (no schema to check it against) plus the file-level notes.
    """
    problems = list(source.notes)
    problems += _duplicate_keys(source)
    manifest = source.manifest
    version_problem = _version_problem(source, manifest)
    if version_problem is not None:
        return sort_problems([*problems, version_problem])
    version = manifest["version"]
    from deskpro_cli.manifest.rules import semantic_problems
    from deskpro_cli.manifest.schema import schema_problems

    problems += schema_problems(source, manifest, version)
    problems += semantic_problems(source, manifest, version)
    return sort_problems(_dedupe(_once_per_typo(problems)))


class ValidationReport(NamedTuple):
    """What ``deskpro validate`` reports: the file checked, its manifest version, the problems."""

    source: str
    schema_version: str | None
    problems: list[Problem]
    manifest_source: ManifestSource | None = None

    def ok(self, *, strict: bool = False) -> bool:
        """Valid: no errors (and, with ``strict``, no warnings)."""
        return not has_errors(self.problems, strict=strict)

    def to_json(self, *, strict: bool = False) -> dict[str, Any]:
        """The shape of spec/cli.md's validate output."""
        return {
            "ok": self.ok(strict=strict),
            "source": self.source,
            "schema_version": self.schema_version,
            "problems": [p.to_json() for p in self.problems],
        }


def validate_path(path: str | os.PathLike[str]) -> ValidationReport:
    """Load and validate whatever ``path`` is (project, file, ``dist/``, zip).

    A file that cannot be read as a manifest is reported as problems, not raised.

    Raises:
        UsageError: ``path`` does not exist.
    """
    try:
        source = load_source(path)
    except ProblemsFound as exc:
        shown = exc.problems[0].file if exc.problems else str(path)
        return ValidationReport(shown, None, sort_problems(exc.problems))
    return ValidationReport(
        source.display, declared_version(source), validate_source(source), source
    )


def declared_version(source: ManifestSource) -> str | None:
    """The manifest version the source declares, when it is a string (known or not).

    None for a manifest of Deskpro's current format, whose ``version`` is the app's own.
    """
    manifest = source.manifest
    value = manifest.get("version")
    if not isinstance(value, str):
        return None
    if source.kind == "manifest.json" and looks_current_format(manifest):
        return None
    return value


def looks_current_format(manifest: dict[str, Any]) -> bool:
    """Whether ``manifest`` is of Deskpro's current app format (root manifest.json, 2022+).

    That format has no ``appVersion`` and has keys like ``isSingleInstall``, ``proxy`` or
    targets with an ``entrypoint``.
    """
    if "appVersion" in manifest:
        return False
    if any(k in manifest for k in _CURRENT_FORMAT_KEYS):
        return True
    targets = manifest.get("targets")
    if isinstance(targets, list) and any(
        isinstance(t, dict) and "entrypoint" in t for t in targets
    ):
        return True
    return isinstance(manifest.get("settings"), dict)


def _current_format_evidence(manifest: dict[str, Any]) -> str:
    found = [k for k in _CURRENT_FORMAT_KEYS if k in manifest]
    targets = manifest.get("targets")
    if isinstance(targets, list) and any(
        isinstance(t, dict) and "entrypoint" in t for t in targets
    ):
        found.append("targets with entrypoint")
    if isinstance(manifest.get("settings"), dict):
        found.append("settings as an object")
    if "version" in manifest:
        found.append(f'"version" {json.dumps(manifest["version"])} is the app\'s own version')
    return ", ".join(found)


def _version_problem(source: ManifestSource, manifest: dict[str, Any]) -> Problem | None:
    version = manifest.get("version")
    if source.kind == "manifest.json" and looks_current_format(manifest):
        return source.problem(
            "DP012",
            severity("DP012"),
            "this is a manifest of Deskpro's current app format (2022 onwards: "
            f"{_current_format_evidence(manifest)}), not an Apps v1 manifest; deskpro-cli "
            "builds and checks Apps v1 apps",
            "",
            hint="build current-format apps with Deskpro's own app SDK tooling; for an Apps v1 "
            f"app, start from `deskpro init` (manifest versions {_SUPPORTED_TEXT})",
        )
    snake = [k for k in _SNAKE_KEYS if k in manifest]
    rename = " and rename " + ", ".join(f"{k} to {_SNAKE_KEYS[k]}" for k in snake) if snake else ""
    if "version" not in manifest:
        where = 'under "deskpro" ' if source.kind == "package.json" else ""
        npm_note = (
            " (the manifest format; package.json's own \"version\" is the app's version)"
            if source.kind == "package.json"
            else ""
        )
        return source.problem(
            "DP010",
            severity("DP010"),
            f"the manifest has no version: this tool knows {_SUPPORTED_TEXT}",
            "",
            hint=f'add "version": "{DEFAULT_VERSION}" {where}{npm_note}{rename}'.replace(
                "  ", " "
            ).strip(),
        )
    if not isinstance(version, str):
        return source.problem(
            "DP011",
            severity("DP011"),
            f'the manifest version must be a string such as "{DEFAULT_VERSION}", not '
            f"{json.dumps(version)}; this tool knows {_SUPPORTED_TEXT}",
            "/version",
            hint=f'write "version": "{DEFAULT_VERSION}"',
        )
    if version not in SUPPORTED_VERSIONS:
        hint = f'set "version" to one of {_SUPPORTED_TEXT} ({DEFAULT_VERSION} is the usual one)'
        if version.startswith(("1.", "2.0")):
            hint = (
                f"{version} is a 2017 format the helpdesk's Apps v1 loader no longer accepts: set "
                f'"version": "{DEFAULT_VERSION}"{rename}, then run `deskpro validate` again'
            )
        return source.problem(
            "DP011",
            severity("DP011"),
            f'manifest version "{version}" is not supported: this tool knows {_SUPPORTED_TEXT}',
            "/version",
            hint=hint,
        )
    return None


def _duplicate_keys(source: ManifestSource) -> list[Problem]:
    problems = []
    for pointer in source.parsed.duplicates:
        tokens = split_pointer(pointer)
        parent = "/".join(pointer.split("/")[:-1])
        where = f'"{parent}"' if parent else "the top level"
        line, column = source.position(pointer, key=True)
        problems.append(
            Problem(
                "DP007",
                severity("DP007"),
                f'key "{tokens[-1]}" appears more than once in {where}; only the last one counts',
                source.display,
                pointer,
                line,
                column,
                "remove the duplicates so the file says one thing",
            )
        )
    return problems


def _once_per_typo(problems: list[Problem]) -> list[Problem]:
    """Without the DP104 warning for a misspelt key when the schema's DP101 error for the key it
    stands in for already says to rename it (``"permread"`` in a storage item): one typo, one
    report, the error."""
    renamed = set()
    for p in problems:
        if p.rule == "DP101" and p.hint and p.hint.startswith('rename "'):
            key = p.hint[len('rename "') :].partition('" to "')[0]
            renamed.add(join_pointer(p.pointer, key))
    if not renamed:
        return problems
    return [p for p in problems if p.is_error or p.rule != "DP104" or p.pointer not in renamed]


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for p in problems:
        key = (p.rule, p.pointer, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
