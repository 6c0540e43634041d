"""``deskpro storage list|add|remove``: the app's storage items and who may read and write them."""

from __future__ import annotations

from pathlib import Path

import click

from deskpro_cli.cli._common import json_option, path_argument, ui
from deskpro_cli.cli._edit import dry_run_option, render_edit, table, yes_no


class _ManifestChoice(click.Choice[str]):
    """Taken in any case, but shown as the manifest spells it (click would show the casefolded
    form: ``[everybody|owner]``)."""

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return f"[{'|'.join(self.choices)}]"

    def get_invalid_choice_message(self, value: object, ctx: click.Context | None) -> str:
        return f"{value!r} is not one of {', '.join(map(repr, self.choices))}."


_PERMISSION = _ManifestChoice(["EVERYBODY", "OWNER"], case_sensitive=False)


@click.group("storage")
def command() -> None:
    """List, add or remove the app's storage items."""


@command.command("list")
@path_argument()
@json_option
def list_(path: Path, as_json: bool) -> None:
    """List the storage items of PATH's manifest."""
    from deskpro_cli.manifest.edit_storage import list_storage

    listing = list_storage(path)
    out = ui()
    if as_json:
        out.emit_json(listing.to_json())
        return
    if not listing.items:
        out.info(f"{listing.file}: no storage items")
        return
    rows = [
        [
            str(i.get("name")),
            yes_no(i.get("isBackendOnly")),
            str(i.get("permRead", "")),
            str(i.get("permWrite", "")),
            "setting" if i["setting"] else "",
        ]
        for i in listing.items
    ]
    out.result(table(["NAME", "BACKEND-ONLY", "READ", "WRITE", "NOTE"], rows))


@command.command("add")
@click.argument("name")
@path_argument()
@click.option(
    "--backend-only/--no-backend-only",
    default=None,
    help="Only Deskpro's proxy may read the value (default: yes for oauth:* and names that "
    "look secret).",
)
@click.option(
    "--read",
    type=_PERMISSION,
    help="Who may read it (default EVERYBODY; OWNER for oauth:*:tokens).",
)
@click.option("--write", type=_PERMISSION, help="Who may write it (default OWNER).")
@dry_run_option
def add(
    name: str,
    path: Path,
    backend_only: bool | None,
    read: str | None,
    write: str | None,
    dry_run: bool,
) -> None:
    """Add the storage item NAME to PATH's manifest (refused if NAME exists).

    oauth:PROVIDER is backend-only by default; oauth:PROVIDER:tokens is backend-only and
    OWNER/OWNER.
    """
    from deskpro_cli.manifest.edit_storage import StorageRequest, add_storage

    request = StorageRequest(name, backend_only, read, write)
    render_edit(add_storage(path, request, dry_run=dry_run), dry_run=dry_run)


@command.command("remove")
@click.argument("name")
@path_argument()
@dry_run_option
def remove(name: str, path: Path, dry_run: bool) -> None:
    """Remove the storage item NAME from PATH's manifest."""
    from deskpro_cli.manifest.edit_storage import remove_storage

    render_edit(remove_storage(path, name, dry_run=dry_run), dry_run=dry_run)
