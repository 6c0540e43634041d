"""The data of the compile step: options, entries, and what a compile gave.

See :mod:`deskpro_cli.build.compiler` for the behaviour; these are split out so the pipeline can
import the types without the compile machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from deskpro_cli.build.compile_settings import BuildSettings, ReactMode
from deskpro_cli.build.esbuild import Esbuild
from deskpro_cli.problems import Problem

Mode = Literal["package", "serve"]
CompilerChoice = Literal["auto", "esbuild", "none"]
Unit = Literal["app", "install-screen"]

ENTRY_NAMES = ("index.js", "index.jsx", "index.ts", "index.tsx")

#: unit -> (source folder, bundle path of its JavaScript output)
UNITS: dict[Unit, tuple[str, str]] = {
    "app": ("src/main/javascript", "assets/main.js"),
    "install-screen": ("src/installer/javascript", "assets/install-screen/index.js"),
}
#: Where the compile cache lives in a project unless ``CompileOptions.cache_dir`` says otherwise.
DEFAULT_CACHE_DIR = "target/.deskpro-cache/compile"


@dataclass(frozen=True)
class CompileOptions:
    """How to compile.

    Attributes:
        mode: ``package`` minifies; ``serve`` does not (and always links source maps).
        compiler: ``auto`` and ``esbuild`` compile with esbuild (the only compiler today);
            ``none`` refuses an app that needs compiling.
        esbuild: an esbuild binary to use (``--esbuild``); else ``DESKPRO_ESBUILD``, the app's
            ``node_modules/.bin``, then ``PATH``.
        sourcemaps: put the source maps in the zip (they are written either way).
        cache_dir: the compile cache folder (default ``<project>/target/.deskpro-cache/compile``).
        use_cache: skip esbuild when nothing changed (off: always compile, still refresh the cache).
    """

    mode: Mode = "package"
    compiler: CompilerChoice = "auto"
    esbuild: Path | None = None
    sourcemaps: bool = False
    cache_dir: Path | None = None
    use_cache: bool = True


@dataclass(frozen=True)
class Entry:
    """One thing to compile: its unit and its entry file (relative to the project, posix)."""

    unit: Unit
    source: str

    @property
    def output(self) -> str:
        """Bundle path of the JavaScript output."""
        return UNITS[self.unit][1]


@dataclass(frozen=True)
class OutputFile:
    """A file the compile wrote into the output folder."""

    path: str  # bundle path, posix, e.g. "assets/main.js"
    size: int
    sha256: str
    in_zip: bool  # False for source maps unless sourcemaps=True


@dataclass(frozen=True)
class UnitResult:
    """What compiling one unit gave."""

    unit: Unit
    entry: str
    files: tuple[OutputFile, ...]
    cached: bool
    react: ReactMode
    uses_react: bool
    inputs: int
    seconds: float
    #: the app's own source files in the bundle (project-relative posix; empty when unknown, as
    #: for a unit restored from a cache record written before they were kept)
    sources: tuple[str, ...] = ()

    @property
    def react_globals(self) -> bool:
        """Whether the page must load React/ReactDOM globals (cdn.REACT_GLOBALS) before it."""
        return self.react == "external" and self.uses_react

    @property
    def css(self) -> str | None:
        """Bundle path of the unit's stylesheet, when it imports styles."""
        css = self.files[0].path.rsplit(".", 1)[0] + ".css" if self.files else None
        return css if css and any(f.path == css for f in self.files) else None


@dataclass(frozen=True)
class CompileResult:
    """Everything the compile step did; empty when there was nothing to compile."""

    units: tuple[UnitResult, ...] = ()
    esbuild: Esbuild | None = None
    warnings: tuple[Problem, ...] = ()
    settings: BuildSettings = field(default_factory=BuildSettings)

    @property
    def compiled(self) -> bool:
        return bool(self.units)

    @property
    def cached(self) -> bool:
        """True when every unit came from the cache (esbuild did not run)."""
        return bool(self.units) and all(u.cached for u in self.units)

    def unit(self, name: Unit) -> UnitResult | None:
        return next((u for u in self.units if u.unit == name), None)

    @property
    def app(self) -> UnitResult | None:
        return self.unit("app")

    @property
    def screen(self) -> UnitResult | None:
        return self.unit("install-screen")

    @property
    def files(self) -> tuple[OutputFile, ...]:
        return tuple(f for u in self.units for f in u.files)

    @property
    def leave_out(self) -> frozenset[str]:
        """Bundle paths the packager must not put in the zip (source maps unless asked)."""
        return frozenset(f.path for f in self.files if not f.in_zip)
