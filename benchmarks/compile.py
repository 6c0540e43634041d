#!/usr/bin/env python3
"""Compile overhead: deskpro's compile step against esbuild alone, on the same entries, same run.

Two apps are built in a temporary folder:

- ``react-template``: the app ``deskpro init --template react`` writes (when the ``init`` command is
  available in this checkout), else an app shaped like it (a React app of a few components and a
  custom installer screen);
- ``generated-200``: 200 JSX modules importing each other, some with stylesheets, plus a screen.

For each, the exact esbuild commands deskpro runs are recorded once through the seam, then timed
alone (all of an app's commands at once, as deskpro runs them) against:

- deskpro cold: ``compile_project(..., use_cache=False)`` in-process (finding and asking esbuild,
  settings, shims, the screen wrapper, reading and post-processing outputs, hashing the inputs,
  storing the cache);
- deskpro cold, fresh process: the same from a new Python process (interpreter start and imports);
- deskpro incremental: a second compile with unchanged sources (the cache restores the bytes).

Prints medians and the overhead (deskpro - esbuild alone); the target is under 0.3 s.

    python benchmarks/compile.py [--esbuild PATH] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deskpro_cli.build import esbuild as esbuild_module  # noqa: E402
from deskpro_cli.build.compiler import CompileOptions, compile_project  # noqa: E402

TARGET_OVERHEAD_S = 0.3
PACKAGE_JSON = {"name": "bench-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


SCREEN = """\
    import React, { useRef, useState } from "react";
    export default function InstallScreen({ finishInstall, installType, settings, values,
                                            settingsForm: SettingsForm, dpapp }) {
      const form = useRef(null);
      const [busy, setBusy] = useState(false);
      const onSubmit = (submitted) => {
        setBusy(true);
        finishInstall(submitted).then(({ onStatus }) => onStatus());
      };
      return (
        <div className="install-screen">
          <p>{installType === "update" ? "Update" : "Install"} {dpapp.appTitle}</p>
          <SettingsForm ref={form} settings={settings} values={values} onSubmit={onSubmit} />
          <button className="btn-action" disabled={busy}
                  onClick={() => form.current && form.current.submit()}>Install</button>
        </div>
      );
    }
