"""Where a build reads and writes, and how it names files to the user.

- :func:`project_source`: the project a ``PATH`` stands for (its folder, or the folder of its own
  ``package.json``/``manifest.json``), or a usage error saying what ``PATH`` is instead;
- :func:`output_folder` and :func:`zip_target`: where ``dist/`` (or ``target/``) and the zip go,
  refusing places that would lose or loop the user's files;
- :func:`placed`: problems that name files relative to the project, named relative to the current
  folder instead (as the manifest's own problems are).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from deskpro_cli.errors import UsageError
from deskpro_cli.problems import Problem

if TYPE_CHECKING:
    from deskpro_cli.manifest import ManifestSource

PROJECT_FILES = ("package.json", "manifest.json")


def project_source(path: Path, mode: str) -> ManifestSource:
    """The manifest source of the app project at ``path`` (a folder, or its manifest file).

    Raises:
        UsageError: ``path`` holds a manifest but no project (a built ``dist/``, a zip, a stray
            file); the message says what it is and the command to run.
        ProblemsFound: there is no readable manifest at ``path``.
    """
    from deskpro_cli import manifest as manifest_model

    source = manifest_model.load_source(path)
    if source.origin == "file" and source.path.name in PROJECT_FILES:
        # PATH names the project's own manifest file (as `deskpro serve` accepts): build its
        # folder, unless that folder's manifest is another file (manifest.json wins).
        folder = manifest_model.load_source(source.path.parent)
        if folder.project_dir is not None and folder.path.samefile(source.path):
            source = folder
    if source.project_dir is None:
        raise _not_a_project(source, mode)
    return source


def output_folder(project: Path, mode: str, out_dir: Path | None) -> Path:
    """The bundle folder: ``out_dir``, else ``dist/`` (package) or ``target/`` (serve).

    Raises:
        UsageError: it would hold the project, or lie inside ``src/``.
    """
    default = "dist" if mode == "package" else "target"
    out_dir = (out_dir or project / default).absolute()
    real_project = project.resolve()
    real_out = out_dir.resolve()
    if real_out == real_project or real_project.is_relative_to(real_out):
        raise UsageError(
            f"the output folder {out_dir} holds the project itself; it would be overwritten"
        )
    if real_out.is_relative_to(real_project / "src"):
        raise UsageError(f"the output folder {out_dir} is inside src/; choose another folder")
    return out_dir


def zip_target(project: Path, out_dir: Path, zip_path: Path | None) -> Path:
    """Where the zip goes, refusing a place that would lose or loop the user's files: inside
    ``src/`` (the next build would pack it) or over a file that is not a zip (``-o
    package.json``)."""
    target = (zip_path or out_dir / "app.zip").absolute()
    real = target.resolve()
    if real.is_relative_to(project.resolve() / "src"):
        raise UsageError(
            f"the zip {target} would be inside src/, and the next build would pack it",
            hint="write it outside src/ (the default is dist/app.zip)",
        )
    if real.is_dir():
        raise UsageError(f"the zip {target} would replace a folder", hint="give a file name")
    if real.exists() and not _is_zip(real):
        raise UsageError(
            f"{target} exists and is not a zip; deskpro package will not overwrite it",
            hint="give another -o path, or move that file away first",
        )
    return target


def _is_zip(path: Path) -> bool:
    """Whether an existing file may be replaced by a zip: a zip, or empty (a failed tool's
    0-byte zip). A file that cannot be read is left to the write to judge."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        return True
    return head in (b"", b"PK\x03\x04", b"PK\x05\x06")


def placed(problems: list[Problem], project: Path) -> list[Problem]:
    """The problems with their files named by :func:`place`."""
    return [replace(p, file=place(p.file, project)) for p in problems]


def place(file: str, project: Path) -> str:
    """A file named relative to the project (``src/main/...``), named relative to the current
    folder instead, as the manifest's own problems are: ``deskpro package app`` run from the
    parent reports ``app/src/main/resources/x.js:3:1``. A name that is already that way, or a
    bundle path of a generated file, is returned as it is."""
    from deskpro_cli.manifest.source import display_path

    rel = Path(file)
    if not file or rel.is_absolute() or ".." in rel.parts:
        return file
    candidate = project / rel
    if not (candidate.exists() or candidate.is_symlink()):
        return file
    base = display_path(project)
    return file if base == "." else f"{base}/{rel.as_posix()}"


def _not_a_project(source: ManifestSource, mode: str) -> UsageError:
    """The error for a PATH that holds a manifest but is no project: say what it is instead."""
    from deskpro_cli.manifest.source import display_path

    folder = source.path.parent
    if source.origin == "file":
        what = f"{source.display} is a file"
    elif source.origin == "dist":
        what = (
            f"{display_path(folder)} looks like a built bundle (a manifest.json with neither "
            "package.json nor src/ beside it)"
        )
        folder = folder.parent
    else:
        what = f"{source.display.split('!/')[0]} is a packaged app"
        folder = source.path.parent
    project = (folder / "package.json").is_file() or (folder / "src").is_dir()
    return UsageError(
        f"{what}, not an app project; deskpro {mode} builds from a project folder",
        hint=f"run `deskpro {mode} {display_path(folder)}`"
        if project
        else "point PATH at the folder holding package.json (or manifest.json) and src/",
    )
