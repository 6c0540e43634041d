"""How an app asks to be compiled: the ``"deskpro-cli"`` key of its package.json.

The key is ours, not Deskpro's (the ``deskpro`` key is the manifest, which the helpdesk reads), so
it never reaches the zip::

    "deskpro-cli": {
      "react": "external",                      # or "bundle"
      "target": ["es2020", "chrome90", "edge90", "firefox90", "safari15"]
    }

- ``react``: ``external`` (the default) maps ``react``, ``react-dom``, ``react-dom/client`` and
  ``react/jsx-runtime`` to the page's globals ``window.React``/``window.ReactDOM``, which the
  installer page (and the ``react`` template's pages) load as pinned React 18 UMD builds from the
  CDN (:mod:`deskpro_cli.build.cdn`); JSX compiles to ``React.createElement`` (a screen's
  to the ``react/jsx-runtime`` shim over it). ``bundle`` puts the
  app's own React from ``node_modules`` in the bundle (any version; JSX uses the automatic
  runtime, so React 16.14 or newer) and the pages load no React.
- ``target``: esbuild targets (a list or a comma-separated string): the browsers the bundle must
  run in; newer syntax is lowered for them.

An app without the key (or without package.json) gets the defaults.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from deskpro_cli.errors import ProblemsFound
from deskpro_cli.problems import Problem

ReactMode = Literal["external", "bundle"]

SETTINGS_KEY = "deskpro-cli"
DEFAULT_TARGET: tuple[str, ...] = ("es2020", "chrome90", "edge90", "firefox90", "safari15")
_TARGET = re.compile(
    r"^(?:es(?:3|5|6|20\d\d)|esnext|"
    r"(?:chrome|edge|firefox|safari|ios|opera|ie|node|deno|hermes|rhino)\d+(?:\.\d+){0,2})$"
)
_RULE = "DP707"


@dataclass(frozen=True)
class BuildSettings:
    """The compile settings an app asked for (or the defaults)."""

    react: ReactMode = "external"
    target: tuple[str, ...] = DEFAULT_TARGET


def _line_of_key(text: str, key: str) -> int | None:
    """The line of ``"key"`` inside our settings object (the first match after its start)."""
    start = max(text.find(f'"{SETTINGS_KEY}"'), 0)
    index = text.find(f'"{key}"', start)
    if index < 0:
        return None
    return text.count("\n", 0, index) + 1


def _fail(text: str, pointer: str, message: str, hint: str, key: str) -> ProblemsFound:
    problem = Problem(
        rule=_RULE,
        severity="error",
        message=message,
        file="package.json",
        pointer=pointer,
        line=_line_of_key(text, key),
        hint=hint,
    )
    return ProblemsFound("the compile settings in package.json are not valid", [problem])


def load_build_settings(project_dir: Path) -> BuildSettings:
    """Read the ``"deskpro-cli"`` key of ``project_dir/package.json``.

    Raises:
        ProblemsFound: the key is there but malformed (rule DP707, with its JSON pointer).
    """
    path = project_dir / "package.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return BuildSettings()
    try:
        document: Any = json.loads(text)
    except ValueError:
        return BuildSettings()  # validate reports broken JSON with its position
    if not isinstance(document, dict) or SETTINGS_KEY not in document:
        return BuildSettings()
    raw = document[SETTINGS_KEY]
    base = f"/{SETTINGS_KEY}"
    if not isinstance(raw, dict):
        raise _fail(
            text,
            base,
            f'"{SETTINGS_KEY}" must be an object',
            f'write it as "{SETTINGS_KEY}": {{"react": "external"}}',
            SETTINGS_KEY,
        )
    unknown = sorted(set(raw) - {"react", "target"})
    if unknown:
        raise _fail(
            text,
            f"{base}/{unknown[0]}",
            f'unknown compile setting "{unknown[0]}"',
            'the settings are "react" and "target"',
            unknown[0],
        )
    react = raw.get("react", "external")
    if react not in ("external", "bundle"):
        raise _fail(
            text,
            f"{base}/react",
            f'"react" must be "external" or "bundle", not {json.dumps(react)}',
            '"external" loads React 18 from the CDN; "bundle" bundles your node_modules React',
            "react",
        )
    target_raw = raw.get("target", list(DEFAULT_TARGET))
    if isinstance(target_raw, str):
        target_raw = [t.strip() for t in target_raw.split(",") if t.strip()]
    if not isinstance(target_raw, list) or not target_raw:
        raise _fail(
            text,
            f"{base}/target",
            '"target" must be a non-empty list of esbuild targets',
            'for example ["es2020", "chrome90", "firefox90", "safari15"]',
            "target",
        )
    for index, item in enumerate(target_raw):
        if not isinstance(item, str) or not _TARGET.match(item.strip().lower()):
            raise _fail(
                text,
                f"{base}/target/{index}",
                f"{json.dumps(item)} is not an esbuild target",
                "use es2020 or a browser with its version: chrome90, edge90, firefox90, safari15",
                "target",
            )
    target = tuple(str(t).strip().lower() for t in target_raw)
    return BuildSettings(react=react, target=target)
