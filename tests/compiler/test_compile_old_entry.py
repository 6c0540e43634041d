"""DP708: an entry written for the old boilerplate (exports runApp, nobody calls it)."""

from __future__ import annotations

import pytest

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'

OLD_ENTRY = """\
import { App } from "./App";

export function runApp(dpapp) {
  document.getElementById("deskpro-app").textContent = App(dpapp);
}
"""
APP = 'export function App(dpapp) { return "Hello from " + dpapp.appTitle; }\n'


@pytest.mark.parametrize(
    "export",
    [
        "export function runApp(dpapp) {",
        "export const runApp = (dpapp) => {",
        "function runApp(dpapp) {} export { App, runApp };\nfunction unused(dpapp) {",
    ],
)
def test_an_old_entry_is_warned_about_at_its_export(tree, compile_app, export: str) -> None:
    entry = OLD_ENTRY.replace("export function runApp(dpapp) {", export)
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": entry,
            "src/main/javascript/App.js": APP,
        }
    )
    result = compile_app(project)
    (w,) = [w for w in result.warnings if w.rule == "DP708"]
    assert w.severity == "warning" and w.file == "src/main/javascript/index.js"
    line = entry.splitlines()[w.line - 1]
    assert line[w.column - 1 :].startswith("export")
    assert "window.DeskproAppsSDKCore.createApp(runApp);" in (w.hint or "")
    # the same warning when the compile comes from the cache
    again = compile_app(project)
    assert again.cached and [x.rule for x in again.warnings].count("DP708") == 1


def test_an_entry_that_starts_itself_is_quiet(tree, compile_app) -> None:
    entry = OLD_ENTRY + "window.DeskproAppsSDKCore.createApp(runApp);\n"
    project = tree(
        {
            "package.json": PACKAGE_JSON,
            "src/main/javascript/index.js": entry,
            "src/main/javascript/App.js": APP,
        }
    )
    assert [w for w in compile_app(project).warnings if w.rule == "DP708"] == []


def test_a_screen_exporting_run_app_is_not_the_app(tree, compile_app) -> None:
    screen = (
        "export function runApp() {}\nexport default { mount(el) { el.textContent = 'x'; } };\n"
    )
    project = tree({"package.json": PACKAGE_JSON, "src/installer/javascript/index.js": screen})
    assert [w for w in compile_app(project).warnings if w.rule == "DP708"] == []
