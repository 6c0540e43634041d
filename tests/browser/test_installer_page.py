"""The installer page (html/install.html) in headless Chromium, inside the stub Deskpro host.

Each test renders the installer with :func:`render_installer`, serves it from its own origin and
lets the real apps SDK talk to the stub host; the recorded requests are compared with the old
installer's sequence (spec/deskpro-host-protocol.md §3.2).
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli.build.installer import InstallerScreen, render_installer

from .apps import JSON_HEADERS, settings_batch

pytestmark = pytest.mark.browser


ALL_TYPES = [
    {
        "name": "apiKey",
        "title": "API key",
        "type": "text",
        "required": True,
        "defaultValue": "",
        "validator": {"type": "regex", "pattern": "^[a-z0-9]{8}$"},
    },
    {
        "name": "notes",
        "title": "Notes",
        "type": "textarea",
        "required": False,
        "defaultValue": "first line",
    },
    {
        "name": "region",
        "title": "Region",
        "type": "choice",
        "multi": False,
        "required": True,
        "defaultValue": "eu",
        "choices": [{"title": "Europe", "value": "eu"}, {"title": "United States", "value": "us"}],
    },
    {
        "name": "features",
        "title": "Features",
        "type": "choice",
        "multi": True,
        "required": False,
        "defaultValue": ["tickets"],
        "choices": [
            {"title": "Tickets", "value": "tickets"},
            {"title": "Chat", "value": "chat"},
            {"value": "voice"},
        ],
    },
    {
        "name": "pageSize",
        "title": "Page size",
        "type": "choice",
        "multi": False,
        "required": False,
        "choices": [{"title": "Small", "value": 10}, {"title": "Large", "value": 100}],
    },
    {
        "name": "verbose",
        "title": "Verbose logging",
        "type": "boolean",
        "required": False,
        "defaultValue": False,
    },
    {
        "name": "enabled",
        "title": "Enabled",
        "type": "boolean",
        "required": True,
        "defaultValue": True,
    },
]

CUSTOM_FIELD_CHANGES = [
    {
        "type": "add",
        "module": "customFields",
        "value": {"type": "text", "alias": "linked", "attachedTo": "ticket", "title": "Linked"},
    },
    {"type": "add", "module": "somethingElse", "value": {}},
]


def manifest_with(settings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "appVersion": "1.2.3",
        "author": {"name": "Ada", "email": "ada@example.com"},
        "description": "Shows <b>tickets</b> & more",
        "name": "demo-app",
        "version": "2.3.0",
        "title": "Demo App",
        "isSingle": True,
        "scope": "agent",
        "targets": [
            {"target": "ticket-sidebar", "url": "html/index.html"},
            {"target": "install", "url": "html/install.html"},
        ],
        "settings": settings,
    }


def tiny_png() -> bytes:
    """A valid 1x1 PNG, so the page header's icon really loads."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x26\x80\xeb")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


BundleFactory = Callable[..., Path]


@pytest.fixture
def bundle(tmp_path: Path) -> BundleFactory:
    """``bundle(manifest, screen=None, files={})`` writes an app bundle with its installer."""
    counter = iter(range(1000))

    def make(
        manifest: Mapping[str, Any],
        *,
        screen: InstallerScreen | None = None,
        files: Mapping[str, str] | None = None,
    ) -> Path:
        root = tmp_path / f"bundle{next(counter)}"
        written = dict(render_installer(manifest, screen=screen, icon="assets/icon.png"))
        written["manifest.json"] = json.dumps(manifest).encode()
        written["assets/icon.png"] = tiny_png()
        for rel, text in (files or {}).items():
            written[rel] = text.encode()
        for rel, data in written.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return root

    return make


def wait_form(host: Any) -> None:
    host.wait_ready()
    host.frame.wait_for_selector(".dpi-form")


def as_json(value: Any) -> str:
    """Compare as JSON text, so ``true`` and ``1`` (equal in Python) stay different."""
    return json.dumps(value, sort_keys=True)


