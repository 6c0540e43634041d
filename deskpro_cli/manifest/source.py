"""Finding and reading a manifest: project folder, package.json, manifest.json, dist/ or app.zip.

``load_source(path)`` returns a :class:`ManifestSource`: the text, the parsed document with the
position of every value, the manifest object as declared, and (for a built ``dist/`` or zip) the
files next to it. Unreadable input (not UTF-8, a BOM, empty, not JSON, not an object, no
``deskpro`` key, no manifest, a corrupt zip), and a file that is plainly something else (a JSON
Schema, a web app manifest: :mod:`~deskpro_cli.manifest.identify`), raise
:class:`~deskpro_cli.errors.ProblemsFound` (exit 1) with one problem naming the file, the line
and column, and the fix.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

from deskpro_cli.errors import UsageError
from deskpro_cli.manifest.bundle import Bundle, folder_bundle, is_zip, read_zip_manifest
from deskpro_cli.manifest.jsonpos import JsonSyntaxError, ParsedJson, parse_json, split_pointer
from deskpro_cli.manifest.model import NPM_KEYS
from deskpro_cli.manifest.reading import (
    MAX_MANIFEST_BYTES,
    decode_manifest_bytes,
    json_type,
    parse_manifest_text,
    problem_error,
)
from deskpro_cli.problems import Problem, Severity

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "MAX_MANIFEST_BYTES",
    "Bundle",
    "Kind",
    "ManifestSource",
    "Origin",
    "display_path",
    "load_source",
]

Kind = Literal["package.json", "manifest.json"]
Origin = Literal["project", "file", "dist", "zip"]

_MANIFEST_KEYS_FROM_NPM = {v: k for k, v in NPM_KEYS.items()}


class ManifestSource:
    """A manifest as read from the user's file, with positions for every value.

    (A plain class rather than a dataclass, and paths kept as str with :class:`pathlib.Path`
    views built on demand: building a dataclass and importing pathlib cost start-up time on
    every run of ``deskpro validate``.)

    Attributes:
        path: the file the text came from (for a zip: the zip itself); ``filename`` as a str.
        display: how problems name that file (``package.json``, ``dist/app.zip!/manifest.json``).
        kind: ``package.json`` (manifest under ``deskpro``) or ``manifest.json``.
        origin: what PATH was: a project folder, a file, a built ``dist/`` folder or a zip.
        text: the file's text (what the spans' offsets index).
        parsed: the parsed document with spans and duplicate keys.
        pointer: JSON pointer of the manifest object in the file (``/deskpro`` or ``""``).
        bundle: the built files next to the manifest (``dist/`` or zip), else None.
        project_dir: the project folder, when the source is a project's file; ``project_folder``
            as a str.
        notes: problems noticed while finding the source (e.g. a shadowed package.json manifest).
    """

    def __init__(
        self,
        filename: str,
        display: str,
        kind: Kind,
        origin: Origin,
        text: str,
        parsed: ParsedJson,
        pointer: str,
    ) -> None:
        self.filename = filename
        self.display = display
        self.kind: Kind = kind
        self.origin: Origin = origin
        self.text = text
        self.parsed = parsed
        self.pointer = pointer
        self.bundle: Bundle | None = None
        self.project_folder: str | None = None
        self.notes: list[Problem] = []

    @property
    def path(self) -> Path:
        """The file the text came from, as a :class:`pathlib.Path`."""
        from pathlib import Path

        return Path(self.filename)

    @property
    def project_dir(self) -> Path | None:
        """The project folder, as a :class:`pathlib.Path`, or None outside a project."""
        from pathlib import Path

        return None if self.project_folder is None else Path(self.project_folder)

    def __repr__(self) -> str:
        return f"ManifestSource({self.display!r}, kind={self.kind!r}, origin={self.origin!r})"

    def with_text(self, parsed: ParsedJson) -> ManifestSource:
        """The same source with another text (an edit of it): ``parsed`` is the new text's parse."""
        other = ManifestSource(
            self.filename,
            self.display,
            self.kind,
            self.origin,
            parsed.text,
            parsed,
            self.pointer,
        )
        other.bundle, other.project_folder = self.bundle, self.project_folder
        other.notes = self.notes
        return other

    @property
    def document(self) -> Any:
        """The whole parsed file."""
        return self.parsed.value

    @property
    def declared(self) -> dict[str, Any]:
        """The manifest object as written (the ``deskpro`` object, or the whole manifest.json)."""
        if self.pointer == "":
            value: dict[str, Any] = self.parsed.value
            return value
        obj: dict[str, Any] = self.parsed.value["deskpro"]
        return obj

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest the old tool composes before normalising (spec §1.1).

        For package.json: ``appVersion``, ``author``, ``description``, ``name`` from the npm keys
        (those present), then every ``deskpro`` key except those four, in source order. For
        manifest.json: the object itself.
        """
        if self.kind == "manifest.json":
            return dict(self.declared)
        doc = self.parsed.value
        out: dict[str, Any] = {}
        for npm_key, manifest_key in NPM_KEYS.items():
            if npm_key in doc:
                out[manifest_key] = doc[npm_key]
        for key, value in self.declared.items():
            if key not in _MANIFEST_KEYS_FROM_NPM:
                out[key] = value
        return out

    # -- positions ------------------------------------------------------------------------
    def file_pointer(self, manifest_pointer: str) -> str:
        """Where a pointer into :attr:`manifest` lives in the file.

        For package.json the npm-mapped keys live at the top (``/appVersion`` → ``/version``)
        and every other key under ``/deskpro``.
        """
        if self.kind == "manifest.json":
            return self.pointer + manifest_pointer
        tokens = split_pointer(manifest_pointer)
        if tokens and tokens[0] in _MANIFEST_KEYS_FROM_NPM:
            rest = manifest_pointer[len(tokens[0]) + 1 :]
            return "/" + _MANIFEST_KEYS_FROM_NPM[tokens[0]] + rest
        return self.pointer + manifest_pointer

    def position(self, file_pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
        """1-based line and column of a value (or, with ``key``, of its key) in the file.

        A pointer that is not in the file (a missing key) gets its closest existing parent's
        position, at the parent's key when it has one.
        """
        try:
            found, span = self.parsed.nearest(file_pointer)
        except KeyError:
            return None, None
        if (key or found != file_pointer) and span.key_start is not None:
            pos = self.parsed.key_position(found)
            if pos is not None:
                return pos
        return span.line, span.column

    def problem(
        self,
        rule: str,
        severity: Severity,
        message: str,
        manifest_pointer: str = "",
        *,
        hint: str | None = None,
        key: bool = False,
        file_pointer: str | None = None,
    ) -> Problem:
        """A problem about the value at ``manifest_pointer``, placed in the user's file.

        ``key`` places it at the member's key rather than its value; ``file_pointer`` names the
        place in the file directly (for things outside the manifest object, like npm keys).
        """
        pointer = self.file_pointer(manifest_pointer) if file_pointer is None else file_pointer
        line, column = self.position(pointer, key=key)
        return Problem(rule, severity, message, self.display, pointer, line, column, hint)


# -- finding the source ---------------------------------------------------------------------
def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as problems show it: relative to the current folder when inside it."""
    given = os.path.normpath(path)
    try:
        absolute, here = os.path.realpath(given), os.path.realpath(os.getcwd())
    except OSError:
        return given
    if absolute == here:
        return "."
    inside = here.rstrip(os.sep) + os.sep
    if absolute.startswith(inside):
        return absolute[len(inside) :].replace(os.sep, "/")
    return given


