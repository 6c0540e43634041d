"""Fixtures for the compile tests: compiling with the pinned esbuild, running bundles in Node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli.build import esbuild as esbuild_module
from deskpro_cli.build.compiler import CompileOptions, CompileResult, compile_project

TESTS_NODE = Path(__file__).resolve().parent.parent / "node"
NODE_MODULES = TESTS_NODE / "node_modules"
_IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'

Compile = Callable[..., CompileResult]
RunJs = Callable[..., Any]


@pytest.fixture(scope="session")
def node_bin() -> Path:
    """Node.js, to run compiled bundles for real (it comes with npm, which .ci/run uses)."""
    found = shutil.which("node")
    if found is None:
        if _IN_CI:
            pytest.fail("node is missing in CI (it is needed for npm ci in tests/node)")
        pytest.skip("node not installed")
    return Path(found)


@pytest.fixture(scope="session")
def react_modules() -> Path:
    """tests/node/node_modules with React 18 installed (npm ci)."""
    if not (NODE_MODULES / "react" / "umd" / "react.production.min.js").is_file():
        if _IN_CI:
            pytest.fail("react is missing from tests/node in CI: run `npm ci` in tests/node")
        pytest.skip("react not installed in tests/node (run `npm ci` there)")
    return NODE_MODULES


@pytest.fixture
def compile_app(esbuild_path: Path) -> Compile:
    """``compile_app(project, out=None, **options)`` compiles with the pinned esbuild.

    The output folder defaults to ``project/dist``.
    """

    def run(project: Path, out: Path | None = None, **options: Any) -> CompileResult:
        options.setdefault("esbuild", esbuild_path)
        return compile_project(project, out or project / "dist", CompileOptions(**options))

    return run


@pytest.fixture
def run_js(node_bin: Path, react_modules: Path, tmp_path: Path) -> RunJs:
    """``run_js(body, **values)`` runs a Node script and returns the JSON it prints last.

    The script starts with ``React``, ``ReactDOM``, ``ReactDOMServer`` loaded from tests/node, a
    ``window`` that is Node's global object (with ``window.React``/``window.ReactDOM`` set unless
    ``react_globals=False``), ``out(value)`` to print the result, and ``values`` (JSON).
    """

    def run(body: str, *, react_globals: bool = True, **values: Any) -> Any:
        prelude = f"""
        const NM = {json.dumps(str(react_modules))};
        const React = require(NM + "/react");
        const ReactDOM = require(NM + "/react-dom");
        const ReactDOMServer = require(NM + "/react-dom/server");
        globalThis.window = globalThis;
        if ({json.dumps(react_globals)}) {{ window.React = React; window.ReactDOM = ReactDOM; }}
        const values = {json.dumps(values)};
        const out = (v) => process.stdout.write("\\n" + JSON.stringify(v) + "\\n");
        """
        script = tmp_path / f"run-{len(list(tmp_path.glob('run-*.js')))}.js"
        script.write_text(textwrap.dedent(prelude) + textwrap.dedent(body), encoding="utf-8")
        proc = subprocess.run(
            [str(node_bin), str(script)], capture_output=True, text=True, timeout=60, check=False
        )
        assert proc.returncode == 0, f"node failed:\n{proc.stdout}\n{proc.stderr}"
        last = [line for line in proc.stdout.splitlines() if line.strip()][-1]
        return json.loads(last)

    return run


@pytest.fixture
def esbuild_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every esbuild compile run (not ``--version``), recorded through the one seam."""
    runs: list[list[str]] = []
    real = esbuild_module.run_esbuild

    def counting(executable, args, *, cwd, stdin=None):  # type: ignore[no-untyped-def]
        if "--version" not in args:
            runs.append(list(args))
        return real(executable, args, cwd=cwd, stdin=stdin)

    monkeypatch.setattr(esbuild_module, "run_esbuild", counting)
    return runs