def request_shapes(host: Any) -> list[tuple[str, str]]:
    return [(c.method, c.path) for c in host.api_calls()]


# -- the default form -----------------------------------------------------------------------------
def test_default_form_shows_every_setting_and_sends_the_typed_values(
    stub_host: Any, bundle: BundleFactory
) -> None:
    manifest = manifest_with(ALL_TYPES)
    host = stub_host(bundle(manifest), "html/install.html", manifest_changes=CUSTOM_FIELD_CHANGES)
    wait_form(host)
    frame = host.frame

    # The page chrome: title, version, description (escaped) and the icon.
    assert frame.inner_text(".dpi-title") == "Demo Appv1.2.3"
    assert frame.inner_text(".dpi-description") == "Shows <b>tickets</b> & more"
    assert frame.evaluate("() => document.querySelector('.dpi-icon').naturalWidth") == 1
    # Every setting, labelled by its title, prefilled with its default.
    for setting in ALL_TYPES:
        assert frame.locator(f"[data-setting={setting['name']}]").count() == 1
    assert frame.get_by_label("API key").input_value() == ""
    assert frame.get_by_label("Notes").input_value() == "first line"
    assert frame.get_by_label("Region").input_value() == "0"
    assert frame.get_by_label("Tickets").is_checked()
    assert not frame.get_by_label("Chat").is_checked()
    assert frame.get_by_label("voice").count() == 1  # a choice without a title shows its value
    assert frame.get_by_label("Page size").input_value() == ""
    assert not frame.get_by_label("Verbose logging").is_checked()
    assert frame.get_by_label("Enabled").is_checked()
    assert frame.locator("[data-setting=apiKey] .dpi-field__required").count() == 1

    frame.get_by_label("API key").fill("abcd1234")
    frame.get_by_label("Notes").fill("line one\nline two")
    frame.get_by_label("Region").select_option(label="United States")
    frame.get_by_label("Chat").check()
    frame.get_by_label("Tickets").uncheck()
    frame.get_by_label("voice").check()
    frame.get_by_label("Page size").select_option(label="Large")
    frame.get_by_label("Verbose logging").check()
    frame.get_by_label("Enabled").uncheck()
    frame.get_by_role("button", name="Install").click()

    status = host.wait_install_status()
    typed = {
        "apiKey": "abcd1234",
        "notes": "line one\nline two",
        "region": "us",
        "features": ["chat", "voice"],
        "pageSize": 100,
        "verbose": True,
        "enabled": False,
    }
    assert status == {"status": "success", "manifest": manifest}
    calls = host.api_calls()
    assert request_shapes(host) == [
        ("get", "apps/packages/7/manifest"),
        ("get", "helpdesk/discover"),
        ("get", "apps/packages/7/manifest-changes"),
        ("post", "batch"),
        ("post", "batch"),
        ("put", "apps/42"),
    ]
    assert as_json(calls[3].body) == as_json(settings_batch(typed))
    assert as_json(calls[4].body) == as_json(
        {
            "requests": {
                "linked": {
                    "method": "POST",
                    "headers": JSON_HEADERS,
                    "url": "/ticket_custom_fields",
                    "data": {
                        "title": "Linked",
                        "is_enabled": True,
                        "is_user_enabled": False,
                        "is_agent_field": True,
                        "alias": "app:42:linked",
                        "handler_class": "Application\\DeskPRO\\CustomFields\\Handler\\Text",
                    },
                }
            }
        }
    )
    assert as_json(calls[5].body) == as_json({"is_installed": True})
    # The status event comes after the last request, and the helpdesk now holds the values.
    names = [r["eventName"] for r in host.records() if r["eventName"] != "window.mouseevent"]
    assert names.index("app.install_status") > max(
        i for i, n in enumerate(names) if n == "webapi.request.deskpro"
    )
    assert as_json({k.removeprefix("app:7/"): v for k, v in host.storage().items()}) == as_json(
        typed
    )
    assert host.page.evaluate("() => window.__installed") is True
    assert frame.inner_text(".dpi-progress") == "The app is installed."
    host.assert_clean()


