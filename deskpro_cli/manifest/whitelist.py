"""Whitelist entries: JavaScript-style regex literals, what they admit, and how to write one.

A whitelist entry (``externalApis``/``domainWhitelist``) is a string holding a regex literal with
its slashes, e.g. ``"/^https?://([^.]+\\.)*github.com/?.*$/"``: the helpdesk's proxy forwards a
request only when the URL matches one entry. The pattern sits between the first and the last
``/``; what follows the last ``/`` are flags. We compile the pattern with Python's :mod:`re`
after translating the few places where JavaScript and Python read a pattern differently, then
probe it with URLs to see what it really admits.

Every probe runs within a time budget (:mod:`~deskpro_cli.manifest.regexbudget`): a pattern
that backtracks catastrophically raises :class:`SlowRegex` rather than hanging the command, and
:func:`check_backtracking` tries each entry on long but ordinary URLs first, the inputs on which
such patterns blow up.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "ATTACKER_HOST",
    "SlowRegex",
    "WhitelistEntry",
    "WhitelistError",
    "admits",
    "admits_any_host",
    "check_backtracking",
    "hosts_in_text",
    "intended_hosts",
    "literal_for_host",
    "lookalike_urls",
    "parse_literal",
    "slow_regex_hint",
]

#: A host nobody intends to whitelist (RFC 2606 reserves ``.example``).
ATTACKER_HOST = "attacker.example"
_JS_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "g": 0, "y": 0, "u": 0}


class WhitelistError(ValueError):
    """The entry is not a usable regex literal; ``str()`` says why."""


class SlowRegex(WhitelistError):
    """Matching the entry against one URL ran past the time budget: the pattern backtracks
    catastrophically. ``url`` is the probe it was stopped on."""

    def __init__(self, literal: str, url: str, budget: float) -> None:
        super().__init__(
            f"this regex backtracks catastrophically: matching it against a URL of {len(url)} "
            f"characters took more than {budget:g} s; the helpdesk's proxy may time out on it too"
        )
        self.literal = literal
        self.url = url
        self.budget = budget


#: literal -> (url, budget) of the probe it ran past: once too slow, an entry is not run again
#: in this process (the dev server's rebuilds, an edit's validation)
_slow: dict[str, tuple[str, float]] = {}


class WhitelistEntry(NamedTuple):
    """A parsed whitelist entry: the literal, its pattern and flags, and the compiled regex."""

    literal: str
    pattern: str
    flags: str
    regex: re.Pattern[str]

    def admits(self, url: str) -> bool:
        """Whether the proxy would forward ``url`` (JavaScript ``test``: a match anywhere).

        Raises:
            SlowRegex: the match ran past ``regexbudget.BUDGET_SECONDS`` (now or on an
                earlier probe of this entry).
        """
        # imported here: only manifests with whitelist entries need it (start-up time)
        from deskpro_cli.manifest import regexbudget

        slow = _slow.get(self.literal)
        if slow is not None:
            raise SlowRegex(self.literal, *slow)
        try:
            return regexbudget.search(self.regex, url)
        except regexbudget.RegexTimeout as exc:
            _slow[self.literal] = (url, exc.budget)
            raise SlowRegex(self.literal, url, exc.budget) from None


@lru_cache(maxsize=256)
def parse_literal(literal: str) -> WhitelistEntry:
    """Parse and compile a ``/pattern/flags`` literal.

    Raises:
        WhitelistError: not a ``/.../`` literal, unknown flags, or a pattern that does not compile.
    """
    if len(literal) < 2 or not literal.startswith("/") or literal.rfind("/") == 0:
        raise WhitelistError("it is not a regex literal: write it as /pattern/ with both slashes")
    last = literal.rfind("/")
    pattern, flags = literal[1:last], literal[last + 1 :]
    if pattern == "":
        raise WhitelistError("the pattern between the slashes is empty")
    if not flags.isalpha() and flags != "":
        raise WhitelistError(
            f"it does not end with a slash: {flags!r} follows the last '/' (write /pattern/flags)"
        )
    bad = sorted({f for f in flags if f not in _JS_FLAGS})
    if bad or len(set(flags)) != len(flags):
        raise WhitelistError(f"unknown or repeated flags {flags!r} after the last slash")
    py_flags = re.ASCII
    for f in flags:
        py_flags |= _JS_FLAGS[f]
    try:
        translated = translate_js_pattern(pattern, multiline="m" in flags)
        regex = re.compile(translated, py_flags)
    except re.error as exc:
        raise WhitelistError(f"the pattern does not compile: {exc.msg} (at {exc.pos})") from None
    return WhitelistEntry(literal, pattern, flags, regex)


def translate_js_pattern(pattern: str, *, multiline: bool = False) -> str:
    """A JavaScript regex pattern rewritten for Python's :mod:`re` (same meaning for URLs).

    Differences handled: ``$`` (end of input in JavaScript, also before a final newline in
    Python) becomes ``\\Z``; ``(?<name>`` and ``\\k<name>`` become ``(?P<name>`` and
    ``(?P=name)``; ``[^]`` and ``[]``; a ``[``
    inside a class is escaped; ``\\/`` becomes ``/``. Python-only syntax (inline flags, ``(?P``,
    comments) is refused, since the helpdesk could not read it.

    Raises:
        re.error: the pattern uses syntax JavaScript does not have.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise re.error("pattern ends with a lone backslash", pattern, i)
            nxt = pattern[i + 1]
            named = re.match(r"k<([A-Za-z_$][\w$]*)>", pattern[i + 1 :]) if not in_class else None
            if named:  # a named back-reference
                out.append(f"(?P={named.group(1)})")
                i += 1 + named.end()
                continue
            out.append("/" if nxt == "/" else c + nxt)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append("\\[" if c == "[" else c)
            i += 1
            continue
        if c == "[":
            if pattern.startswith("[^]", i):
                out.append(r"[\s\S]")
                i += 3
                continue
            if pattern.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(c)
            # a ']' right after '[' or '[^' is a literal in Python but ends the class in JS;
            # the two cases above cover JavaScript's meanings of those spellings
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            continue
        if c == "$" and not multiline:
            out.append(r"\Z")
            i += 1
            continue
        if c == "(" and pattern.startswith("(?", i):
            rest = pattern[i + 2 : i + 4]
            if rest[:1] in (":", "=", "!") or rest in ("<=", "<!"):
                out.append(
                    pattern[i : i + 3] if rest[:1] in (":", "=", "!") else pattern[i : i + 4]
                )
                i += 3 if rest[:1] in (":", "=", "!") else 4
                continue
            if rest[:1] == "<":
                out.append("(?P<")
                i += 3
                continue
            raise re.error("'(?' here is not JavaScript regex syntax", pattern, i)
        out.append(c)
        i += 1
    if in_class:
        raise re.error("unterminated character set", pattern, n)
    return "".join(out)


def admits(literal: str, url: str) -> bool:
    """Whether the whitelist entry ``literal`` admits ``url``.

    Raises:
        WhitelistError: the entry is not a usable regex literal (:class:`SlowRegex`: it
            backtracks catastrophically).
    """
    return parse_literal(literal).admits(url)


_HOSTLIKE = r"[A-Za-z0-9-]+(?:(?:\\\.|\.)[A-Za-z0-9-]+)+"  # compiled (and cached) by re when used


def hosts_in_text(pattern: str) -> list[str]:
    """The host names written in a pattern's text (runs of letters, digits and dots, escaped or
    not, ending in a letter), lower-cased, without running the pattern."""
    hosts: list[str] = []
    for m in re.finditer(_HOSTLIKE, pattern):
        host = m.group(0).replace("\\.", ".").lower()
        if re.search(r"[a-z]", host.rsplit(".", 1)[-1]) and host not in hosts:
            hosts.append(host)  # (else a version or an IP-like run, not a domain name)
    return hosts


def intended_hosts(entry: WhitelistEntry) -> list[str]:
    """The host names an entry appears to be written for (``github.com`` in the guide's regex).

    Taken from the literal text of the pattern (:func:`hosts_in_text`): those the entry admits
    as ``https://HOST/`` (or as ``https://www.HOST/``, giving ``www.HOST``).

    Raises:
        SlowRegex: a probe ran past the time budget.
    """
    hosts: list[str] = []
    for host in hosts_in_text(entry.pattern):
        for candidate in (host, f"www.{host}"):
            if candidate not in hosts and entry.admits(f"https://{candidate}/"):
                hosts.append(candidate)
                break
    return hosts


#: a run of word characters as long as a long host label or path segment: catastrophic
#: backtracking is exponential in the length of such a run, so 32 turns it into hours
_LONG_RUN = "a" * 32


def check_backtracking(entry: WhitelistEntry) -> None:
    """Try the entry on long but ordinary URLs, the inputs on which a pattern with nested or
    overlapping repetition (``(\\w+\\.?)*``, ``(a+)+``, ``(\\/?\\w+)*``) blows up.

    For a foreign host and each host in the pattern's text: a long first label
    (``https://aaa…aaa.HOST/``) and a long path and query that end in a character such
    patterns refuse (``https://HOST/aaa…/aaa…?aaa…=aaa…!``). The answers do not matter, only
    that each comes within the budget.

    Raises:
        SlowRegex: a probe ran past the time budget.
    """
    for host in (ATTACKER_HOST, *hosts_in_text(entry.pattern)):
        entry.admits(f"https://{_LONG_RUN}.{host}/")
        entry.admits(f"https://{host}/{_LONG_RUN}/{_LONG_RUN}?{_LONG_RUN}={_LONG_RUN}!")


def slow_regex_hint(entry: WhitelistEntry) -> str:
    """What to write instead of an entry that backtracks catastrophically."""
    hosts = hosts_in_text(entry.pattern)
    fix = (
        f"; for {hosts[0]} write {json.dumps(literal_for_host(hosts[0]))} "
        f"(`deskpro domains add {hosts[0]}`)"
        if hosts
        else ", or let `deskpro domains add HOST` write the entry"
    )
    return (
        "no group repeated by * or + may match the same text in several ways, as (\\w+\\.?)* "
        "and (a+)+ can: repeat one unambiguous piece, e.g. ([a-z0-9-]+\\.)*" + fix
    )


def lookalike_urls(entry: WhitelistEntry, host: str) -> list[tuple[str, str]]:
    """URLs on hosts other than ``host`` that the entry admits, each with the reason.

    Probes a host that merely starts with ``host``, credentials before a foreign host, the host
    in the path or query of a foreign URL, and (when a dot is not escaped) a registrable domain
    with one of its dots replaced.

    Raises:
        SlowRegex: a probe ran past the time budget.
    """
    probes = [
        (f"https://{host}.{ATTACKER_HOST}/", "nothing anchors the end of the host name"),
        (f"https://{host}@{ATTACKER_HOST}/", "a user name before '@' passes for the host"),
        (f"https://{ATTACKER_HOST}/{host}/", "nothing anchors the start of the URL"),
        (f"https://{ATTACKER_HOST}/?u=https://{host}/", "nothing anchors the start of the URL"),
    ]
    labels = host.split(".")
    for k in range(len(labels) - 2):  # keep at least one dot: a domain someone could register
        squashed = ".".join([*labels[:k], labels[k] + "x" + labels[k + 1], *labels[k + 2 :]])
        probes.append((f"https://{squashed}/", "a '.' in the host is not escaped (write '\\.')"))
    return [(url, why) for url, why in probes if entry.admits(url)]


def admits_any_host(entry: WhitelistEntry) -> bool:
    """Whether the entry admits URLs on hosts it cannot have meant (it matches every site).

    Raises:
        SlowRegex: a probe ran past the time budget.
    """
    return entry.admits(f"https://{ATTACKER_HOST}/") or entry.admits(f"http://{ATTACKER_HOST}/x")


def literal_for_host(
    host: str, *, allow_http: bool = False, include_subdomains: bool = False
) -> str:
    """The anchored regex literal that admits exactly ``host`` (any port and path).

    For ``domains add``. ``*.example.com`` admits every sub-domain of example.com (not
    example.com itself); ``include_subdomains`` admits the host and all its sub-domains. The
    result escapes dots and slashes and ends the host, so ``https://example.com.evil/`` and
    ``https://example.com@evil/`` are refused.

    Raises:
        ValueError: ``host`` is not a host name (or ``*.`` host name).
    """
    host = host.strip().lower()
    wildcard = host.startswith("*.")
    bare = host[2:] if wildcard else host
    if not re.fullmatch(
        r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+", bare
    ):
        raise ValueError(
            f"not a host name: {host!r} (expected e.g. api.example.com or *.example.com)"
        )
    scheme = "https?" if allow_http else "https"
    sub = r"([a-z0-9-]+\.)+" if wildcard else (r"([a-z0-9-]+\.)*" if include_subdomains else "")
    return f"/^{scheme}:\\/\\/{sub}{re.escape(bare)}(:[0-9]+)?(\\/.*)?$/"
