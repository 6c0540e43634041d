"""How ``deskpro serve`` shows what its server does (click layer: output only)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deskpro_cli.ui import UI

if TYPE_CHECKING:
    from deskpro_cli.devserver import BuildFinished, BuiltApp, DevServer, ServeEvent
    from deskpro_cli.problems import Problem


class ServeRenderer:
    """Turns the server's events into lines on the terminal (called from the build thread)."""

    def __init__(self, ui: UI, project: Path) -> None:
        self.ui = ui
        self.project = project
        self.server: DevServer | None = None
        self._last_warnings: tuple[Problem, ...] = ()
        self._shown_urls: list[tuple[str, str]] = []
        #: (warning, hint) to show when the server is listening (a non-loopback --host)
        self.listening_warning: tuple[str, str] | None = None

    def __call__(self, event: ServeEvent) -> None:
        from deskpro_cli.devserver import BuildFinished, BuildStarted, Listening, Notice

        if isinstance(event, Listening):
            if self.listening_warning is not None:
                self.ui.warning(*self.listening_warning)
            self._listening(event.url)
        elif isinstance(event, BuildStarted):
            if event.changed:
                shown = ", ".join(event.changed[:3])
                more = f" and {len(event.changed) - 3} more" if len(event.changed) > 3 else ""
                self.ui.info(f"changed: {shown}{more}; rebuilding")
            else:
                self.ui.info("building")
        elif isinstance(event, Notice):
            self.ui.warning(event.message)
        elif isinstance(event, BuildFinished):
            self._finished(event)

    def _listening(self, url: str) -> None:
        watching = self.server is None or self.server.options.watch != "off"
        how = (
            "rebuilding when src/, package.json or manifest.json change"
            if watching
            else "no rebuilds with --no-watch"
        )
        self.ui.result(f"Serving {self.project} on {url} ({how}; Ctrl-C to stop)")

    def _show_urls(self, built: BuiltApp) -> None:
        """Every target's URL after the first good build, and again when they move (a new
        version, a target added or renamed): the helpdesk must be pointed at the new ones."""
        if self.server is None:
            return
        base = self.server.base_url
        urls = [*built.target_urls(), ("manifest", "/manifest.json")]
        if urls == self._shown_urls:
            return
        if self._shown_urls:
            self.ui.result(f"The app's URLs changed (version {built.app_version}):")
        self._shown_urls = urls
        for name, url in urls:
            self.ui.result(f"  {name:<22} {base}{url}")

    def _finished(self, event: BuildFinished) -> None:
        state = event.state
        if state.ok:
            assert state.built is not None
            if state.warnings != self._last_warnings:
                self.ui.problems(state.warnings, err=True)
                self._last_warnings = state.warnings
            self.ui.success(
                f"built {state.built.app_version} in {state.duration:.2f} s (build #{state.id})"
            )
            self._show_urls(state.built)
            return
        self._last_warnings = ()
        if event.traceback:
            self.ui.error(event.traceback.rstrip())
            self.ui.error(
                "deskpro: internal error while building (a bug in deskpro-cli, not in your app). "
                "Please report it with the traceback above."
            )
        if state.problems:
            self.ui.problems(state.problems, err=True)
        if state.error is not None:
            self.ui.error(state.error.message, state.error.hint)
        self.ui.info(
            f"build #{state.id} failed; the app's pages show the error until the next good save"
        )
