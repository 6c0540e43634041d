"""A whitelist regex that backtracks catastrophically is stopped and reported (DP215), never hangs.

The patterns here run for seconds (the bound's own tests) to hours (the whitelist entries on the
stress probes) unbounded: a broken bound fails the first kind, and a watchdog
(``faulthandler``) ends the run with every thread's traceback rather than let the second hang.
The real interpreter's regex engine is checked for the periodic signal check the bound relies on.
"""

from __future__ import annotations

import faulthandler
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli.manifest import regexbudget, whitelist, whitelist_admits
from deskpro_cli.manifest.edit_domains import read_entry
from deskpro_cli.manifest.whitelist import (
    SlowRegex,
    WhitelistError,
    check_backtracking,
    literal_for_host,
    parse_literal,
)

from .edit_support import package_json, write_project
from .helpers import only, package, rules_of, validate_doc
from conftest import CliFixture

#: a run of 28 'a's before a refusal: 2^28 backtracking paths, seconds unbounded (a broken
#: bound fails the test rather than hanging it), against the 0.2 s budget the tests give
EXPONENTIAL = re.compile(r"^(a+)+\Z")
STALLS = "a" * 28 + "!"
#: written for github.com, blows up on a long host label (the stress probe's input)
SLOW_GITHUB = "/^https:\\/\\/(\\w+\\.?)*github\\.com$/"
#: blows up on a long path (the other stress probe)
SLOW_PATH = "/^https:\\/\\/api\\.example\\.com(\\/?\\w+)*$/"
FAST = 0.2


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A short budget, no entry remembered as slow, no worker left behind, and a watchdog."""
    monkeypatch.setattr(regexbudget, "BUDGET_SECONDS", FAST)
    monkeypatch.setattr(whitelist, "_slow", {})
    faulthandler.dump_traceback_later(120, exit=True)  # a hang ends the run, loudly
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        regexbudget.close_worker()


def in_thread(fn: Callable[[], Any]) -> Any:
    """``fn()`` run on another thread (as ``deskpro serve`` builds): its result or exception."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the match was not stopped"
    if "error" in out:
        raise out["error"]
    return out["value"]


# -- the bound itself ---------------------------------------------------------------------------
def test_the_regex_engine_checks_for_signals_so_the_alarm_stops_it() -> None:
    """CPython's matcher calls PyErr_CheckSignals every 4096 steps: the SIGALRM handler's
    exception ends the match (checked on this interpreter, in a process of its own)."""
    code = (
        "import re, signal\n"
        "class Stop(BaseException): pass\n"
        "def stop(*_): raise Stop\n"
        "signal.signal(signal.SIGALRM, stop)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0.2)\n"
        "try:\n"
        "    re.search(r'^(a+)+$', 'a' * 40 + '!')\n"  # 2^40 paths: hours if not stopped
        "    print('finished')\n"
        "except Stop:\n"
        "    print('stopped')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "stopped"


def test_a_catastrophic_match_in_the_main_thread_is_stopped() -> None:
    with pytest.raises(regexbudget.RegexTimeout, match=r"more than 0\.2 s"):
        regexbudget.search(EXPONENTIAL, STALLS)
    assert regexbudget.worker_pid() is None  # the alarm did it, no helper process
    assert regexbudget.search(EXPONENTIAL, "aaaa") is True
    assert regexbudget.search(EXPONENTIAL, "aaab") is False


def test_the_alarm_leaves_the_process_as_it_found_it() -> None:
    calls: list[int] = []

    def mine(signum: int, _frame: object) -> None:
        calls.append(signum)

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        with pytest.raises(regexbudget.RegexTimeout):
            regexbudget.search(EXPONENTIAL, STALLS)
        assert regexbudget.search(EXPONENTIAL, "a") is True
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        signal.raise_signal(signal.SIGALRM)
        assert calls == [signal.SIGALRM]
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_a_running_alarm_is_left_alone_and_the_worker_bounds_the_match() -> None:
    previous = signal.signal(signal.SIGALRM, lambda *_: None)
    signal.setitimer(signal.ITIMER_REAL, 600)
    try:
        with pytest.raises(regexbudget.RegexTimeout):
            regexbudget.search(EXPONENTIAL, STALLS)
        assert regexbudget.worker_pid() is not None
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 500  # still the caller's timer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_another_thread_matches_in_a_worker_that_stops_itself() -> None:
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "aaa")) is True
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "b")) is False
    pid = regexbudget.worker_pid()
    assert pid is not None
    with pytest.raises(regexbudget.RegexTimeout):
        in_thread(lambda: regexbudget.search(EXPONENTIAL, STALLS))
    # the worker's own alarm stopped the match: the same process answers the next one
    assert regexbudget.worker_pid() == pid
    flags = re.compile("^A", re.IGNORECASE | re.ASCII)
    assert in_thread(lambda: regexbudget.search(flags, "abc")) is True
    assert in_thread(lambda: regexbudget.search(re.compile("x"), "line\n\u00e9x")) is True


def test_a_worker_that_does_not_answer_in_time_is_killed_and_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the caller gives up before the worker's own alarm: as on a platform without setitimer
    monkeypatch.setattr(regexbudget, "_WORKER_GRACE_SECONDS", -0.15)
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "a")) is True
    pid = regexbudget.worker_pid()
    with pytest.raises(regexbudget.RegexTimeout):
        in_thread(lambda: regexbudget.search(EXPONENTIAL, STALLS))
    assert regexbudget.worker_pid() is None
    monkeypatch.setattr(regexbudget, "_WORKER_GRACE_SECONDS", 2.0)
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "a")) is True
    assert regexbudget.worker_pid() not in (None, pid)


