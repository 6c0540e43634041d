"""What esbuild's metafile says about a bundle: which inputs reach React.

The metafile (``--metafile``) lists every input with the imports esbuild resolved for it
(``path``, ``kind``, ``original``: the specifier as written). Walking those imports from one
file tells whether that file, or anything it imports, imports ``react`` or ``react-dom``; JSX
counts, since the compile uses the automatic runtime (``react/jsx-runtime``) for installer screens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_REACT_PACKAGES = ("react", "react-dom")


def _is_react_specifier(specifier: str) -> bool:
    return any(specifier == p or specifier.startswith(p + "/") for p in _REACT_PACKAGES)


def _is_react_path(path: str, shims: str) -> bool:
    path = path.replace("\\", "/")
    return (
        path.startswith(shims) or "node_modules/react/" in path or "node_modules/react-dom/" in path
    )


def reaches_react(meta: Mapping[str, Any], start: str, *, shims: str) -> bool:
    """Whether ``start`` (a key of the metafile's ``inputs``) or anything it imports uses React.

    ``shims`` is the folder of the React global shims as the metafile names it (relative to
    esbuild's working folder, posix, with a trailing slash): an input there is React. An import
    counts when it was written as ``react``, ``react-dom`` or a path inside them
    (``react/jsx-runtime``, ``react-dom/client``), or resolved into React's own package folder.
    A ``start`` missing from the metafile reaches nothing.
    """
    inputs = meta.get("inputs")
    if not isinstance(inputs, Mapping):
        return False
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if _is_react_path(name, shims):
            return True
        record = inputs.get(name)
        imports = record.get("imports", []) if isinstance(record, Mapping) else []
        for item in imports:
            if not isinstance(item, Mapping):
                continue
            original = item.get("original")
            path = item.get("path")
            if isinstance(original, str) and _is_react_specifier(original):
                return True
            if isinstance(path, str):
                if _is_react_path(path, shims) or (
                    item.get("external") and _is_react_specifier(path)
                ):
                    return True
                if path in inputs:
                    todo.append(path)
    return False
