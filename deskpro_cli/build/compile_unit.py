"""One esbuild run for one unit (app or installer screen): arguments, cache key, outputs.

Used by :func:`deskpro_cli.build.compiler.compile_project`; the process itself is started by
:func:`deskpro_cli.build.esbuild.run_esbuild` (the seam).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from deskpro_cli import __version__
from deskpro_cli.build import esbuild as esbuild_tool
from deskpro_cli.build.compile_cache import (
    CACHE_FORMAT,
    Fingerprint,
    fingerprint,
    is_virtual,
    sha256_bytes,
)
from deskpro_cli.build.compile_meta import reaches_react
from deskpro_cli.build.compile_settings import BuildSettings
from deskpro_cli.build.compile_types import CompileOptions, Entry, OutputFile, UnitResult
from deskpro_cli.build.esbuild import Esbuild
from deskpro_cli.build.esbuild_log import (
    RULE_COMPILE_ERROR,
    RULE_NO_DEFAULT_EXPORT,
    parse_log,
    to_problem,
)
from deskpro_cli.build.generated import (
    SCREEN_ENTRY_NAME,
    generated_fingerprint,
    screen_entry_source,
)
from deskpro_cli.problems import Problem

_ASSET_EXTENSIONS = (
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
)  # fmt: skip


@dataclass
class Outcome:
    """What one esbuild run gave: problems, or the outputs by bundle path and what was read."""

    errors: list[Problem]
    warnings: list[Problem]
    outputs: dict[str, bytes] = field(default_factory=dict)
    fingerprint: Fingerprint = field(default_factory=Fingerprint)
    uses_react: bool = False
    inputs: int = 0
    #: the app's own source files the bundle holds (project-relative; no node_modules, no shims)
    sources: tuple[str, ...] = ()
    seconds: float = 0.0
    #: an error is the screen wrapper's own (its React imports did not resolve)
    wrapper_failed: bool = False


class UnitJob:
    """One unit to compile: its esbuild arguments, cache key, and the run itself."""

    def __init__(
        self,
        entry: Entry,
        project_dir: Path,
        cache_root: Path,
        settings: BuildSettings,
        options: CompileOptions,
        tool: Esbuild,
    ) -> None:
        self.entry = entry
        self.project_dir = project_dir
        self.cache_root = cache_root
        self.settings = settings
        self.options = options
        self.tool = tool
        #: which screen wrapper to try first (the compiler sets it from the last compile of this
        #: unit with the same options); the metafile decides in the end
        self.react_first = True
        self.link_maps = options.mode == "serve" or options.sourcemaps
        self.shims = _alias_path(cache_root / "shims", project_dir)
        self.args = self._args()
        self.key = sha256_bytes(
            json.dumps(
                {
                    "format": CACHE_FORMAT,
                    "deskpro-cli": __version__,
                    "generated": generated_fingerprint(),
                    "esbuild": self.tool.version,
                    "unit": entry.unit,
                    "entry": entry.source,
                    "args": self.args,
                    "link_maps": self.link_maps,
                    "cache_root": _posix_rel(cache_root, project_dir),
                },
                sort_keys=True,
            ).encode()
        )

    def _args(self) -> list[str]:
        """esbuild's arguments, except the output paths (which differ run to run)."""
        settings, options = self.settings, self.options
        screen = self.entry.unit == "install-screen"
        production = options.mode == "package"
        node_env = "production" if production else "development"
        args = [
            "--bundle",
            "--format=iife",
            "--platform=browser",
            f"--target={','.join(settings.target)}",
            "--sourcemap=external",
            "--sources-content=true",
            "--log-level=warning",
            "--log-limit=0",
            "--color=false",
            f"--define:process.env.NODE_ENV={json.dumps(node_env)}",
            "--asset-names=[name]-[hash]",
        ]
        if production:
            args.append("--minify")
        if settings.react == "external":
            # UMD React has no jsx-runtime: JSX becomes React.createElement on the global. A
            # screen's JSX goes through the jsx-runtime shim instead, so that the metafile shows
            # it as an import of React (which decides whether the page loads React at all).
            args += [
                "--jsx=automatic" if screen else "--jsx=transform",
                f"--alias:react={self.shims}/react",
                f"--alias:react-dom={self.shims}/react-dom",
            ]
        else:
            args.append("--jsx=automatic")
        # Images and fonts: files beside the app bundle (the public path works from html/ and
        # from assets/main.css alike); inlined in a screen, whose folder is one level deeper.
        loader = "dataurl" if screen else "file"
        args += [f"--loader:{ext}={loader}" for ext in _ASSET_EXTENSIONS]
        if not screen:
            args.append("--public-path=../assets")
        else:
            args.append(f"--sourcefile={SCREEN_ENTRY_NAME}")
        return args

    def run(self) -> Outcome:
        """Compile the unit: one esbuild run, or two for a screen whose first guess was wrong.

        A screen is bundled with the wrapper that imports React only when the screen itself
        (or anything it imports) imports React, as the metafile shows: the first run uses the
        wrapper of :attr:`react_first` and, when the metafile disagrees, a second run uses the
        other one. A React-wrapper run that fails on the wrapper's own imports (React not
        installed, with React bundled) is retried without React, since a ``mount`` screen needs
        none.
        """
        if self.entry.unit != "install-screen":
            return self._run_once(react=False)
        first = self._run_once(react=self.react_first)
        if first.errors:
            if not (self.react_first and first.wrapper_failed):
                return first
            retry = self._run_once(react=False)
            retry.seconds += first.seconds
            return first if not retry.errors and retry.uses_react else retry
        if first.uses_react == self.react_first:
            return first
        second = self._run_once(react=first.uses_react)
        second.seconds += first.seconds
        return second

    def _run_once(self, *, react: bool) -> Outcome:
        """Run esbuild in a fresh staging folder and collect its outputs (or its errors).

        ``react`` picks the screen wrapper (ignored for the app).
        """
        started = time.perf_counter()
        stage_parent = self.cache_root / "stage"
        stage_parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f"{self.entry.unit}-", dir=stage_parent))
        try:
            outfile = stage / self.entry.output
            metafile = stage / "meta.json"
            args = [*self.args, f"--outfile={outfile}", f"--metafile={metafile}"]
            stdin = None
            if self.entry.unit == "install-screen":
                stdin = screen_entry_source(self.entry.source, react=react)
            else:
                args.insert(0, self.entry.source)
            run = esbuild_tool.run_esbuild(self.tool.path, args, cwd=self.project_dir, stdin=stdin)
            errors, warnings, wrapper_failed = self._diagnostics(run.stderr)
            if run.returncode != 0 and not errors:
                errors.append(self._crash(run.stderr or run.stdout, run.returncode))
            if errors:
                return Outcome(errors, warnings, wrapper_failed=wrapper_failed)
            meta = json.loads(metafile.read_text(encoding="utf-8"))
            outputs = self._collect(stage, meta)
            inputs = list(meta.get("inputs", {}))
            sources = [i for i in inputs if not is_virtual(i)]
            return Outcome(
                errors=[],
                warnings=warnings,
                outputs=outputs,
                fingerprint=fingerprint(self.project_dir, inputs),
                uses_react=reaches_react(meta, self.entry.source, shims=self._shims_prefix()),
                inputs=len(sources),
                sources=tuple(s for s in sources if _own_source(s)),
                seconds=time.perf_counter() - started,
            )
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def _diagnostics(self, stderr: str) -> tuple[list[Problem], list[Problem], bool]:
        """esbuild's log as (errors, warnings, whether an error is in the screen wrapper)."""
        errors: list[Problem] = []
        warnings: list[Problem] = []
        wrapper_failed = False
        rename = {SCREEN_ENTRY_NAME: self.entry.source}
        react_external = self.settings.react == "external"
        for msg in parse_log(stderr):
            if (
                msg.file == SCREEN_ENTRY_NAME
                and msg.text.startswith("No matching export")
                and msg.text.endswith('for import "default"')
            ):
                errors.append(
                    Problem(
                        rule=RULE_NO_DEFAULT_EXPORT,
                        severity="error",
                        message="the installer screen has no default export",
                        file=self.entry.source,
                        hint="export the screen as the default: `export default function "
                        "Screen(props) {...}` (a React component), or an object with "
                        "mount(element, props)",
                    )
                )
                continue
            problem = to_problem(
                msg, project_dir=self.project_dir, react_external=react_external, rename=rename
            )
            if problem.severity != "warning" and msg.file == SCREEN_ENTRY_NAME:
                wrapper_failed = True
            (warnings if problem.severity == "warning" else errors).append(problem)
        return errors, warnings, wrapper_failed

    def _crash(self, output: str, code: int) -> Problem:
        lines = [line for line in output.strip().splitlines() if line.strip()][:5]
        said = "\n".join(lines) or "(no output)"
        return Problem(
            rule=RULE_COMPILE_ERROR,
            severity="error",
            message=f"esbuild ({self.tool.path}) failed with status {code}:\n{said}",
            file=self.entry.source,
            hint=f"run `{esbuild_tool.install_command()}` in the app to get a working esbuild",
        )

    def _shims_prefix(self) -> str:
        """The shims folder as the metafile names inputs (relative to the project, posix)."""
        return self.shims.removeprefix("./") + "/"

    def _collect(self, stage: Path, meta: dict[str, Any]) -> dict[str, bytes]:
        """Read esbuild's outputs as bundle paths; make maps folder-independent; link them."""
        outputs: dict[str, bytes] = {}
        names = []
        for key in meta.get("outputs", {}):
            absolute = Path(os.path.normpath(self.project_dir / key))
            names.append((_posix_rel(absolute, stage), absolute))
        produced = {name for name, _ in names}
        for name, absolute in sorted(names):
            data = absolute.read_bytes()
            if name.endswith(".map"):
                data = _rewrite_map(data, absolute.parent, self.project_dir, name)
            elif self.link_maps and f"{name}.map" in produced:
                base = PurePosixPath(name).name
                if name.endswith(".css"):
                    data += f"/*# sourceMappingURL={base}.map */\n".encode()
                else:
                    data += f"//# sourceMappingURL={base}.map\n".encode()
            outputs[name] = data
        return outputs

    def result(
        self, outputs: dict[str, bytes], meta: dict[str, Any], *, cached: bool, seconds: float
    ) -> UnitResult:
        main = self.entry.output
        files = sorted(
            (
                OutputFile(
                    path=name,
                    size=len(data),
                    sha256=sha256_bytes(data),
                    in_zip=self.options.sourcemaps or not name.endswith(".map"),
                )
                for name, data in outputs.items()
            ),
            key=lambda f: (f.path != main, f.path),
        )
        return UnitResult(
            unit=self.entry.unit,
            entry=self.entry.source,
            files=tuple(files),
            cached=cached,
            react=self.settings.react,
            uses_react=bool(meta.get("uses_react")),
            inputs=int(meta.get("inputs", 0)),
            sources=tuple(s for s in meta.get("sources", ()) if isinstance(s, str)),
            seconds=seconds,
        )


