"""Benchmark: `deskpro package` against `zip -r -X` on the same files, in the same run.

Generates a large app (default 2,000 files, 50 MB, half of it already compressed: PNG and WOFF2
stand-ins of random bytes; the other half JavaScript and CSS text), packages it with
`deskpro package` in a subprocess, then zips the very files that landed in dist/ with
`zip -r -X` (Info-ZIP, default deflate level 6, as a developer would by hand). Each tool runs
`--runs` times; the medians are compared.

Each round times a cold `deskpro package` (dist/ removed first, so every file is copied into it),
a warm one (a rebuild: unchanged files' previous copies in dist/ are reused), and `zip`. Prints
the wall-time ratios (target: deskpro within 1.5x of zip), the CPU-time ratios (steadier on a
shared machine) and the peak memory (maximum resident set size; target for deskpro: under
100 MB), and exits 1 with `--check` when a target is missed.

    python benchmarks/package.py [--files 2000] [--megabytes 50] [--runs 3] [--keep DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_RATIO = 1.5
TARGET_MEMORY_MB = 100.0

_VOCABULARY = (
    "function return const let var this value item index data result error promise async "
    "await window document element render props state update handler event listener "
    "request response settings storage ticket person organization context client"
)
WORDS = _VOCABULARY.split()


def generate(root: Path, files: int, total_bytes: int, seed: int = 2026) -> None:
    """Write the app: package.json, an index page, and ``files`` assets of ``total_bytes``."""
    rng = random.Random(seed)
    (root / "src/main/html").mkdir(parents=True)
    (root / "src/main/resources").mkdir(parents=True)
    manifest = {
        "version": "2.3.0",
        "title": "Benchmark app",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
        "storage": [],
        "settings": [],
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": [],
    }
    package = {
        "name": "benchmark-app",
        "version": "1.0.0",
        "description": "A large app for the package benchmark",
        "author": {"name": "Bench", "email": "bench@example.com"},
        "deskpro": manifest,
    }
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    (root / "src/main/html/index.html").write_text(
        '<!DOCTYPE html>\n<link rel="stylesheet" href="../assets/css/file00002.css">\n'
        '<script src="../assets/js/file00000.js"></script>\n'
    )
    per_file = total_bytes // files
    for i in range(files):
        if i % 2:
            kind = "png" if i % 4 == 1 else "woff2"
            path = root / "src/main/resources" / kind / f"file{i:05d}.{kind}"
            data = rng.randbytes(per_file)
        else:
            kind = "js" if i % 4 == 0 else "css"
            path = root / "src/main/resources" / kind / f"file{i:05d}.{kind}"
            data = _text(rng, per_file).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _text(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        line = (
            f"  {rng.choice(WORDS)}.{rng.choice(WORDS)} = "
            f"{rng.choice(WORDS)}({rng.randint(0, 99999)}, '{rng.choice(WORDS)}');\n"
        )
        parts.append(line)
        length += len(line)
    return "".join(parts)[:size]


@dataclass(frozen=True)
class Sample:
    """One run: wall time (s), peak RSS (MB), CPU time (user + system of all threads, s)."""

    wall: float
    memory: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU, peak {self.memory:.0f} MB"


def summary(samples: list[Sample]) -> Sample:
    """Median times, highest peak memory."""
    return Sample(
        statistics.median(s.wall for s in samples),
        max(s.memory for s in samples),
        statistics.median(s.cpu for s in samples),
    )


def run(cmd: list[str], cwd: Path | None = None) -> Sample:
    """Run ``cmd``: its wall time (s), peak RSS (MB) and CPU time (user + system, s, all
    threads), from wait4's rusage for that child."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return Sample(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)  # KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the app here and keep it")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if shutil.which("zip") is None:
        sys.exit("zip is not installed (apt-get install zip): it is the baseline")

    work = args.keep or Path(tempfile.mkdtemp(prefix="deskpro-bench-"))
    app = work / "app"
    if app.exists():
        shutil.rmtree(app)
    app.mkdir(parents=True)
    generate(app, args.files, int(args.megabytes * 1_000_000))
    size = sum(p.stat().st_size for p in app.rglob("*") if p.is_file())
    print(f"app: {args.files} files, {size / 1e6:.1f} MB, half already compressed ({app})")

    deskpro = [sys.executable, "-m", "deskpro_cli", "package", str(app)]
    zip_out = work / "baseline.zip"
    cold: list[Sample] = []
    warm: list[Sample] = []
    theirs: list[Sample] = []
    for _ in range(args.runs):  # interleaved, so all see the same machine state
        shutil.rmtree(app / "dist", ignore_errors=True)
        cold.append(run(deskpro))  # a first build: dist/ written from scratch
        warm.append(run(deskpro))  # a rebuild: unchanged files' copies in dist/ are reused
        zip_out.unlink(missing_ok=True)
        names = sorted(p.name for p in (app / "dist").iterdir() if p.name != "app.zip")
        theirs.append(run(["zip", "-r", "-X", "-q", str(zip_out), *names], cwd=app / "dist"))
    base = summary(theirs)
    print(f"zip -r -X:               {base}, {zip_out.stat().st_size:,} B")
    ok = True
    for label, samples in (("deskpro package (cold)", cold), ("deskpro package (warm)", warm)):
        ours = summary(samples)
        ratio = ours.wall / base.wall
        ok_ratio = ratio <= TARGET_RATIO
        ok_memory = ours.memory < TARGET_MEMORY_MB
        ok = ok and ok_ratio and ok_memory
        print(f"{label}:  {ours}, {(app / 'dist/app.zip').stat().st_size:,} B")
        print(
            f"    wall time ratio {ratio:.2f}x (target <= {TARGET_RATIO}x) "
            f"{'ok' if ok_ratio else 'MISSED'}; CPU time ratio {ours.cpu / base.cpu:.2f}x; "
            f"peak memory {ours.memory:.0f} MB (target < {TARGET_MEMORY_MB:.0f} MB) "
            f"{'ok' if ok_memory else 'MISSED'}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times are noisy")
    print("when it is above the CPU count; CPU time is the steadier figure)")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