def load_source(path: str | os.PathLike[str]) -> ManifestSource:
    """Find and read the manifest at ``path`` (project folder, package.json, manifest.json,
    built ``dist/`` folder or ``app.zip``).

    In a project folder a root ``manifest.json`` wins over ``package.json#deskpro`` (a
    ``deskpro`` key it shadows is noted as a warning). A folder with ``manifest.json`` and neither
    ``package.json`` nor ``src/`` is taken as a built ``dist/``: its files are kept so target
    URLs can be checked.

    Raises:
        UsageError: ``path`` does not exist.
        ProblemsFound: no manifest there, an unreadable zip, or a manifest file that is not
            readable JSON of the right shape (one problem with its rule id and position).
    """
    # os.path rather than pathlib: importing pathlib costs start-up time on every validate
    path = os.fspath(path)
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file or folder", hint="check the PATH argument")
    if os.path.isdir(path):
        return _load_folder(path)
    if path.lower().endswith(".zip") or is_zip(path):
        return _load_zip(path)
    return _load_file(path, origin="file")


def _load_folder(folder: str) -> ManifestSource:
    manifest = os.path.join(folder, "manifest.json")
    package = os.path.join(folder, "package.json")
    is_project = os.path.isfile(package) or os.path.isdir(os.path.join(folder, "src"))
    if os.path.isfile(manifest) and is_project:
        source = _load_file(manifest, origin="project", kind="manifest.json")
        source.project_folder = folder
        if os.path.isfile(package):
            shadowed = _shadowed_package_manifest(package)
            if shadowed is not None:
                source.notes.append(shadowed)
        return source
    if os.path.isfile(manifest):
        source = _load_file(manifest, origin="dist", kind="manifest.json")
        source.bundle = folder_bundle(folder, display_path(folder))
        return source
    if os.path.isfile(package):
        source = _load_file(package, origin="project", kind="package.json")
        source.project_folder = folder
        return source
    hint = "point PATH at your app's folder, or create a project with `deskpro init DIR`"
    dist = os.path.join(folder, "dist")
    if os.path.isfile(os.path.join(dist, "manifest.json")):
        hint = f"to check the built app, run `deskpro validate {display_path(dist)}`"
    raise problem_error(
        display_path(folder),
        "DP020",
        'no manifest here: no package.json (with a "deskpro" key) and no manifest.json',
        hint=hint,
    )


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _shadowed_package_manifest(package: str) -> Problem | None:
    """A warning when package.json also declares a manifest that the root manifest.json hides."""
    try:
        raw = _read_bytes(package)
        if len(raw) > MAX_MANIFEST_BYTES:
            return None
        parsed = parse_json(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, JsonSyntaxError):
        return None
    if not isinstance(parsed.value, dict) or "deskpro" not in parsed.value:
        return None
    pos = parsed.key_position("/deskpro") or (None, None)
    return Problem(
        "DP008",
        "warning",
        'package.json has a "deskpro" manifest too, but manifest.json wins: this one is ignored',
        display_path(package),
        "/deskpro",
        pos[0],
        pos[1],
        'keep one manifest: delete manifest.json or the "deskpro" key of package.json',
    )