def test_a_backend_only_text_setting_is_masked_with_a_show_button(
    stub_host: Any, bundle: BundleFactory
) -> None:
    settings = [
        {
            "name": "clientSecret",
            "title": "Client secret",
            "type": "text",
            "required": True,
            "defaultValue": "",
            "isBackendOnly": True,
        },
        {
            "name": "privateNotes",
            "title": "Private notes",
            "type": "textarea",
            "required": False,
            "defaultValue": "",
            "isBackendOnly": True,
        },
        {
            "name": "clientId",
            "title": "Client ID",
            "type": "text",
            "required": True,
            "defaultValue": "",
            "isBackendOnly": False,
        },
    ]
    manifest = manifest_with(settings)
    host = stub_host(bundle(manifest), "html/install.html")
    wait_form(host)
    frame = host.frame
    secret = frame.locator("[data-setting=clientSecret] input")
    assert secret.get_attribute("type") == "password"
    assert secret.get_attribute("autocomplete") == "new-password"
    assert frame.locator("[data-setting=clientId] input").get_attribute("type") == "text"
    assert frame.locator("[data-setting=privateNotes] textarea").count() == 1  # not an input
    assert frame.locator("[data-setting=clientId] .dpi-reveal").count() == 0

    secret.fill("s3cret-value")
    show = frame.get_by_role("button", name="Show Client secret")
    assert show.get_attribute("aria-pressed") == "false"
    show.click()
    assert secret.get_attribute("type") == "text"
    hide = frame.get_by_role("button", name="Hide Client secret")
    assert hide.get_attribute("aria-pressed") == "true"
    assert (
        frame.locator("[data-setting=clientSecret] .dpi-reveal span").first.inner_text() == "Hide"
    )
    # a label lookup finds the field only, not the button beside it
    assert frame.get_by_label("Client secret").count() == 1
    hide.click()
    assert secret.get_attribute("type") == "password"

    frame.locator("[data-setting=clientId] input").fill("Ov23li0123456789abcd")
    frame.get_by_role("button", name="Install").click()  # the reveal button does not submit
    assert host.wait_install_status()["status"] == "success"
    stored = {k.removeprefix("app:7/"): v for k, v in host.storage().items()}
    assert stored["clientSecret"] == "s3cret-value"
    host.assert_clean()


def test_update_reads_current_values_and_skips_install_tasks_when_installed(
    stub_host: Any, bundle: BundleFactory
) -> None:
    settings = [ALL_TYPES[0], ALL_TYPES[2], ALL_TYPES[5]]
    host = stub_host(
        bundle(manifest_with(settings)),
        "html/install.html",
        install_type="update",
        installed=True,
        manifest_changes=CUSTOM_FIELD_CHANGES,
        storage={"app:7/apiKey": "stored12", "app:7/verbose": True},
    )
    wait_form(host)
    frame = host.frame

    # Stored values win over defaults; a missing one (region) falls back to its default.
    assert frame.get_by_label("API key").input_value() == "stored12"
    assert frame.get_by_label("Verbose logging").is_checked()
    assert frame.get_by_label("Region").input_value() == "0"
    frame.get_by_label("API key").fill("newkey99")
    frame.get_by_role("button", name="Save settings").click()

    assert host.wait_install_status()["status"] == "success"
    calls = host.api_calls()
    assert request_shapes(host) == [
        ("get", "apps/packages/7/manifest"),
        ("get", "helpdesk/discover"),
        ("post", "batch"),  # the SDK's batch storage read (webapi.request.fetch)
        ("get", "apps/42/status"),
        ("post", "batch"),  # the settings
    ]
    assert calls[2].event == "webapi.request.fetch"
    assert as_json(calls[2].body) == as_json(
        {
            "requests": {
                n: f"apps/42/state/app:7/{n}?options.mode=find"
                for n in ("apiKey", "region", "verbose")
            }
        }
    )
    assert as_json(calls[4].body) == as_json(
        settings_batch({"apiKey": "newkey99", "region": "eu", "verbose": True})
    )
    assert frame.inner_text(".dpi-progress") == "Settings saved."
    host.assert_clean()


