"""``deskpro validate [PATH]``: every problem of a manifest, like a compiler."""

from __future__ import annotations

import click

from deskpro_cli.cli._common import json_option, path_argument, ui
from deskpro_cli.errors import EXIT_FAILED


@click.command("validate")
@path_argument(path_type=str)  # a str: pathlib is not imported at all (start-up time)
@click.option("--strict", is_flag=True, help="Fail on warnings too (exit 1).")
@json_option
@click.pass_context
def command(ctx: click.Context, path: str, strict: bool, as_json: bool) -> None:
    """Check the manifest of PATH: a project folder, a package.json, a manifest.json, a built
    dist/ folder or an app.zip.

    Reports every problem at once (schema and semantic, errors and warnings), one per line as
    FILE:LINE:COLUMN: SEVERITY RULE MESSAGE with a hint under it. Exit 0 when valid (warnings
    allowed unless --strict), 1 when not.
    """
    from deskpro_cli.manifest.validate import validate_path

    out = ui()
    report = validate_path(path)
    if as_json:
        out.emit_json(report.to_json(strict=strict))
    else:
        out.problems(report.problems)
        errors = sum(1 for p in report.problems if p.is_error)
        warnings = len(report.problems) - errors
        counts = _counts(errors, warnings)
        version = f" (manifest {report.schema_version})" if report.schema_version else ""
        if report.ok(strict=strict):
            out.success(f"{report.source}: valid{version}{', ' + counts if counts else ''}")
        else:
            suffix = " (--strict: warnings fail)" if strict and not errors else ""
            out.result(f"{report.source}: invalid{version}, {counts}{suffix}", fg="red", bold=True)
    if not report.ok(strict=strict):
        ctx.exit(EXIT_FAILED)


def _counts(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)
