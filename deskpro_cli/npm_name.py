"""npm package-name rules, as npm applies them to a *new* package (validate-npm-package-name).

A Deskpro app's ``name`` is its npm package name (spec/deskpro-apps-v1.md §1.1), so ``init`` holds
new apps to the rules npm itself would enforce on ``npm publish``: lower case, URL-safe, at most
214 characters, no leading dot or underscore, not a Node.js core module, an optional ``@scope/``.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 214

#: Names npm refuses outright.
_BLACKLIST = frozenset({"node_modules", "favicon.ico"})

#: Node.js core modules (``require('module').builtinModules`` of Node 20, internal ones left out):
#: npm refuses a new package that would shadow one of them.
NODE_BUILTINS = frozenset(
    {
        "assert",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "domain",
        "events",
        "fs",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "path",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "repl",
        "stream",
        "string_decoder",
        "sys",
        "timers",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    }
)

# Characters encodeURIComponent leaves alone: the "URL-friendly" set npm checks against.
_URL_SAFE = re.compile(r"[A-Za-z0-9\-_.!~*'()]*")
_SCOPED = re.compile(r"^@([^/]+)/([^/]+)$")
_SPECIAL = re.compile(r"[~'!()*]")


def name_problems(name: str) -> list[str]:
    """Every reason npm would refuse ``name`` for a new package (empty when it is fine).

    Each reason is a short phrase ("must be lower case") that fits after "the name ...".
    """
    if name == "":
        return ["must not be empty"]
    problems: list[str] = []
    if name.strip() != name:
        problems.append("must not start or end with spaces")
    if name.startswith("."):
        problems.append("must not start with a period")
    if name.startswith("_"):
        problems.append("must not start with an underscore")
    if name.lower() in _BLACKLIST:
        problems.append(f"{name!r} is reserved by npm")
    if name in NODE_BUILTINS:
        problems.append(f"{name!r} is a Node.js core module")
    if len(name) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters (it has {len(name)})")
    if name.lower() != name:
        problems.append("must be lower case")
    if _SPECIAL.search(name.split("/")[-1]):
        problems.append("must not contain any of ~'!()*")
    scoped = _SCOPED.match(name)
    parts = [scoped.group(1), scoped.group(2)] if scoped else [name]
    if not all(_URL_SAFE.fullmatch(part) for part in parts):
        problems.append(
            "may only hold letters, digits and - . _ (with an optional @scope/ in front)"
        )
    return problems


def suggest_name(text: str, *, fallback: str = "deskpro-app") -> str:
    """A valid npm name made from ``text`` (a folder name, a title): ``My App!`` -> ``my-app``,
    ``Café Tools`` -> ``cafe-tools``, ``@Acme/Tools`` -> ``@acme/tools``.

    Always returns a name for which :func:`name_problems` is empty.
    """
    lowered = text.strip().lower()
    if lowered and not name_problems(lowered):
        return lowered  # only the case was wrong (a scoped name keeps its scope)
    # Accented letters lose their accents rather than the whole letter (é -> e).
    plain = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    candidate = re.sub(r"[^a-z0-9._~-]+", "-", plain)
    candidate = re.sub(r"-{2,}", "-", candidate).lstrip("._-~").rstrip(".-~")
    candidate = candidate.replace("~", "-")[:MAX_LENGTH].rstrip(".-")
    if not candidate:
        return fallback
    if name_problems(candidate):
        candidate = f"{candidate}-app"[:MAX_LENGTH]
    return candidate if not name_problems(candidate) else fallback