def test_update_of_an_instance_not_yet_installed_runs_the_install_tasks(
    stub_host: Any, bundle: BundleFactory
) -> None:
    host = stub_host(
        bundle(manifest_with([ALL_TYPES[5]])),
        "html/install.html",
        install_type="update",
        installed=False,
    )
    wait_form(host)
    host.frame.get_by_role("button", name="Save settings").click()

    assert host.wait_install_status()["status"] == "success"
    assert request_shapes(host) == [
        ("get", "apps/packages/7/manifest"),
        ("get", "helpdesk/discover"),
        ("post", "batch"),
        ("get", "apps/42/status"),
        ("get", "apps/packages/7/manifest-changes"),
        ("post", "batch"),
        ("put", "apps/42"),
    ]
    host.assert_clean()


HOSTILE = '<img src=x onerror="window.__pwned=1">'


def test_manifest_text_is_shown_as_text_never_run(stub_host: Any, bundle: BundleFactory) -> None:
    # Titles, descriptions, defaults, choice titles and patterns come from the app's author;
    # the page shows them as text and sends the values back untouched.
    settings = [
        {
            "name": "note",
            "title": f"Note {HOSTILE}",
            "type": "text",
            "required": True,
            "defaultValue": f"</script><script>window.__pwned=2</script>{HOSTILE}",
            "validator": {"type": "regex", "pattern": f"^(?!{HOSTILE}$)"},
        },
        {
            "name": "pick",
            "title": "Pick",
            "type": "choice",
            "multi": True,
            "required": False,
            "choices": [{"title": HOSTILE, "value": HOSTILE}],
        },
        {
            "name": "one",
            "title": "One",
            "type": "choice",
            "required": False,
            "choices": [{"title": HOSTILE, "value": 1}],
        },
    ]
    manifest = dict(manifest_with(settings), title=f"Demo {HOSTILE}", description=HOSTILE)
    host = stub_host(bundle(manifest), "html/install.html")
    wait_form(host)
    frame = host.frame
    assert frame.inner_text(".dpi-title").startswith(f"Demo {HOSTILE}")
    assert frame.inner_text(".dpi-description") == HOSTILE
    assert frame.get_by_label(f"Note {HOSTILE}").input_value() == settings[0]["defaultValue"]
    frame.get_by_role("checkbox", name=HOSTILE).check()
    frame.get_by_label("One", exact=True).select_option(label=HOSTILE)
    frame.get_by_label(f"Note {HOSTILE}").fill(HOSTILE)
    frame.get_by_role("button", name="Install").click()
    frame.wait_for_selector(f"text=must match the pattern ^(?!{HOSTILE}$)")
    frame.get_by_label(f"Note {HOSTILE}").fill("fine")
    frame.get_by_role("button", name="Install").click()
    assert host.wait_install_status()["status"] == "success"
    assert as_json(host.api_calls()[-2].body) == as_json(
        settings_batch({"note": "fine", "pick": [HOSTILE], "one": 1})
    )
    assert frame.evaluate("() => window.__pwned") is None
    assert frame.locator("img[src=x]").count() == 0
    host.assert_clean()


