"""DP540/DP541: the app's own code against its whitelist and its storage names.

Each case builds a real app and runs `deskpro package` (or the build) on it; the warnings must
name the user's file, line and column, and the fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskpro_cli.build.pipeline import BuildOptions, build
from deskpro_cli.build.proxy_check import proxy_problems

from .apps import vanilla_app

GITHUB_API = r"/^https:\/\/api\.github\.com(:[0-9]+)?(\/.*)?$/"
TOKENS = {
    "name": "oauth:github:tokens",
    "isBackendOnly": True,
    "permRead": "OWNER",
    "permWrite": "OWNER",
}


def app_with(
    code: str | bytes, *, name: str = "main.js", **deskpro: object
) -> dict[str, str | bytes]:
    deskpro.setdefault("externalApis", [GITHUB_API])
    deskpro.setdefault("storage", [TOKENS])
    files = vanilla_app(**deskpro)
    files[f"src/main/resources/{name}"] = code
    return files


def warnings(tree, files: dict[str, str | bytes], rule: str) -> list:
    app = tree(files)
    result = build(app, BuildOptions(mode="package"))
    return [w for w in result.warnings if w.rule == rule]


def test_a_literal_url_the_whitelist_refuses(tree) -> None:
    code = 'dpapp.restApi.fetchCORS("https://api.trello.com/1/members/me", {});\n'
    (w,) = warnings(tree, app_with("var x = 1;\n" + code), "DP540")
    assert w.severity == "warning"
    assert w.file.endswith("src/main/resources/main.js")
    assert (w.line, w.column) == (2, code.index('"') + 1)
    assert "api.trello.com" in w.message and "externalApis" in w.message
    assert w.hint == "`deskpro domains add api.trello.com`"


def test_the_same_url_once_whitelisted_is_quiet(tree) -> None:
    code = 'dpapp.restApi.fetchProxy("https://api.trello.com/1/members/me");\n'
    trello = r"/^https:\/\/api\.trello\.com(\/.*)?$/"
    assert warnings(tree, app_with(code, externalApis=[GITHUB_API, trello]), "DP540") == []


@pytest.mark.parametrize(
    "code",
    [
        # a constant of the file, then a path added to it (the github-oauth template's way)
        "var API = 'https://api.gitlab.com';\n"
        "function get(p) { return dpapp.restApi.fetchCORS(API + p); }\n",
        # a template literal starting with that constant
        'const API = "https://api.gitlab.com";\ndpapp.restApi.fetchCORS(`${API}/user`, init);\n',
        # a template literal with the URL written out
        "dpapp.restApi.fetchCORS(`https://api.gitlab.com/users/${login}`);\n",
        # a single-quoted literal with an escaped slash
        "dpapp.restApi.fetchCORS('https:\\/\\/api.gitlab.com\\/user');\n",
    ],
)
def test_urls_the_code_spells_out_are_checked(tree, code: str) -> None:
    (w,) = warnings(tree, app_with(code), "DP540")
    assert "api.gitlab.com" in w.message and w.hint == "`deskpro domains add api.gitlab.com`"


@pytest.mark.parametrize(
    "code",
    [
        # whitelisted, in every spelling
        "var API = 'https://api.github.com';\ndpapp.restApi.fetchCORS(API + '/user');\n",
        "dpapp.restApi.fetchCORS(`https://api.github.com/users/${login}/repos`);\n",
        # hosts the code does not spell out: nothing is guessed
        "dpapp.restApi.fetchCORS(`https://${host}/api`);\n",
        "dpapp.restApi.fetchCORS('https://api.' + region + '.example.com/x');\n",
        "dpapp.restApi.fetchCORS(settings.baseUrl + '/x');\n",
        "dpapp.restApi.fetchCORS(url);\n",
        # not through the proxy
        "fetch('https://api.trello.com/1/members/me');\n",
        "dpapp.restApi.fetchCORS('/relative/path');\n",
        # commented out, or only quoted: not a request
        "// dpapp.restApi.fetchCORS('https://api.trello.com/x');\n",
        "/* old:\n dpapp.restApi.fetchCORS('https://api.trello.com/x');\n*/\n",
        "/**\n * @example fetchCORS('https://api.trello.com/x')\n */\n",
        "var help = \"call fetchCORS('https://api.trello.com/x') to\";\n",
        # the method's own definition, in JavaScript and TypeScript
        "class R { fetchCORS(url, init) { return go(url); } }\nconst url = 'https://a.example';\n",
        "function fetchProxy(url) { return 1; }\nvar url = 'https://a.example/x';\n",
        "interface R { fetchCORS(url: string, init?: object): Promise<unknown>; }\n",
        # a host the code goes on to build: not all there
        "dpapp.restApi.fetchCORS('https://api' + (beta ? '-beta' : '') + '.example.com/x');\n",
        "dpapp.restApi.fetchCORS('https://api.eu' + '.example.com/x');\n",
        # a name the file gives two values (or a minified line's `e`): not guessed at
        "let API = 'https://api.trello.com';\nif (x) API = 'https://api.github.com';\n"
        "dpapp.restApi.fetchCORS(API + '/user');\n",
        "var e='https://cdn.example.com/a';"
        + "f(1);" * 250
        + "function g(e,t){return dpapp.restApi.fetchCORS(e,t)}\n",
    ],
)
def test_quiet_when_admitted_or_not_spelt_out(tree, code: str) -> None:
    assert warnings(tree, app_with(code), "DP540") == []


def test_a_prefix_is_judged_by_the_host_an_exact_entry_names(tree) -> None:
    """An entry for exact paths admits no bare prefix; the code's prefix is then judged by the
    host the entry is written for, not reported as refused."""
    exact = r"/^https:\/\/api\.github\.com\/(user|users\/[a-z0-9-]+)$/"
    code = "var API = 'https://api.github.com';\ndpapp.restApi.fetchCORS(API + '/user');\n"
    assert warnings(tree, app_with(code, externalApis=[exact]), "DP540") == []
    # a complete URL is matched exactly: this path is not admitted
    code = "dpapp.restApi.fetchCORS('https://api.github.com/orgs/deskpro');\n"
    assert len(warnings(tree, app_with(code, externalApis=[exact]), "DP540")) == 1


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        # a byte-order mark is not a column; CRLF ends a line; a byte that is not UTF-8 is one
        # character, as an editor shows it
        ("\ufeffdpapp.restApi.fetchCORS('https://api.trello.com/x');\n".encode(), 1, 25),
        (
            b"var a = 1;\r\nvar b = 2;\r\n  dpapp.restApi.fetchCORS('https://api.trello.com/x')\r\n",
            3,
            27,
        ),
        (
            b"// caf\xe9\nvar s = '\xe9\xe9'; dpapp.restApi.fetchCORS('https://api.trello.com/x');\n",
            2,
            39,
        ),
    ],
)
def test_positions_are_the_editors(tree, data: bytes, line: int, column: int) -> None:
    (w,) = warnings(tree, app_with(data), "DP540")
    assert (w.line, w.column) == (line, column)


def test_http_url_gets_the_https_hint(tree) -> None:
    code = "dpapp.restApi.fetchCORS('http://api.github.com/user');\n"
    (w,) = warnings(tree, app_with(code), "DP540")
    assert "https://" in (w.hint or "") and "admits https only" in (w.hint or "")


def test_a_page_script_is_read_too_and_each_host_once_per_file(tree) -> None:
    page = (
        "<!DOCTYPE html><html><body>\n<script>\n"
        "dpapp.restApi.fetchCORS('https://api.trello.com/a');\n"
        "dpapp.restApi.fetchCORS('https://api.trello.com/b');\n"
        "</script></body></html>\n"
    )
    files = app_with("var ok = 1;\n")
    files["src/main/html/index.html"] = page
    found = warnings(tree, files, "DP540")
    assert [(Path(w.file).name, w.line) for w in found] == [("index.html", 3)]


def test_a_misspelt_placeholder(tree) -> None:
    code = "var headers = { Authorization: 'token {{oauth:github:token}}' };\n"
    (w,) = warnings(tree, app_with(code), "DP541")
    assert w.severity == "warning" and (w.line, w.column) == (1, code.index("{{") + 1)
    assert "did you mean {{oauth:github:tokens}}" in w.message
    assert w.hint == "write {{oauth:github:tokens}}"


def test_placeholders_of_declared_names_and_template_fields_are_quiet(tree) -> None:
    settings = [
        {
            "name": "apiKey",
            "title": "Key",
            "type": "text",
            "required": True,
            "defaultValue": "",
            "isBackendOnly": True,
        }
    ]
    code = (
        "var a = 'token {{oauth:github:tokens}}';\n"
        "var b = 'key {{apiKey}}';\n"
        "var view = '<li>{{ticketSubject}}</li><li>{{count}}</li>';\n"
    )
    assert warnings(tree, app_with(code, settings=settings), "DP541") == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # a comment is not a request
        ("main.js", "// Authorization: token {{oauth:github:token}}\n"),
        # JSX's double braces, a time format, an i18n key: not placeholders
        ("main.js", "const el = <div style={{margin:0}}>x</div>;\n"),
        ("main.js", "var fmt = '{{hh:mm}}', label = t('{{ns:key}}');\n"),
        # a page's markup and templates are not sent through the proxy
        ("index.html", "<p>{{user:name}}</p><!-- fetch {{oauth:github:token}} -->\n"),
        (
            "index.html",
            '<script type="text/x-handlebars-template">{{oauth:github:token}}</script>\n',
        ),
    ],
)
def test_placeholders_outside_strings_of_code_are_quiet(tree, name: str, code: str) -> None:
    files = app_with("var ok = 1;\n")
    folder = "html" if name.endswith(".html") else "resources"
    files[f"src/main/{folder}/{name}"] = code
    assert warnings(tree, files, "DP541") == []


def test_a_placeholder_in_a_pages_script_or_a_jsx_attribute_is_read(tree) -> None:
    page = (
        "<!DOCTYPE html><html><body><p>{{x}}</p>\n<script>\n"
        "var h = {Authorization: 'token {{oauth:github:token}}'};\n</script></body></html>\n"
    )
    files = app_with("var ok = 1;\n")
    files["src/main/html/index.html"] = page
    (w,) = warnings(tree, files, "DP541")
    assert (Path(w.file).name, w.line, w.column) == ("index.html", 3, 32)


def test_an_undeclared_oauth_placeholder_says_how_to_declare_it(tree) -> None:
    code = "var h = 'Bearer {{oauth:jira:tokens}}';\n"
    (w,) = warnings(tree, app_with(code), "DP541")
    assert w.hint == "declare it (`deskpro storage add oauth:jira:tokens`), or fix the name"


def test_cli_prints_the_warnings_and_still_packages(cli, tree) -> None:
    code = 'dpapp.restApi.fetchCORS("https://api.trello.com/1/members/me");\n'
    app = tree(app_with(code))
    run = cli("package", app)
    assert "warning DP540" in run.stderr
    assert (app / "dist" / "app.zip").is_file()
    report = json.loads(cli("package", app, "--json").stdout)
    assert [w["rule"] for w in report["warnings"]] == ["DP540"]


@pytest.mark.parametrize(
    "template", ["vanilla", "github-oauth", pytest.param("react", marks=pytest.mark.node)]
)
def test_scaffolded_apps_have_no_such_warnings(
    cli, tmp_path: Path, template: str, request: pytest.FixtureRequest
) -> None:
    app = tmp_path / "app"
    cli("init", app, "--template", template, "--no-input")
    esbuild = request.getfixturevalue("esbuild_path") if template == "react" else None
    result = build(app, BuildOptions(mode="package", esbuild=esbuild))
    assert [w for w in result.warnings if w.rule in ("DP540", "DP541")] == []


@pytest.mark.node
def test_compiled_code_is_read_from_the_users_sources(cli, tree, esbuild_path) -> None:
    """In a compiled app the warning names the user's source file and line, not the bundle;
    libraries under node_modules are not the app's code and are not read."""
    files = app_with("var unused = 1;\n")
    del files["src/main/resources/main.js"]
    files["src/main/javascript/index.js"] = 'import { load } from "./api";\nload();\n'
    files["src/main/javascript/api.ts"] = (
        "declare const dpapp: any;\n"
        'const BASE: string = "https://api.trello.com/1";\n'
        "export function load(): void {\n"
        "  dpapp.restApi.fetchCORS(`${BASE}/members/me`);\n"
        "}\n"
    )
    files["node_modules/some-lib/index.js"] = "dpapp.restApi.fetchCORS('https://evil.example/');\n"
    app = tree(files)
    run = cli("package", app, "--esbuild", esbuild_path)
    found = [line for line in run.stderr.splitlines() if "DP540" in line]
    assert len(found) == 1, run.stderr
    assert "src/main/javascript/api.ts:4:" in found[0] and "api.trello.com" in found[0]


