"""Code frames: a few numbered lines of a user's source with a caret under the column.

Used for compile errors (and usable for any problem with a line and column)::

      2 | const a = 1;
    > 3 | const b = (<div>hi</div>
        |           ^
      4 | export default b;
"""

from __future__ import annotations

from pathlib import Path


def byte_to_char_column(line_text: str, byte_column: int) -> int:
    """Convert a 0-based UTF-8 byte offset within a line to a 0-based character offset.

    esbuild reports columns in bytes; users (and editors) count characters. An offset that falls
    inside a multi-byte character or past the end is clamped.
    """
    if byte_column <= 0:
        return 0
    encoded = line_text.encode("utf-8")
    prefix = encoded[:byte_column].decode("utf-8", errors="ignore")
    return len(prefix)


def read_lines(path: Path) -> list[str] | None:
    """The lines of a text file (without line endings), or None when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text.splitlines()


def code_frame(
    lines: list[str], line: int, column: int, *, before: int = 2, after: int = 1, width: int = 120
) -> str:
    """A frame around ``line`` (1-based) with a caret at ``column`` (1-based, in characters).

    Lines longer than ``width`` are cut around the column so the caret stays visible; tabs are
    shown as single spaces so the caret lines up.
    """
    if not lines or line < 1 or line > len(lines):
        return ""
    first = max(1, line - before)
    last = min(len(lines), line + after)
    gutter = len(str(last))
    out: list[str] = []
    for n in range(first, last + 1):
        text = lines[n - 1].replace("\t", " ")
        shift = 0
        if len(text) > width:
            # Keep the error column in view: start the cut a little before it.
            shift = max(0, min(column - 1 - width // 2, len(text) - width)) if n == line else 0
            text = text[shift : shift + width]
            if shift:
                text = "…" + text[1:]
        marker = ">" if n == line else " "
        out.append(f"{marker} {n:>{gutter}} | {text}".rstrip())
        if n == line:
            caret_at = max(0, column - 1 - shift)
            out.append(f"  {' ' * gutter} | {' ' * caret_at}^")
    return "\n".join(out)
