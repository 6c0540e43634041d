"""The manifest.json that goes into the zip, derived exactly as the old tool derived it.

spec/deskpro-apps-v1.md §1.4: compose (npm keys mapped, ``deskpro`` keys copied), fold settings
into storage (the old tool did it once when compiling a package.json source and once more when
adding the installer, which reorders storage), then replace any ``install`` target with
``html/install.html`` appended last. ``dumps_resolved`` writes it as compact JSON the way
JavaScript's ``JSON.stringify`` does, so our output equals the old tool's byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

from deskpro_cli.manifest.model import INSTALL_TARGET, INSTALL_URL, SETTING_STORAGE_DEFAULTS
from deskpro_cli.manifest.source import ManifestSource

__all__ = ["dumps_resolved", "normalise_storage", "resolve", "resolve_manifest"]


def resolve(source: ManifestSource) -> dict[str, Any]:
    """The ``manifest.json`` that ``package`` puts in the zip for this source.

    A package.json source is composed and normalised twice (compile, then installer), a
    manifest.json source once (the old compile copied it unchanged). A built ``dist/`` or zip
    manifest is already resolved; resolving it again changes nothing.
    """
    passes = 2 if source.kind == "package.json" else 1
    return resolve_manifest(source.manifest, passes=passes)


def resolve_manifest(manifest: dict[str, Any], *, passes: int = 2) -> dict[str, Any]:
    """Normalise ``manifest`` ``passes`` times and add the install target (a new dict)."""
    out = manifest
    for _ in range(passes):
        out = normalise_storage(out)
    out = dict(out)
    targets = out.get("targets")
    if isinstance(targets, list):
        kept = [
            t for t in targets if not (isinstance(t, dict) and t.get("target") == INSTALL_TARGET)
        ]
        out["targets"] = [*kept, {"target": INSTALL_TARGET, "url": INSTALL_URL}]
    return out


def normalise_storage(manifest: dict[str, Any]) -> dict[str, Any]:
    """One pass of the old tool's settings → storage folding (a new dict; input unchanged).

    Only when ``settings`` is a non-empty list. Each setting gets a storage entry
    ``{name, isBackendOnly, permRead: EVERYBODY, permWrite: OWNER}``; with declared storage the
    list becomes [setting-only entries] + [declared entries that are not settings] + [entries in
    both, merged: the declared permissions win, backend-only if either says so]. A ``storage``
    key created here goes last.
    """
    settings = manifest.get("settings")
    if not isinstance(settings, list) or not settings:
        return dict(manifest)
    defaults: list[dict[str, Any]] = []
    seen: set[str] = set()
    for setting in settings:
        if not isinstance(setting, dict) or not isinstance(setting.get("name"), str):
            continue
        if setting["name"] in seen:
            continue
        seen.add(setting["name"])
        defaults.append(
            {
                "name": setting["name"],
                "isBackendOnly": setting.get("isBackendOnly") is True,
                "permRead": SETTING_STORAGE_DEFAULTS["permRead"],
                "permWrite": SETTING_STORAGE_DEFAULTS["permWrite"],
            }
        )
    out = dict(manifest)
    declared = manifest.get("storage")
    if not isinstance(declared, list) or not declared:
        out["storage"] = defaults
        return out
    by_name = {
        item["name"]: item
        for item in declared
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }
    setting_names = {d["name"] for d in defaults}
    only_settings = [d for d in defaults if d["name"] not in by_name]
    only_storage = [
        item
        for item in declared
        if not (isinstance(item, dict) and item.get("name") in setting_names)
    ]
    both = []
    for d in defaults:
        item = by_name.get(d["name"])
        if item is None:
            continue
        both.append(
            {
                "name": d["name"],
                "isBackendOnly": d["isBackendOnly"] or item.get("isBackendOnly") is True,
                "permRead": item.get("permRead") or d["permRead"],
                "permWrite": item.get("permWrite") or d["permWrite"],
            }
        )
    out["storage"] = only_settings + only_storage + both
    return out


def dumps_resolved(manifest: dict[str, Any]) -> str:
    """Compact JSON as JavaScript's ``JSON.stringify`` writes it (no spaces, no final newline).

    Non-ASCII text stays as it is, numbers are written the JavaScript way (``1.0`` → ``1``,
    ``1e-7``), and lone surrogates are escaped.
    """
    parts: list[str] = []
    _write(manifest, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(_string(str(k)))
            out.append(":")
            _write(v, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _write(v, out)
        out.append("]")
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(js_number(value))
    else:
        raise TypeError(f"not JSON data: {type(value).__name__}")


def _string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    if any("\ud800" <= ch <= "\udfff" for ch in encoded):
        encoded = "".join(
            f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in encoded
        )
    return encoded


def js_number(x: float) -> str:
    """A float formatted like JavaScript's ``Number.prototype.toString`` (non-finite → null)."""
    if x != x or x in (float("inf"), float("-inf")):
        return "null"
    if x == 0:
        return "0"
    from decimal import Decimal  # rare (manifests seldom hold floats); slow to import

    sign = "-" if x < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k = len(digits)
    n = k + int(exponent)  # the decimal point sits after n digits
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body
