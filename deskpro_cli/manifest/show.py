"""What ``deskpro manifest show`` prints: the declared or the resolved manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deskpro_cli.errors import ProblemsFound
from deskpro_cli.manifest.resolve import resolve
from deskpro_cli.manifest.source import ManifestSource
from deskpro_cli.manifest.validate import declared_version, validate_source
from deskpro_cli.problems import Problem


@dataclass
class ShownManifest:
    """The manifest to print, its version, and the warnings found on the way."""

    manifest: dict[str, Any]
    schema_version: str | None
    warnings: list[Problem] = field(default_factory=list)


def show_manifest(source: ManifestSource, *, resolved: bool) -> ShownManifest:
    """The manifest as declared (the ``deskpro`` object or manifest.json), or as resolved.

    Raises:
        ProblemsFound: ``resolved`` and the manifest has errors (it could not be packaged).
    """
    version = declared_version(source)
    if not resolved:
        return ShownManifest(source.declared, version)
    problems = validate_source(source)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ProblemsFound(
            f"{source.display}: the manifest has {len(errors)} error(s), so it cannot be resolved",
            errors,
            hint="fix them (`deskpro validate` lists every problem), then try again",
        )
    return ShownManifest(resolve(source), version, [p for p in problems if not p.is_error])
