"""``deskpro settings list|add|remove``: the settings an admin fills in when installing the app."""

from __future__ import annotations

import json
from pathlib import Path

import click

from deskpro_cli.cli._common import json_option, path_argument, ui
from deskpro_cli.cli._edit import dry_run_option, render_edit, table, yes_no


@click.group("settings")
def command() -> None:
    """List, add or remove the app's settings (package.json#deskpro or manifest.json)."""


@command.command("list")
@path_argument()
@json_option
def list_(path: Path, as_json: bool) -> None:
    """List the settings of PATH's manifest."""
    from deskpro_cli.manifest.edit_settings import list_settings

    listing = list_settings(path)
    out = ui()
    if as_json:
        out.emit_json(listing.to_json())
        return
    if not listing.settings:
        out.info(f"{listing.file}: no settings")
        return
    rows = [
        [
            str(s.get("name")),
            str(s.get("type", "")),
            yes_no(s.get("required")),
            yes_no(s.get("backend_only"))
            + (" (secret?)" if s["looks_secret"] and not s["backend_only"] else ""),
            json.dumps(s.get("defaultValue"), ensure_ascii=False) if "defaultValue" in s else "",
            str(s.get("title", "")),
        ]
        for s in listing.settings
    ]
    out.result(table(["NAME", "TYPE", "REQUIRED", "BACKEND-ONLY", "DEFAULT", "TITLE"], rows))


@command.command("add")
@click.argument("name")
@path_argument()
@click.option("--title", required=True, help="What the admin sees next to the field.")
@click.option(
    "--type",
    "type_",
    type=click.Choice(["text", "textarea", "choice", "boolean"]),
    default="text",
    show_default=True,
    help="The kind of field.",
)
@click.option(
    "--required/--optional",
    default=False,
    help="Whether the admin must fill it in (default: optional).",
)
@click.option(
    "--default", "default", help="Default value (true/false for boolean; a choice's VALUE)."
)
@click.option(
    "--backend-only/--no-backend-only",
    default=None,
    help="Only Deskpro's proxy may read the value (default: yes for names that look secret).",
)
@click.option(
    "--choice",
    "choices",
    multiple=True,
    metavar="VALUE[=TITLE]",
    help="A choice (repeat; --type choice).",
)
@click.option("--multi", is_flag=True, help="Allow several choices (--type choice).")
@click.option("--validator", metavar="REGEX", help="A regex the value must match (text, textarea).")
@dry_run_option
def add(
    name: str,
    path: Path,
    title: str,
    type_: str,
    required: bool,
    default: str | None,
    backend_only: bool | None,
    choices: tuple[str, ...],
    multi: bool,
    validator: str | None,
    dry_run: bool,
) -> None:
    """Add the setting NAME to PATH's manifest (refused if NAME exists).

    A NAME that looks like a secret (clientSecret, apiKey, password, token...) is made
    backend-only unless you pass --no-backend-only.
    """
    from deskpro_cli.manifest.edit_settings import SettingRequest, add_setting

    request = SettingRequest(
        name=name,
        title=title,
        type=type_,
        required=required,
        default=default,
        backend_only=backend_only,
        choices=list(choices),
        multi=multi,
        validator=validator,
    )
    render_edit(add_setting(path, request, dry_run=dry_run), dry_run=dry_run)


@command.command("remove")
@click.argument("name")
@path_argument()
@dry_run_option
def remove(name: str, path: Path, dry_run: bool) -> None:
    """Remove the setting NAME from PATH's manifest."""
    from deskpro_cli.manifest.edit_settings import remove_setting

    render_edit(remove_setting(path, name, dry_run=dry_run), dry_run=dry_run)
