"""The installer files every bundle gets: ``html/install.html`` and the runtime's assets.

The page is rendered from ``deskpro_cli/installer/install.html.jinja`` (jinja2, HTML autoescape)
with the app's title, description, version and settings; the settings travel to the page as JSON
inside a ``<script type="application/json">`` element, escaped so no value can close it. The
runtime (``deskpro-installer.js``/``.css``, plain browser code shipped in the package) talks to the
helpdesk through Deskpro's apps SDK, loaded from a pinned CDN URL with its SRI hash.

A custom screen's own files (``assets/install-screen/index.js`` and ``index.css``) are copied or
compiled by other build steps; this module only makes the page load them (docs/architecture.md,
"Installer runtime and custom screens").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from deskpro_cli.build.cdn import APPS_SDK_CORE, REACT, REACT_DOM, CdnScript
from deskpro_cli.errors import CheckFailed, EnvironmentFailure
from deskpro_cli.resources import package_file

if TYPE_CHECKING:
    import jinja2

#: Bundle paths of the files :func:`render_installer` returns, and of a custom screen's files.
INSTALL_HTML = "html/install.html"
RUNTIME_JS = "assets/deskpro-installer.js"
RUNTIME_CSS = "assets/deskpro-installer.css"
SCREEN_JS = "assets/install-screen/index.js"
SCREEN_CSS = "assets/install-screen/index.css"

_TEMPLATE = "install.html.jinja"


#: The pinned CDN scripts (URL and SRI hash) come from one place, :mod:`deskpro_cli.build.cdn`:
#: Deskpro's apps SDK (global DeskproAppsSDKCore), and React 18 UMD builds (globals React and
#: ReactDOM) for screens that keep React external.
PinnedScript = CdnScript
SDK_CORE = APPS_SDK_CORE


@dataclass(frozen=True)
class InstallerScreen:
    """What the installer page shows and loads besides its own runtime.

    Attributes:
        kind: ``"default"`` (the settings form), ``"plain"`` (browser JS copied from
            ``src/installer/resources/``) or ``"compiled"`` (bundled by esbuild from
            ``src/installer/javascript/``). Both custom kinds are loaded from
            ``assets/install-screen/index.js``.
        css: the screen has ``assets/install-screen/index.css``.
        react_globals: the screen expects ``window.React``/``window.ReactDOM``; the page then
            loads the pinned React UMD builds before it.
    """

    kind: Literal["default", "plain", "compiled"] = "default"
    css: bool = False
    react_globals: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("default", "plain", "compiled"):
            raise ValueError(f"unknown installer screen kind {self.kind!r}")
        if self.kind == "default" and (self.css or self.react_globals):
            raise ValueError("the default installer screen has no css or React of its own")

    @property
    def custom(self) -> bool:
        return self.kind != "default"


DEFAULT_SCREEN = InstallerScreen()


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(package_file("installer"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _runtime_file(name: str) -> bytes:
    path = package_file("installer", name)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EnvironmentFailure(
            f"deskpro-cli is missing its installer runtime file {path}: {exc.strerror}",
            hint="reinstall deskpro-cli (pip install --force-reinstall deskpro-cli)",
        ) from exc


def _text(manifest: Mapping[str, Any], key: str) -> str:
    value = manifest.get(key)
    return value if isinstance(value, str) else ""


def render_installer(
    resolved_manifest: Mapping[str, Any],
    *,
    screen: InstallerScreen | None = None,
    icon: str | None = None,
) -> dict[str, bytes]:
    """Every installer file by its bundle path: the page, the runtime script and its styles.

    Args:
        resolved_manifest: the manifest as it goes in the zip (``manifest show --resolved``);
            its ``title`` (else ``name``), ``description``, ``appVersion`` and ``settings`` are
            shown on the page.
        screen: the custom screen, if any (default: the built-in settings form).
        icon: bundle path of the app's icon (e.g. ``assets/icon.png``) to show in the page
            header, or ``None`` for no icon; the caller passes it only when the file exists.

    Raises:
        CheckFailed: ``settings`` is present but not an array of objects with a ``name``.
        EnvironmentFailure: the runtime files are missing from the installation.
    """
    import jinja2

    screen = screen or DEFAULT_SCREEN
    settings = resolved_manifest.get("settings")
    if settings is None:
        settings = []
    if not isinstance(settings, list) or not all(
        isinstance(s, Mapping) and isinstance(s.get("name"), str) for s in settings
    ):
        raise CheckFailed(
            "manifest.json: /settings must be an array of settings, each with a string name",
            hint="run `deskpro validate` to see every problem in the manifest",
        )
    cdn_scripts = [SDK_CORE]
    if screen.react_globals:
        cdn_scripts += [REACT, REACT_DOM]
    try:
        template = _environment().get_template(_TEMPLATE)
    except jinja2.TemplateNotFound as exc:
        raise EnvironmentFailure(
            f"deskpro-cli is missing its installer page template {_TEMPLATE}",
            hint="reinstall deskpro-cli (pip install --force-reinstall deskpro-cli)",
        ) from exc
    html = template.render(
        title=_text(resolved_manifest, "title") or _text(resolved_manifest, "name") or "App",
        description=_text(resolved_manifest, "description"),
        version=_text(resolved_manifest, "appVersion"),
        icon=icon,
        page_data={"settings": settings, "screen": "custom" if screen.custom else "default"},
        cdn_scripts=cdn_scripts,
        screen_js=screen.custom,
        screen_css=screen.css,
    )
    return {
        INSTALL_HTML: html.encode("utf-8"),
        RUNTIME_JS: _runtime_file("deskpro-installer.js"),
        RUNTIME_CSS: _runtime_file("deskpro-installer.css"),
    }
