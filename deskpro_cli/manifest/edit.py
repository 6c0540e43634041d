"""Editing a manifest safely: load, change the text in place, validate, diff, write atomically.

An :class:`Editor` wraps one manifest file (a project's ``package.json`` with its ``deskpro``
object, or its root ``manifest.json``). The operations of ``edit_settings``, ``edit_storage``
and ``edit_domains`` (in this package) change
its :class:`~deskpro_cli.manifest.jsonedit.JsonText`; :meth:`Editor.commit` then

1. validates the edited manifest with the rules of ``deskpro validate`` and refuses (raising
   :class:`~deskpro_cli.errors.ProblemsFound`, exit 1, file untouched) when it has any error;
2. makes the unified diff of the change;
3. unless it is a dry run, checks the file was not changed behind our back since it was read,
   and writes the new text with :func:`deskpro_cli.fsutil.atomic_write_bytes` (temporary file
   in the same folder, fsync, rename; the file's permissions are kept; a symlink is followed,
   so the link stays a link).

A file that is not valid JSON (or not UTF-8, or has a BOM) is refused when it is loaded, with
its line and column; nothing is written.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskpro_cli.errors import CheckFailed, ProblemsFound, UsageError
from deskpro_cli.fsutil import atomic_write_bytes, remove_dead_temps
from deskpro_cli.manifest.jsonedit import JsonEditError, JsonText
from deskpro_cli.manifest.jsonpos import join_pointer
from deskpro_cli.manifest.model import SUPPORTED_VERSIONS, is_supported
from deskpro_cli.manifest.source import ManifestSource, load_source
from deskpro_cli.manifest.suggest import did_you_mean
from deskpro_cli.problems import Problem

log = logging.getLogger(__name__)

__all__ = ["EditResult", "Editor", "unified_diff"]


@dataclass
class EditResult:
    """What an edit did (or, for a dry run, would do).

    Attributes:
        file: the file as problems name it (``package.json``).
        path: the file on disk.
        before / after: the text before and after the edit.
        diff: the unified diff from ``before`` to ``after`` ("" when nothing changed).
        written: whether the file was written (False for a dry run or a no-op).
        summary: one line saying what was done.
        notes: what the user should know (a default chosen for safety, a related item kept).
        warnings: warnings the edit brought in (the manifest stays valid with them).
    """

    file: str
    path: Path
    before: str
    after: str
    diff: str
    written: bool
    summary: str
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _built_app(display: str) -> UsageError:
    return UsageError(
        f"{display} is a built app; the editing commands change the project's own manifest",
        hint="point PATH at the project folder (its package.json or manifest.json), then "
        "rebuild with `deskpro package`",
    )


class Editor:
    """One manifest file opened for editing.

    Raises (from the constructor):
        UsageError: PATH is a built app (``dist/`` or a zip), which is not edited (``read_only``
            opens one for the ``list`` commands, which never commit).
        ProblemsFound: no manifest, or a file that is not readable JSON (with line and column).
        CheckFailed: the manifest's version is missing or unknown, so its keys are unknown.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        source = load_source(path)
        if source.origin in ("dist", "zip") and not read_only:
            raise _built_app(source.display)
        self.source = source
        self.doc = JsonText(source.text, source.parsed)
        self.notes: list[str] = []
        version = source.manifest.get("version")
        if not is_supported(version):
            problems = _errors(_validate(source))
            shown = "no version" if version is None else f"version {version!r}"
            raise ProblemsFound(
                f"{source.display}: the manifest has {shown}; its keys depend on it, so it "
                "cannot be edited until it is fixed",
                problems,
                hint=f'set "version" to one of {", ".join(SUPPORTED_VERSIONS)} '
                "(2.3.0 is what the old tool's templates used)",
            )
        self.version: str = str(version)

    # -- reading the manifest -------------------------------------------------------------
    @property
    def base(self) -> str:
        """The pointer of the manifest object in the file (``/deskpro`` or ``""``)."""
        return self.source.pointer

    def pointer(self, *tokens: str | int) -> str:
        """A pointer into the file for a path inside the manifest object."""
        return join_pointer(self.base, *tokens)

    def manifest(self) -> dict[str, Any]:
        """The manifest object as it stands now (do not mutate)."""
        value: dict[str, Any] = self.doc.get(self.base)
        return value

    def line_of(self, *tokens: str | int) -> int | None:
        """The 1-based line of a manifest value in the current text (None if absent)."""
        span = self.doc.parsed.spans.get(self.pointer(*tokens))
        return None if span is None else span.line

    def array(self, key: str) -> list[Any] | None:
        """The manifest's array under ``key``; None when the key is absent.

        Raises:
            CheckFailed: the key holds something other than an array.
        """
        value = self.manifest().get(key)
        if value is None and key not in self.manifest():
            return None
        if not isinstance(value, list):
            raise CheckFailed(
                f"{self.source.display}: {self.pointer(key)} is not an array, so it cannot be "
                "edited as a list",
                hint=f'make it a list ("{key}": [...]) or run `deskpro validate` to see why',
            )
        return value

    def names(self, *keys: str) -> list[str]:
        """The names of the items of the manifest's arrays ``keys`` (items without a string
        ``name``, and keys that are not arrays, are skipped)."""
        out: list[str] = []
        for key in keys:
            value = self.manifest().get(key)
            if isinstance(value, list):
                out += [i["name"] for i in value if isinstance(i, dict) and _named(i)]
        return out

    def named(self, key: str, name: str) -> list[int]:
        """The indexes of the items of array ``key`` called ``name``.

        Raises:
            CheckFailed: the key holds something other than an array.
        """
        items = self.array(key) or []
        return [
            i for i, item in enumerate(items) if isinstance(item, dict) and item.get("name") == name
        ]

    def refuse_existing(self, key: str, name: str, what: str) -> None:
        """Refuse to add ``name`` to array ``key`` when an item has that name already.

        Raises:
            CheckFailed: there is one (its line is given, and how to remove it).
        """
        found = self.named(key, name)
        if found:
            raise CheckFailed(
                f"{self.source.display}: a {what} named {name!r} already exists "
                f"(line {self.line_of(key, found[0])})",
                hint=f"remove it first (`deskpro {_KINDS[what][1]} remove {name}`) or pick "
                "another name",
            )

    def require_named(self, key: str, name: str, what: str) -> list[int]:
        """The indexes of the items of array ``key`` called ``name``, at least one.

        Raises:
            CheckFailed: there is none ("did you mean", and the names there are).
        """
        found = self.named(key, name)
        if not found:
            names = self.names(key)
            raise CheckFailed(
                f"{self.source.display}: no {what} named {name!r}{did_you_mean(name, names)}",
                hint=f"the {_KINDS[what][0]} are: {', '.join(names) if names else 'none'}",
            )
        return found

    # -- changing it ----------------------------------------------------------------------
    def append(self, key: str, item: Any) -> None:
        """Add ``item`` at the end of the manifest's array ``key`` (created when absent).

        Raises:
            UsageError: a string in ``item`` is not text (bytes that are not UTF-8, taken from
                the command line), which the file could not hold.
        """
        for text in _strings(item):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
                raise UsageError(
                    f"{shown!r} is not valid text: it holds bytes that are not UTF-8",
                    hint="type it again in a terminal set to UTF-8",
                ) from None
        try:
            if self.array(key) is None:
                self.doc.set(self.base, key, [item])
            else:
                self.doc.append(self.pointer(key), item)
        except JsonEditError as exc:
            raise self._ambiguous(exc) from None

    def remove_items(self, key: str, indexes: Iterable[int]) -> None:
        """Remove the items at ``indexes`` of the manifest's array ``key``."""
        try:
            for index in sorted(set(indexes), reverse=True):
                self.doc.remove(self.pointer(key, index))
        except JsonEditError as exc:
            raise self._ambiguous(exc) from None

    def _ambiguous(self, exc: JsonEditError) -> CheckFailed:
        return CheckFailed(
            f"{self.source.display}: cannot edit safely: {exc}",
            hint="remove the repeated key by hand (JSON readers keep only the last one), then "
            "run the command again",
        )

    # -- finishing ------------------------------------------------------------------------
    def commit(self, summary: str, *, dry_run: bool = False) -> EditResult:
        """Validate the edited manifest, then write it (unless ``dry_run``).

        Raises:
            ProblemsFound: the edited manifest has errors; nothing is written.
            CheckFailed: the file changed on disk while it was being edited.
            OSError: the write failed (the file is then as it was).
            UsageError: the editor was opened ``read_only`` on a built app, which is not edited.
        """
        source = self.source
        if source.origin in ("dist", "zip"):
            raise _built_app(source.display)
        before, after = source.text, self.doc.text
        result = EditResult(
            file=source.display,
            path=source.path,
            before=before,
            after=after,
            diff=unified_diff(before, after, source.display),
            written=False,
            summary=summary,
            notes=list(self.notes),
        )
        if before == after:
            return result
        edited = source.with_text(self.doc.parsed)
        problems_after = _validate(edited)
        errors = _errors(problems_after)
        old = {_identity(p) for p in _validate(source)}
        if errors:
            already = all(_identity(p) in old for p in errors)
            raise ProblemsFound(
                f"refused: the edit would leave {source.display} invalid; nothing was written",
                errors,
                hint=(
                    "these problems are already in the file: fix them (see `deskpro validate`), "
                    "then run the command again"
                    if already
                    else "change the command's options so the manifest stays valid"
                ),
            )
        result.warnings = [p for p in problems_after if _identity(p) not in old]
        if not dry_run:
            self._write(after)
            result.written = True
        return result

    def _write(self, text: str) -> None:
        target = self.source.path.resolve()
        try:
            on_disk = target.read_bytes()
        except FileNotFoundError:
            on_disk = b""
        if on_disk != self.source.text.encode("utf-8"):
            raise CheckFailed(
                f"{self.source.display} changed on disk while it was being edited; nothing was "
                "written",
                hint="run the command again",
            )
        # What an earlier edit left when it was killed mid-write (SIGKILL, power loss): its
        # temporary file names a process that is gone. Other live writers' files stay.
        for stale in remove_dead_temps(target):
            log.info("removed %s, left by an edit that was killed", stale)
        atomic_write_bytes(target, text.encode("utf-8"))
        log.info("wrote %s", target)


