"""What may be packed: exclusions, symlinks, and the secrets scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deskpro_cli.build import scan
from deskpro_cli.build.scan import collect
from deskpro_cli.build.secret_scan import find_secrets, secret_problems
from deskpro_cli.errors import EnvironmentFailure

# Fake credentials are assembled at run time so the repository itself never holds one.
GH_TOKEN = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z4A"
AWS_ID = "AKIA" + "Q3EXAMPLE7ZX4KDP"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
PEM = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAq7BFUZ9wRvyMw9bq2kqWCZwNbn9bU8GZ5yGKkzj+2zLhYQZ3\n"
    "-----END RSA PRIVATE KEY-----\n"
)


def names(found: scan.Collected) -> list[str]:
    return [f.rel for f in found.files]


def test_collect_sorts_and_leaves_out_what_never_ships(tree):
    root = tree(
        {
            "src/main/resources/b.js": "b",
            "src/main/resources/a.css": "a",
            "src/main/resources/sub/c.png": b"png",
            "src/main/resources/.env.local": "X=1",
            "src/main/resources/.DS_Store": b"\0",
            "src/main/resources/.git/config": "x",
            "src/main/resources/node_modules/lib/index.js": "x",
            "src/main/resources/main.js.map": "{}",
            "src/main/resources/Thumbs.db": b"\0",
            "src/main/resources/notes.txt~": "x",
        }
    )
    found = collect(root / "src/main/resources", project_root=root)
    assert names(found) == ["a.css", "b.js", "sub/c.png"]
    assert found.problems == []
    reasons = {s.origin: s.reason for s in found.skipped}
    assert reasons == {
        "src/main/resources/.DS_Store": "hidden file (dotfile)",
        "src/main/resources/.env.local": "environment file (.env*)",
        "src/main/resources/.git": "git folder",
        "src/main/resources/Thumbs.db": "system or editor litter",
        "src/main/resources/main.js.map": "source map (use --sourcemaps to pack them)",
        "src/main/resources/node_modules": "node_modules",
        "src/main/resources/notes.txt~": "system or editor litter",
    }
    with_maps = collect(root / "src/main/resources", project_root=root, sourcemaps=True)
    assert "main.js.map" in names(with_maps)


def test_missing_folder_is_empty_not_an_error(tmp_path):
    found = collect(tmp_path / "src/main/html", project_root=tmp_path)
    assert found.files == [] and found.problems == [] and found.skipped == []


def test_symlink_inside_project_is_followed_under_its_own_name(tree):
    root = tree({"shared/logo.png": b"PNG", "src/main/resources/keep.txt": "k"})
    (root / "src/main/resources/logo.png").symlink_to("../../../shared/logo.png")
    (root / "src/main/resources/lib").symlink_to("../../../shared", target_is_directory=True)
    found = collect(root / "src/main/resources", project_root=root)
    assert names(found) == ["keep.txt", "lib/logo.png", "logo.png"]
    assert found.files[2].path.read_bytes() == b"PNG"


def test_symlink_out_of_the_project_is_refused(tree, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("secret stuff")
    root = tree({"src/main/resources/a.txt": "a"})
    (root / "src/main/resources/b.txt").symlink_to(outside)
    found = collect(root / "src/main/resources", project_root=root)
    assert names(found) == ["a.txt"]
    [problem] = found.problems
    assert problem.rule == "DP501"
    assert problem.file == "src/main/resources/b.txt"
    assert "outside the project" in problem.message
    assert str(outside) in problem.message


def test_symlink_to_what_never_ships_is_refused(tree):
    # A link inside the project must not smuggle in what a plain file there could not be.
    root = tree(
        {
            ".env.local": "API_KEY=1",
            ".git/config": "[core]",
            "node_modules/lib/index.js": "module.exports = 1",
            "src/main/resources/a.txt": "a",
        }
    )
    res = root / "src/main/resources"
    (res / "settings.txt").symlink_to("../../../.env.local")
    (res / "repo").symlink_to("../../../.git", target_is_directory=True)
    (res / "lib.js").symlink_to("../../../node_modules/lib/index.js")
    found = collect(res, project_root=root)
    assert names(found) == ["a.txt"]
    got = {p.file: p for p in found.problems}
    assert sorted(got) == [
        "src/main/resources/lib.js",
        "src/main/resources/repo",
        "src/main/resources/settings.txt",
    ]
    assert {p.rule for p in found.problems} == {"DP505"}
    message = got["src/main/resources/settings.txt"].message
    assert "symlink to .env.local, which never ships" in message
    assert "git folder" in got["src/main/resources/repo"].message
    assert "node_modules/lib/index.js" in got["src/main/resources/lib.js"].message


def test_symlink_loops_and_broken_links_are_problems(tree):
    root = tree({"src/main/resources/a.txt": "a"})
    res = root / "src/main/resources"
    (res / "self").symlink_to("self")
    (res / "up").symlink_to("..", target_is_directory=True)
    (res / "gone.js").symlink_to("nowhere.js")
    found = collect(res, project_root=root)
    assert names(found) == ["a.txt"]
    by_file = {p.file: p for p in found.problems}
    assert set(by_file) == {
        "src/main/resources/self",
        "src/main/resources/up/resources",
        "src/main/resources/gone.js",
    }
    assert "symlink loop" in by_file["src/main/resources/up/resources"].message
    assert "symlink loop" in by_file["src/main/resources/self"].message
    assert "broken symlink" in by_file["src/main/resources/gone.js"].message
    assert all(p.rule == "DP502" for p in found.problems)


def test_directory_link_to_an_ancestor_is_a_loop(tree):
    root = tree({"src/main/resources/sub/a.txt": "a"})
    (root / "src/main/resources/sub/again").symlink_to("..", target_is_directory=True)
    found = collect(root / "src/main/resources", project_root=root)
    assert names(found) == ["sub/a.txt"]
    [problem] = found.problems
    assert problem.file == "src/main/resources/sub/again"
    assert "symlink loop" in problem.message


def test_fifo_is_not_packed(tree):
    root = tree({"src/main/resources/a.txt": "a"})
    os.mkfifo(root / "src/main/resources/pipe")
    found = collect(root / "src/main/resources", project_root=root)
    [problem] = found.problems
    assert problem.rule == "DP503" and "not a regular file" in problem.message


def test_unlistable_folder_is_an_environment_failure(tree, monkeypatch):
    root = tree({"src/main/resources/sub/a.txt": "a"})
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(scan.os, "scandir", scandir)
    with pytest.raises(EnvironmentFailure) as caught:
        collect(root / "src/main/resources", project_root=root)
    assert caught.value.message == "cannot read src/main/resources/sub: Permission denied"
    assert "chmod a+rx" in (caught.value.hint or "")  # a folder must be listable too


def test_a_name_that_is_not_utf8_is_shown_with_its_bytes(tree):
    root = tree({"src/main/resources/ok.txt": "k"})
    res = root / "src/main/resources"
    (Path(os.fsdecode(bytes(res))) / os.fsdecode(b"bad\xffname.txt")).write_text("x")
    found = collect(res, project_root=root)
    assert names(found) == ["ok.txt"]
    [problem] = found.problems
    assert problem.rule == "DP504"
    assert problem.file == "src/main/resources/bad\\xffname.txt"
    assert problem.message.startswith("src/main/resources/bad\\xffname.txt has a name")


def test_names_are_nfc(tree):
    root = tree({"src/main/resources/cafe\u0301.txt": "x"})
    found = collect(root / "src/main/resources", project_root=root)
    assert names(found) == ["caf\u00e9.txt"]


# -- secrets -----------------------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "f.js") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_finds_each_kind_with_line_and_column(tmp_path):
    text = (
        "const a = 1;\n"
        f"const token = '{GH_TOKEN}';\n"
        f"  id = {AWS_ID}\n"
        f'aws_secret_access_key = "{AWS_SECRET}"\n'
        f"{PEM}"
    )
    found = find_secrets(write(tmp_path, text))
    assert [(f.kind, f.line, f.column) for f in found] == [
        ("GitHub token", 2, 16),
        ("AWS access key", 3, 8),
        ("AWS secret access key", 4, 26),
        ("private key", 5, 1),
    ]
    assert found[0].shown == "ghp_…3z4A"
    assert GH_TOKEN not in repr(found)


@pytest.mark.parametrize(
    "text",
    [
        # a PEM header alone is what crypto libraries contain, not a key
        'if (s.indexOf("-----BEGIN RSA PRIVATE KEY-----") === 0) { parse(s) }',
        # prefixes glued to longer words are other identifiers
        "x" + GH_TOKEN,
        AWS_ID + "X",
        "ghp_short",
        "const AKIA = 1;",
        f"aws_key = '{AWS_SECRET[:30]}'",
    ],
)
def test_no_false_positive(tmp_path, text):
    assert find_secrets(write(tmp_path, text)) == []


@pytest.mark.parametrize("prefix", ["ghp", "gho", "ghu", "ghs", "ghr"])
def test_every_kind_of_github_token(tmp_path, prefix):
    token = prefix + GH_TOKEN[3:]
    [found] = find_secrets(write(tmp_path, f"/* {token} */ body {{}}\n", "a.css"))
    assert (found.kind, found.line, found.column) == ("GitHub token", 1, 4)
    fine_grained = "github_pat_" + "A1b2C3d4E5" * 8 + "xy"
    [found] = find_secrets(write(tmp_path, f"t = '{fine_grained}';\n"))
    assert found.kind == "GitHub token"


def test_real_third_party_builds_are_not_flagged(sdk_core_js):
    # Minified and bundled code is where false positives live: every JavaScript, CSS and source
    # map file npm installed for the tests (React's UMD builds, the apps SDK, esbuild, ...).
    node_modules = sdk_core_js.parents[3]
    scanned = [
        p
        for p in sorted(node_modules.rglob("*"))
        if p.suffix in (".js", ".mjs", ".cjs", ".css", ".map") and p.is_file()
    ]
    assert len(scanned) > 100
    assert node_modules / "react/umd/react.production.min.js" in scanned
    flagged = {str(p.relative_to(node_modules)): find_secrets(p) for p in scanned}
    assert {name: found for name, found in flagged.items() if found} == {}


def test_pem_with_escaped_newlines_in_a_js_string(tmp_path):
    body = PEM.replace("\n", "\\n")
    found = find_secrets(write(tmp_path, f'const key = "{body}";'))
    assert [f.kind for f in found] == ["private key"]


@pytest.mark.parametrize(
    "template",
    [
        'const key = "{0}\\n" +\n  "{1}\\n" +\n  "{2}";',  # concatenated lines
        "const key = ['{0}', '{1}', '{2}'].join('\\n');",  # an array joined
        "const key = `{0}\n{1}\n{2}`;",  # a template literal
    ],
)
def test_pem_split_over_js_strings(tmp_path, template):
    header, body, footer = PEM.splitlines()
    found = find_secrets(write(tmp_path, template.format(header, body, footer)))
    assert [f.kind for f in found] == ["private key"]


@pytest.mark.parametrize(
    "text",
    [
        # how crypto libraries build a PEM from a key they were given
        'var pem = "-----BEGIN RSA PRIVATE KEY-----\\n" + forge.util.encode64(der, 64);',
        "pem = '-----BEGIN PRIVATE KEY-----\\r\\n' + base64;",
    ],
)
def test_pem_built_by_code_is_not_a_key(tmp_path, text):
    assert find_secrets(write(tmp_path, text)) == []


def test_allowlist_pragma(tmp_path):
    path = write(tmp_path, f"t = '{GH_TOKEN}'  // pragma: allowlist secret\nu = '{GH_TOKEN}'\n")
    assert [f.line for f in find_secrets(path)] == [2]


@pytest.mark.parametrize("chunk", [64, 100, 4096, 1 << 20])
def test_chunked_reading_finds_each_secret_once_at_the_right_place(tmp_path, chunk):
    lines = [f"filler line {i} " + "x" * (i % 50) for i in range(2000)]
    lines[777] = f"pad {GH_TOKEN} pad"
    lines[1500] = f"key {AWS_ID}"
    path = write(tmp_path, "\n".join(lines))
    found = find_secrets(path, chunk_size=chunk)
    assert [(f.kind, f.line, f.column) for f in found] == [
        ("GitHub token", 778, 5),
        ("AWS access key", 1501, 5),
    ]


def test_secret_problems_name_the_file_and_key_files(tmp_path):
    key = tmp_path / "id_rsa"
    key.write_text("not even a pem")
    [by_name] = secret_problems(key, "src/main/resources/id_rsa")
    assert by_name.rule == "DP510" and "SSH private key" in by_name.message
    path = write(tmp_path, f"x\n{GH_TOKEN}\n")
    [problem] = secret_problems(path, "src/main/resources/f.js")
    assert problem.file == "src/main/resources/f.js"
    assert (problem.line, problem.column) == (2, 1)
    assert "contains a GitHub token" in problem.message and GH_TOKEN not in problem.message
    [aws] = secret_problems(write(tmp_path, f"k = '{AWS_ID}'\n"), "src/main/resources/g.js")
    assert "contains an AWS access key (AKIA…4KDP)" in aws.message


CLIENT_SECRET = "0123456789abcdef" * 2 + "01234567"  # pragma: allowlist secret


@pytest.mark.parametrize(
    ("text", "column"),
    [
        (f'const config = {{ clientSecret: "{CLIENT_SECRET}" }};\n', 33),
        (f"CLIENT_SECRET = '{CLIENT_SECRET}'\n", 18),
        (f'{{"client_secret":"{CLIENT_SECRET}"}}\n', 19),
        (f"github.clientSecret=`{CLIENT_SECRET}`;\n", 22),
    ],
)
def test_an_oauth_client_secret_given_to_a_secret_name(tmp_path, text, column):
    [found] = find_secrets(write(tmp_path, text))
    assert (found.kind, found.line, found.column) == ("OAuth client secret", 1, column)
    assert CLIENT_SECRET not in repr(found)


@pytest.mark.parametrize(
    "text",
    [
        f'const commit = "{CLIENT_SECRET}";',  # a SHA-1: 40 hex, but no secret's name
        f'clientSecret: "{CLIENT_SECRET.upper()}"',  # GitHub's secrets are lower-case
        'secret: "0123456789abcdef"',  # too short
        f'clientSecret: "{CLIENT_SECRET}0"',  # too long: something else
        "clientSecret: form.values.githubClientSecret",  # read at run time, as it should be
    ],
)
def test_no_false_client_secret(tmp_path, text):
    assert find_secrets(write(tmp_path, text)) == []