@pytest.mark.node
def test_compiled_sources_are_what_the_bundle_holds(cli, tree, esbuild_path) -> None:
    """esbuild's metafile says which files the bundles hold: code shared from outside
    src/*/javascript is read, a file there that nothing imports is not; the same after a
    rebuild restored from the compile cache."""
    files = app_with("var unused = 1;\n")
    del files["src/main/resources/main.js"]
    files["src/main/javascript/index.js"] = 'import { load } from "../../common/api";\nload();\n'
    files["src/common/api.js"] = (
        "export function load() {\n"
        "  return dpapp.restApi.fetchCORS('https://api.trello.com/1/members/me');\n"
        "}\n"
    )
    files["src/main/javascript/old.js"] = "dpapp.restApi.fetchCORS('https://old.example/x');\n"
    app = tree(files)
    for _ in range(2):  # the second build comes from the compile cache
        run = cli("package", app, "--esbuild", esbuild_path)
        found = [line for line in run.stderr.splitlines() if "DP540" in line]
        assert len(found) == 1, run.stderr
        assert "src/common/api.js:2:" in found[0] and "api.trello.com" in found[0]


def test_tests_mocks_and_type_declarations_beside_the_sources_are_not_read(tmp_path: Path) -> None:
    """They sit in src/main/javascript but never reach the bundle: their URLs are no request."""
    call = "dpapp.restApi.fetchCORS('https://api.trello.com/x');\n"
    src = tmp_path / "src" / "main" / "javascript"
    for rel in ("api.test.ts", "api.spec.jsx", "Card.stories.tsx", "sdk.d.ts", "__mocks__/a.js"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(call)
    (src / "api.ts").write_text(call)
    manifest = {"version": "2.3.0", "externalApis": [GITHUB_API]}
    found = proxy_problems(tmp_path, {}, {}, manifest, compiled=True)
    assert [w.file for w in found] == ["src/main/javascript/api.ts"]
