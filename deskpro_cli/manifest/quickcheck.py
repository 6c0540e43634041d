"""A yes/no check of a manifest against our schemas, without importing jsonschema.

Importing :mod:`jsonschema` costs more than starting the interpreter twice over, and most runs
of ``deskpro validate`` (and of every edit and build, which validate first) are on valid
manifests. This evaluator understands exactly the keywords our own schemas use; when it says a
document is valid, jsonschema is never imported. When it finds a violation, or meets a keyword
it does not know, :func:`~deskpro_cli.manifest.schema.schema_problems` runs jsonschema, which
stays the one authority for what is wrong and where. ``tests/manifest/test_quickcheck.py``
checks the two agree on thousands of generated manifests.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = ["quick_valid"]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment"})


class _Unknown(Exception):
    """The schema uses something this evaluator does not implement."""


def quick_valid(schema: dict[str, Any], instance: Any) -> bool | None:
    """Whether ``instance`` is valid against ``schema``; None when this evaluator cannot tell."""
    try:
        return _valid(schema, instance, schema)
    except _Unknown:
        return None


def _valid(schema: Any, instance: Any, root: dict[str, Any]) -> bool:
    if schema is True:
        return True
    if schema is False:
        return False
    if not isinstance(schema, dict):
        raise _Unknown
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword in ("then", "else"):
            continue
        check = _KEYWORDS.get(keyword)
        if check is None:
            raise _Unknown
        if not check(value, instance, schema, root):
            return False
    return True


def _type(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    types = [value] if isinstance(value, str) else value
    return any(_is_type(instance, t) for t in types)


def _is_type(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "number":
        return isinstance(instance, (int, float))
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    raise _Unknown


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and bool(a == b)


def _enum(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    return any(_equal(instance, v) for v in value)


def _const(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    return _equal(instance, value)


def _required(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    return not isinstance(instance, dict) or all(k in instance for k in value)


def _properties(value: Any, instance: Any, _schema: Any, root: dict[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(_valid(sub, instance[k], root) for k, sub in value.items() if k in instance)


def _additional(value: Any, instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        raise _Unknown
    declared = schema.get("properties", {})
    extra = [k for k in instance if k not in declared]
    return all(_valid(value, instance[k], root) for k in extra)


def _items(value: Any, instance: Any, _schema: Any, root: dict[str, Any]) -> bool:
    if not isinstance(instance, list):
        return True
    return all(_valid(value, item, root) for item in instance)


def _min_items(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    return not isinstance(instance, list) or len(instance) >= value


def _min_length(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    return not isinstance(instance, str) or len(instance) >= value


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern(value: Any, instance: Any, _schema: Any, _root: Any) -> bool:
    return not isinstance(instance, str) or _compiled(value).search(instance) is not None


def _ref(value: Any, instance: Any, _schema: Any, root: dict[str, Any]) -> bool:
    if not isinstance(value, str) or not value.startswith("#/$defs/"):
        raise _Unknown
    target = root.get("$defs", {}).get(value[len("#/$defs/") :])
    if target is None:
        raise _Unknown
    return _valid(target, instance, root)


def _all_of(value: Any, instance: Any, _schema: Any, root: dict[str, Any]) -> bool:
    return all(_valid(sub, instance, root) for sub in value)


def _if(value: Any, instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    branch = schema.get("then", True) if _valid(value, instance, root) else schema.get("else", True)
    return _valid(branch, instance, root)


_KEYWORDS = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "minItems": _min_items,
    "minLength": _min_length,
    "pattern": _pattern,
    "$ref": _ref,
    "allOf": _all_of,
    "if": _if,
}
