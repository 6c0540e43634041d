"""``deskpro settings list|add|remove``: the app's settings (what the admin fills in at install).

A new setting has the shape the manifest's version expects: from 2.3.0 the typed settings
(``text``/``textarea`` with a string default and an optional regex validator, ``choice`` with
its choices, ``boolean`` with a boolean default); before 2.3.0 settings are free-form, and the
same shape is written (it is what the old installer read). Keys come in the order
``name, title, type, required, defaultValue`` then the type's own keys, then ``isBackendOnly``.

A setting whose name says it holds a secret (:func:`~deskpro_cli.manifest.secrets.looks_secret`:
``clientSecret``, ``apiKey``, ``password``, ``accessToken``...) is made backend-only unless the
user passes ``--no-backend-only``, and the result says so: a backend-only value is readable only
by Deskpro's proxy (through ``{{name}}`` placeholders), never by the agent's browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskpro_cli.errors import UsageError
from deskpro_cli.manifest.edit import Editor, EditResult
from deskpro_cli.manifest.model import SETTING_TYPES, items_key
from deskpro_cli.manifest.secrets import looks_secret

__all__ = ["SettingRequest", "add_setting", "list_settings", "remove_setting"]

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}
# a name ends up as a storage key and inside {{name}} placeholders: keep it to one plain word
_BAD_NAME = re.compile(r"[\s{}\"\\]")


@dataclass
class SettingRequest:
    """What ``settings add`` was asked for (None: not given on the command line)."""

    name: str
    title: str
    type: str = "text"
    required: bool | None = None
    default: str | None = None
    backend_only: bool | None = None
    choices: list[str] = field(default_factory=list)  # "VALUE" or "VALUE=TITLE"
    multi: bool = False
    validator: str | None = None


def build_setting(request: SettingRequest) -> tuple[dict[str, Any], list[str]]:
    """The setting object for ``request``, and notes about defaults chosen for the user.

    Raises:
        UsageError: options that do not fit together (choices on a text setting, a default that
            is not one of the choices, a validator that does not compile, ...).
    """
    name, kind = request.name, request.type
    if not name or _BAD_NAME.search(name):
        raise UsageError(
            f"invalid setting name {name!r}",
            hint="use one word such as apiKey or client_id (no spaces, quotes or braces)",
        )
    if not request.title.strip():
        raise UsageError("the setting needs a --title (what the admin sees in the form)")
    if kind not in SETTING_TYPES:
        raise UsageError(f"unknown setting type {kind!r}: use one of {', '.join(SETTING_TYPES)}")
    if request.choices and kind != "choice":
        raise UsageError(
            f"--choice is only for --type choice (this setting is {kind})",
            hint="add --type choice",
        )
    if request.multi and kind != "choice":
        raise UsageError(
            f"--multi is only for --type choice (this setting is {kind})",
            hint="add --type choice and its --choice VALUE[=TITLE] options",
        )
    if request.validator is not None and kind not in ("text", "textarea"):
        raise UsageError("--validator is only for text and textarea settings")

    notes: list[str] = []
    setting: dict[str, Any] = {
        "name": name,
        "title": request.title,
        "type": kind,
        "required": bool(request.required),
    }
    if kind in ("text", "textarea"):
        setting["defaultValue"] = request.default if request.default is not None else ""
        if request.validator is not None:
            _check_pattern(request.validator)
            setting["validator"] = {"type": "regex", "pattern": request.validator}
    elif kind == "boolean":
        setting["defaultValue"] = _boolean(request.default)
    else:
        choices = [_choice(c) for c in request.choices]
        if not choices:
            raise UsageError(
                "a choice setting needs its choices",
                hint="add --choice VALUE[=TITLE] once per choice",
            )
        values = [c["value"] for c in choices]
        if len(set(values)) != len(values):
            raise UsageError("two --choice options have the same value")
        default = request.default if request.default is not None else values[0]
        if default not in values:
            raise UsageError(
                f"--default {default!r} is not one of the choices ({', '.join(values)})"
            )
        setting["defaultValue"] = default
        setting["multi"] = request.multi
        setting["choices"] = choices

    backend_only = request.backend_only
    if backend_only is None and looks_secret(name):
        backend_only = True
        notes.append(
            f"{name} looks like a secret, so it is backend-only: only Deskpro's proxy can read "
            f"it (through {{{{{name}}}}} placeholders), never the app's page; pass "
            "--no-backend-only if the page itself must read it"
        )
    if backend_only is not None:
        setting["isBackendOnly"] = backend_only
    return setting, notes


def add_setting(path: Path | str, request: SettingRequest, *, dry_run: bool = False) -> EditResult:
    """Add a setting to the manifest at ``path`` (refused if one has that name already)."""
    editor = Editor(path)
    setting, notes = build_setting(request)
    editor.refuse_existing("settings", request.name, "setting")
    editor.notes.extend(notes)
    if request.name in editor.names("storage", "state"):
        editor.notes.append(
            f"the storage item {request.name!r} already sets who can read and write this "
            "setting's value"
        )
    editor.append("settings", setting)
    shape = "backend-only " if setting.get("isBackendOnly") else ""
    return editor.commit(
        f"added the {shape}{setting['type']} setting {request.name!r} to {editor.source.display}",
        dry_run=dry_run,
    )


def remove_setting(path: Path | str, name: str, *, dry_run: bool = False) -> EditResult:
    """Remove the setting(s) called ``name`` from the manifest at ``path``."""
    editor = Editor(path)
    found = editor.require_named("settings", name, "setting")
    if name in editor.names("storage", "state"):
        editor.notes.append(
            f"the storage item {name!r} stays; remove it too with `deskpro storage remove {name}` "
            "if nothing else uses it"
        )
    editor.remove_items("settings", found)
    what = "setting" if len(found) == 1 else f"{len(found)} settings"
    return editor.commit(
        f"removed the {what} {name!r} from {editor.source.display}", dry_run=dry_run
    )


@dataclass
class SettingsListing:
    """The settings of a manifest, for ``settings list``."""

    file: str
    schema_version: str
    settings: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.file,
            "schema_version": self.schema_version,
            "settings": self.settings,
        }


def list_settings(path: Path | str) -> SettingsListing:
    """The settings as declared, each with where its value ends up.

    ``access`` is the storage entry the packaged manifest gives the value (a declared storage
    item of the same name may widen or narrow it, spec §1.4); ``backend_only`` is its
    ``isBackendOnly``; ``looks_secret`` says whether the name looks like a secret's.
    """
    from deskpro_cli.manifest.resolve import normalise_storage

    editor = Editor(path, read_only=True)
    manifest = dict(editor.manifest())
    manifest["storage"] = manifest.get(items_key(manifest))
    effective = normalise_storage(normalise_storage(manifest)).get("storage")
    access = {
        i["name"]: {k: i.get(k) for k in ("isBackendOnly", "permRead", "permWrite")}
        for i in (effective if isinstance(effective, list) else [])
        if isinstance(i, dict) and isinstance(i.get("name"), str)
    }
    rows: list[dict[str, Any]] = []
    for item in editor.array("settings") or []:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        row = dict(item)
        row["access"] = access.get(name) if isinstance(name, str) else None
        row["backend_only"] = bool(row["access"] and row["access"]["isBackendOnly"] is True)
        row["looks_secret"] = isinstance(name, str) and looks_secret(name)
        rows.append(row)
    return SettingsListing(editor.source.display, editor.version, rows)


def _boolean(text: str | None) -> bool:
    if text is None:
        return False
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise UsageError(f"--default {text!r} is not a boolean: use true or false")


def _choice(spec: str) -> dict[str, str]:
    value, sep, title = spec.partition("=")
    if not value:
        raise UsageError(f"--choice {spec!r} has no value: write VALUE or VALUE=TITLE")
    return {"title": title if sep and title else value, "value": value}


def _check_pattern(pattern: str) -> None:
    """A validator pattern must compile (it is a JavaScript regex, read like one)."""
    from deskpro_cli.manifest.whitelist import translate_js_pattern

    try:
        re.compile(translate_js_pattern(pattern))
    except re.error as exc:
        raise UsageError(
            f"--validator {pattern!r} is not a valid regular expression: {exc.msg}",
            hint="write the pattern without slashes, e.g. '^[0-9a-f]{40}$'",
        ) from None