def test_required_and_regex_validation_block_submit_with_a_message(
    stub_host: Any, bundle: BundleFactory
) -> None:
    settings = [ALL_TYPES[0], ALL_TYPES[4] | {"required": True}, ALL_TYPES[1]]
    host = stub_host(bundle(manifest_with(settings)), "html/install.html")
    wait_form(host)
    frame = host.frame
    install = frame.get_by_role("button", name="Install")

    install.click()
    assert frame.inner_text("[data-setting=apiKey] .dpi-field__error") == "API key is required."
    assert frame.inner_text("[data-setting=pageSize] .dpi-field__error") == (
        "Page size is required."
    )
    assert frame.locator("[data-setting=notes] .dpi-field__error").is_hidden()
    assert frame.get_by_label("API key").get_attribute("aria-invalid") == "true"
    assert frame.evaluate("() => document.activeElement.name") == "apiKey"

    frame.get_by_label("API key").fill("NOT valid")
    frame.get_by_label("Page size").select_option(label="Small")
    install.click()
    assert frame.inner_text("[data-setting=apiKey] .dpi-field__error") == (
        "API key must match the pattern ^[a-z0-9]{8}$."
    )
    assert frame.locator("[data-setting=pageSize] .dpi-field__error").is_hidden()
    frame.wait_for_timeout(100)
    assert ("post", "batch") not in request_shapes(host)
    assert not host.records("app.install_status")

    frame.get_by_label("API key").fill("abcdefgh")
    install.click()
    assert host.wait_install_status()["status"] == "success"
    assert as_json(host.api_calls()[3].body) == as_json(
        settings_batch({"apiKey": "abcdefgh", "pageSize": 10, "notes": "first line"})
    )
    host.assert_clean()


def test_a_manifest_without_settings_finishes_at_once(
    stub_host: Any, bundle: BundleFactory
) -> None:
    manifest = manifest_with([])
    del manifest["settings"]
    host = stub_host(bundle(manifest), "html/install.html")

    assert host.wait_install_status() == {"status": "success", "manifest": manifest}
    assert request_shapes(host) == [
        ("get", "apps/packages/7/manifest"),
        ("get", "helpdesk/discover"),
        ("get", "apps/packages/7/manifest-changes"),
        ("put", "apps/42"),
    ]
    host.frame.wait_for_selector("text=The app is installed.")
    host.assert_clean()


def test_a_failed_save_shows_the_error_and_lets_the_admin_retry(
    stub_host: Any, bundle: BundleFactory
) -> None:
    host = stub_host(
        bundle(manifest_with([ALL_TYPES[1]])),
        "html/install.html",
        deskpro_routes={"post batch": {"error": {"message": "database is read-only"}}},
    )
    wait_form(host)
    frame = host.frame
    frame.get_by_label("Notes").fill("kept")
    frame.get_by_role("button", name="Install").click()

    message = frame.locator("#dpi-message")
    message.wait_for(state="visible")
    assert "The settings could not be saved: database is read-only" in message.inner_text()
    assert frame.get_by_label("Notes").input_value() == "kept"  # the screen is back, as typed
    assert not host.records("app.install_status")

    host.set_answer("deskproRoutes", "post batch", None)
    frame.get_by_role("button", name="Install").click()
    assert host.wait_install_status()["status"] == "success"
    assert host.storage()["app:7/notes"] == "kept"
    host.assert_clean()


def test_an_http_error_status_in_an_answer_is_a_failure_not_a_success(
    stub_host: Any, bundle: BundleFactory
) -> None:
    # The helpdesk answers API calls with {status, body, headers}: a 4xx/5xx there, or in one
    # entry of a batch, must not be taken for a saved setting or an installed app.
    refused_entry = {
        "reply": {
            "status": 200,
            "body": {
                "responses": {"notes": {"headers": {"status-code": 403}, "message": "not allowed"}}
            },
            "headers": {},
        }
    }
    host = stub_host(
        bundle(manifest_with([ALL_TYPES[1]])),
        "html/install.html",
        deskpro_routes={"post batch": refused_entry},
    )
    wait_form(host)
    frame = host.frame
    frame.get_by_role("button", name="Install").click()
    message = frame.locator("#dpi-message")
    frame.wait_for_selector("text=The settings could not be saved: notes (HTTP 403: not allowed)")
    assert not host.records("app.install_status")

    host.set_answer("deskproRoutes", "post batch", None)
    host.set_answer(
        "deskproRoutes",
        "put apps/42",
        {"reply": {"status": 500, "body": {"message": "instance is locked"}, "headers": {}}},
    )
    frame.get_by_role("button", name="Install").click()
    frame.wait_for_selector("text=could not be finished: HTTP 500: instance is locked")
    assert "Check the values and try again" in message.inner_text()
    assert not host.records("app.install_status")

    host.set_answer("deskproRoutes", "put apps/42", None)
    frame.get_by_role("button", name="Install").click()
    assert host.wait_install_status()["status"] == "success"
    host.assert_clean()


