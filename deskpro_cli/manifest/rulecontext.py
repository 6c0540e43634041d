"""What every semantic check gets: the source, the composed manifest, its version, a report()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deskpro_cli.manifest.model import items_key
from deskpro_cli.manifest.registry import severity
from deskpro_cli.manifest.source import ManifestSource
from deskpro_cli.problems import Problem, Severity


class RuleContext:
    """One manifest being checked (its source, composed manifest and version); checks call
    :meth:`report`, which collects :attr:`problems`."""

    __slots__ = ("manifest", "problems", "source", "version")

    def __init__(self, source: ManifestSource, manifest: dict[str, Any], version: str) -> None:
        self.source = source
        self.manifest = manifest
        self.version = version
        self.problems: list[Problem] = []

    def report(
        self,
        rule: str,
        message: str,
        pointer: str = "",
        *,
        hint: str | None = None,
        key: bool = False,
        level: Severity | None = None,
    ) -> None:
        self.problems.append(
            self.source.problem(rule, level or severity(rule), message, pointer, hint=hint, key=key)
        )

    def items(self, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """(index, item) of the object items of a list key of the manifest."""
        value = self.manifest.get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield i, item

    def storage_key(self) -> str:
        """``storage``, or ``state`` for a 2.1.0 manifest that uses that name."""
        return items_key(self.manifest)
