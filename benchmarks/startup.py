"""Start-up time of `deskpro --help` and `deskpro validate` against a bare interpreter.

Runs, in the same session and interleaved (so machine load hits all alike), `python -c pass`,
`python -c "import click"` (the floor for any click command), `deskpro --help` and
`deskpro validate` on a boilerplate project, and prints the median wall time of each and its ratio
to the bare interpreter. Target: under 3x for the CLI's start-up.

Every run uses compiled bytecode, as an installed wheel does (pip compiles it at install time):
the commands run with ``PYTHONPYCACHEPREFIX`` pointing at a temporary folder and without
``PYTHONDONTWRITEBYTECODE``, and a first untimed run of each fills that cache. Without this, an
editable install in an environment that sets ``PYTHONDONTWRITEBYTECODE`` recompiles every module
of the package on every run, which measures the compiler rather than the start-up users see.

    python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 3.0

# the shape of the old boilerplate's package.json manifest (spec/dpat-output/boilerplate.*)
BOILERPLATE = {
    "name": "@deskpro/apps-boilerplate",
    "version": "0.2.3",
    "description": "My first app",
    "author": {
        "name": "Deskpro Apps",
        "email": "apps@deskpro.com",
        "url": "https://www.deskpro.com",
    },
    "deskpro": {
        "version": "2.3.0",
        "title": "My first app",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
        "storage": [],
        "settings": [],
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": [],
    },
}


def deskpro_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m deskpro_cli`."""
    script = Path(sys.executable).parent / "deskpro"
    if script.exists():
        return [str(script)]
    found = shutil.which("deskpro")
    return [found] if found else [sys.executable, "-m", "deskpro_cli"]


def run_once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=env
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (default 21)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        project = Path(tmp) / "boilerplate"
        project.mkdir()
        (project / "package.json").write_text(json.dumps(BOILERPLATE, indent=2), encoding="utf-8")
        deskpro = deskpro_command()
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            # the floor any click CLI starts from: click itself, imported and nothing else
            "import click": [sys.executable, "-c", "import click"],
            "deskpro --help": [*deskpro, "--help"],
            "deskpro validate": [*deskpro, "validate", str(project)],
        }
        for cmd in commands.values():  # warm the file cache and write the .pyc files
            run_once(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(run_once(cmd, env))

    # the median is the headline; the minimum is steadier on a busy machine, so both are shown
    base = statistics.median(times["python -c pass"])
    base_min = min(times["python -c pass"])
    print(f"{'command':<20} {'median ms':>10} {'ratio':>7} {'min ms':>8} {'ratio':>7}")
    worst = 0.0
    for name, values in times.items():
        median, fastest = statistics.median(values), min(values)
        ratio = median / base
        if name.startswith("deskpro"):
            worst = max(worst, ratio)
        print(
            f"{name:<20} {median * 1000:>10.1f} {ratio:>6.2f}x "
            f"{fastest * 1000:>8.1f} {fastest / base_min:>6.2f}x"
        )
    verdict = "within" if worst < TARGET_RATIO else "over"
    print(f"worst median ratio {worst:.2f}x: {verdict} the {TARGET_RATIO:.0f}x target")
    floor = statistics.median(times["import click"]) / base
    print(f"(importing click alone, which every command needs, is {floor:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
