"""DP104 inside items: a key a target, setting, storage item, custom field or author does not have.

Every schema version tolerates extra keys inside these objects and the helpdesk ignores them, so
a misspelt key is silently dropped: ``"isBackendonly": true`` leaves a setting readable by every
agent, ``"defaultvalue"`` leaves it empty. These are warnings (``--strict`` makes them fail).
"""

from __future__ import annotations

from typing import Any

from deskpro_cli.manifest.jsonpos import join_pointer
from deskpro_cli.manifest.resolve import normalise_storage
from deskpro_cli.manifest.rulecontext import RuleContext
from deskpro_cli.manifest.schema import known_keys
from deskpro_cli.manifest.suggest import closest

__all__ = ["ITEM_KEYS", "check_item_keys"]

_SETTING = (
    "name",
    "title",
    "type",
    "required",
    "isBackendOnly",
    "defaultValue",
    "validator",
    "multi",
    "choices",
)
_STORAGE = ("name", "isBackendOnly", "permRead", "permWrite")

#: The keys the helpdesk reads, per list of the manifest (the schemas' item properties).
ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "targets": ("target", "url"),
    "settings": _SETTING,
    "storage": _STORAGE,
    "state": _STORAGE,
    "customFields": ("type", "alias", "attachedTo", "title"),
}
_AUTHOR = ("name", "email", "url")
_VALIDATOR = ("type", "pattern")
_CHOICE = ("title", "value")

_WHAT = {
    "targets": "target",
    "settings": "setting",
    "storage": "storage item",
    "state": "storage item",
    "customFields": "custom field",
}


def _consequence(owner: str, meant: str, value: Any, backend_only: bool) -> str:
    """What the helpdesk does because the key it reads is missing, when that differs from what
    the misspelt key says (``"isBackendonly": false`` changes nothing; nor does a typo on a
    setting whose storage item of the same name is backend-only anyway)."""
    if meant == "isBackendOnly":
        if value is not True or backend_only:
            return ""
        return f"; as written, the {owner} is not backend-only and agents' browsers can read it"
    if meant == "defaultValue":
        return f"; as written, the {owner} has no default value"
    if meant == "required":
        return f"; as written, the {owner} is optional" if value is True else ""
    if meant in ("permRead", "permWrite"):
        return f"; as written, the {owner} gets the default permission"
    return ""


def _report(
    ctx: RuleContext,
    obj: dict[str, Any],
    known: tuple[str, ...],
    path: tuple[str | int, ...],
    where: str,
    owner: str,
    backend_only: frozenset[str] = frozenset(),
) -> None:
    for key, value in obj.items():
        if key in known:
            continue
        meant = closest(key, known)
        if meant is not None and meant in obj:
            meant = None  # the right key is there too: this one is just extra
        message = f'unknown key "{key}" in {where}: the helpdesk ignores it'
        hint = "remove the key"
        if meant is not None:
            message += f' (did you mean "{meant}"?)' + _consequence(
                owner, meant, value, obj.get("name") in backend_only
            )
            hint = f'rename it to "{meant}"'
        ctx.report(
            "DP104",
            message,
            join_pointer("", *path, key),
            hint=hint,
            key=True,
            level="warning",
        )


def _backend_only(ctx: RuleContext) -> frozenset[str]:
    """The storage names the helpdesk will keep backend-only (settings folded into storage as
    the packager does), whatever the misspelt item says."""
    effective = normalise_storage(normalise_storage(ctx.manifest))
    items = [effective.get("storage"), effective.get("state")]
    return frozenset(
        item["name"]
        for listed in items
        for item in (listed if isinstance(listed, list) else [])
        if isinstance(item, dict) and item.get("isBackendOnly") is True and "name" in item
    )


def check_item_keys(ctx: RuleContext) -> None:
    """DP104 (warning) for unknown keys inside the manifest's items and its author."""
    author = ctx.manifest.get("author")
    if isinstance(author, dict):
        _report(ctx, author, _AUTHOR, ("author",), "author", "author")
    backend_only = _backend_only(ctx)
    declared = known_keys(ctx.version)
    for list_key, known in ITEM_KEYS.items():
        if list_key not in declared:
            continue  # a list this version does not read: its items are not judged
        what = _WHAT[list_key]
        for i, item in ctx.items(list_key):
            where = f"{list_key}[{i}]"
            _report(ctx, item, known, (list_key, i), where, what, backend_only)
            if list_key != "settings":
                continue
            validator = item.get("validator")
            if isinstance(validator, dict):
                at: tuple[str | int, ...] = (list_key, i, "validator")
                _report(ctx, validator, _VALIDATOR, at, f"{where}.validator", "validator")
            choices = item.get("choices")
            for j, choice in enumerate(choices if isinstance(choices, list) else []):
                if isinstance(choice, dict):
                    at = (list_key, i, "choices", j)
                    _report(ctx, choice, _CHOICE, at, f"{where}.choices[{j}]", "choice")
