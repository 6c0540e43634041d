"""Reading esbuild's diagnostics and turning them into :class:`~deskpro_cli.problems.Problem`.

esbuild's command line has no JSON log output (only its JavaScript API returns messages as data),
so we run it with ``--color=false --log-limit=0 --log-level=warning`` and read its stable text
format (used since esbuild 0.14)::

    ✘ [ERROR] Could not resolve "./missing"

        src/a.jsx:3:7:
          3 │ import "./missing";
            ╵        ~~~~~~~~~~~

      A note, indented by two spaces.

Paths are relative to esbuild's working folder (we run it in the project folder), lines are
1-based and columns are 0-based UTF-8 byte offsets. Our own code frame is built from the user's
file, with a 1-based character column, so it does not depend on esbuild's terminal layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from deskpro_cli.build.codeframe import byte_to_char_column, code_frame, read_lines
from deskpro_cli.problems import Problem

_HEADER = re.compile(r"^(?:✘|▲|X|!|>)?\s*\[(ERROR|WARNING)\]\s+(.*?)\s*$")
_MESSAGE_ID = re.compile(r"\s\[([a-z0-9-]+)\]$")
_LOCATION = re.compile(r"^ {4}(\S.*?):(\d+):(\d+):$")

#: Rule ids of the compile step (docs/compile.md lists them).
RULE_COMPILE_ERROR = "DP701"
RULE_UNRESOLVED = "DP702"
RULE_COMPILER_NONE = "DP703"
RULE_NO_DEFAULT_EXPORT = "DP704"
RULE_COMPILE_WARNING = "DP705"
RULE_AMBIGUOUS_ENTRY = "DP706"
RULE_BUILD_SETTINGS = "DP707"


@dataclass
class EsbuildMessage:
    """One error or warning as esbuild printed it."""

    kind: str  # "error" | "warning"
    text: str
    message_id: str | None = None
    file: str | None = None
    line: int | None = None  # 1-based
    byte_column: int | None = None  # 0-based, in UTF-8 bytes
    notes: list[str] = field(default_factory=list)


def parse_log(stderr: str) -> list[EsbuildMessage]:
    """Every ``[ERROR]``/``[WARNING]`` message in esbuild's (uncoloured) log output."""
    messages: list[EsbuildMessage] = []
    current: EsbuildMessage | None = None
    note_lines: list[str] = []

    def close() -> None:
        if current is not None and note_lines:
            current.notes.extend(_paragraphs(note_lines))
        note_lines.clear()

    for raw in stderr.splitlines():
        line = raw.rstrip("\r")
        header = _HEADER.match(line)
        if header and not line.startswith(" "):
            close()
            kind, text = header.group(1).lower(), header.group(2)
            message_id = None
            id_match = _MESSAGE_ID.search(text)
            if id_match:
                message_id = id_match.group(1)
                text = text[: id_match.start()]
            current = EsbuildMessage(kind=kind, text=text, message_id=message_id)
            messages.append(current)
            continue
        if current is None:
            continue
        location = _LOCATION.match(line)
        if location:
            if current.file is None and not note_lines:
                current.file = location.group(1)
                current.line = int(location.group(2))
                current.byte_column = int(location.group(3))
            continue
        if line.startswith("  ") and not line.startswith("    "):
            note_lines.append(line.strip())
        elif not line.strip() and note_lines and note_lines[-1] != "":
            note_lines.append("")
    close()
    return messages


def _paragraphs(lines: list[str]) -> list[str]:
    out: list[str] = []
    buf: list[str] = []
    for line in [*lines, ""]:
        if line:
            buf.append(line)
        elif buf:
            out.append(" ".join(buf))
            buf = []
    return out


def _package_name(spec: str) -> str:
    parts = spec.split("/")
    if spec.startswith("@") and len(parts) > 1:
        return "/".join(parts[:2])
    return parts[0]


REACT_EXTERNAL_MODULES = ("react", "react/jsx-runtime", "react-dom", "react-dom/client")


_UNRESOLVED = re.compile(r'^Could not resolve "(.+?)"(?: \(originally "(.+)"\))?$')


def _unresolved(text: str) -> str | None:
    """The import path of a "Could not resolve" message, as the user wrote it (before aliases)."""
    match = _UNRESOLVED.match(text)
    if match is None:
        return None
    return match.group(2) or match.group(1)


def _hint_for(msg: EsbuildMessage, *, react_external: bool, project_dir: Path) -> str | None:
    spec = _unresolved(msg.text)
    if spec is not None:
        if spec.startswith((".", "/")):
            return (
                "no such file: check the path and its case (esbuild tries the extensions "
                ".tsx .ts .jsx .js .css .json and index files in folders)"
            )
        package = _package_name(spec)
        if react_external and package in ("react", "react-dom"):
            return (
                "React is external (loaded by the page from the CDN): only "
                + ", ".join(REACT_EXTERNAL_MODULES)
                + ' can be imported; set "deskpro-cli": {"react": "bundle"} in package.json to '
                "bundle React from node_modules instead"
            )
        if not (project_dir / "node_modules").is_dir():
            return f"the app has no node_modules: run `npm install` in {project_dir}"
        return f"install it in the app: `npm install {package}` (or fix the import)"
    if "to the configured target environment" in msg.text:
        return (
            'raise the "target" browsers in package.json ("deskpro-cli": {"target": [...]}) '
            "or write the code without that syntax"
        )
    if msg.text.startswith("No matching export"):
        return "check the names that module exports (and default vs named imports)"
    if msg.notes:
        return msg.notes[0]
    return None


def to_problem(
    msg: EsbuildMessage,
    *,
    project_dir: Path,
    react_external: bool,
    rename: dict[str, str] | None = None,
) -> Problem:
    """A :class:`Problem` for one esbuild message, with a code frame of the user's source.

    ``rename`` maps esbuild's name for a generated entry (read from stdin) to the user file it
    stands for, so an error there still names a file the user has.
    """
    rule = RULE_COMPILE_ERROR
    if msg.text.startswith(("Could not resolve", "No matching export")):
        rule = RULE_UNRESOLVED
    if msg.kind == "warning":
        rule = RULE_COMPILE_WARNING
    file = msg.file or "package.json"
    line = msg.line
    column: int | None = None
    message = msg.text
    spec = _unresolved(msg.text)
    if spec is not None:
        message = f'Could not resolve "{spec}"'  # not our alias target
    if rename and msg.file in rename:
        file = rename[msg.file]
        line = None  # the position is in code we generated, not in the user's file
    elif msg.file is not None and msg.line is not None and msg.byte_column is not None:
        lines = read_lines(project_dir / msg.file)
        if lines is not None and 1 <= msg.line <= len(lines):
            column = byte_to_char_column(lines[msg.line - 1], msg.byte_column) + 1
            frame = code_frame(lines, msg.line, column)
            if frame:
                # Indented under the problem's headline, like its hint.
                message += "".join(f"\n    {row}" for row in frame.splitlines())
        else:
            column = msg.byte_column + 1
    return Problem(
        rule=rule,
        severity="warning" if msg.kind == "warning" else "error",
        message=message,
        file=file,
        line=line,
        column=column,
        hint=_hint_for(msg, react_external=react_external, project_dir=project_dir),
    )
