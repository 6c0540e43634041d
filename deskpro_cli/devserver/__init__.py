"""``deskpro serve``: the developer server for Deskpro's Dev Mode.

The app is built into ``target/`` with the same pipeline as ``package`` (not minified, no zip),
laid out as the old tool's server had it (``target/manifest.json``,
``target/v<appVersion>/files/...``) and served on 127.0.0.1:31080 with the CORS headers Deskpro
expects. Sources are watched and rebuilt on save; a failed build is shown on the app's pages
until the next good one; pages reload themselves after each build.

Modules: :mod:`.server` (lifecycle, build loop), :mod:`.contract` (options, build step,
events), :mod:`.listen` (the threaded HTTP server, binding), :mod:`.handler` (HTTP),
:mod:`.websocket` (the reload channel's framing),
:mod:`.paths` (safe path resolution, content types), :mod:`.target` (the ``target/`` layout and
swapping builds in), :mod:`.watch` (watchfiles or polling), :mod:`.pages` (error page, reload
script), :mod:`.state` (the build state pages wait on), :mod:`.pipeline_step` (the shared
pipeline as the build step).
"""

from __future__ import annotations

from deskpro_cli.devserver.contract import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    BuildFinished,
    BuildStarted,
    BuildStep,
    Listening,
    Notice,
    ServeEvent,
    ServeOptions,
)
from deskpro_cli.devserver.listen import is_loopback
from deskpro_cli.devserver.server import DevServer
from deskpro_cli.devserver.state import BuildState
from deskpro_cli.devserver.target import BuiltApp

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "BuildFinished",
    "BuildStarted",
    "BuildState",
    "BuildStep",
    "BuiltApp",
    "DevServer",
    "Listening",
    "Notice",
    "ServeEvent",
    "ServeOptions",
    "is_loopback",
]
