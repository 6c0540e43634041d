"""The build pipeline shared by ``deskpro package`` and ``deskpro serve``.

validate → compile (when there is something to compile) → assemble the bundle → installer →
``manifest.json`` → verify → (package only) secrets scan → zip → swap the bundle into the output
folder.

Everything is built in a staging folder inside the output folder (``dist/`` or ``target/``); the
output folder and the previous zip change only once every step has passed, so a failure, a full
disk or Ctrl-C leaves them as they were. Nothing is printed: the result (or the error) says what
happened and the CLI renders it.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from deskpro_cli.build.archive import (
    ArchiveInfo,
    ArchiveTooLarge,
    SourceUnreadable,
    method_for,
    write_zip,
)
from deskpro_cli.build.assemble import Bundle, Copier, Staging, copy_sources
from deskpro_cli.build.locations import (
    output_folder,
    place,
    placed,
    project_source,
    zip_target,
)
from deskpro_cli.build.outdir import check_output_folder, write_record
from deskpro_cli.build.portable import portability_problems
from deskpro_cli.build.proxy_check import proxy_problems
from deskpro_cli.build.scan import Skipped, UnreadableSource, unreadable
from deskpro_cli.build.secret_scan import secret_problems, secret_setting_problems
from deskpro_cli.build.verify import verify_bundle
from deskpro_cli.errors import (
    CheckFailed,
    EnvironmentFailure,
    ProblemsFound,
)
from deskpro_cli.problems import Problem, sort_problems

if TYPE_CHECKING:
    from deskpro_cli.build.compile_types import CompileResult
    from deskpro_cli.manifest import ManifestSource

log = logging.getLogger(__name__)

Mode = Literal["package", "serve"]
CompilerChoice = Literal["auto", "esbuild", "none"]

#: The app's icon by the boilerplate's convention (src/main/resources/icon.png); the installer
#: page shows it when the bundle has it.
ICON = "assets/icon.png"


@dataclass(frozen=True)
class BuildOptions:
    """How to build.

    Attributes:
        mode: ``package`` (minified, secrets scan, zip) or ``serve`` (not minified, no zip).
        out_dir: the bundle folder; default ``<project>/dist`` (package) or ``<project>/target``.
        zip_path: where the zip goes (package only); default ``<out_dir>/app.zip``.
        compiler, esbuild, sourcemaps: passed to the compiler (spec/cli.md).
        max_size: fail when the zip is larger (bytes); the previous zip is kept.
        epoch: ``SOURCE_DATE_EPOCH``, the date of every zip entry (None: 1980-01-01).
    """

    mode: Mode = "package"
    out_dir: Path | None = None
    zip_path: Path | None = None
    compiler: CompilerChoice = "auto"
    esbuild: Path | None = None
    sourcemaps: bool = False
    max_size: int | None = None
    epoch: int | None = None


@dataclass
class BuildResult:
    """What a build produced.

    Attributes:
        project: the project folder.
        out_dir: the bundle folder now holding the build.
        manifest: the resolved ``manifest.json``.
        files: bundle path -> where it came from (project-relative source, or ``<installer>``,
            ``<compiled: ...>``, ``<manifest>``).
        warnings: problems that did not stop the build (manifest, compile, verify).
        skipped: files deliberately left out (dotfiles, node_modules, source maps...).
        archive: the zip written (package mode), else None.
        compiled: the compiler's result when something was compiled, else None.
    """

    project: Path
    out_dir: Path
    manifest: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    archive: ArchiveInfo | None = None
    compiled: CompileResult | None = None


def build(project_dir: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the app in ``project_dir`` (see the module docstring for the steps).

    ``project_dir`` is the project folder or its manifest file (``package.json`` or
    ``manifest.json``), as the user gave it: problems name files relative to the current folder.

    Raises:
        UsageError: ``project_dir`` is not an app project (a dist/ folder, a zip...), or the zip
            would overwrite a file that is not a zip or land inside ``src/``.
        ProblemsFound: the manifest is invalid, the bundle has problems (a missing target or
            asset, a symlink out of the project, a name clash) or, when packaging, a secret
            was found; nothing was written (exit 1).
        CheckFailed: the zip is over ``max_size`` (exit 1).
        ToolMissing / EnvironmentFailure: esbuild missing, unreadable source, disk full,
            read-only output folder (exit 3).
    """
    from deskpro_cli import manifest as manifest_model

    options = options or BuildOptions()
    source = project_source(project_dir, options.mode)
    project = source.project_dir
    assert project is not None  # project_source() refuses anything else
    warnings = _validate(source, manifest_model.validate_source(source), options.mode)
    resolved = manifest_model.resolve(source)
    out_dir = output_folder(project, options.mode, options.out_dir)
    zip_path = zip_target(project, out_dir, options.zip_path) if options.mode == "package" else None
    result = BuildResult(project, out_dir, resolved, warnings=warnings)
    try:
        _build_bundle(source, result, zip_path, options)
    except ProblemsFound as exc:
        exc.problems = placed(exc.problems, project)
        raise
    except UnreadableSource as exc:
        raise exc.named_from(place(exc.origin, project)) from exc
    result.warnings = placed(result.warnings, project)
    return result