"""


def react_template_like(root: Path) -> str:
    """The react template through ``deskpro init`` when this checkout has it, else a look-alike."""
    from deskpro_cli.cli import COMMANDS, _available

    if "init" in COMMANDS and _available(COMMANDS["init"][0]):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "deskpro_cli",
                "init",
                str(root),
                "--template=react",
                "--no-input",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode == 0:
            return "deskpro init --template react"
        print(f"(init failed, using a look-alike: {proc.stderr.strip()[:200]})")
    write(
        root,
        {
            "package.json": json.dumps(PACKAGE_JSON),
            "src/main/javascript/index.jsx": """\
                import React from "react";
                import ReactDOM from "react-dom";
                import App from "./App";
                const root = ReactDOM.createRoot(document.getElementById("app"));
                window.DeskproAppsSDKCore.createApp((dpapp) => root.render(<App dpapp={dpapp} />));
            """,
            "src/main/javascript/App.jsx": """\
                import React, { useCallback, useEffect, useState } from "react";
                function Details({ ticket }) {
                  if (!ticket) return <p className="dp-muted">Open a ticket.</p>;
                  return <dl><dt>Ticket</dt><dd>#{ticket.id}</dd><dt>Subject</dt>
                         <dd>{ticket.subject}</dd></dl>;
                }
                export default function App({ dpapp }) {
                  const [state, setState] = useState({ loading: true, data: null });
                  const refresh = useCallback(() => {
                    dpapp.storage.getAppStorage("greeting", "Hello").then(
                      (greeting) => setState({ loading: false, data: { greeting } }));
                  }, [dpapp]);
                  useEffect(refresh, [refresh]);
                  return <main><h1>{dpapp.appTitle}</h1>
                    {state.data ? <p>{state.data.greeting}</p> : null}
                    <Details ticket={null} /><button onClick={refresh}>Refresh</button></main>;
                }
            """,
            "src/installer/javascript/index.jsx": SCREEN,
        },
    )
    return "look-alike of the react template"


def generated_app(root: Path, modules: int = 200) -> str:
    files: dict[str, str] = {"package.json": json.dumps(PACKAGE_JSON)}
    for i in range(modules):
        deps = [j for j in (i - 1, i // 2) if 0 <= j < i]
        imports = "".join(f'import {{ helper{j} }} from "./m{j:03d}";\n' for j in sorted(set(deps)))
        style = f'import "./m{i:03d}.css";\n' if i % 20 == 0 else ""
        if style:
            files[f"src/main/javascript/m{i:03d}.css"] = f".c{i} {{ color: #{i:06x}; }}\n"
        used = " + ".join(f"helper{j}(x)" for j in sorted(set(deps))) or "x"
        files[f"src/main/javascript/m{i:03d}.jsx"] = (
            'import React from "react";\n'
            + imports
            + style
            + f"export function helper{i}(x) {{ return ({used}) * {i + 1} % 9973; }}\n"
            + f"export function Component{i}({{ value }}) {{\n"
            + f"  const [n, setN] = React.useState({i});\n"
            + f'  return <div className="c{i}" onClick={{() => setN(n + 1)}}>'
            + f"{{value}}: {{helper{i}(n)}}</div>;\n}}\n"
        )
    names = ", ".join(f"Component{i}" for i in range(modules))
    files["src/main/javascript/index.jsx"] = (
        'import React from "react";\nimport ReactDOM from "react-dom";\n'
        + "".join(f'import {{ Component{i} }} from "./m{i:03d}";\n' for i in range(modules))
        + f"const all = [{names}];\n"
        + "ReactDOM.createRoot(document.getElementById('app')).render(\n"
        + "  <div>{all.map((C, i) => <C key={i} value={i} />)}</div>);\n"
    )
    files["src/installer/javascript/index.jsx"] = SCREEN
    write(root, files)
    return f"{modules} generated modules + screen"


def record_commands(project: Path, esbuild: Path) -> list[dict[str, Any]]:
    """Compile once, recording every esbuild command deskpro runs (not ``--version``)."""
    recorded: list[dict[str, Any]] = []
    real = esbuild_module.run_esbuild

    def recording(executable, args, *, cwd, stdin=None):  # type: ignore[no-untyped-def]
        if "--version" not in args:
            recorded.append({"cmd": [str(executable), *args], "cwd": cwd, "stdin": stdin})
        return real(executable, args, cwd=cwd, stdin=stdin)

    esbuild_module.run_esbuild = recording  # type: ignore[assignment]
    try:
        compile_project(project, project / "dist", CompileOptions(esbuild=esbuild, use_cache=False))
    finally:
        esbuild_module.run_esbuild = real  # type: ignore[assignment]
    return recorded


def esbuild_alone(commands: list[dict[str, Any]]) -> float:
    """Run the recorded commands at once (as deskpro does) and time until all are done."""
    started = time.perf_counter()
    procs = []
    for c in commands:
        proc = subprocess.Popen(
            c["cmd"],
            cwd=c["cwd"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        procs.append((proc, c["stdin"] or ""))
    for proc, stdin in procs:
        proc.communicate(stdin)
        if proc.returncode != 0:
            raise SystemExit(f"esbuild alone failed: {proc.args}")
    return time.perf_counter() - started


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


FRESH = (
    "import sys; from pathlib import Path; "
    "from deskpro_cli.build.compiler import CompileOptions, compile_project; "
    "compile_project(Path(sys.argv[1]), Path(sys.argv[1]) / 'dist', "
    "CompileOptions(esbuild=Path(sys.argv[2]), use_cache=sys.argv[3] == '1'))"
)


def fresh_process(project: Path, esbuild: Path, use_cache: bool) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", FRESH, str(project), str(esbuild), "1" if use_cache else "0"],
        check=True,
        cwd=REPO,
    )
    return time.perf_counter() - started


def bench(name: str, project: Path, describe: str, esbuild: Path, rounds: int) -> float:
    commands = record_commands(project, esbuild)
    options = CompileOptions(esbuild=esbuild, use_cache=False)
    warm = CompileOptions(esbuild=esbuild)
    samples: dict[str, list[float]] = {
        k: [] for k in ("alone", "cold", "fresh", "warm", "fresh-warm")
    }
    compile_project(project, project / "dist", warm)  # fill the cache
    for _ in range(rounds):
        samples["alone"].append(esbuild_alone(commands))
        samples["cold"].append(timed(lambda: compile_project(project, project / "dist", options)))
        samples["fresh"].append(fresh_process(project, esbuild, use_cache=False))
        result = compile_project(project, project / "dist", warm)
        assert result.cached, "the unchanged second compile did not come from the cache"
        samples["warm"].append(timed(lambda: compile_project(project, project / "dist", warm)))
        samples["fresh-warm"].append(fresh_process(project, esbuild, use_cache=True))
    med = {k: statistics.median(v) for k, v in samples.items()}
    overhead = med["cold"] - med["alone"]
    overhead_fresh = med["fresh"] - med["alone"]
    print(f"\n== {name}: {describe}")
    print(f"   esbuild commands: {len(commands)} (run at once, as deskpro runs them)")
    print(f"   esbuild alone                     {med['alone'] * 1000:8.1f} ms")
    print(
        f"   deskpro compile, cold (in-process){med['cold'] * 1000:8.1f} ms   "
        f"overhead {overhead * 1000:+7.1f} ms   ratio {med['cold'] / med['alone']:.2f}x"
    )
    print(
        f"   deskpro compile, cold (new python){med['fresh'] * 1000:8.1f} ms   "
        f"overhead {overhead_fresh * 1000:+7.1f} ms   ratio {med['fresh'] / med['alone']:.2f}x"
    )
    print(
        f"   deskpro incremental (in-process)  {med['warm'] * 1000:8.1f} ms   "
        f"ratio {med['warm'] / med['alone']:.2f}x of esbuild alone"
    )
    print(f"   deskpro incremental (new python)  {med['fresh-warm'] * 1000:8.1f} ms")
    return max(overhead, overhead_fresh)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO / "tests" / "node" / "node_modules" / ".bin" / "esbuild"
    parser.add_argument(
        "--esbuild", type=Path, default=Path(os.environ.get("DESKPRO_ESBUILD", default))
    )
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not args.esbuild.is_file():
        print(f"esbuild not found at {args.esbuild}: run `npm ci` in tests/node", file=sys.stderr)
        return 3
    version = esbuild_module.esbuild_version(args.esbuild)
    print(f"esbuild {version} at {args.esbuild}; {args.rounds} rounds; medians")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="deskpro-bench-compile-") as tmp:
        for name, make in (
            ("react-template", react_template_like),
            ("generated-200", generated_app),
        ):
            project = Path(tmp) / name
            project.mkdir()
            describe = make(project)
            worst = max(worst, bench(name, project, describe, args.esbuild, args.rounds))
    verdict = "PASS" if worst < TARGET_OVERHEAD_S else "FAIL"
    print(
        f"\nworst overhead of deskpro over esbuild alone: {worst * 1000:.1f} ms "
        f"(target < {TARGET_OVERHEAD_S * 1000:.0f} ms): {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
