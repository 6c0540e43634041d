"""Compiled custom installer screens in the real installer page, inside the stub Deskpro host.

The screens are compiled by :func:`compile_project` with the pinned esbuild (React external, so the
page loads the pinned React UMD builds, routed to tests/node), the page is rendered by
:func:`render_installer`, and the real apps SDK talks to the stub host.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli.build.compiler import CompileOptions, CompileResult, compile_project
from deskpro_cli.build.installer import InstallerScreen, render_installer

from .apps import built_app, settings_batch
from conftest import build_tree

pytestmark = pytest.mark.browser

PACKAGE_JSON = '{"name": "demo-app", "version": "1.0.0", "deskpro": {"version": "2.3.0"}}\n'


def manifest_with(settings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "appVersion": "1.0.0",
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


CompiledBundle = Callable[..., tuple[Path, CompileResult]]


@pytest.fixture
def compiled_bundle(tmp_path: Path, esbuild_path: Path) -> CompiledBundle:
    """``compiled_bundle(sources, manifest)``: compile a project and add its installer page."""
    counter = iter(range(1000))

    def make(sources: Mapping[str, str], manifest: Mapping[str, Any]) -> tuple[Path, CompileResult]:
        project = build_tree(tmp_path / f"app{next(counter)}", sources)
        dist = project / "dist"
        result = compile_project(project, dist, CompileOptions(esbuild=esbuild_path))
        screen = result.screen
        assert screen is not None
        page = render_installer(
            manifest,
            screen=InstallerScreen(
                "compiled", css=screen.css is not None, react_globals=screen.react_globals
            ),
        )
        page["manifest.json"] = json.dumps(manifest).encode()
        for rel, data in page.items():
            (dist / rel).parent.mkdir(parents=True, exist_ok=True)
            (dist / rel).write_bytes(data)
        return dist, result

    return make


# -- a JSX screen with a sibling module and a stylesheet ------------------------------------------
JSX_SCREEN = {
    "package.json": PACKAGE_JSON,
    "src/installer/javascript/index.jsx": """\
        import React, { useState } from "react";
        import { Field } from "./Field";
        import "./screen.css";

        export default function Screen({ settings, values, installType, finishInstall }) {
          const [form, setForm] = useState(() =>
            Object.fromEntries(settings.map((s) => [s.name, values[s.name] ?? ""])));
          const [status, setStatus] = useState("");
          const submit = (event) => {
            event.preventDefault();
            setStatus("saving");
            finishInstall(form).then(({ onStatus }) => {
              setStatus("saved");
              onStatus();
            });
          };
          return (
            <form className="compiled-screen" onSubmit={submit}>
              <h2>{installType === "install" ? "Set up" : "Update"} (compiled)</h2>
              {settings.map((s) => (
                <Field key={s.name} setting={s} value={form[s.name]}
                       onChange={(v) => setForm({ ...form, [s.name]: v })} />
              ))}
              <button type="submit">Save and install</button>
              <p className="status">{status}</p>
            </form>
          );
        }
    """,
    "src/installer/javascript/Field.jsx": """\
        export function Field({ setting, value, onChange }) {
          return (
            <label>
              {setting.title}
              <input name={setting.name} value={value}
                     onChange={(e) => onChange(e.target.value)} />
            </label>
          );
        }
    """,
    "src/installer/javascript/screen.css": ".compiled-screen h2 { color: rgb(10, 20, 30); }\n",
}
SETTINGS = [
    {"name": "apiKey", "title": "API key", "type": "text", "required": True},
    {"name": "region", "title": "Region", "type": "text", "required": False},
]


def test_compiled_jsx_screen_renders_and_finishes_with_the_values(
    stub_host: Any, compiled_bundle: CompiledBundle
) -> None:
    dist, result = compiled_bundle(JSX_SCREEN, manifest_with(SETTINGS))
    assert result.screen is not None and result.screen.react_globals
    host = stub_host(dist, "html/install.html")
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector("text=Set up (compiled)")
    color = frame.eval_on_selector(".compiled-screen h2", "e => getComputedStyle(e).color")
    assert color == "rgb(10, 20, 30)"  # index.css was compiled and linked

    frame.get_by_label("API key").fill("k-123")
    frame.get_by_label("Region").fill("eu")
    frame.get_by_role("button", name="Save and install").click()

    assert host.wait_install_status()["status"] == "success"
    batches = [c for c in host.api_calls() if (c.method, c.path) == ("post", "batch")]
    assert batches[0].body == settings_batch({"apiKey": "k-123", "region": "eu"})
    assert host.storage()["app:7/apiKey"] == "k-123"
    # React came from the pinned CDN URLs (routed to tests/node), not from the app.
    assert not any("react" in r.path for r in host.app_requests)
    host.assert_clean()


# -- a screen written the way Deskpro's GitHub OAuth guide writes it -----------------------------
GITHUB_SCREEN = {
    "package.json": PACKAGE_JSON,
    "src/installer/javascript/index.jsx": """\
        import React from "react";

        // Deskpro's GitHub guide: show the callback URL to register with GitHub, then on submit
        // register the connection, ask for access, and only then finish the install.
        export default class GithubInstallScreen extends React.Component {
          state = { urlRedirect: "", clientId: this.props.values.clientId || "",
                    clientSecret: "", error: null, busy: false };

          componentDidMount() {
            this.props.dpapp.oauth.settings("github")
              .then(({ urlRedirect }) => this.setState({ urlRedirect }));
          }

          onSubmit = (event) => {
            event.preventDefault();
            const { dpapp, finishInstall } = this.props;
            const { urlRedirect, clientId, clientSecret } = this.state;
            this.setState({ busy: true, error: null });
            dpapp.oauth.register("github", {
              urlAuthorize: "https://github.com/login/oauth/authorize",
              urlAccessToken: "https://github.com/login/oauth/access_token",
              urlRedirect, clientId, clientSecret,
            })
              .then(() => dpapp.oauth.access("github"))
              .then((token) => dpapp.storage.setAppStorage("oauth:github:tokens",
                                                           token.access_token))
              .then(() => finishInstall({ clientId, clientSecret: "***" }))
              .then(({ onStatus }) => onStatus())
              .catch((error) => this.setState({
                busy: false, error: (error && error.message) || String(error) }));
          };

          render() {
            const { urlRedirect, clientId, clientSecret, error, busy } = this.state;
            return (
              <form className="github-install" onSubmit={this.onSubmit}>
                <label>Authorization callback URL
                  <input name="callback" readOnly value={urlRedirect} />
                </label>
                <label>Client ID
                  <input name="clientId" value={clientId}
                         onChange={(e) => this.setState({ clientId: e.target.value })} />
                </label>
                <label>Client secret
                  <input name="clientSecret" type="password" value={clientSecret}
                         onChange={(e) => this.setState({ clientSecret: e.target.value })} />
                </label>
                {error ? <p className="error">{error}</p> : null}
                <button type="submit" disabled={busy || !urlRedirect}>Connect GitHub</button>
              </form>
            );
          }
        }
    """,
}
GITHUB_SETTINGS = [
    {"name": "clientId", "title": "Client ID", "type": "text", "required": True},
    {"name": "clientSecret", "title": "Client secret", "type": "text", "required": True},
]


GITHUB_TOKEN = {"access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a", "expires": 0}


def github_host(stub_host: Any, dist: Path) -> Any:
    """The stub helpdesk at https://helpdesk.example, GitHub granting GITHUB_TOKEN, page ready."""
    host = stub_host(
        dist,
        "html/install.html",
        helpdesk_url="https://helpdesk.example",
        oauth_tokens={"github": GITHUB_TOKEN},
    )
    host.wait_ready()
    return host