def _build_bundle(
    source: ManifestSource, result: BuildResult, zip_path: Path | None, options: BuildOptions
) -> None:
    """Everything after the manifest checks, in a staging folder swapped in at the end."""
    from deskpro_cli import manifest as manifest_model

    project, out_dir, resolved = result.project, result.out_dir, result.manifest
    with Staging(out_dir) as staging:
        bundle = Bundle(staging.root)
        not_zipped = _compile(project, bundle, options, result)
        problems = copy_sources(project, bundle, sourcemaps=options.sourcemaps)
        problems += _add_installer(bundle, resolved, result.compiled)
        text = manifest_model.dumps_resolved(resolved).encode("utf-8")
        clash = bundle.add_bytes("manifest.json", text, "<manifest>")
        problems += [clash] if clash else []
        problems += portability_problems(bundle.origins)
        _raise_errors(problems, "the bundle cannot be assembled")
        result.warnings += problems
        # files of the user's in out_dir: kept at its top, or the build stops before any change
        staging.keep = staging.keep | check_output_folder(out_dir, bundle.origins)

        # The checks and the zip read the project's own files, so dist/ is filled meanwhile.
        copier = Copier(bundle)
        try:
            copier.start()
            problems = verify_bundle(
                bundle.origins,
                bundle.sources,
                {"targets": _declared_targets(source)},
                manifest_file=source.display,
                manifest_pointer=source.file_pointer(""),
                locate=lambda pointer: _locate(source, pointer),
            )
            _raise_errors(problems, "the bundle is broken")
            result.warnings += problems
            units = result.compiled.units if result.compiled is not None else ()
            known = [s for u in units for s in u.sources] if all(u.sources for u in units) else []
            result.warnings += proxy_problems(
                project,
                bundle.origins,
                bundle.sources,
                resolved,
                compiled=bool(units),
                compiled_sources=known,
            )
            if zip_path is not None:
                problems = _scan(source, bundle)
                _raise_errors(problems, "secrets found; nothing was packed", always=True)
                zipped = {n: p for n, p in bundle.sources.items() if n not in not_zipped}
                result.archive = _write_archive(zipped, bundle.origins, zip_path, options)
            copier.wait()
        finally:
            copier.close()
        staging.commit()
        write_record(out_dir, bundle.origins)

    result.files = dict(sorted(bundle.origins.items()))
    result.skipped = bundle.skipped


def _validate(source: ManifestSource, problems: list[Problem], mode: Mode) -> list[Problem]:
    errors = [p for p in problems if p.is_error]
    if errors:
        n = len(errors)
        raise ProblemsFound(
            f"{source.display}: the manifest has {n} error{'s' if n != 1 else ''}; "
            "nothing was built",
            problems,
            hint=f"fix them (`deskpro validate` lists them) and run deskpro {mode} again",
        )
    return problems


def _compile(project: Path, bundle: Bundle, options: BuildOptions, result: BuildResult) -> set[str]:
    """Run the compiler when the app has code to compile; the bundle paths not to zip."""
    from deskpro_cli.build import compiler
    from deskpro_cli.build.compile_types import CompileOptions

    if not compiler.needs_compile(project):
        return set()
    compiled = compiler.compile_project(
        project,
        bundle.root,
        CompileOptions(
            mode=options.mode,
            compiler=options.compiler,
            esbuild=options.esbuild,
            sourcemaps=options.sourcemaps,
        ),
    )
    result.warnings += list(compiled.warnings)
    result.compiled = compiled
    not_zipped: set[str] = set()
    for unit in compiled.units:
        for out in unit.files:
            bundle.claim(out.path, f"<compiled from {unit.entry}>")
            if not out.in_zip:
                not_zipped.add(out.path)
    return not_zipped


