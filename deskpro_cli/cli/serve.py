"""``deskpro serve [PATH]``: build into target/ and serve it for Deskpro's Dev Mode."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from deskpro_cli.cli._common import compiler_options, path_argument, ui
from deskpro_cli.errors import EXIT_INTERRUPTED, CheckFailed, UsageError

_PROJECT_FILES = ("package.json", "manifest.json")


@click.command(name="serve")
@path_argument()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=31080,
    show_default=True,
    help="TCP port to listen on (0 picks a free one). Point Dev Mode at the same port.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but a loopback address exposes the app to your network.",
)
@click.option("--no-watch", is_flag=True, help="Build once and serve; do not rebuild on changes.")
@click.option(
    "--poll",
    is_flag=True,
    help="Poll for changes instead of using the system's file events (network drives, VMs).",
)
@compiler_options
def command(
    path: Path,
    port: int,
    host: str,
    no_watch: bool,
    poll: bool,
    compiler: str,
    esbuild: Path | None,
) -> None:
    """Serve the app for Deskpro's Dev Mode, rebuilding when sources change.

    Builds PATH (default: the current folder) into target/ with the same pipeline as `package`
    (not minified, no zip) and serves it at http://127.0.0.1:31080/v<appVersion>/files/... with
    the CORS headers Deskpro expects. src/, package.json and manifest.json are watched; a failed
    build is shown here and on the app's pages, and the server keeps running. Ctrl-C stops it.
    """
    from deskpro_cli.cli._serve_render import ServeRenderer
    from deskpro_cli.devserver import DevServer, ServeOptions, is_loopback
    from deskpro_cli.devserver.pipeline_step import pipeline_build_step

    project = _project_dir(path)
    out = ui()
    options = ServeOptions(
        host=host, port=port, watch="off" if no_watch else ("polling" if poll else "auto")
    )
    renderer = ServeRenderer(out, project)
    if not is_loopback(host):  # shown once the port is bound: a --host refused exposes nothing
        renderer.listening_warning = (
            f"serving on {host}: other machines on your network can load your app's files",
            "leave out --host to serve on 127.0.0.1 only",
        )
    step = pipeline_build_step(
        compiler=compiler,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        esbuild=esbuild,
        watching=not no_watch,
    )
    server = DevServer(project, step, options, renderer)
    renderer.server = server
    with _terminate_as_interrupt():
        try:
            server.start()
            server.wait()
        except KeyboardInterrupt:
            # Ctrl-C is how a server is meant to end: say so plainly rather than as an error,
            # still with the exit status of an interrupted command.
            server.stop()
            click.echo("", err=True)  # end the line the terminal's ^C was echoed on
            out.info("stopped the server (interrupted)")
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        finally:
            server.stop()


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While serving, SIGTERM (``kill``, an IDE's stop button, ``docker stop``) stops the server
    the way Ctrl-C does: connections closed, staging removed, exit 130."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _project_dir(path: Path) -> Path:
    """The project folder: PATH itself, or the folder of a ``package.json``/``manifest.json``."""
    if path.is_file():
        if path.name in _PROJECT_FILES:
            return path.parent
        raise UsageError(
            f"{path} is a file; deskpro serve takes a project folder",
            hint="pass the folder that holds package.json (or leave PATH out inside it)",
        )
    if not any((path / name).is_file() for name in _PROJECT_FILES):
        raise CheckFailed(
            f"{path} has no package.json or manifest.json, so there is no app to serve",
            hint="run deskpro serve in an app's folder, or create one with `deskpro init DIR`",
        )
    return path
