"""How long `deskpro oauth-test --mode check` takes, against the least a Python tool can do.

Both run as fresh processes against the tests' fake GitHub on 127.0.0.1 (so the network is not
measured): the baseline is `python -c` importing requests and making the same POST; ours is the
whole command (click, the lazy command registry, credential checks, the probe, JSON output).
Prints the medians and the ratio; nothing is asserted.

    python benchmarks/oauth_check.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakes.github import FakeGitHub


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with FakeGitHub() as gh:
        app = gh.add_app()
        env = {**os.environ, "DESKPRO_OAUTH_CLIENT_SECRET": app.client_secret}
        baseline = [
            sys.executable,
            "-c",
            "import os, requests; r = requests.post(os.environ['URL'], data={'client_id': "
            "os.environ['CID'], 'client_secret': os.environ['DESKPRO_OAUTH_CLIENT_SECRET'], "
            "'code': '0' * 20}, headers={'Accept': 'application/json'}, timeout=10); "
            "assert r.json()['error'] == 'bad_verification_code'",
        ]
        ours = [
            sys.executable,
            "-m",
            "deskpro_cli",
            "oauth-test",
            "--github-url",
            gh.url,
            "--client-id",
            app.client_id,
            "--json",
        ]
        env_base = {**env, "URL": gh.url + "/login/oauth/access_token", "CID": app.client_id}
        base_times, our_times = [], []
        for _ in range(runs):
            base_times.append(timed(baseline, env_base))
            our_times.append(timed(ours, env))
    b, o = statistics.median(base_times), statistics.median(our_times)
    print(f"baseline (python -c requests.post): median {b * 1000:.0f} ms over {runs} runs")
    print(f"deskpro oauth-test --mode check:   median {o * 1000:.0f} ms over {runs} runs")
    print(f"ratio: {o / b:.2f}x")


if __name__ == "__main__":
    main()