def test_a_loading_error_is_shown_and_nothing_is_emitted(
    stub_host: Any, bundle: BundleFactory
) -> None:
    host = stub_host(
        bundle(manifest_with([ALL_TYPES[1]])),
        "html/install.html",
        deskpro_routes={"get helpdesk/discover": {"error": {"message": "helpdesk is down"}}},
    )
    host.wait_ready()
    host.frame.wait_for_selector("text=The app installer could not start: helpdesk is down")
    assert host.frame.locator(".dpi-form").count() == 0
    assert not host.records("app.install_status")
    assert host.console_errors  # the runtime logs the cause for the developer


def test_the_page_explains_itself_when_opened_outside_the_helpdesk(
    browser: Any, bundle: BundleFactory
) -> None:
    from .servers import LoopbackServer, static_files

    server = LoopbackServer(static_files(bundle(manifest_with([]))))
    context = browser.new_context()
    try:
        from .stubhost import route_offline

        blocked: list[str] = []
        route_offline(context, Path(__file__).parents[1] / "node" / "node_modules", blocked)
        page = context.new_page()
        page.goto(f"{server.origin()}/html/install.html")
        page.wait_for_selector("text=Open this page from the helpdesk")
        assert blocked == []
    finally:
        context.close()
        server.close()


# -- custom screens -------------------------------------------------------------------------------
PLAIN_SCREEN = r"""
(function () {
  "use strict";
  DeskproInstaller.registerScreen({
    mount: function (element, props) {
      window.__screenProps = {
        keys: Object.keys(props).sort(),
        installType: props.installType,
        settings: props.settings,
        values: props.values,
        hasDpapp: typeof props.dpapp.restApi.get === "function"
      };
      var heading = document.createElement("h2");
      heading.textContent = "Connect to GitHub";
      var holder = document.createElement("div");
      var button = document.createElement("button");
      button.textContent = "Connect";
      element.appendChild(heading);
      element.appendChild(holder);
      element.appendChild(button);
      var form = props.settingsForm.render(holder, {
        settings: props.settings,
        values: props.values,
        onSubmit: function (values) {
          values.clientSecret = "***";
          props.finishInstall(values).then(function (result) {
            return result.onStatus();
          }).then(function (status) { window.__finished = status; });
        }
      });
      props.dpapp.oauth.settings("github").then(function (settings) {
        holder.querySelector("[name=callbackUrl]").value = settings.urlRedirect;
      });
      button.addEventListener("click", function () { form.submit(); });
      return function () { window.__unmounted = true; };
    }
  });
})();
"""

OAUTH_SETTINGS = [
    {
        "name": "clientId",
        "title": "Client ID",
        "type": "text",
        "required": True,
        "defaultValue": "",
    },
    {
        "name": "clientSecret",
        "title": "Client secret",
        "type": "text",
        "required": True,
        "defaultValue": "",
    },
    {
        "name": "callbackUrl",
        "title": "Callback URL",
        "type": "text",
        "required": False,
        "defaultValue": "",
    },
]


