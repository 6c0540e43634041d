"""Reading a manifest file: strict UTF-8, no BOM, not empty, JSON, an object; load errors as
problems (each a :class:`~deskpro_cli.errors.ProblemsFound` with one problem, its rule id, the
line and column, and the fix)."""

from __future__ import annotations

from typing import Any

from deskpro_cli.errors import ProblemsFound
from deskpro_cli.manifest.jsonpos import (
    MAX_DEPTH,
    JsonSyntaxError,
    JsonTooDeep,
    ParsedJson,
    parse_json,
)
from deskpro_cli.problems import Problem

#: A manifest is a few kilobytes; anything past this is the wrong file (and is not read).
MAX_MANIFEST_BYTES = 5 * 1024 * 1024


def decode_manifest_bytes(raw: bytes, shown: str) -> str:
    """The text of a manifest file: strict UTF-8 without a byte order mark.

    Raises:
        ProblemsFound: a BOM, another encoding, or an empty file (each with line and column).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raise problem_error(
            shown,
            "DP003",
            "the file starts with a UTF-8 byte order mark (BOM), which JSON does not allow",
            hint="save the file as UTF-8 without BOM (most editors: 'UTF-8' rather than "
            "'UTF-8 with BOM')",
            line=1,
            column=1,
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem_error(
            shown,
            "DP002",
            "the file is UTF-16; JSON files must be UTF-8",
            hint="save the file as UTF-8",
            line=1,
            column=1,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise problem_error(
            shown,
            "DP002",
            f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            hint="save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
            line=line,
            column=column,
        ) from None
    if text.strip(" \t\r\n") == "":
        raise problem_error(
            shown,
            "DP004",
            "the file is empty",
            hint="a manifest is a JSON object; `deskpro init` writes a complete one",
            line=1,
            column=1,
        )
    return text


def parse_manifest_text(text: str, shown: str) -> ParsedJson:
    """The parse of a manifest file's text, whose top level must be an object.

    Raises:
        ProblemsFound: invalid JSON (DP001), nested far deeper than a manifest (DP004), or a
            top level that is not an object (DP005), at the line and column.
    """
    try:
        parsed = parse_json(text)
    except JsonTooDeep as exc:
        raise problem_error(
            shown,
            "DP004",
            f"the file nests objects and arrays more than {MAX_DEPTH} levels deep; a manifest "
            "nests about six, so this is not one",
            hint="point PATH at your app's package.json or manifest.json",
            line=exc.line,
            column=exc.column,
        ) from None
    except JsonSyntaxError as exc:
        raise ProblemsFound(
            f"{shown} is not valid JSON",
            [
                Problem(
                    "DP001",
                    "error",
                    f"invalid JSON: {exc.msg}",
                    shown,
                    "",
                    exc.line,
                    exc.column,
                    _syntax_hint(shown),
                )
            ],
        ) from None
    if not isinstance(parsed.value, dict):
        raise problem_error(
            shown,
            "DP005",
            f"the file holds {json_type(parsed.value)}, but a manifest is a JSON object ({{...}})",
            hint='the file must start with "{": an object of the manifest\'s keys',
            line=parsed.spans[""].line,
            column=parsed.spans[""].column,
        )
    return parsed


def _syntax_hint(shown: str) -> str:
    """How to fix DP001: the syntax of a JSON file, or the PATH when it names another kind of
    file (``deskpro validate src/main/html/index.html``)."""
    if shown.lower().endswith(".json"):
        return (
            "fix the JSON syntax at this line and column (JSON has no comments, no trailing "
            "commas, and takes double quotes only)"
        )
    return (
        "this file is not a manifest: point PATH at the app's folder, or at its package.json "
        "or manifest.json"
    )


def problem_error(
    shown: str,
    rule: str,
    message: str,
    *,
    hint: str,
    pointer: str = "",
    line: int | None = None,
    column: int | None = None,
) -> ProblemsFound:
    """The error to raise for a file that cannot be read as a manifest (one problem)."""
    problem = Problem(rule, "error", message, shown, pointer, line, column, hint)
    return ProblemsFound(f"{shown} cannot be read as a Deskpro manifest", [problem], hint=hint)


def json_type(value: Any) -> str:
    """``an array``, ``a string``... for messages about a value of the wrong kind."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    return "an object"