def _own_source(path: str) -> bool:
    """A metafile input that is the app's own code: inside the project, not a package from
    ``node_modules`` and not a generated file under a dot folder (the React shims)."""
    parts = path.split("/")
    return "node_modules" not in parts and not any(p.startswith(".") for p in parts)


def _posix_rel(path: Path, start: Path) -> str:
    return os.path.relpath(path, start).replace(os.sep, "/")


def _alias_path(path: Path, project_dir: Path) -> str:
    """A path esbuild's ``--alias`` takes: relative to its working folder, starting with a dot."""
    rel = _posix_rel(path, project_dir)
    return rel if rel.startswith("../") else f"./{rel}"


def _rewrite_map(data: bytes, map_dir: Path, project_dir: Path, bundle_path: str) -> bytes:
    """Make a map's ``sources`` relative to where the map sits in the bundle, not the stage.

    The bundle root is taken to be a folder of the project (as ``dist/`` and ``target/`` are), so
    ``assets/main.js.map`` names ``../../src/main/javascript/index.jsx``: the same bytes in any
    folder, on any machine.
    """
    document = json.loads(data)
    depth = len(PurePosixPath(bundle_path).parent.parts) + 1
    prefix = "../" * depth
    sources = []
    for source in document.get("sources", []):
        absolute = os.path.normpath(map_dir / source)
        rel = os.path.relpath(absolute, project_dir).replace(os.sep, "/")
        sources.append(prefix + rel)
    document["sources"] = sources
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
