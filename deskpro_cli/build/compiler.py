"""Compiling an app and its custom installer screen with esbuild (docs/compile.md).

Two units can be compiled, each found by its entry file:

- ``app``: ``src/main/javascript/index.(js|jsx|ts|tsx)`` → ``assets/main.js`` (+ ``main.css``
  when it imports styles, + images and fonts it imports, as ``assets/<name>-<hash>.<ext>``);
- ``install-screen``: ``src/installer/javascript/index.(js|jsx|ts|tsx)`` →
  ``assets/install-screen/index.js`` (+ ``index.css``), wrapped so the default export registers
  itself with the installer runtime (:func:`deskpro_cli.build.generated.screen_entry_source`).

Each is one esbuild run (bundle, iife, browser, the app's target list, React external or bundled
as package.json's ``"deskpro-cli"`` key says, external source maps, minified for ``package``). A
unit whose inputs are unchanged since the last compile with the same options is restored from the
cache (:mod:`deskpro_cli.build.compile_cache`) byte for byte, without running esbuild.

Source maps are always written beside the bundle; :attr:`OutputFile.in_zip` says whether the
packager should put them in the zip (only with ``sourcemaps=True``). A map that goes in the zip
(or any map when serving) is linked from its bundle with a ``sourceMappingURL`` comment; a map
left out is not linked (a "hidden" map, for error trackers).
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deskpro_cli.build.compile_cache import CompileCache
from deskpro_cli.build.compile_settings import load_build_settings
from deskpro_cli.build.compile_types import (
    DEFAULT_CACHE_DIR,
    ENTRY_NAMES,
    UNITS,
    CompileOptions,
    CompilerChoice,
    CompileResult,
    Entry,
    Mode,
    OutputFile,
    Unit,
    UnitResult,
)
from deskpro_cli.build.compile_unit import UnitJob
from deskpro_cli.build.esbuild import find_esbuild
from deskpro_cli.build.esbuild_log import RULE_AMBIGUOUS_ENTRY, RULE_COMPILER_NONE
from deskpro_cli.build.generated import write_shims
from deskpro_cli.errors import ProblemsFound
from deskpro_cli.problems import Problem, line_column, sort_problems

__all__ = [
    "CompileOptions",
    "CompileResult",
    "CompilerChoice",
    "Entry",
    "Mode",
    "OutputFile",
    "UnitResult",
    "compile_project",
    "find_entries",
    "needs_compile",
]

log = logging.getLogger(__name__)
_SOURCE_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")
RULE_OLD_ENTRY = "DP708"
_RUN_APP_EXPORT = re.compile(
    r"\bexport\s+(?:async\s+)?function\s*\*?\s*runApp\b"
    r"|\bexport\s+(?:const|let|var)\s+runApp\b"
    r"|\bexport\s*\{[^}]*\brunApp\b"
)


# -- what is there to compile ------------------------------------------------------------------
def find_entries(project_dir: Path) -> list[Entry]:
    """The units of ``project_dir`` that need compiling, with their entry files.

    Raises:
        ProblemsFound: a source folder has two entries, or source files but no entry (DP706).
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    for unit, (folder, _) in UNITS.items():
        base = project_dir / folder
        if not base.is_dir():
            continue
        found = [name for name in ENTRY_NAMES if (base / name).is_file()]
        if len(found) > 1:
            problems.append(
                Problem(
                    rule=RULE_AMBIGUOUS_ENTRY,
                    severity="error",
                    message=f"{folder} has more than one entry: {', '.join(found)}",
                    file=f"{folder}/{found[1]}",
                    hint="keep one index file (rename or remove the others)",
                )
            )
        elif found:
            entries.append(Entry(unit, f"{folder}/{found[0]}"))
        elif any(p.suffix in _SOURCE_SUFFIXES for p in base.iterdir() if p.is_file()):
            problems.append(
                Problem(
                    rule=RULE_AMBIGUOUS_ENTRY,
                    severity="error",
                    message=f"{folder} has source files but no entry ({' / '.join(ENTRY_NAMES)})",
                    file=folder,
                    hint=f"name the file that starts the {unit} index.js (or .jsx, .ts, .tsx)",
                )
            )
    if problems:
        raise ProblemsFound("cannot tell what to compile", problems)
    return entries


def needs_compile(project_dir: Path) -> bool:
    """Whether the project has code to compile: an entry, or sources in a compiled unit's folder.

    Sources without an entry count, so that :func:`compile_project` reports them (DP706) instead
    of the build silently leaving them out.
    """
    for folder, _ in UNITS.values():
        base = project_dir / folder
        if not base.is_dir():
            continue
        if any((base / name).is_file() for name in ENTRY_NAMES):
            return True
        if any(p.suffix in _SOURCE_SUFFIXES and p.is_file() for p in base.iterdir()):
            return True
    return False


