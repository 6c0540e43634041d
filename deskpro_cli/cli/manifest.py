"""``deskpro manifest show [PATH] [--resolved] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from deskpro_cli.cli._common import json_option, path_argument, ui


@click.group("manifest")
def command() -> None:
    """Show the app's manifest, as written or as packaged."""


@command.command("show")
@path_argument()
@click.option(
    "--resolved",
    is_flag=True,
    help="Show the manifest.json that `package` puts in the zip (npm keys mapped, settings "
    "folded into storage, install target added).",
)
@json_option
def show(path: Path, resolved: bool, as_json: bool) -> None:
    """Print the manifest of PATH, as written or (--resolved) as it goes into the zip.

    --resolved validates first and refuses a manifest with errors, as `package` would.
    """
    from deskpro_cli.manifest import load_source
    from deskpro_cli.manifest.show import show_manifest

    out = ui()
    source = load_source(path)
    shown = show_manifest(source, resolved=resolved)
    out.problems(shown.warnings, err=True)  # as validate and package print them
    if as_json:
        out.emit_json(
            {
                "source": source.display,
                "pointer": source.pointer,
                "schema_version": shown.schema_version,
                "resolved": resolved,
                "manifest": shown.manifest,
            }
        )
    else:
        out.result(json.dumps(shown.manifest, indent=2, ensure_ascii=False))
