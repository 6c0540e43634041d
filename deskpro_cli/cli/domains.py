"""``deskpro domains list|add|remove``: the hosts Deskpro's proxy may call for the app."""

from __future__ import annotations

from pathlib import Path

import click

from deskpro_cli.cli._common import json_option, path_argument, ui
from deskpro_cli.cli._edit import dry_run_option, render_edit


@click.group("domains")
def command() -> None:
    """List, add or remove whitelisted API domains (externalApis / domainWhitelist)."""


@command.command("list")
@path_argument()
@json_option
def list_(path: Path, as_json: bool) -> None:
    """List the whitelist, each entry with what it admits in plain words."""
    from deskpro_cli.manifest.edit_domains import list_domains

    listing = list_domains(path)
    out = ui()
    if as_json:
        out.emit_json(listing.to_json())
        return
    if listing.other_key:
        out.warning(
            f"{listing.file} also has {listing.other_key}, which manifest "
            f"{listing.schema_version} does not read (it reads {listing.key})"
        )
    if not listing.entries:
        out.info(f"{listing.file}: nothing whitelisted in {listing.key}")
        return
    for reading in listing.entries:
        out.result(reading.literal, bold=True)
        out.result(f"  {reading.words}", fg=None if reading.valid else "red")
        for warning in reading.warnings:
            out.result(f"  warning: {warning}", fg="yellow")


@command.command("add")
@click.argument("pattern")
@path_argument()
@dry_run_option
def add(pattern: str, path: Path, dry_run: bool) -> None:
    """Whitelist PATTERN (a host or a /regex/ literal).

    A host (api.github.com) becomes the anchored regex literal the proxy needs: https, that host,
    any port, any path. *.github.com admits every subdomain of github.com; http://host admits
    plain http too. A /regex/ literal is written as it is once it compiles. The key is
    externalApis before manifest 2.4.0 and domainWhitelist from 2.4.0.
    """
    from deskpro_cli.manifest.edit_domains import add_domain

    render_edit(add_domain(path, pattern, dry_run=dry_run), dry_run=dry_run)


@command.command("remove")
@click.argument("pattern")
@path_argument()
@dry_run_option
def remove(pattern: str, path: Path, dry_run: bool) -> None:
    """Remove a whitelist entry, named by its host form or its literal."""
    from deskpro_cli.manifest.edit_domains import remove_domain

    render_edit(remove_domain(path, pattern, dry_run=dry_run), dry_run=dry_run)
