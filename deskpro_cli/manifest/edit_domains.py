"""``deskpro domains list|add|remove``: the hosts the helpdesk's proxy may call for the app.

The whitelist lives under ``externalApis`` before manifest 2.4.0 and ``domainWhitelist`` from
2.4.0 (:func:`~deskpro_cli.manifest.model.whitelist_key`). Each entry is a regex literal with its
slashes. ``PATTERN`` on the command line is either

* a host: ``api.github.com`` becomes the anchored literal of
  :func:`~deskpro_cli.manifest.whitelist.literal_for_host` (https, that host exactly, any port,
  any path); ``*.github.com`` admits every subdomain of github.com (not github.com itself);
  ``http://host`` admits plain http as well as https; or
* a literal ``/regex/`` (or ``/regex/flags``), taken as it is once it compiles.

``domains list`` reads each entry in plain words, from what the regex really admits (it is
probed with URLs, not guessed from its text): the host(s), the schemes, whether any path or port
passes, and the look-alike hosts it lets through by mistake. Every probe runs within the time
budget of :mod:`~deskpro_cli.manifest.regexbudget`: an entry that backtracks catastrophically is
read as unusable (validation refuses it as DP215, so ``domains add`` does too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskpro_cli.errors import CheckFailed, UsageError
from deskpro_cli.manifest.edit import Editor, EditResult
from deskpro_cli.manifest.model import whitelist_key
from deskpro_cli.manifest.whitelist import (
    SlowRegex,
    WhitelistEntry,
    WhitelistError,
    admits_any_host,
    check_backtracking,
    hosts_in_text,
    intended_hosts,
    literal_for_host,
    lookalike_urls,
    parse_literal,
    slow_regex_hint,
)

__all__ = ["Reading", "add_domain", "list_domains", "read_entry", "remove_domain", "to_literals"]

_SCHEME = re.compile(r"(https?)://", re.IGNORECASE)


def to_literals(pattern: str) -> list[str]:
    """The whitelist literal(s) ``pattern`` stands for: the one to add comes first.

    A ``/regex/`` stands for itself; a host for its https literal, then the one that also
    admits plain http (``remove`` accepts either); ``http://host`` only for the latter.

    Raises:
        UsageError: not a host name, a URL with a path, or a regex literal that does not compile.
    """
    text = pattern.strip()
    if text.startswith("/"):
        try:
            parse_literal(text)
        except WhitelistError as exc:
            raise UsageError(
                f"{pattern!r} is not a usable regex literal: {exc}",
                hint="write /^https:\\/\\/api\\.example\\.com(\\/.*)?$/ or just the host "
                "(api.example.com)",
            ) from None
        return [text]
    allow_http: bool | None = None
    match = _SCHEME.match(text)
    if match:
        allow_http = match.group(1).lower() == "http"
        text = text[match.end() :]
    text = text.rstrip("/")
    if "/" in text or "?" in text or "#" in text:
        raise UsageError(
            f"{pattern!r} has a path; PATTERN is a host (api.example.com, *.example.com) or a "
            "/regex/ literal",
            hint="to admit only some paths, write the regex yourself, e.g. "
            f"'{_path_example(text, allow_http=bool(allow_http))}'",
        )
    try:
        https_only = literal_for_host(text)
        with_http = literal_for_host(text, allow_http=True)
    except ValueError as exc:
        raise UsageError(str(exc), hint=_host_hint(text)) from None
    return [with_http, https_only] if allow_http else [https_only, with_http]


def _path_example(text: str, *, allow_http: bool) -> str:
    """A regex literal admitting the path of ``text`` (``host/path``) and below it."""
    host, _, path = text.partition("/")
    path = re.split(r"[?#]", path)[0].rstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9.-]+", host) or not path:
        host, path = "api.example.com", "v2"
    escaped = re.escape(f"{host.lower()}/{path}").replace("/", "\\/")
    return f"/^{'https?' if allow_http else 'https'}:\\/\\/{escaped}(\\/.*)?$/"


def _host_hint(text: str) -> str:
    """The fix for a PATTERN that is not a host name: a port left in, or a non-ASCII name."""
    port = re.fullmatch(r"(.+):([0-9]+)", text)
    if port:
        return f"leave out the port (give {port.group(1)}): the entry admits every port"
    if not text.isascii():
        try:
            ascii_name = text.encode("idna").decode("ascii")
        except UnicodeError:
            pass
        else:
            return (
                f"write the host as browsers send it (punycode): {ascii_name}"
                if ascii_name != text
                else "give a host such as api.github.com or *.github.com"
            )
    return "give a host such as api.github.com or *.github.com"


@dataclass
class Reading:
    """What a whitelist entry admits, in plain words."""

    literal: str
    valid: bool
    words: str
    hosts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "pattern": self.literal,
            "valid": self.valid,
            "reading": self.words,
            "hosts": self.hosts,
            "warnings": self.warnings,
        }


def read_entry(literal: Any) -> Reading:
    """Read one whitelist entry in plain words (see the module's docstring)."""
    if not isinstance(literal, str):
        return Reading(repr(literal), False, "not a string, so the proxy cannot use it")
    try:
        entry = parse_literal(literal)
    except WhitelistError as exc:
        return Reading(literal, False, f"not usable by the proxy: {exc}")
    try:
        check_backtracking(entry)
        return _read_valid(entry)
    except SlowRegex as exc:
        return Reading(literal, False, f"not usable: {exc}")


def _read_valid(entry: WhitelistEntry) -> Reading:
    """The reading of a usable entry (SlowRegex from any probe goes to the caller)."""
    literal = entry.literal
    if admits_any_host(entry):
        return Reading(
            literal, True, "any URL on any host", warnings=["this entry whitelists every site"]
        )
    hosts = []
    for host in intended_hosts(entry):
        # intended_hosts offers www.HOST when HOST itself is refused; for a subdomains-only
        # entry (*.HOST) the host to name is HOST
        bare = host[4:] if host.startswith("www.") else host
        if bare != host and not _admits_host(entry, bare) and _admits_host(entry, f"sub.{bare}"):
            host = bare
        if host not in hosts:
            hosts.append(host)
    if not hosts:
        below = _path_limited(entry)
        if below:
            return Reading(literal, True, "; ".join(w for _, w in below), [h for h, _ in below])
        return Reading(literal, True, "a custom pattern; no host name could be read from it")
    phrases: list[str] = []
    warnings: list[str] = []
    for host in hosts:
        phrases.append(_describe_host(entry, host))
        for url, why in lookalike_urls(entry, host):
            warnings.append(f"also admits {url} ({why})")
    return Reading(literal, True, "; ".join(phrases), hosts, warnings)


def _path_limited(entry: WhitelistEntry) -> list[tuple[str, str]]:
    """(host, words) for an entry that admits a host only at or below a path written in its
    text, as ``/^https:\\/\\/api\\.example\\.com\\/v2(\\/.*)?$/`` does for ``/v2``."""
    found: list[tuple[str, str]] = []
    for host in hosts_in_text(entry.pattern):
        spelled = r"\\?\.".join(re.escape(label) for label in host.split("."))
        segment = r"\\?/[A-Za-z0-9_~-]+(?:\\?\.[A-Za-z0-9_~-]+)*"
        after = re.search(spelled + f"((?:{segment})+)", entry.pattern, re.IGNORECASE)
        if after is None:
            continue
        path = after.group(1).replace("\\", "")
        schemes = []
        below = False
        for scheme in ("https", "http"):
            if entry.admits(f"{scheme}://{host}{path}/x"):
                schemes.append(scheme)
                below = True
            elif entry.admits(f"{scheme}://{host}{path}"):
                schemes.append(scheme)
        if not schemes:
            continue
        if schemes == ["https"]:
            how = "over https only"
        elif schemes == ["http"]:
            how = "over plain http only"
        else:
            how = "over https or plain http"
        where = f"only paths under {path}" if below else f"only the path {path}"
        found.append((host, f"{host}, {how}, {where}"))
    return found


def _admits_host(entry: WhitelistEntry, host: str) -> bool:
    return entry.admits(f"https://{host}/") or entry.admits(f"http://{host}/")


def _describe_host(entry: WhitelistEntry, host: str) -> str:
    apex = _admits_host(entry, host)
    sub = f"sub.{host}"
    subs = _admits_host(entry, sub)
    probe = host if apex else sub
    https = entry.admits(f"https://{probe}/")
    http = entry.admits(f"http://{probe}/")
    scheme = "https" if https else "http"
    if apex and subs:
        where = f"{host} and any subdomain of it"
    elif subs:
        where = f"any subdomain of {host} (not {host} itself)"
    else:
        where = host
    if https and http:
        how = "over https or plain http"
    elif https:
        how = "over https only"
    else:
        how = "over plain http only"
    if entry.admits(f"{scheme}://{probe}/a/b?c=d"):
        path = "any path"
    elif entry.admits(f"{scheme}://{probe}/") or entry.admits(f"{scheme}://{probe}"):
        path = "only the root path"
    else:
        path = "only some paths"
    port = ", any port" if entry.admits(f"{scheme}://{probe}:8443/") else ""
    return f"{where}, {how}, {path}{port}"


def add_domain(path: Path | str, pattern: str, *, dry_run: bool = False) -> EditResult:
    """Whitelist ``pattern`` (a host or a ``/regex/`` literal) in the manifest at ``path``."""
    editor = Editor(path)
    literal = to_literals(pattern)[0]
    key = whitelist_key(editor.version)
    entries = editor.array(key) or []
    if literal in entries:
        raise CheckFailed(
            f"{editor.source.display}: {literal} is already whitelisted "
            f"(line {editor.line_of(key, entries.index(literal))})",
        )
    reading = read_entry(literal)
    if not reading.valid:  # it compiles (to_literals checked), so it backtracks catastrophically
        raise UsageError(
            f"{pattern!r} is not usable: {reading.words.removeprefix('not usable: ')}",
            hint=slow_regex_hint(parse_literal(literal)),
        )
    for other in entries:
        covered = [h for h in reading.hosts if isinstance(other, str) and _admits(other, h)]
        if covered:
            editor.notes.append(f"{other} already admits {', '.join(covered)}")
    _note_other_key(editor, key)
    editor.append(key, literal)
    result = editor.commit(
        f"whitelisted {literal} in {key} of {editor.source.display}", dry_run=dry_run
    )
    result.notes.insert(0, f"it admits {reading.words}")
    if not any(w.rule in ("DP211", "DP212") for w in result.warnings):
        result.notes.extend(reading.warnings)  # else a DP211/DP212 warning says it, with a fix
    return result


def remove_domain(path: Path | str, pattern: str, *, dry_run: bool = False) -> EditResult:
    """Remove the whitelist entry that ``pattern`` (a host or the literal) stands for."""
    editor = Editor(path)
    key = whitelist_key(editor.version)
    entries = editor.array(key) or []
    candidates = to_literals(pattern)
    found = [i for i, e in enumerate(entries) if e in candidates]
    if not found:
        raise CheckFailed(
            f"{editor.source.display}: {pattern!r} is not in {key}",
            hint=_remove_hint(pattern, entries),
        )
    editor.remove_items(key, found)
    return editor.commit(
        f"removed {entries[found[0]]} from {key} of {editor.source.display}", dry_run=dry_run
    )


def _remove_hint(pattern: str, entries: list[Any]) -> str:
    host = _SCHEME.sub("", pattern.strip()).rstrip("/").lower()
    covering = [e for e in entries if isinstance(e, str) and _admits(e, host)]
    if covering and not pattern.startswith("/"):
        return (
            f"{host} is admitted by {covering[0]}, written by hand: remove it by its literal, "
            f"deskpro domains remove '{covering[0]}'"
        )
    if entries:
        shown = ", ".join(str(e) for e in entries)
        return f"the entries are: {shown} (see `deskpro domains list`)"
    return "the whitelist is empty"


@dataclass
class DomainsListing:
    """The whitelist of a manifest with a reading of each entry, for ``domains list``."""

    file: str
    schema_version: str
    key: str
    entries: list[Reading]
    other_key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.file,
            "schema_version": self.schema_version,
            "key": self.key,
            "domains": [r.to_json() for r in self.entries],
        }


def list_domains(path: Path | str) -> DomainsListing:
    """The entries of the version's whitelist key, each read in plain words."""
    editor = Editor(path, read_only=True)
    key = whitelist_key(editor.version)
    readings = [read_entry(e) for e in editor.array(key) or []]
    other = _other_key(key)
    return DomainsListing(
        editor.source.display,
        editor.version,
        key,
        readings,
        other if other in editor.manifest() else None,
    )


def _admits(literal: str, host: str) -> bool:
    if host.startswith("*."):
        host = "sub." + host[2:]
    try:
        return parse_literal(literal).admits(f"https://{host}/")
    except WhitelistError:  # not a literal, or too slow to run (SlowRegex)
        return False


def _other_key(key: str) -> str:
    return "externalApis" if key == "domainWhitelist" else "domainWhitelist"


def _note_other_key(editor: Editor, key: str) -> None:
    other = _other_key(key)
    if other in editor.manifest():
        editor.notes.append(
            f"the manifest also has {other}, which manifest {editor.version} does not read; "
            f"entries go to {key}"
        )
