"""How much a format-preserving, validated edit costs next to a naive rewrite.

Runs in one process, on the same files, in the same run:

* ours: ``add_storage(..., dry_run=True)`` (load with positions, splice, re-parse the edited
  container, validate before and after, diff) and the bare text edit (``JsonText.append``,
  which parses the whole text first);
* baseline: ``json.loads`` + append + ``json.dumps(indent=2)`` (what a careless editor does,
  losing the file's layout).

Prints the median time of each and the ratios. Usage: ``python benchmarks/bench_edit.py``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deskpro_cli.manifest.edit_storage import StorageRequest, add_storage
from deskpro_cli.manifest.jsonedit import JsonText

ITEM = {"name": "bench", "isBackendOnly": False, "permRead": "EVERYBODY", "permWrite": "OWNER"}


def project(folder: Path, padding: int) -> Path:
    doc = {
        "name": "bench-app",
        "version": "1.0.0",
        "description": "benchmark",
        "author": {"name": "A", "email": "a@example.com"},
        "dependencies": {f"dep-{i}": f"^{i}.0.0" for i in range(padding)},
        "deskpro": {
            "version": "2.3.0",
            "title": "Bench",
            "scope": "agent",
            "isSingle": True,
            "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
            "storage": [dict(ITEM, name=f"item{i}") for i in range(20)],
        },
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "package.json"
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def median_time(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, padding, repeat in (("small (2 KB)", 10, 50), ("large (~2 MB)", 60_000, 5)):
            path = project(Path(tmp) / label.split()[0], padding)
            text = path.read_text(encoding="utf-8")

            def baseline(text: str = text) -> str:
                doc = json.loads(text)
                doc["deskpro"]["storage"].append(ITEM)
                return json.dumps(doc, indent=2) + "\n"

            def splice(text: str = text) -> str:
                doc = JsonText(text)
                doc.append("/deskpro/storage", ITEM)
                return doc.text

            def command(path: Path = path) -> object:
                return add_storage(path, StorageRequest("bench"), dry_run=True)

            base = median_time(baseline, repeat)
            ours_text = median_time(splice, repeat)
            ours_cmd = median_time(command, repeat)
            print(f"{label}: {len(text):,} chars")
            print(f"  {'baseline json.loads+dumps':<28} {base * 1000:9.2f} ms")
            for name, took in (
                ("JsonText.append (splice)", ours_text),
                ("storage add --dry-run (all)", ours_cmd),
            ):
                print(f"  {name:<28} {took * 1000:9.2f} ms  x{took / base:.1f}")


if __name__ == "__main__":
    main()