#: each kind of named item: its plural, and the command that edits it
_KINDS = {"setting": ("settings", "settings"), "storage item": ("storage items", "storage")}


def _named(item: dict[str, Any]) -> bool:
    return isinstance(item.get("name"), str)


def _validate(source: ManifestSource) -> list[Problem]:
    from deskpro_cli.manifest.validate import validate_source

    return validate_source(source)


def _strings(value: Any) -> Iterable[str]:
    """Every string in a JSON value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def _identity(p: Problem) -> tuple[str, str, str]:
    """A problem without its position (which an edit may move)."""
    return (p.rule, p.pointer, p.message)


def unified_diff(before: str, after: str, name: str) -> str:
    """The unified diff between two texts, git style (``a/NAME``, ``b/NAME``, 3 lines of context).

    Lines end at ``\\n`` only, as git reads them (a ``\\r`` before it stays, so a CRLF file
    gives a CRLF diff; a U+2028 inside a string does not end a line); a last line without a
    newline gets git's ``\\ No newline at end of file`` marker.
    """
    if before == after:
        return ""
    old, new = _lines(before), _lines(after)
    # difflib's matcher is slow on long files: give it only the lines that differ and their
    # context (what lies around them is the same in both), then number the hunks in the file
    same_head = 0
    while same_head < min(len(old), len(new)) and old[same_head] == new[same_head]:
        same_head += 1
    same_tail = 0
    while (
        same_tail < min(len(old), len(new)) - same_head
        and old[-1 - same_tail] == new[-1 - same_tail]
    ):
        same_tail += 1
    skip = max(0, same_head - _CONTEXT)
    keep_tail = max(0, same_tail - _CONTEXT)
    shown = name.lstrip("/")
    lines = difflib.unified_diff(
        old[skip : len(old) - keep_tail],
        new[skip : len(new) - keep_tail],
        fromfile=f"a/{shown}",
        tofile=f"b/{shown}",
        n=_CONTEXT,
    )
    out: list[str] = []
    for line in lines:
        if skip and line.startswith("@@ "):
            line = _HUNK.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + skip}", line)
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


_CONTEXT = 3
# the start lines of a hunk header: "@@ -12,7 +12,8 @@"
_HUNK = re.compile(r"([-+])(\d+)")
