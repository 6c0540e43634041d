"""Bundle paths that break when the zip is extracted somewhere other than Linux.

The bundle is assembled (and usually built) on a case-sensitive file system, but developers and
admins unzip apps on macOS and Windows, whose file systems are case-insensitive by default:
``assets/Icon.png`` and ``assets/icon.png`` become one file there, and which one survives depends
on the unzip tool. That is refused (DP531). Names Windows cannot hold at all (``:``, ``\\``,
``*``, ``?``, ``"``, ``<``, ``>``, ``|``, control characters, a trailing dot or space, the
reserved device names ``CON``, ``NUL``, ``COM1``...), a name longer than file systems allow, and
a path long enough to pass Windows' classic 260-character limit once extracted into a folder,
are warned about (DP532): Deskpro's own servers may cope, a developer's machine may not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from deskpro_cli.build.assemble import RULE_COLLISION
from deskpro_cli.problems import Problem

RULE_CASE_CLASH = "DP531"
RULE_NOT_PORTABLE = "DP532"

#: Longest bundle path not warned about: Windows' MAX_PATH (260) less room for the folder the
#: zip is extracted into (``C:\Users\<name>\Downloads\my-app\`` and the like).
MAX_PATH_CHARS = 200
#: Longest file or folder name most file systems take (ext4, APFS: 255 bytes; NTFS: 255 UTF-16).
MAX_NAME_BYTES = 255

_FORBIDDEN = {":": "`:`", "\\": "`\\`", "*": "`*`", "?": "`?`", '"': '`"`', "<": "`<`",
              ">": "`>`", "|": "`|`"}  # fmt: skip
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{kind}{n}" for kind in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")]
)


def case_key(name: str) -> str:
    """The form of a path under which case-insensitive file systems consider two paths equal.

    Case folded after NFC normalisation (macOS also treats composed and decomposed accents as
    the same name).
    """
    return unicodedata.normalize("NFC", name).casefold()


def portability_problems(origins: Mapping[str, str]) -> list[Problem]:
    """The problems of the bundle paths in ``origins`` (bundle path -> where it came from).

    Errors (DP531) for two paths that differ only by case (or Unicode normalisation), including
    a file whose name is, but for case, a folder of another file (DP530 when it is exactly that
    folder); warnings (DP532) for names that are not portable. Each problem names the user's
    file where there is one.
    """
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    folders: dict[str, str] = {}  # case key of a folder -> the first file under it
    for name in sorted(origins):
        key = case_key(name)
        other = seen.setdefault(key, name)
        if other != name:
            problems.append(_clash(name, other, origins, other_is_folder=False))
        parts = name.split("/")
        for end in range(1, len(parts)):
            folders.setdefault(case_key("/".join(parts[:end])), name)
    for name in sorted(origins):
        under = folders.get(case_key(name))
        if under is not None:
            problems.append(_clash(name, under, origins, other_is_folder=True))
    for name in sorted(origins):
        reasons = not_portable(name)
        if reasons:
            problems.append(
                Problem(
                    RULE_NOT_PORTABLE,
                    "warning",
                    f"{_named(name, origins)} cannot be extracted everywhere: "
                    + "; ".join(reasons),
                    _user_file(origins[name], name),
                    hint="rename it with letters, digits, `-`, `_` and `.` (and keep paths "
                    f"under {MAX_PATH_CHARS} characters) so the zip unpacks on Windows and macOS",
                )
            )
    return problems


def not_portable(name: str) -> list[str]:
    """Why the bundle path ``name`` (``/``-separated) cannot be extracted on every system."""
    reasons: list[str] = []
    for part in name.split("/"):
        bad = sorted({_FORBIDDEN[c] for c in part if c in _FORBIDDEN})
        if bad:
            reasons.append(f"{part!r} has {', '.join(bad)} (not allowed in Windows file names)")
        if any(ord(c) < 32 or ord(c) == 127 for c in part):
            reasons.append(f"{part!r} has a control character")
        if part.endswith((".", " ")):
            reasons.append(f"{part!r} ends with a dot or a space (Windows drops it)")
        stem = part.split(".", 1)[0].rstrip(" ").upper()
        if stem in _RESERVED:
            reasons.append(f"{part!r} is a reserved device name on Windows ({stem})")
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            reasons.append(f"a name is longer than {MAX_NAME_BYTES} bytes")
    if len(name) > MAX_PATH_CHARS:
        reasons.append(
            f"the path is {len(name)} characters long (over {MAX_PATH_CHARS}: past Windows' "
            "260-character limit once extracted into a folder)"
        )
    return reasons


def _clash(name: str, other: str, origins: Mapping[str, str], *, other_is_folder: bool) -> Problem:
    user = [o for o in (origins[name], origins[other]) if not o.startswith("<")]
    file = user[0] if user else origins[name]
    if other_is_folder:
        folder = _folder_like(other, name)
        if folder == name:  # not a matter of case: no file system can hold both
            return Problem(
                RULE_COLLISION,
                "error",
                f"{_named(name, origins)} is a file, but {_named(other, origins)} needs a "
                f"folder {name}/ in the bundle",
                file,
                hint="rename one of them",
            )
        what = f"{_named(name, origins)} and the folder {folder}/ of {_named(other, origins)}"
    else:
        what = f"{_named(other, origins)} and {_named(name, origins)}"
    return Problem(
        RULE_CASE_CLASH,
        "error",
        f"{what} differ only by case: on macOS and Windows they are the same file, and "
        "unzipping the app there keeps only one of them",
        file,
        hint="rename one of them so the names differ by more than case",
    )


def _folder_like(path: str, name: str) -> str:
    """The folder of ``path`` that is ``name`` but for case."""
    parts = path.split("/")
    key = case_key(name)
    for end in range(1, len(parts)):
        folder = "/".join(parts[:end])
        if case_key(folder) == key:
            return folder
    raise ValueError(f"{name!r} is no folder of {path!r}")


def _named(name: str, origins: Mapping[str, str]) -> str:
    """A bundle path with where it came from, unless that is the same path."""
    origin = origins[name]
    return name if origin == name else f"{name} (from {origin})"


def _user_file(origin: str, name: str) -> str:
    return origin if not origin.startswith("<") else name