def test_github_oauth_guide_screen_compiles_and_runs(
    stub_host: Any, compiled_bundle: CompiledBundle
) -> None:
    dist, _ = compiled_bundle(GITHUB_SCREEN, manifest_with(GITHUB_SETTINGS))
    host = github_host(stub_host, dist)
    frame = host.frame
    callback = frame.locator("input[name=callback]")
    frame.wait_for_function("() => document.querySelector('input[name=callback]').value !== ''")
    callback_url = callback.input_value()
    assert callback_url == "https://helpdesk.example/api/oauth/2.0/github/grant-access"

    frame.get_by_label("Client ID").fill("Iv1.8a61f9b3a7aba766")
    frame.get_by_label("Client secret").fill("s3cr3t-value")
    frame.get_by_role("button", name="Connect GitHub").click()

    assert host.wait_install_status()["status"] == "success"
    stored = host.storage()
    assert stored["app:7/oauth:github"]["clientId"] == "Iv1.8a61f9b3a7aba766"
    assert stored["app:7/oauth:github"]["clientSecret"] == "s3cr3t-value"
    assert stored["app:7/oauth:github"]["urlRedirect"] == callback_url
    assert stored["app:7/oauth:github:tokens"] == GITHUB_TOKEN["access_token"]
    # register -> access -> finishInstall, in that order, with the secret masked in the settings.
    names = [r["eventName"] for r in host.records()]
    register = next(i for i, r in enumerate(host.records()) if _is_put(r, "oauth:github"))
    access = names.index("security.authenticate.oauth")
    batch = next(i for i, r in enumerate(host.records()) if _is_settings_batch(r))
    assert register < access < batch
    assert stored["app:7/clientSecret"] == "***"
    assert stored["app:7/clientId"] == "Iv1.8a61f9b3a7aba766"
    host.assert_clean()