def _load_file(
    path: str, *, origin: Origin, kind: Kind | None = None, display: str | None = None
) -> ManifestSource:
    shown = display or display_path(path)
    size = os.stat(path).st_size
    if size > MAX_MANIFEST_BYTES:
        raise problem_error(
            shown,
            "DP004",
            f"the file is {size / 1e6:.1f} MB; a manifest is a few kilobytes, so this is not one",
            hint="point PATH at your app's package.json or manifest.json",
        )
    return _from_bytes(path, _read_bytes(path), shown, origin=origin, kind=kind)


def _from_bytes(
    path: str, raw: bytes, shown: str, *, origin: Origin, kind: Kind | None
) -> ManifestSource:
    text = decode_manifest_bytes(raw, shown)
    parsed = parse_manifest_text(text, shown)
    doc: dict[str, Any] = parsed.value
    if kind is None:
        kind = _sniff_kind(path, doc)
    if kind == "manifest.json" and "targets" not in doc:
        from deskpro_cli.manifest.identify import not_a_manifest  # (every manifest has targets)

        other = not_a_manifest(parsed, shown)
        if other is not None:
            raise other
    pointer = ""
    if kind == "package.json":
        pointer = "/deskpro"
        if "deskpro" not in doc:
            from deskpro_cli.manifest.identify import no_deskpro_key

            raise no_deskpro_key(path, shown)
        if not isinstance(doc["deskpro"], dict):
            span = parsed.spans["/deskpro"]
            raise problem_error(
                shown,
                "DP006",
                '"deskpro" must be an object holding the manifest, not '
                + json_type(doc["deskpro"]),
                pointer="/deskpro",
                hint='write "deskpro": { "version": "2.3.0", ... }',
                line=span.line,
                column=span.column,
            )
    return ManifestSource(path, shown, kind, origin, text, parsed, pointer)


def _sniff_kind(path: str, doc: dict[str, Any]) -> Kind:
    """By the name, else by the content: a ``deskpro`` key or npm's own keys make it a
    package.json (``package.backup.json`` without ``deskpro`` gets DP006, not "no version")."""
    name = os.path.basename(path).lower()
    if name == "package.json":
        return "package.json"
    if name == "manifest.json":
        return "manifest.json"
    if "deskpro" in doc:
        return "package.json"
    if "targets" not in doc:
        from deskpro_cli.manifest.identify import looks_like_npm_package

        if looks_like_npm_package(doc):
            return "package.json"
    return "manifest.json"


def _load_zip(path: str) -> ManifestSource:
    shown = display_path(path)
    raw, bundle = read_zip_manifest(path, shown)
    source = _from_bytes(path, raw, f"{shown}!/manifest.json", origin="zip", kind="manifest.json")
    source.bundle = bundle
    return source
