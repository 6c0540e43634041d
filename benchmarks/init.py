#!/usr/bin/env python3
"""``deskpro init`` speed against baselines measured in the same run.

For each template:

- in-process: ``scaffold.scaffold()`` (checks, rendering, the staged write and the move) against
  ``shutil.copytree`` of the same files already rendered (the bare cost of writing the tree);
- fresh process: ``python -m deskpro_cli init DIR --no-input`` (what a user waits for) against
  ``python -c pass`` (the interpreter's own start).

Prints medians and ratios. The target: a fresh ``deskpro init`` under 0.5 s.

    python benchmarks/init.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deskpro_cli import scaffold  # noqa: E402

TARGET_S = 0.5
ANSWERS = scaffold.Answers("bench-app", "Bench App", "Benchmark", "Ada", "ada@example.com")


def median_time(action: Callable[[int], None], rounds: int) -> float:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("CI", None)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        python_start = median_time(
            lambda _i: subprocess.run([sys.executable, "-c", "pass"], check=True), args.rounds
        )
        print(f"python -c pass (baseline)        {python_start * 1000:8.1f} ms")
        for template in scaffold.TEMPLATES:
            # a rendered copy to measure the plain file copy against
            reference = root / f"reference-{template}"
            scaffold.scaffold(reference, template, ANSWERS)

            inproc = median_time(
                lambda i, t=template: scaffold.scaffold(root / f"in-{t}-{i}", t, ANSWERS),
                args.rounds,
            )
            copy = median_time(
                lambda i, t=template, r=reference: shutil.copytree(r, root / f"cp-{t}-{i}"),
                args.rounds,
            )
            fresh = median_time(
                lambda i, t=template: subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "deskpro_cli",
                        "-q",
                        "init",
                        str(root / f"p-{t}-{i}"),
                        "--template",
                        t,
                        "--no-input",
                    ],
                    check=True,
                    env=env,
                    stdout=subprocess.DEVNULL,
                ),
                args.rounds,
            )
            worst = max(worst, fresh)
            print(
                f"{template:13} in-process {inproc * 1000:7.1f} ms vs copytree "
                f"{copy * 1000:6.1f} ms (x{inproc / copy:5.1f}); fresh process "
                f"{fresh * 1000:6.1f} ms vs python -c pass (x{fresh / python_start:4.1f})"
            )
    verdict = "OK" if worst < TARGET_S else "SLOW"
    print(f"slowest fresh init {worst * 1000:.0f} ms, target < {TARGET_S * 1000:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