def _is_put(record: Mapping[str, Any], name: str) -> bool:
    body = record.get("body") or {}
    url = body.get("url", "") if isinstance(body, dict) else ""
    return record.get("eventName") == "webapi.request.fetch" and url.endswith(f"/{name}")


def _is_settings_batch(record: Mapping[str, Any]) -> bool:
    body = record.get("body") or {}
    return (
        record.get("eventName") == "webapi.request.deskpro"
        and isinstance(body, dict)
        and body.get("path") == "batch"
        and "clientSecret" in json.dumps(body.get("body"))
    )


# -- the guide's own shape: the default form inside the screen, filled and submitted by ref ------
GUIDE_SCREEN = {
    "package.json": PACKAGE_JSON,
    "src/installer/javascript/index.jsx": """\
        import React from "react";

        // As Deskpro's GitHub guide builds it: the settings form the installer hands over
        // (props.settingsForm), pre-filled with the callback URL once the helpdesk gives it,
        // submitted through its ref; on submit the connection is registered and access asked
        // for before the install finishes, with the secret masked in the saved settings.
        class GuideScreen extends React.Component {
          state = { values: null, error: null };

          componentDidMount() {
            const { dpapp, values } = this.props;
            dpapp.oauth.settings("github").then((oauth) =>
              this.setState({ values: { ...values, githubCallbackURL: oauth.urlRedirect } }));
          }

          check(values) {
            const { oauth } = this.props.dpapp;
            return oauth
              .register("github", {
                urlRedirect: values.githubCallbackURL,
                urlAuthorize: "https://github.com/login/oauth/authorize",
                urlAccessToken: "https://github.com/login/oauth/access_token",
                clientId: values.githubClientId,
                clientSecret: values.githubClientSecret,
              })
              .then(() => oauth.access("github"))
              .then(() => ({ ...values, githubClientSecret: "***" }))
              .catch(() => Promise.reject("The GitHub credentials were refused"));
          }

          onSubmit = (values) => {
            this.setState({ error: null });
            this.check(values)
              .then((checked) => this.props.finishInstall(checked))
              .then(({ onStatus }) => onStatus())
              .catch((error) => this.setState({ error: String(error) }));
          };

          render() {
            const { settings, settingsForm: SettingsForm } = this.props;
            let form = null;
            return (
              <div>
                <SettingsForm settings={settings} values={this.state.values || this.props.values}
                              onSubmit={this.onSubmit} ref={(ref) => { form = ref; }} />
                <button className="btn-action" onClick={() => form.submit()}>
                  Update Settings
                </button>
                {this.state.error ? <p className="guide-error">{this.state.error}</p> : null}
              </div>
            );
          }
        }

        export default GuideScreen;
    """,
}
GUIDE_SETTINGS = [
    {"name": name, "title": title, "type": "text", "required": True, "defaultValue": ""}
    for name, title in (
        ("githubClientId", "Client ID"),
        ("githubClientSecret", "Client secret"),
        ("githubCallbackURL", "Callback URL"),
    )
]