def test_a_plain_js_screen_gets_the_props_and_finishes(
    stub_host: Any, bundle: BundleFactory
) -> None:
    app = bundle(
        manifest_with(OAUTH_SETTINGS),
        screen=InstallerScreen("plain", css=True),
        files={
            "assets/install-screen/index.js": PLAIN_SCREEN,
            "assets/install-screen/index.css": "h2 { color: rgb(1, 2, 3); }",
        },
    )
    host = stub_host(app, "html/install.html")
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector("text=Connect to GitHub")
    assert frame.evaluate("() => getComputedStyle(document.querySelector('h2')).color") == (
        "rgb(1, 2, 3)"
    )

    props = frame.evaluate("() => window.__screenProps")
    assert props == {
        "keys": ["dpapp", "finishInstall", "installType", "settings", "settingsForm", "values"],
        "installType": "install",
        "settings": OAUTH_SETTINGS,
        "values": {},
        "hasDpapp": True,
    }
    callback = frame.get_by_label("Callback URL")
    frame.wait_for_function("() => document.querySelector('[name=callbackUrl]').value !== ''")
    assert callback.input_value() == "https://helpdesk.example/api/oauth/2.0/github/grant-access"
    frame.get_by_role("button", name="Connect").click()
    assert frame.inner_text("[data-setting=clientId] .dpi-field__error") == (
        "Client ID is required."
    )
    frame.get_by_label("Client ID").fill("Iv1.abc")
    frame.get_by_label("Client secret").fill("s3cret")
    frame.get_by_role("button", name="Connect").click()

    assert host.wait_install_status()["status"] == "success"
    frame.wait_for_function("() => window.__finished === 'success' && window.__unmounted")
    assert as_json(host.api_calls()[3].body) == as_json(
        settings_batch(
            {
                "clientId": "Iv1.abc",
                "clientSecret": "***",
                "callbackUrl": "https://helpdesk.example/api/oauth/2.0/github/grant-access",
            }
        )
    )
    host.assert_clean()


REACT_SCREEN = r"""
(function () {
  "use strict";
  var h = React.createElement;
  function Screen(props) {
    var formRef = React.useRef(null);
    var state = React.useState("");
    window.__screenProps = {
      keys: Object.keys(props).sort(),
      installType: props.installType,
      values: props.values,
      settingsFormIsComponent: typeof props.settingsForm === "function"
    };
    function onSubmit(values) {
      state[1]("saving");
      props.finishInstall(Object.assign({}, values, { extra: "from-react" }))
        .then(function (result) { return result.onStatus(); });
    }
    return h("div", { className: "react-screen" },
      h("h2", null, "React screen (" + props.installType + ")"),
      h(props.settingsForm, { settings: props.settings, values: props.values, onSubmit: onSubmit,
                              ref: formRef }),
      h("button", { type: "button", onClick: function () { formRef.current.submit(); } },
        "Finish with React"),
      h("p", { className: "react-state" }, state[0]));
  }
  DeskproInstaller.registerScreen({ react: Screen, React: React, ReactDOM: ReactDOM });
})();
"""


def test_a_react_screen_gets_the_props_and_finishes(stub_host: Any, bundle: BundleFactory) -> None:
    settings = [ALL_TYPES[1], ALL_TYPES[5]]
    app = bundle(
        manifest_with(settings),
        screen=InstallerScreen("compiled", react_globals=True),
        files={"assets/install-screen/index.js": REACT_SCREEN},
    )
    host = stub_host(
        app,
        "html/install.html",
        install_type="update",
        installed=True,
        storage={"app:7/notes": "stored notes"},
    )
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector("text=React screen (update)")

    assert frame.evaluate("() => window.__screenProps") == {
        "keys": ["dpapp", "finishInstall", "installType", "settings", "settingsForm", "values"],
        "installType": "update",
        "values": {"notes": "stored notes", "verbose": None},
        "settingsFormIsComponent": True,
    }
    assert frame.get_by_label("Notes").input_value() == "stored notes"
    frame.get_by_label("Verbose logging").check()
    frame.get_by_role("button", name="Finish with React").click()

    assert host.wait_install_status()["status"] == "success"
    assert as_json(host.api_calls()[-1].body) == as_json(
        settings_batch({"notes": "stored notes", "verbose": True, "extra": "from-react"})
    )
    # React came from the pinned CDN URLs (routed to tests/node), not from the app.
    assert not any("react" in r.path for r in host.app_requests)
    host.assert_clean()


def test_register_screen_rejects_a_malformed_screen(stub_host: Any, bundle: BundleFactory) -> None:
    host = stub_host(bundle(manifest_with([ALL_TYPES[1]])), "html/install.html")
    wait_form(host)
    message = host.frame.evaluate(
        "() => { try { DeskproInstaller.registerScreen({render() {}}); return 'accepted'; }"
        " catch (e) { return e.message; } }"
    )
    assert "expects {mount(element, props)} or {react: Component, React, ReactDOM}" in message


