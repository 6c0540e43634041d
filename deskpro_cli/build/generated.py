"""JavaScript the compile step writes itself: React global shims and the installer-screen wrapper.

React external: esbuild's command line cannot map an import to a global, so ``react`` and
``react-dom`` are aliased to small CommonJS modules that hand out ``window.React`` and
``window.ReactDOM`` (with a clear error when the page did not load them). They are written into
the compile cache folder and aliased with a path relative to the project, so bundle contents and
source maps stay the same whatever folder the project is in.

The installer-screen wrapper is the bundle's entry (read by esbuild from stdin): it imports the
user's ``src/installer/javascript/index.*`` default export and registers it with the installer
runtime, as docs/architecture.md fixes the contract. It comes in two kinds: one that imports
React and ReactDOM (for a screen that imports React itself) and one that imports no React (for a
``mount`` screen), so a plain screen's bundle and page carry no React.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

_MISSING = (
    "deskpro-cli: React is external, but window.{name} is missing. The page must load React 18 "
    "from the CDN (deskpro_cli/build/cdn.py) before this bundle, or bundle React by setting "
    '"deskpro-cli": {{"react": "bundle"}} in package.json.'
)


def _global_module(name: str) -> str:
    message = json.dumps(_MISSING.format(name=name))
    return (
        f"// deskpro-cli: {name} is external; the page loads it from the CDN.\n"
        f'var value = typeof window !== "undefined" ? window.{name} : undefined;\n'
        f"if (!value) throw new Error({message});\n"
        "module.exports = value;\n"
    )


_JSX_RUNTIME = """\
// deskpro-cli: react/jsx-runtime over the React global (UMD builds have no jsx-runtime).
var React = require("./index.js");
function jsx(type, props, key) {
  if (key === undefined) return React.createElement(type, props);
  var copy = {};
  for (var name in props) {
    if (Object.prototype.hasOwnProperty.call(props, name)) copy[name] = props[name];
  }
  copy.key = key;
  return React.createElement(type, copy);
}
exports.Fragment = React.Fragment;
exports.jsx = jsx;
exports.jsxs = jsx;
exports.jsxDEV = jsx;
"""

#: Shim files by their path inside the shims folder (aliased as ``react`` and ``react-dom``).
SHIMS: dict[str, str] = {
    "react/index.js": _global_module("React"),
    "react/jsx-runtime.js": _JSX_RUNTIME,
    "react/jsx-dev-runtime.js": _JSX_RUNTIME,
    "react-dom/index.js": _global_module("ReactDOM"),
    # React 18's UMD ReactDOM carries createRoot/hydrateRoot itself.
    "react-dom/client.js": 'module.exports = require("./index.js");\n',
}

#: esbuild's name for the generated screen entry (stdin); it never names a real file.
SCREEN_ENTRY_NAME = "deskpro:install-screen.js"


def write_shims(folder: Path) -> None:
    """Write the shim files under ``folder`` (only those whose content differs)."""
    for rel, text in SHIMS.items():
        path = folder / rel
        data = text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def screen_entry_source(entry: str, *, react: bool = True) -> str:
    """The wrapper entry for a compiled installer screen whose source is ``entry``.

    ``entry`` is the screen's path relative to the project folder (posix). With ``react`` (the
    screen imports React, as the metafile shows), the user's default export is registered as
    ``{react: Component, React, ReactDOM}``, or as a plain-JS screen when it is an object with a
    ``mount`` function. Without ``react`` the wrapper imports no React at all (so the bundle
    neither carries React nor needs the page's React globals): a ``mount`` object is registered
    and anything else stops with an error saying what the screen lacks.
    """
    spec = json.dumps("./" + entry)
    lines = [
        "// deskpro-cli: registers the app's custom installer screen with the installer runtime.",
        f"import Screen from {spec};",
    ]
    if react:
        lines += ['import React from "react";', 'import ReactDOM from "react-dom";']
    lines += [
        "var installer = window.DeskproInstaller;",
        'if (!installer || typeof installer.registerScreen !== "function") {',
        '  throw new Error("deskpro-cli: assets/install-screen/index.js must load after the '
        'installer runtime (assets/deskpro-installer.js)");',
        "}",
        'if (Screen && typeof Screen === "object" && typeof Screen.mount === "function") {',
        "  installer.registerScreen(Screen);",
        "} else {",
    ]
    if react:
        lines.append(
            "  installer.registerScreen({ react: Screen, React: React, ReactDOM: ReactDOM });"
        )
    else:
        message = json.dumps(
            f"deskpro-cli: the default export of {entry} is not an object with "
            "mount(element, props), and the screen imports no React: a React component must "
            'import React from "react" (or use JSX)'
        )
        lines.append(f"  throw new Error({message});")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generated_fingerprint() -> str:
    """A hash of everything generated here, so a change of this code invalidates the cache."""
    digest = hashlib.sha256()
    for rel in sorted(SHIMS):
        digest.update(rel.encode() + b"\0" + SHIMS[rel].encode() + b"\0")
    for react in (True, False):
        digest.update(screen_entry_source("x", react=react).encode())
    return digest.hexdigest()
