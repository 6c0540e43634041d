"""One diagnostic about a user's file, shared by validate, the editors and package.

Rule ids (``DPnnn``) are stable once released: users grep and silence them. The registry of ids
and what they mean lives in :mod:`deskpro_cli.manifest.registry` (and docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]


class Problem(NamedTuple):
    """A problem found in a user's file (immutable).

    ``pointer`` is a JSON pointer into the *file* as the user wrote it (so for a package.json
    manifest it starts with ``/deskpro`` for manifest keys). ``line``/``column`` are 1-based and
    point at the offending value (or key) in that file, or are None when unknown (a zip entry,
    a missing key's parent is used when possible).

    A named tuple rather than a dataclass: building a dataclass costs start-up time on every
    run of ``deskpro validate`` (docs/architecture.md, start-up).
    """

    rule: str
    severity: Severity
    message: str
    file: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        """The shape of spec/cli.md's ``problems`` items."""
        return self._asdict()

    def location(self) -> str:
        """``file:line:column`` (as much as is known), like a compiler."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


def has_errors(problems: Iterable[Problem], *, strict: bool = False) -> bool:
    """Whether these problems fail a check (warnings count only when ``strict``)."""
    return any(p.is_error or strict for p in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file order: by file, then line and column (unknown positions last), then rule."""

    def key(p: Problem) -> tuple[str, int, int, str, str]:
        big = 1 << 30
        return (
            p.file,
            p.line if p.line is not None else big,
            p.column if p.column is not None else big,
            p.rule,
            p.pointer,
        )

    return sorted(problems, key=key)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)
