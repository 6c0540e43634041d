"""Whitelist regex literals: parsing, JavaScript semantics in Python, what they admit."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskpro_cli.manifest import literal_for_host, parse_literal, whitelist_admits
from deskpro_cli.manifest.whitelist import (
    WhitelistError,
    admits_any_host,
    check_backtracking,
    intended_hosts,
    lookalike_urls,
    translate_js_pattern,
)

from conftest import IN_CI

GUIDE = "/^https?://([^.]+\\.)*github.com/?.*$/"


def test_the_guides_regex_admits_a_lookalike_host() -> None:
    entry = parse_literal(GUIDE)
    assert entry.admits("https://github.com/login/oauth/authorize")
    assert entry.admits("https://api.github.com/user")
    assert entry.admits("https://github.com.attacker.example/")
    assert intended_hosts(entry) == ["github.com"]
    reasons = dict(lookalike_urls(entry, "github.com"))
    assert "https://github.com.attacker.example/" in reasons
    assert "end of the host" in reasons["https://github.com.attacker.example/"]
    assert not admits_any_host(entry)


def test_an_unescaped_dot_in_a_registrable_name_is_found() -> None:
    entry = parse_literal("/^https:\\/\\/api.github.com\\//")
    assert [u for u, _ in lookalike_urls(entry, "api.github.com")] == ["https://apixgithub.com/"]


@pytest.mark.parametrize("literal", ["/.*/", "/^https?://.*$/", "/http/", "/./i"])
def test_entries_that_admit_every_host(literal: str) -> None:
    assert admits_any_host(parse_literal(literal))


@pytest.mark.parametrize(
    ("literal", "words"),
    [
        ("http*", "not a regex literal"),
        ("https://my-domain.com/*", "not a regex literal"),
        ("/^https?://w+.deskpro.com/.*?$", "does not end with a slash"),
        ("/", "not a regex literal"),
        ("//", "empty"),
        ("/abc/q", "unknown or repeated flags"),
        ("/abc/ii", "unknown or repeated flags"),
        ("/(/", "does not compile"),
        ("/[a-/", "does not compile"),
        ("/a\\/", "does not compile"),
        ("/(?i)abc/", "does not compile"),
        ("/(?P<x>a)/", "does not compile"),
    ],
)
def test_invalid_literals(literal: str, words: str) -> None:
    with pytest.raises(WhitelistError, match=words.replace("(", r"\(")):
        parse_literal(literal)


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        ("^a$", r"^a\Z"),
        ("a\\$", "a\\$"),
        ("[$]", "[$]"),
        ("\\/x\\/", "/x/"),
        ("(?<name>a)\\k<name>", "(?P<name>a)(?P=name)"),
        ("(?<=a)b(?<!c)", "(?<=a)b(?<!c)"),
        ("(?:a)(?=b)(?!c)", "(?:a)(?=b)(?!c)"),
        ("[^]", r"[\s\S]"),
        ("a[]b", "a(?!)b"),
        ("[[a]", "[\\[a]"),
    ],
)
def test_translation(pattern: str, python: str) -> None:
    assert translate_js_pattern(pattern) == python


def test_multiline_flag_keeps_dollar() -> None:
    assert translate_js_pattern("a$", multiline=True) == "a$"
    assert parse_literal("/^b$/m").admits("a\nb\nc")
    assert not parse_literal("/^b$/").admits("a\nb\nc")
    # JavaScript's $ does not match before a final newline (Python's would)
    assert not parse_literal("/com$/").admits("https://x.com\n")
    assert parse_literal("/GITHUB/i").admits("https://github.com/")


HOSTS = st.from_regex(r"\A[a-z][a-z0-9-]{0,8}[a-z0-9](\.[a-z][a-z0-9-]{0,8}[a-z0-9]){1,3}\Z")


@settings(max_examples=150)
@given(HOSTS, st.sampled_from(["", "/", "/x/y?q=1", ":8443/z"]))
def test_literal_for_host_admits_the_host_and_nothing_like_it(host: str, tail: str) -> None:
    literal = literal_for_host(host)
    entry = parse_literal(literal)
    check_backtracking(entry)  # (raises SlowRegex if a probe ran past the time budget)
    assert entry.admits(f"https://{host}{tail}")
    assert not entry.admits(f"http://{host}/")
    assert not admits_any_host(entry)
    assert lookalike_urls(entry, host) == []
    assert not entry.admits(f"https://sub.{host}/")
    sub = parse_literal(literal_for_host("*." + host))
    assert sub.admits(f"https://api.{host}/") and not sub.admits(f"https://{host}/")
    both = parse_literal(literal_for_host(host, include_subdomains=True, allow_http=True))
    assert both.admits(f"http://{host}/") and both.admits(f"https://a.b.{host}/")
    assert lookalike_urls(both, host) == []


@pytest.mark.parametrize(
    "bad", ["", "github", "http://github.com", "*.", "a..b", "-a.com", "x y.com"]
)
def test_literal_for_host_refuses_non_hosts(bad: str) -> None:
    with pytest.raises(ValueError, match="not a host name"):
        literal_for_host(bad)


def test_whitelist_admits_is_the_public_helper() -> None:
    assert whitelist_admits(GUIDE, "https://gist.github.com/x")
    assert not whitelist_admits(literal_for_host("api.github.com"), "https://github.com/")


# -- the same answers as JavaScript itself ------------------------------------------------------
LITERALS = [
    GUIDE,
    "/^https?://([^.]+\\.)*mailchimp.com/?.*$/",
    "/^https?://.*$/",
    "/^https:\\/\\/api\\.github\\.com(:[0-9]+)?(\\/.*)?$/",
    "/GitHub\\.COM$/i",
    "/^https:\\/\\/(?<host>[a-z.]+)\\/\\k<host>$/",
    "/^https:\\/\\/a[^]b/",
    "/x[]y|^https/",
    "/(?<=https:\\/\\/)api\\./",
    "/^https:\\/\\/[\\w-]+\\.example\\.com\\/$/",
    "/\\d{2,}/",
]
URLS = [
    "https://github.com/",
    "https://api.github.com/user",
    "https://github.com.attacker.example/",
    "https://github.com@attacker.example/",
    "http://mailchimp.com",
    "https://us1.api.mailchimp.com/3.0/",
    "https://GITHUB.COM",
    "https://api.github.com:443/x",
    "https://a.b/a.b",
    "https://a\nb",
    "https://aXb",
    "https://my-app.example.com/",
    "https://é.example.com/",
    "https://x.com/12",
]


def test_python_answers_like_javascript() -> None:
    node = shutil.which("node")
    if node is None:
        if IN_CI:
            pytest.fail("node is missing in CI")
        pytest.skip("node not installed")
    script = (
        "const [lits, urls] = JSON.parse(process.argv[1]);"
        "const out = lits.map(l => { const i = l.lastIndexOf('/');"
        " const re = new RegExp(l.slice(1, i), l.slice(i + 1));"
        " return urls.map(u => re.test(u)); });"
        "console.log(JSON.stringify(out));"
    )
    done = subprocess.run(
        [node, "-e", script, json.dumps([LITERALS, URLS])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    expected = json.loads(done.stdout)
    got = [[parse_literal(lit).admits(u) for u in URLS] for lit in LITERALS]
    for lit, want, have in zip(LITERALS, expected, got, strict=True):
        assert have == want, (lit, [u for u, a, b in zip(URLS, want, have, strict=True) if a != b])
