"""``deskpro package [PATH]``: build the app and write a reproducible ``dist/app.zip``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from deskpro_cli.cli._common import compiler_options, json_option, path_argument, ui
from deskpro_cli.errors import UsageError
from deskpro_cli.manifest.source import display_path as display

_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)(i?b?)\s*$", re.IGNORECASE)
_POWERS = {"": 0, "k": 1, "m": 2, "g": 3}
LARGEST = 5


def parse_size(text: str) -> int:
    """A size in bytes: ``500000``, ``500K``/``5M``/``1G`` or ``KiB``/``MiB`` (1024-based),
    ``KB``/``MB``/``GB`` (1000-based).

    Raises:
        ValueError: not a size.
    """
    m = _SIZE.match(text)
    if m is None:
        raise ValueError(text)
    number, unit, suffix = m.group(1), m.group(2).lower(), m.group(3).lower()
    if not unit and suffix not in ("", "b"):
        raise ValueError(text)
    base = 1000 if suffix == "b" and unit else 1024
    size: int = int(number) * base ** _POWERS[unit]
    return size


def _size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a size in bytes (e.g. 5000000, 5M, 5MB)", ctx, param
        ) from None


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` from the environment (reproducible-builds.org), or None."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise UsageError(
            f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds since 1970",
            hint="set it to an integer such as $(git log -1 --format=%ct), or unset it",
        )
    return int(raw)


@click.command("package")
@path_argument()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the zip here instead of dist/app.zip.",
)
@click.option(
    "--max-size",
    metavar="BYTES",
    callback=_size_option,
    help="Fail, keeping the previous zip, when the zip is larger than BYTES "
    "(K/M/G and KiB/MiB/GiB count 1024s, KB/MB/GB 1000s).",
)
@compiler_options
@click.option(
    "--sourcemaps", is_flag=True, help="Put source maps in the zip (left out by default)."
)
@json_option
def command(
    path: Path,
    output: Path | None,
    max_size: int | None,
    compiler: str,
    esbuild: Path | None,
    sourcemaps: bool,
    as_json: bool,  # noqa: ARG001 - read through ui().json, set by the option itself
) -> None:
    """Build the app in PATH (a project folder, or its package.json or manifest.json) and
    write a reproducible dist/app.zip.

    Validates the manifest, compiles, assembles dist/ (src/main/html -> html/,
    src/main/resources -> assets/, src/main/docs/ADMIN_README.md -> docs/), adds the installer
    and manifest.json, checks every target and asset reference, scans for secrets, and writes
    the zip: sorted entries, fixed dates (SOURCE_DATE_EPOCH when set), the same bytes every time.
    Dotfiles, node_modules and source maps are never packed. A failure keeps the previous zip.
    """
    from deskpro_cli.build.pipeline import BuildOptions, build

    out = ui()
    options = BuildOptions(
        mode="package",
        zip_path=output,
        compiler=compiler,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        esbuild=esbuild,
        sourcemaps=sourcemaps,
        max_size=max_size,
        epoch=source_date_epoch(),
    )
    out.info(f"packaging {display(path)}")
    result = build(path, options)
    archive = result.archive
    assert archive is not None  # package mode always writes the zip
    if result.warnings:
        out.problems(result.warnings, err=True)
    if result.skipped:
        out.info(
            f"left out {len(result.skipped)} file(s) that never ship "
            "(dotfiles, node_modules, source maps); `deskpro -v package` lists them"
        )
        for s in result.skipped:
            out.detail(f"  left out {s.origin}: {s.reason}")
    largest = archive.largest(LARGEST)
    if out.json:
        out.emit_json(
            {
                "ok": True,
                "path": display(archive.path),
                "bytes": archive.bytes,
                "entries": len(archive.entries),
                "sha256": archive.sha256,
                "warnings": [p.to_json() for p in result.warnings],
                "largest": [
                    {"name": e.name, "bytes": e.size, "compressed": e.compressed} for e in largest
                ],
                "skipped": [{"path": s.origin, "reason": s.reason} for s in result.skipped],
                "dist": display(result.out_dir),
            }
        )
        return
    raw = sum(e.size for e in archive.entries)
    out.result(f"packaged {display(archive.path)}", fg="green")  # the result: shown with -q too
    out.result(f"  size     {archive.bytes:,} bytes ({raw:,} bytes unpacked)")
    out.result(f"  entries  {len(archive.entries)}")
    out.result(f"  sha256   {archive.sha256}")
    out.result("  largest entries (bytes in the zip / unpacked):")
    width = max(len(e.name) for e in largest)
    for e in largest:
        out.result(f"    {e.name.ljust(width)}  {e.compressed:>12,} / {e.size:,}")