def _add_installer(
    bundle: Bundle, resolved: dict[str, Any], compiled: CompileResult | None
) -> list[Problem]:
    """Write the installer page and runtime, loading the custom screen when there is one."""
    from deskpro_cli.build.installer import (
        SCREEN_CSS,
        SCREEN_JS,
        InstallerScreen,
        render_installer,
    )

    screen = InstallerScreen()
    units = {u.unit: u for u in compiled.units} if compiled is not None else {}
    unit = units.get("install-screen")
    if unit is not None:
        screen = InstallerScreen(
            "compiled", css=unit.css is not None, react_globals=unit.react_globals
        )
    elif SCREEN_JS in bundle.origins:
        screen = InstallerScreen("plain", css=SCREEN_CSS in bundle.origins)
    icon = ICON if ICON in bundle.origins else None
    problems = []
    for name, data in sorted(render_installer(resolved, screen=screen, icon=icon).items()):
        clash = bundle.add_bytes(name, data, "<installer>")
        if clash is not None:
            problems.append(clash)
    return problems


def _declared_targets(source: ManifestSource) -> list[Any]:
    """The targets as the user declared them (so pointers match the file); the ``install``
    target is replaced by resolve and checked with the installer's own files."""
    targets = source.manifest.get("targets")
    if not isinstance(targets, list):
        return []
    return [{} if isinstance(t, dict) and t.get("target") == "install" else t for t in targets]


def _locate(source: ManifestSource, file_pointer: str) -> tuple[int, int] | None:
    line, column = source.position(file_pointer)
    return (line, column) if line is not None and column is not None else None


def _scan(source: ManifestSource, bundle: Bundle) -> list[Problem]:
    """The secrets scan of every file in the bundle and of the settings' default values."""
    problems = secret_setting_problems(source.manifest, source.problem)
    for name, origin in sorted(bundle.origins.items()):
        text_like = method_for(name) != zipfile.ZIP_STORED
        if origin == "<manifest>":
            shown = f"{source.display} (manifest.json in the zip)"
            found = secret_problems(bundle.sources[name], shown)
            problems += [_without_position(p, source.display) for p in found]
        else:
            shown = origin if not origin.startswith("<") else f"{name} {origin}"
            problems += secret_problems(bundle.sources[name], shown, content=text_like)
    return problems


def _without_position(problem: Problem, file: str) -> Problem:
    # positions in the compact manifest.json do not match the user's file
    return Problem(problem.rule, problem.severity, problem.message, file, hint=problem.hint)


def _raise_errors(problems: list[Problem], summary: str, *, always: bool = False) -> None:
    errors = [p for p in problems if p.is_error]
    if errors or (always and problems):
        n = len(errors)
        raise ProblemsFound(
            f"{summary} ({n} error{'s' if n != 1 else ''})",
            sort_problems(problems),
            hint="fix the problems above and run the command again",
        )


def _write_archive(
    files: dict[str, Path], origins: dict[str, str], target: Path, options: BuildOptions
) -> ArchiveInfo:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_zip(files, target, epoch=options.epoch, max_size=options.max_size)
    except SourceUnreadable as exc:
        raise unreadable(origins.get(exc.name, exc.name), exc.error) from exc
    except ArchiveTooLarge as exc:
        biggest = sorted(exc.entries, key=lambda e: (-e.compressed, e.name))[:5]
        listing = ", ".join(f"{e.name} ({e.compressed:,} bytes)" for e in biggest)
        raise CheckFailed(
            f"the zip would be {exc.size:,} bytes, over --max-size {exc.limit:,}; "
            f"{target.name} was not written. Biggest entries: {listing}",
            hint="shrink or remove the biggest files, or raise --max-size",
        ) from exc
    except OSError as exc:
        raise EnvironmentFailure(
            f"cannot write {target}: {exc.strerror or exc}; the previous zip is unchanged",
            hint="free some disk space, or check that the folder is writable",
        ) from exc