def test_a_failed_install_task_can_be_retried_without_duplicating_custom_fields(
    stub_host: Any, bundle: BundleFactory
) -> None:
    host = stub_host(
        bundle(manifest_with([ALL_TYPES[5]])),
        "html/install.html",
        manifest_changes=CUSTOM_FIELD_CHANGES,
        deskpro_routes={"put apps/42": {"error": {"message": "instance is locked"}}},
    )
    wait_form(host)
    frame = host.frame
    frame.get_by_role("button", name="Install").click()
    frame.wait_for_selector("text=The installation could not be finished: instance is locked")
    assert not host.records("app.install_status")

    host.set_answer("deskproRoutes", "put apps/42", None)
    frame.get_by_role("button", name="Install").click()
    assert host.wait_install_status()["status"] == "success"
    assert request_shapes(host)[2:] == [
        ("get", "apps/packages/7/manifest-changes"),
        ("post", "batch"),  # settings
        ("post", "batch"),  # custom fields, once
        ("put", "apps/42"),  # refused
        ("post", "batch"),  # settings again
        ("put", "apps/42"),
    ]
    assert "requests" in host.api_calls()[4].body
    assert "linked" in host.api_calls()[4].body["requests"]
    assert "linked" not in host.api_calls()[6].body["requests"]
    host.assert_clean()


REPORTING_SCREEN = r"""
DeskproInstaller.registerScreen({
  mount: function (element, props) {
    var button = document.createElement("button");
    button.textContent = "Give up";
    button.addEventListener("click", function () {
      props.finishInstall(null)
        .then(function (result) { return result.onStatus(new Error("the admin said no")); })
        .then(function (status) { window.__status = status; });
    });
    element.appendChild(button);
  }
});
"""


def test_a_screen_can_report_a_failure(stub_host: Any, bundle: BundleFactory) -> None:
    app = bundle(
        manifest_with([ALL_TYPES[1]]),
        screen=InstallerScreen("plain"),
        files={"assets/install-screen/index.js": REPORTING_SCREEN},
    )
    host = stub_host(app, "html/install.html")
    host.wait_ready()
    host.frame.get_by_role("button", name="Give up").click()

    manifest = json.loads((app / "manifest.json").read_text())
    assert host.wait_install_status() == {"status": "error", "manifest": manifest}
    host.frame.wait_for_selector("text=The installation failed: the admin said no")
    assert host.frame.evaluate("() => window.__status") == "error"
    # finishInstall(null) saved nothing, and the instance was not marked installed.
    assert request_shapes(host) == [
        ("get", "apps/packages/7/manifest"),
        ("get", "helpdesk/discover"),
        ("get", "apps/packages/7/manifest-changes"),
    ]
    host.assert_clean()


def test_a_real_manifest_from_the_corpus_shows_every_setting(
    stub_host: Any, bundle: BundleFactory, shared_dir: Path, tmp_path: Path
) -> None:
    from deskpro_cli.manifest.resolve import resolve
    from deskpro_cli.manifest.source import load_source

    project = tmp_path / "custom-javascript"
    project.mkdir()
    source = shared_dir / "corpus" / "v1" / "DeskproApps__custom-javascript__package.json"
    (project / "package.json").write_bytes(source.read_bytes())
    manifest = resolve(load_source(project))
    host = stub_host(bundle(manifest), "html/install.html")
    wait_form(host)

    typed = {}
    for i, setting in enumerate(manifest["settings"]):
        field = host.frame.get_by_label(setting["title"])
        assert field.input_value() == setting["defaultValue"]
        typed[setting["name"]] = f"value {i}\nwith <b>markup</b>"
        if setting["type"] == "text":
            typed[setting["name"]] = f"value {i} <b>"
        field.fill(typed[setting["name"]])
    host.frame.get_by_role("button", name="Install").click()

    assert host.wait_install_status() == {"status": "success", "manifest": manifest}
    assert as_json(host.api_calls()[3].body) == as_json(settings_batch(typed))
    host.assert_clean()