def test_a_worker_that_died_is_replaced() -> None:
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "a")) is True
    pid = regexbudget.worker_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "aa")) is True
    assert in_thread(lambda: regexbudget.search(EXPONENTIAL, "ab")) is False
    assert regexbudget.worker_pid() not in (None, pid)


# -- whitelist entries ---------------------------------------------------------------------------
@pytest.mark.parametrize("literal", [SLOW_GITHUB, SLOW_PATH, "/(a+)+$/", "/^https:\\/\\/(.*)*x$/"])
def test_catastrophic_entries_are_found_by_the_stress_probes(literal: str) -> None:
    entry = parse_literal(literal)
    with pytest.raises(SlowRegex, match="backtracks catastrophically") as caught:
        check_backtracking(entry)
    assert isinstance(caught.value, WhitelistError)  # oauth-test's "not usable" path
    assert "the helpdesk's proxy may time out on it too" in str(caught.value)
    # remembered: the next probe of the entry does not run it again
    with pytest.raises(SlowRegex):
        entry.admits("https://github.com/")
    with pytest.raises(SlowRegex):
        whitelist_admits(literal, "https://github.com/")


@pytest.mark.parametrize(
    "literal",
    [
        "/^https?://([^.]+\\.)*github.com/?.*$/",  # the guide's (loose, but linear)
        "/^https?://.*$/",
        "/.*.*.*x/",  # polynomial, fast on URL-sized input
        literal_for_host("api.github.com"),
        literal_for_host("*.example.com"),
        literal_for_host("example.com", include_subdomains=True, allow_http=True),
    ],
)
def test_ordinary_entries_pass_the_stress_probes(literal: str) -> None:
    check_backtracking(parse_literal(literal))


def test_validate_reports_dp215_once_with_a_fix(tmp_path: Path) -> None:
    doc = package(
        externalApis=[SLOW_GITHUB, literal_for_host("api.github.com")],
        storage=[
            {
                "name": "oauth:github",
                "isBackendOnly": True,
                "permRead": "OWNER",
                "permWrite": "OWNER",
            }
        ],
    )
    problems = validate_doc(tmp_path, doc)
    # no DP212/DP211 guesses about the slow entry, and no DP213 for github.com, which only the
    # slow entry might admit (api.github.com is admitted by the other)
    assert rules_of(problems) == ["DP215"]
    p = only(problems, "DP215")
    assert p.severity == "error" and p.pointer == "/deskpro/externalApis/0"
    assert p.line is not None and p.column is not None
    assert "backtracks catastrophically" in p.message and SLOW_GITHUB in json.loads(
        p.message.split(": ", 1)[0].removeprefix("whitelist entry ")
    )
    assert p.hint is not None and "(\\w+\\.?)*" in p.hint
    assert json.dumps(literal_for_host("github.com")) in p.hint


def test_a_slow_entry_is_reported_on_a_build_thread_too(tmp_path: Path) -> None:
    problems = in_thread(lambda: validate_doc(tmp_path, package(externalApis=[SLOW_PATH])))
    assert rules_of(problems) == ["DP215"]


def test_validate_cli_exits_1_with_dp215(cli: CliFixture, tmp_path: Path) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.4.0", domainWhitelist=[SLOW_PATH]))
    run = cli("validate", pkg.parent, "--json", code=1)
    report = json.loads(run.stdout)
    assert [p["rule"] for p in report["problems"]] == ["DP215"]
    assert report["problems"][0]["pointer"] == "/deskpro/domainWhitelist/0"


def test_domains_list_reads_a_slow_entry_as_unusable(cli: CliFixture, tmp_path: Path) -> None:
    fine = literal_for_host("api.example.com")
    pkg = write_project(tmp_path / "app", package_json("2.3.0", externalApis=[SLOW_PATH, fine]))
    listing = json.loads(cli("domains", "list", pkg.parent, "--json").stdout)
    slow, ok = listing["domains"]
    assert slow["valid"] is False and "backtracks catastrophically" in slow["reading"]
    assert ok["valid"] is True and ok["hosts"] == ["api.example.com"]
    reading = read_entry(SLOW_PATH)
    assert not reading.valid and reading.hosts == []


def test_domains_add_refuses_a_slow_literal_and_writes_nothing(
    cli: CliFixture, tmp_path: Path
) -> None:
    pkg = write_project(tmp_path / "app", package_json("2.3.0"))
    before = pkg.read_bytes()
    run = cli("domains", "add", SLOW_GITHUB, pkg.parent, code=2)
    assert "backtracks catastrophically" in run.stderr and "domains add github.com" in run.stderr
    assert pkg.read_bytes() == before
    # an entry already there can still be removed by its literal, and hosts still be added
    pkg.write_text(json.dumps(package_json("2.3.0", externalApis=[SLOW_GITHUB]), indent=2))
    cli("domains", "add", "api.github.com", pkg.parent, code=1)  # refused: DP215 remains
    cli("domains", "remove", SLOW_GITHUB, pkg.parent)
    cli("domains", "add", "github.com", pkg.parent)
    cli("validate", pkg.parent)
