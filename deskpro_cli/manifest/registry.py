"""Every rule id the tool reports, its default severity and what it means (docs/rules.md).

Ids are stable once released: users grep for them and silence them. Never reuse or renumber one;
retire it instead. ``tests/manifest/test_rules_doc.py`` checks that docs/rules.md lists exactly
these.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from deskpro_cli.problems import Severity


class Rule(NamedTuple):
    """A rule: its id, default severity and a one-line summary."""

    id: str
    severity: Severity
    summary: str


_RULES: Final = (
    # reading the file
    Rule("DP001", "error", "the file is not valid JSON"),
    Rule("DP002", "error", "the file is not UTF-8"),
    Rule("DP003", "error", "the file starts with a byte order mark"),
    Rule("DP004", "error", "the file is empty, or far too large or deep to be a manifest"),
    Rule("DP005", "error", "the file's top level is not a JSON object"),
    Rule("DP006", "error", 'package.json has no "deskpro" object'),
    Rule("DP007", "warning", "a key appears twice in the same object (the last one wins)"),
    Rule("DP008", "warning", "package.json declares a manifest that the root manifest.json hides"),
    Rule("DP009", "warning", "a key under deskpro that the package.json key replaces"),
    # finding the manifest
    Rule("DP020", "error", "no manifest in this folder"),
    Rule("DP021", "error", "the zip is corrupt or unreadable"),
    Rule("DP022", "error", "the zip has no manifest.json at its root"),
    Rule("DP023", "error", "the file is not a manifest but a JSON Schema, a web app manifest..."),
    # the manifest version
    Rule("DP010", "error", "the manifest has no version"),
    Rule("DP011", "error", "the manifest version is not one this tool knows"),
    Rule("DP012", "error", "a manifest of Deskpro's current app format, not an Apps v1 manifest"),
    # the schema of the version
    Rule("DP100", "error", "the value breaks a constraint of the schema"),
    Rule("DP101", "error", "a required key is missing"),
    Rule("DP102", "error", "a value has the wrong type"),
    Rule("DP103", "error", "a value is not one of those allowed"),
    Rule("DP104", "error", "an unknown key (a warning where the version tolerates extra keys)"),
    Rule("DP105", "error", "a target name that does not exist"),
    Rule("DP106", "error", "appVersion is not a semantic version"),
    # settings and storage
    Rule("DP201", "error", "two settings have the same name"),
    Rule("DP202", "error", "two storage items have the same name"),
    Rule("DP203", "error", "an oauth:<provider> storage item is not backend-only"),
    Rule("DP204", "error", "a per-user token item (oauth:<provider>:tokens) readable by everybody"),
    Rule("DP205", "warning", "a setting named like a secret is readable by the app's browser code"),
    Rule("DP206", "warning", "a storage item named like a secret is readable by every agent"),
    Rule("DP207", "warning", "a setting's default value is not one of its choices"),
    # the whitelist
    Rule("DP210", "error", "a whitelist entry is not a valid regex literal"),
    Rule("DP211", "warning", "a whitelist entry admits every host"),
    Rule("DP212", "warning", "a whitelist entry admits look-alike hosts"),
    Rule("DP213", "warning", "an OAuth provider's hosts are not whitelisted"),
    Rule("DP214", "warning", "the whitelist is under the key another manifest version uses"),
    Rule("DP215", "error", "a whitelist entry's regex backtracks catastrophically"),
    # targets and the built app
    Rule("DP220", "error", "a target's URL names a file the built app does not have"),
    Rule("DP221", "warning", "the same target is listed twice"),
    Rule("DP222", "error", "a target URL is absolute or leaves the app's folder"),
    # building the bundle (deskpro package / serve; docs/rules.md "Building the app")
    Rule("DP501", "error", "a symlink in the sources points outside the project"),
    Rule("DP502", "error", "a symlink in the sources loops or is broken"),
    Rule("DP503", "error", "a source is not a regular file or folder (a FIFO, socket or device)"),
    Rule("DP504", "error", "a source file's name is not valid UTF-8"),
    Rule("DP505", "error", "a symlink in the sources points at a file that never ships"),
    Rule("DP510", "error", "a file of the app holds a secret (private key, GitHub token, AWS key)"),
    Rule("DP511", "error", "a setting named like a secret has a default value"),
    Rule("DP521", "error", "a page references a file the bundle does not have"),
    Rule("DP522", "error", "a page references a path that starts with / or leaves the bundle"),
    Rule("DP523", "warning", "a style sheet references a file the bundle does not have"),
    Rule("DP530", "error", "two sources would become the same file of the bundle"),
    Rule("DP531", "error", "two files of the bundle differ only by case"),
    Rule("DP532", "warning", "a bundle path cannot be extracted on every system"),
    Rule("DP540", "warning", "the app calls a URL through the proxy that the whitelist refuses"),
    Rule(
        "DP541", "warning", "a {{placeholder}} in the app's code names no storage item or setting"
    ),
    # compiling (docs/compile.md)
    Rule("DP701", "error", "esbuild could not compile the code"),
    Rule("DP702", "error", "an import cannot be resolved, or names an export the module lacks"),
    Rule("DP703", "error", "the app needs compiling but --compiler none was given"),
    Rule("DP704", "error", "the installer screen has no default export"),
    Rule("DP705", "warning", "an esbuild warning"),
    Rule("DP706", "error", "a source folder has two entries, or sources but no index.*"),
    Rule("DP707", "error", 'the "deskpro-cli" settings in package.json are malformed'),
    Rule("DP708", "warning", "the app's entry exports runApp(dpapp) but nothing calls it"),
)

RULES: Final[dict[str, Rule]] = {r.id: r for r in _RULES}


def severity(rule_id: str) -> Severity:
    """The default severity of ``rule_id``."""
    return RULES[rule_id].severity