def test_guide_shaped_screen_uses_the_settings_form_by_ref_and_can_retry(
    stub_host: Any, compiled_bundle: CompiledBundle
) -> None:
    dist, _ = compiled_bundle(GUIDE_SCREEN, manifest_with(GUIDE_SETTINGS))
    host = github_host(stub_host, dist)
    frame = host.frame
    callback = "https://helpdesk.example/api/oauth/2.0/github/grant-access"
    # the form drawn by the runtime took the new values prop: the callback URL is filled in
    frame.wait_for_function(
        "url => document.querySelector('[name=githubCallbackURL]')?.value === url", arg=callback
    )
    # the runtime's validation runs before the screen sees anything
    frame.get_by_role("button", name="Update Settings").click()
    frame.wait_for_selector("text=Client ID is required.")
    assert not host.records("security.authenticate.oauth")

    host.set_answer("events", "security.authenticate.oauth", {"error": {"message": "denied"}})
    frame.get_by_label("Client ID").fill("Iv1.8a61f9b3a7aba766")
    frame.get_by_label("Client secret").fill("s3cr3t-value")
    frame.get_by_role("button", name="Update Settings").click()
    frame.wait_for_selector("text=The GitHub credentials were refused")
    # the re-render that shows the error keeps what the admin typed
    assert frame.get_by_label("Client secret").input_value() == "s3cr3t-value"
    assert not host.records("app.install_status")

    host.set_answer("events", "security.authenticate.oauth", None)
    frame.get_by_role("button", name="Update Settings").click()
    assert host.wait_install_status()["status"] == "success"
    stored = host.storage()
    assert stored["app:7/githubClientSecret"] == "***"
    assert stored["app:7/githubCallbackURL"] == callback
    assert stored["app:7/oauth:github"]["clientSecret"] == "s3cr3t-value"
    batch = next(c for c in host.api_calls() if (c.method, c.path) == ("post", "batch"))
    assert batch.body == settings_batch(
        {
            "githubClientId": "Iv1.8a61f9b3a7aba766",
            "githubClientSecret": "***",
            "githubCallbackURL": callback,
        }
    )
    host.assert_clean()


# -- a compiled {mount} screen: packaged for real, no React anywhere on the page ------------------
MOUNT_SCREEN = {
    "src/installer/javascript/index.ts": """\
        import { heading } from "./heading";

        interface Props {
          installType: string;
          settings: { name: string }[];
          values: Record<string, unknown>;
          finishInstall(values: Record<string, unknown>): Promise<{ onStatus(): void }>;
          settingsForm: {
            render(el: HTMLElement, o: object): { submit(): void };
          };
        }

        export default {
          mount(element: HTMLElement, props: Props) {
            element.appendChild(heading(`Set up (${props.installType}, no React)`));
            const holder = document.createElement("div");
            const button = document.createElement("button");
            button.textContent = "Install";
            element.append(holder, button);
            const form = props.settingsForm.render(holder, {
              settings: props.settings,
              values: props.values,
              onSubmit: (values: Record<string, unknown>) =>
                props.finishInstall(values).then((result) => result.onStatus()),
            });
            button.addEventListener("click", () => form.submit());
          },
        };
    """,
    "src/installer/javascript/heading.ts": """\
        export function heading(text: string): HTMLElement {
          const h2 = document.createElement("h2");
          h2.textContent = text;
          return h2;
        }
    """,
}


def test_packaged_mount_screen_runs_with_no_react_on_the_page(
    stub_host: Any, tmp_path: Path, esbuild_path: Path
) -> None:
    from tests.package.apps import package_json, png

    settings = [
        {"name": "region", "title": "Region", "type": "text", "required": True, "defaultValue": ""}
    ]
    project = build_tree(
        tmp_path / "project",
        {
            "package.json": package_json(settings=settings),
            "src/main/html/index.html": "<!DOCTYPE html><title>x</title>\n",
            "src/main/resources/icon.png": png(),
            **MOUNT_SCREEN,
        },
    )
    dist = built_app(project, tmp_path / "served", esbuild=esbuild_path)
    host = stub_host(dist, "html/install.html")
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector("text=Set up (install, no React)")
    on_page = frame.evaluate(
        "() => ({ react: typeof window.React, reactDom: typeof window.ReactDOM,"
        " scripts: Array.from(document.scripts, (s) => s.src).filter(Boolean) })"
    )
    assert on_page["react"] == "undefined" and on_page["reactDom"] == "undefined"
    assert not any("react" in src for src in on_page["scripts"])
    assert [src.rsplit("/", 2)[-2:] for src in on_page["scripts"][1:]] == [
        ["assets", "deskpro-installer.js"],
        ["install-screen", "index.js"],
    ]

    frame.get_by_label("Region").fill("eu-west")
    frame.get_by_role("button", name="Install").click()
    assert host.wait_install_status()["status"] == "success"
    assert host.storage()["app:7/region"] == "eu-west"
    host.assert_clean()
