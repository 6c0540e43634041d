"""`deskpro package`: real zips, opened with zipfile and `unzip -t`, and every failure case."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from deskpro_cli.build import archive, assemble
from deskpro_cli.build.outdir import RECORD_NAME
from deskpro_cli.manifest import dumps_resolved, load_source, resolve

from .apps import VANILLA_ENTRIES, package_json, vanilla_app
from .test_archive import unzip_test
from .test_scan import GH_TOKEN


@pytest.fixture
def app(tree):
    return tree(vanilla_app())


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        assert zf.testzip() is None
        return zf.namelist()


def leftovers(folder: Path) -> list[str]:
    """Temporary files or staging folders a build left behind (not the build's record)."""
    return sorted(p.name for p in folder.rglob(".*") if p.name not in (".gitignore", RECORD_NAME))


def packaged(cli, app: Path) -> bytes:
    """Package once and return the zip's bytes (the 'previous zip' of the failure tests)."""
    cli("package", app)
    return (app / "dist/app.zip").read_bytes()


# -- the happy path ----------------------------------------------------------------------------
def test_vanilla_app_has_exactly_the_expected_entries(cli, app):
    run = cli("package", app)
    zip_path = app / "dist/app.zip"
    assert names(zip_path) == VANILLA_ENTRIES
    unzip_test(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        manifest_text = zf.read("manifest.json").decode()
        assert zf.read("html/index.html") == (app / "src/main/html/index.html").read_bytes()
        assert zf.read("assets/icon.png") == (app / "src/main/resources/icon.png").read_bytes()
        assert zf.getinfo("assets/icon.png").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("assets/main.js").compress_type == zipfile.ZIP_DEFLATED
        install_page = zf.read("html/install.html").decode()
    assert manifest_text == dumps_resolved(resolve(load_source(app)))
    manifest = json.loads(manifest_text)
    assert manifest["targets"][-1] == {"target": "install", "url": "html/install.html"}
    assert "My first app" in install_page
    # dist/ holds the same bundle, unzipped, beside the zip
    dist = sorted(
        p.relative_to(app / "dist").as_posix() for p in (app / "dist").rglob("*") if p.is_file()
    )
    assert dist == sorted([*VANILLA_ENTRIES, "app.zip", ".deskpro-build.json"])
    # the record of what the build wrote (so the next build replaces only its own files)
    record = json.loads((app / "dist/.deskpro-build.json").read_text())
    assert record == {"files": sorted(VANILLA_ENTRIES)}
    assert "packaged" in run.output and "sha256" in run.stdout
    assert "assets/deskpro-installer.js" in run.stdout  # the largest entries


def test_admin_readme_goes_to_docs_and_other_docs_do_not(cli, tree):
    app = tree({**vanilla_app(), "src/main/docs/ADMIN_README.md": "# Admin\n"})
    cli("package", app)
    got = names(app / "dist/app.zip")
    assert "docs/ADMIN_README.md" in got
    assert not any(n.endswith("README.md") and n != "docs/ADMIN_README.md" for n in got)


def test_same_sha256_from_two_folders_with_dates_changed(cli, tree, tmp_path):
    one = tree(vanilla_app())
    two = tmp_path / "elsewhere" / "copy-of-app"
    shutil.copytree(one, two)
    for i, path in enumerate(sorted(two.rglob("*"))):
        os.utime(path, (1_000_000 + i * 7777, 1_000_000 + i * 7777))
    (two / "src/main/resources/main.css").chmod(0o600)
    first = json.loads(cli("package", one, "--json").stdout)
    second = json.loads(cli("package", two, "--json").stdout)
    assert first["sha256"] == second["sha256"]
    assert (one / "dist/app.zip").read_bytes() == (two / "dist/app.zip").read_bytes()
    # and again in place, after touching every file: still the same bytes
    for path in one.rglob("*"):
        os.utime(path, None)
    assert json.loads(cli("package", one, "--json").stdout)["sha256"] == first["sha256"]


def test_same_bytes_whatever_the_process_locale_timezone_umask_and_hash_seed(tree, tmp_path):
    # In separate processes, so nothing can ride on one interpreter's state (set order under
    # PYTHONHASHSEED, the locale's collation, the time zone, the umask).
    files = {
        **vanilla_app(),
        "src/main/resources/Zebra.css": "b{}",
        "src/main/resources/\u00e9t\u00e9.css": "a{}",
        "src/main/resources/e\u0301clair.css": "c{}",  # NFD, as macOS writes it
        "src/main/resources/sub/z.js": "1",
        "src/main/resources/sub-a.js": "2",
    }
    app = tree(files)
    runs = [
        {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C", "umask": 0o022},
        {"PYTHONHASHSEED": "2", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "umask": 0o077},
    ]
    digests = []
    for i, run in enumerate(runs):
        umask = run.pop("umask")
        out = tmp_path / f"app{i}.zip"
        proc = subprocess.run(
            [sys.executable, "-m", "deskpro_cli", "package", str(app), "-o", str(out), "--json"],
            env={**os.environ, **run},
            preexec_fn=lambda umask=umask: os.umask(umask),
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        digests.append(json.loads(proc.stdout)["sha256"])
        shutil.rmtree(app / "dist")
    assert digests[0] == digests[1]
    with zipfile.ZipFile(tmp_path / "app0.zip") as zf:
        assets = [n for n in zf.namelist() if n.startswith("assets/") and n.endswith("s")]
    assert assets == sorted(assets)  # code-point order, not the locale's
    assert "assets/\u00e9clair.css" in assets  # NFC


def test_source_date_epoch_dates_every_entry(cli, app):
    cli("package", app, env={"SOURCE_DATE_EPOCH": "1700000000"})
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        assert {zi.date_time for zi in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_bad_source_date_epoch_is_a_usage_error(cli, app):
    run = cli("package", app, code=2, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert "SOURCE_DATE_EPOCH" in run.stderr
    assert not (app / "dist").exists()


def test_json_shape(cli, app):
    run = cli("package", app, "--json")
    data = json.loads(run.stdout)
    assert set(data) >= {"ok", "path", "bytes", "entries", "sha256", "warnings"}
    assert data["ok"] is True
    assert Path(data["path"]).resolve() == (app / "dist/app.zip").resolve()
    assert data["bytes"] == (app / "dist/app.zip").stat().st_size
    assert data["entries"] == len(VANILLA_ENTRIES)
    assert data["sha256"] == archive.sha256_of(app / "dist/app.zip")
    assert isinstance(data["warnings"], list)
    assert [e["name"] for e in data["largest"]][:1] and all(
        set(e) == {"name", "bytes", "compressed"} for e in data["largest"]
    )


def test_quiet_still_prints_the_zips_path(cli, app):
    run = cli("-q", "package", app)
    assert run.stdout.startswith(f"packaged {app / 'dist/app.zip'}\n")  # the result itself
    assert "sha256" in run.stdout
    assert "packaging" not in run.stderr


def test_warnings_are_shown_and_do_not_stop_the_build(cli, tree):
    targets = [{"target": "ticket-sidebar", "url": "html/index.html"}] * 2  # DP221, a warning
    app = tree(
        {
            **vanilla_app(targets=targets),
            "src/main/resources/fonts.css": "@font-face { src: url(gone.woff2); }\n",  # DP523
        }
    )
    run = cli("package", app)
    assert "warning DP221" in run.stderr
    assert "src/main/resources/fonts.css:1:23: warning DP523" in run.stderr
    assert (app / "dist/app.zip").is_file()
    data = json.loads(cli("package", app, "--json").stdout)
    assert data["ok"] is True
    assert sorted(w["rule"] for w in data["warnings"]) == ["DP221", "DP523"]


def test_json_failure_shape(cli, tree):
    app = tree(vanilla_app(targets=[{"target": "ticket-sidebar", "url": "html/missing.html"}]))
    run = cli("package", app, "--json", code=1)
    data = json.loads(run.stdout)
    assert data["ok"] is False
    [problem] = data["problems"]
    assert problem["rule"] == "DP220"
    assert problem["file"].endswith("package.json")
    assert problem["pointer"] == "/deskpro/targets/0/url"
    assert isinstance(problem["line"], int)


def test_path_may_name_the_projects_manifest_file(cli, app):
    run = cli("package", app / "package.json")
    assert names(app / "dist/app.zip") == VANILLA_ENTRIES
    assert "packaged" in run.output


def test_output_option_writes_elsewhere(cli, app, tmp_path):
    target = tmp_path / "out" / "my-app-0.1.0.zip"
    cli("package", app, "-o", target)
    assert names(target) == VANILLA_ENTRIES
    assert not (app / "dist/app.zip").exists()
    assert (app / "dist/manifest.json").is_file()


def test_output_never_overwrites_a_file_that_is_not_a_zip(cli, app):
    before = (app / "package.json").read_bytes()
    run = cli("package", app, "-o", app / "package.json", code=2)
    assert "package.json" in run.stderr and "not a zip" in run.stderr
    assert (app / "package.json").read_bytes() == before
    notes = app / "notes.zip"
    notes.write_text("my notes, not a zip")
    cli("package", app, "-o", notes, code=2)
    assert notes.read_text() == "my notes, not a zip"
    assert not (app / "dist").exists()  # refused before anything was built


def test_output_inside_src_is_refused(cli, app):
    # the next build would pack the zip into itself
    run = cli("package", app, "-o", app / "src/main/resources/app.zip", code=2)
    assert "src/" in run.stderr
    assert not (app / "src/main/resources/app.zip").exists()


def test_output_over_a_previous_zip_is_fine(cli, app, tmp_path):
    target = tmp_path / "app.zip"
    cli("package", app, "-o", target)
    first = target.read_bytes()
    target.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    cli("package", app, "-o", target)
    assert target.read_bytes() == first


def test_never_packs_dotfiles_node_modules_or_source_maps(cli, tree):
    app = tree(
        {
            **vanilla_app(),
            "src/main/resources/.env": "API_KEY=1",
            "src/main/resources/.env.production": "API_KEY=2",
            "src/main/resources/.DS_Store": b"\0\0",
            "src/main/resources/node_modules/x/index.js": "module.exports = 1",
            "src/main/resources/vendor/lib.min.js": "var lib;\n//# sourceMappingURL=lib.min.js.map",
            "src/main/resources/vendor/lib.min.js.map": "{}",
            "src/main/html/.hidden.html": "<p>",
        }
    )
    run = cli("-v", "package", app)
    got = names(app / "dist/app.zip")
    assert "assets/vendor/lib.min.js" in got
    assert not any(
        part.startswith(".") or part == "node_modules" or part.endswith(".map")
        for n in got
        for part in n.split("/")
    )
    assert "left out 6 file(s)" in run.stderr
    assert "src/main/resources/.env: environment file (.env*)" in run.stderr
    cli("package", app, "--sourcemaps")
    assert "assets/vendor/lib.min.js.map" in names(app / "dist/app.zip")


def test_rebuild_replaces_the_previous_bundle_in_dist(cli, app):
    (app / "src/main/resources/old.js").write_text("1")
    cli("package", app)
    assert (app / "dist/assets/old.js").exists()
    (app / "src/main/resources/old.js").unlink()
    (app / "dist/notes.zip").write_bytes(b"a zip the user keeps")
    cli("package", app)
    assert not (app / "dist/assets/old.js").exists()
    assert (app / "dist/notes.zip").read_bytes() == b"a zip the user keeps"
    assert leftovers(app / "dist") == []


def test_unchanged_files_are_not_copied_again_and_changed_ones_are(cli, app):
    cli("package", app)
    css, dist_css = app / "src/main/resources/main.css", app / "dist/assets/main.css"
    first = dist_css.stat()
    assert first.st_ino != css.stat().st_ino  # dist/ holds copies, never the sources themselves
    cli("package", app)
    assert dist_css.stat().st_ino == first.st_ino  # unchanged: the previous copy is reused
    assert dist_css.stat().st_nlink == 1
    text = css.read_text()
    css.write_text(text.replace("red", "tan"))  # same size, new content and date
    cli("package", app)
    assert dist_css.read_text() == css.read_text()
    with zipfile.ZipFile(app / "dist/app.zip") as zf:
        assert zf.read("assets/main.css").decode() == css.read_text()


# -- missing folders ---------------------------------------------------------------------------
def test_app_without_resources_or_docs_packages(cli, tree):
    files = vanilla_app()
    for name in list(files):
        if name.startswith(("src/main/resources", "src/main/docs")):
            del files[name]
    files["src/main/html/index.html"] = "<!DOCTYPE html><p>hello</p>\n"
    app = tree(files)
    cli("package", app)
    assert names(app / "dist/app.zip") == [
        "manifest.json",
        "assets/deskpro-installer.css",
        "assets/deskpro-installer.js",
        "html/index.html",
        "html/install.html",
    ]


def test_missing_html_folder_names_the_target(cli, tree):
    files = {k: v for k, v in vanilla_app().items() if not k.startswith("src/main/html")}
    app = tree(files)
    run = cli("package", app, code=1)
    assert "DP220" in run.stderr
    assert "target ticket-sidebar points at html/index.html, which is not in the bundle" in (
        run.stderr
    )
    assert "create src/main/html/index.html" in run.stderr
    assert "package.json:" in run.stderr
    assert not (app / "dist").exists()  # a failed first build leaves no empty dist/ behind


def test_missing_asset_reference_names_page_and_line(cli, app):
    page = app / "src/main/html/index.html"
    page.write_text(page.read_text().replace("../assets/main.js", "../assets/mian.js"))
    run = cli("package", app, code=1)
    assert "src/main/html/index.html:11:" in run.stderr
    assert "'../assets/mian.js' is not in the bundle" in run.stderr


def test_no_src_at_all(cli, tree):
    app = tree({"package.json": package_json()})
    run = cli("package", app, code=1)
    assert "html/index.html, which is not in the bundle" in run.stderr


def test_invalid_manifest_builds_nothing(cli, tree):
    app = tree(vanilla_app(scope="everyone"))
    run = cli("package", app, code=1)
    assert "nothing was built" in run.stderr
    assert not (app / "dist").exists()


def test_catastrophic_whitelist_regex_builds_nothing(cli, tree):
    """A regex that backtracks catastrophically is stopped and reported (DP215), not run for
    hours (tests/manifest/test_slow_regex.py)."""
    app = tree(vanilla_app(externalApis=["/^https:\\/\\/(\\w+\\.?)*cdn\\.example\\.net$/"]))
    run = cli("package", app, code=1)
    assert "DP215" in run.stderr and "backtracks catastrophically" in run.stderr
    assert "nothing was built" in run.stderr
    assert not (app / "dist").exists()


def test_not_a_project(cli, app, monkeypatch):
    cli("package", app)
    monkeypatch.chdir(app.parent)
    name = app.name
    run = cli("package", app / "dist", code=2)
    assert f"{name}/dist looks like a built bundle" in run.stderr
    assert f"run `deskpro package {name}`" in run.stderr
    (app / "manifest.json").write_text((app / "dist/manifest.json").read_text())
    run = cli("package", app / "package.json", code=2)  # manifest.json wins in that folder
    assert f"{name}/package.json is a file, not an app project" in run.stderr
    assert f"run `deskpro package {name}`" in run.stderr
    run = cli("package", app / "dist/app.zip", code=2)
    assert f"{name}/dist/app.zip is a packaged app" in run.stderr
    assert f"run `deskpro package {name}`" not in run.stderr  # dist/ is not the project


# -- failures keep the previous zip --------------------------------------------------------------
def test_symlink_loop_fails_and_keeps_the_previous_zip(cli, app):
    before = packaged(cli, app)
    (app / "src/main/resources/loop").symlink_to("loop")
    run = cli("package", app, code=1)
    assert "src/main/resources/loop is a symlink loop" in run.stderr
    assert "DP502" in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before
    assert leftovers(app / "dist") == []


def test_symlink_out_of_the_project_is_refused(cli, app, tmp_path):
    before = packaged(cli, app)
    secret = tmp_path / "outside" / "id.txt"
    secret.parent.mkdir()
    secret.write_text("not for the zip")
    (app / "src/main/resources/linked.txt").symlink_to(secret)
    run = cli("package", app, code=1)
    assert "src/main/resources/linked.txt is a symlink to" in run.stderr
    assert "outside the project" in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before


def test_secret_in_an_asset_fails_naming_the_file(cli, app):
    before = packaged(cli, app)
    dist_before = sorted(p.name for p in (app / "dist/assets").iterdir())
    (app / "src/main/resources/config.js").write_text(f"var a = 1;\nvar token = '{GH_TOKEN}';\n")
    run = cli("package", app, code=1)
    assert "src/main/resources/config.js:2:14: error DP510" in run.stderr
    assert "GitHub token" in run.stderr
    assert GH_TOKEN not in run.output
    assert (app / "dist/app.zip").read_bytes() == before
    assert sorted(p.name for p in (app / "dist/assets").iterdir()) == dist_before


def test_problems_name_files_from_the_current_folder(cli, app, monkeypatch):
    # `deskpro package my-app` from the parent folder: every file is named as my-app/..., the
    # way the manifest's own problems are, so an editor or CI log can open it.
    (app / "src/main/resources/config.js").write_text(f"var token = '{GH_TOKEN}';\n")
    (app / "src/main/html/extra.html").write_text('<script src="../assets/gone.js"></script>\n')
    monkeypatch.chdir(app.parent)
    run = cli("package", app.name, code=1)
    assert f"{app.name}/src/main/html/extra.html:1:1: error DP521" in run.stderr
    (app / "src/main/html/extra.html").unlink()
    run = cli("package", app.name, "--json", code=1)
    [problem] = json.loads(run.stdout)["problems"]
    assert problem["file"] == f"{app.name}/src/main/resources/config.js"
    monkeypatch.chdir(app / "src")
    run = cli("package", "..", code=1)
    assert "main/resources/config.js:1:14: error DP510" in run.stderr


def test_compressed_media_are_not_scanned_as_text_but_key_files_are_refused(cli, app):
    (app / "src/main/resources/photo.jpg").write_bytes(b"\xff\xd8" + GH_TOKEN.encode())
    cli("package", app)
    (app / "src/main/resources/deploy.p12").write_bytes(b"\x30\x82binary")
    run = cli("package", app, code=1)
    assert "src/main/resources/deploy.p12 is a key store file" in run.stderr


def test_secret_default_value_for_a_secret_setting_fails(cli, tree):
    setting = {
        "name": "apiToken",
        "title": "API token",
        "type": "text",
        "required": True,
        "isBackendOnly": True,
        "defaultValue": "abc123",
    }
    app = tree(vanilla_app(settings=[setting]))
    run = cli("package", app, code=1)
    assert "DP511" in run.stderr
    assert 'setting "apiToken" holds a secret but has a default value' in run.stderr
    assert "package.json:" in run.stderr
    assert not (app / "dist/app.zip").exists()


@pytest.mark.parametrize("name", ["main.css", "icon.png"])  # scanned as text / only zipped
def test_unreadable_file_is_exit_3_and_keeps_the_previous_zip(cli, app, monkeypatch, name):
    before = packaged(cli, app)
    victim = app / "src/main/resources" / name
    if os.geteuid() != 0:
        victim.chmod(0)
    else:  # root reads anything: make opening this one file fail as it would for a user
        real_copy, real_open = shutil.copyfile, Path.open

        def refuse(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))

        def copyfile(src, dst, **kw):
            return refuse(src) if Path(src).absolute() == victim else real_copy(src, dst, **kw)

        def path_open(self, *args, **kw):
            return refuse(self) if self.absolute() == victim else real_open(self, *args, **kw)

        monkeypatch.setattr(assemble.shutil, "copyfile", copyfile)
        monkeypatch.setattr(Path, "open", path_open)
    monkeypatch.chdir(app.parent)
    run = cli("package", app.name, code=3)
    assert f"cannot read {app.name}/src/main/resources/{name}: Permission denied" in run.stderr
    assert "chmod a+r" in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before
    assert leftovers(app / "dist") == []


def test_disk_full_while_zipping_is_exit_3_and_keeps_the_previous_zip(cli, app, monkeypatch):
    before = packaged(cli, app)
    real = shutil.copyfileobj
    calls = []

    def copy(src, dst, length=0):
        calls.append(1)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, length)

    monkeypatch.setattr(archive.shutil, "copyfileobj", copy)
    run = cli("package", app, code=3)
    assert "No space left on device" in run.stderr
    assert "the previous zip is unchanged" in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before
    assert leftovers(app / "dist") == []


def test_project_folder_where_dist_cannot_be_created(cli, app, monkeypatch):
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == app / "dist":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    run = cli("package", app, code=3)
    assert f"cannot create {app / 'dist'}: Permission denied" in run.stderr
    assert f"make {app} writable" in run.stderr  # where dist/ is created, not dist/ itself
    assert "another output folder" not in run.stderr  # there is none to choose: -o moves the zip
    run = cli("package", app, "-o", app.parent / "elsewhere.zip", code=3)
    assert "even with -o" in run.stderr


def test_read_only_dist_is_exit_3_and_keeps_the_previous_zip(cli, app, monkeypatch):
    before = packaged(cli, app)
    dist = app / "dist"
    if os.geteuid() != 0:
        dist.chmod(0o555)
    else:  # root writes anywhere: refuse new files in dist/ as a read-only mount would
        real_mkdir = Path.mkdir

        def mkdir(self, *args, **kwargs):
            if self.parent == dist:
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    try:
        run = cli("package", app, code=3)
    finally:
        dist.chmod(0o755)
    assert "cannot write the bundle in" in run.stderr
    assert str(dist) in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before


def test_interrupted_build_is_exit_130_and_keeps_the_previous_zip(cli, app, monkeypatch):
    before = packaged(cli, app)
    real = shutil.copyfileobj
    calls = []

    def copy(src, dst, length=0):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(src, dst, length)

    monkeypatch.setattr(archive.shutil, "copyfileobj", copy)
    run = cli("package", app, code=130)
    assert "interrupted" in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before
    assert leftovers(app / "dist") == []
    assert (app / "dist/html/index.html").is_file()  # dist/ still holds the previous bundle


# -- --max-size --------------------------------------------------------------------------------
def test_max_size_over_the_limit_names_the_biggest_and_keeps_the_zip(cli, app):
    before = packaged(cli, app)
    (app / "src/main/resources/big.bin").write_bytes(os.urandom(20_000))
    run = cli("package", app, "--max-size", "10K", code=1)
    assert "over --max-size 10,240" in run.stderr
    assert "Biggest entries: assets/big.bin (20," in run.stderr
    assert (app / "dist/app.zip").read_bytes() == before
    json_run = cli("package", app, "--max-size", "1MB", "--json")
    assert json.loads(json_run.stdout)["ok"] is True


@pytest.mark.parametrize(
    ("text", "value"),
    [("1000", 1000), ("2K", 2048), ("2KiB", 2048), ("2KB", 2000), ("3m", 3 << 20), ("1G", 1 << 30)],
)
def test_max_size_units(text, value):
    from deskpro_cli.cli.package import parse_size

    assert parse_size(text) == value


def test_max_size_nonsense_is_a_usage_error(cli, app):
    run = cli("package", app, "--max-size", "big", code=2)
    assert "is not a size in bytes" in run.stderr


def test_serve_mode_builds_target_without_a_zip(tree):
    from deskpro_cli.build.pipeline import BuildOptions, build

    app = tree(vanilla_app())
    (app / "target/.deskpro-cache").mkdir(parents=True)
    (app / "target/.deskpro-cache/keep").write_text("cache")
    result = build(app, BuildOptions(mode="serve"))
    assert result.archive is None
    assert result.out_dir == (app / "target").absolute()
    got = sorted(
        p.relative_to(app / "target").as_posix()
        for p in (app / "target").rglob("*")
        if p.is_file() and ".deskpro-cache" not in p.parts
    )
    assert got == sorted([*VANILLA_ENTRIES, RECORD_NAME])
    assert (app / "target/.deskpro-cache/keep").read_text() == "cache"
    assert not (app / "dist").exists()
    assert result.files["assets/main.js"] == "src/main/resources/main.js"


def test_leftovers_of_a_killed_build_are_removed(cli, app):
    stale = app / "dist/.deskpro-staging-999999999-dead/html"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("half written")
    cli("package", app)
    assert not (app / "dist/.deskpro-staging-999999999-dead").exists()
    assert leftovers(app / "dist") == []


def test_half_written_zip_of_a_killed_build_is_removed(cli, app, tmp_path):
    # SIGKILL or a power cut leaves the temporary zip beside its target; the next build that
    # writes that zip removes it (a live build's temporary file is left alone).
    dead = app / "dist/.app.zip.999999999-x1y2.tmp"
    alive = app / f"dist/.app.zip.{os.getpid()}-a1b2.tmp"
    other = tmp_path / "out/.app.zip.999999999-x1y2.tmp"
    for path in (dead, alive, other):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK half a zip")
    cli("package", app)
    assert not dead.exists()
    assert alive.exists() and other.exists()
    cli("package", app, "-o", tmp_path / "out/app.zip")
    assert not other.exists()


def test_sigterm_cleans_up_like_ctrl_c(app, tmp_path):
    # CI cancels a job with SIGTERM: no half-written zip or staging folder may stay behind.
    for i in range(40):
        (app / f"src/main/resources/blob{i:02d}.bin").write_bytes(os.urandom(1 << 20))
    deskpro = [sys.executable, "-m", "deskpro_cli", "package", str(app)]
    subprocess.run(deskpro, check=True, capture_output=True)
    before = (app / "dist/app.zip").read_bytes()
    (app / "src/main/resources/blob00.bin").write_bytes(os.urandom(1 << 20))
    proc = subprocess.Popen(deskpro, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _zip_half_written(app / "dist") and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the build finished before SIGTERM arrived")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert (app / "dist/app.zip").read_bytes() == before
    assert leftovers(app / "dist") == []


def _zip_half_written(folder: Path) -> bool:
    """Whether a zip is being streamed there (a few MB in: well inside the write)."""
    for temp in folder.glob(".app.zip.*.tmp"):
        with contextlib.suppress(OSError):
            if temp.stat().st_size > 4 << 20:
                return True
    return False