# -- compiling ---------------------------------------------------------------------------------
def compile_project(
    project_dir: Path, out_dir: Path, options: CompileOptions | None = None
) -> CompileResult:
    """Compile every unit of ``project_dir`` into ``out_dir`` (the bundle layout's root).

    Raises:
        ProblemsFound: compile errors (DP701/DP702/DP704, with file, line, column and a code
            frame), ``compiler="none"`` for an app that needs compiling (DP703), bad entries
            (DP706) or bad settings (DP707). Exit 1.
        ToolMissing: esbuild is needed and not found or broken (exit 3; the hint installs it).
    """
    options = options or CompileOptions()
    project_dir = project_dir.resolve()
    entries = find_entries(project_dir)
    if not entries:
        return CompileResult()
    if options.compiler == "none":
        raise ProblemsFound(
            "this app needs compiling, but --compiler none was given",
            [
                Problem(
                    rule=RULE_COMPILER_NONE,
                    severity="error",
                    message=f"{e.source} must be compiled (bundled with esbuild)",
                    file=e.source,
                    hint="drop --compiler none, or write the app as plain browser JavaScript "
                    "in src/main/resources (and src/installer/resources for a screen)",
                )
                for e in entries
            ],
        )
    settings = load_build_settings(project_dir)
    tool = find_esbuild(
        project_dir,
        explicit=options.esbuild,
        needed_for=" and ".join(e.source for e in entries),
    )
    cache_root = (options.cache_dir or project_dir / DEFAULT_CACHE_DIR).resolve()
    cache = CompileCache(cache_root)
    cache.sweep_stale_stages()
    if settings.react == "external":
        write_shims(cache_root / "shims")
    jobs = [UnitJob(e, project_dir, cache_root, settings, options, tool) for e in entries]

    results: dict[Unit, UnitResult] = {}
    outputs: dict[Unit, dict[str, bytes]] = {}
    warnings: list[Problem] = []
    pending: list[UnitJob] = []
    for job in jobs:
        hit = cache.lookup(job.entry.unit, job.key, project_dir) if options.use_cache else None
        if hit is None:
            # Most screens are React components: try that wrapper first unless the last compile
            # with these options found a screen without React.
            last = cache.last_meta(job.entry.unit, job.key)
            job.react_first = bool(last.get("uses_react", True))
            pending.append(job)
            continue
        log.info("%s: unchanged, reusing the last compile", job.entry.source)
        outputs[job.entry.unit] = hit.outputs
        results[job.entry.unit] = job.result(hit.outputs, hit.meta, cached=True, seconds=0.0)
        warnings.extend(Problem(**w) for w in hit.meta.get("warnings", []))

    problems: list[Problem] = []
    if len(pending) > 1:
        with ThreadPoolExecutor(max_workers=len(pending)) as pool:
            # Each job runs in a copy of this thread's context, so a cancel scope
            # (deskpro_cli.cancel: the dev server stopping) reaches its esbuild too.
            futures = [pool.submit(contextvars.copy_context().run, j.run) for j in pending]
            ran = [f.result() for f in futures]
    else:
        ran = [job.run() for job in pending]
    for job, outcome in zip(pending, ran, strict=True):
        problems.extend(outcome.errors)
        warnings.extend(outcome.warnings)
        if outcome.errors:
            continue
        meta = {
            "uses_react": outcome.uses_react,
            "inputs": outcome.inputs,
            "sources": list(outcome.sources),
            "warnings": [w.to_json() for w in outcome.warnings],
        }
        cache.store(job.entry.unit, job.key, outcome.fingerprint, outcome.outputs, meta)
        outputs[job.entry.unit] = outcome.outputs
        results[job.entry.unit] = job.result(
            outcome.outputs, meta, cached=False, seconds=outcome.seconds
        )
    if problems:
        raise ProblemsFound(
            f"compile failed: {_count(problems, 'error')}",
            sort_problems(problems) + sort_problems(warnings),
            hint="fix the code at the places shown and run the command again",
        )
    for unit_outputs in outputs.values():
        for rel, data in sorted(unit_outputs.items()):
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    ordered = tuple(results[e.unit] for e in entries)
    warnings += [w for e in entries if e.unit == "app" for w in _old_entry(project_dir, e)]
    return CompileResult(units=ordered, esbuild=tool, warnings=tuple(warnings), settings=settings)


def _old_entry(project_dir: Path, entry: Entry) -> list[Problem]:
    """DP708: an entry written for the old boilerplate, which exports ``runApp(dpapp)`` for the
    old tool's generated entrypoint to call; nothing calls it here, so the page stays empty."""
    try:
        text = (project_dir / entry.source).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = _RUN_APP_EXPORT.search(text)
    if found is None or "createApp" in text:
        return []
    line, column = line_column(text, found.start())
    return [
        Problem(
            rule=RULE_OLD_ENTRY,
            severity="warning",
            message="the entry exports runApp(dpapp), which the old boilerplate's generated "
            "entrypoint called; nothing calls it in this build, so the app would show nothing",
            file=entry.source,
            line=line,
            column=column,
            hint="start it at the end of the file: "
            "window.DeskproAppsSDKCore.createApp(runApp); (docs/compile.md, old apps)",
        )
    ]


def _count(problems: Sequence[Problem], severity: str) -> str:
    n = sum(1 for p in problems if p.severity == severity)
    return f"{n} {severity}{'' if n == 1 else 's'}"
