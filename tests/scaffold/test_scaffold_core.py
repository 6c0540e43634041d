"""The scaffold core: checks before writing, rendering rules, all-or-nothing placement."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskpro_cli import place, scaffold
from deskpro_cli.errors import CheckFailed, EnvironmentFailure, UsageError
from deskpro_cli.resources import data_dir

ANSWERS = scaffold.Answers(
    name="my-app",
    title="My App",
    description="Does things",
    author_name="Ada Lovelace",
    author_email="ada@example.com",
)

EXPECTED_FILES = {
    "vanilla": {
        ".gitignore",
        "README.md",
        "package.json",
        "src/main/docs/ADMIN_README.md",
        "src/main/html/index.html",
        "src/main/resources/app.js",
        "src/main/resources/icon.png",
        "src/main/resources/styles.css",
    },
    "react": {
        ".gitignore",
        "README.md",
        "package.json",
        "src/installer/javascript/index.jsx",
        "src/main/docs/ADMIN_README.md",
        "src/main/html/index.html",
        "src/main/javascript/App.jsx",
        "src/main/javascript/index.jsx",
        "src/main/resources/icon.png",
        "src/main/resources/styles.css",
    },
    "github-oauth": {
        ".gitignore",
        "README.md",
        "package.json",
        "src/installer/resources/index.css",
        "src/installer/resources/index.js",
        "src/main/docs/ADMIN_README.md",
        "src/main/html/index.html",
        "src/main/resources/app.js",
        "src/main/resources/icon.png",
        "src/main/resources/styles.css",
    },
}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for folders)."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel] = None if path.is_dir() else path.read_bytes()
    return found


# -- the files of each template -----------------------------------------------------------------
@pytest.mark.parametrize("template", scaffold.TEMPLATES)
def test_project_files_have_the_old_boilerplate_layout(template: str) -> None:
    files = scaffold.project_files(template, ANSWERS)
    assert set(files) == EXPECTED_FILES[template]
    assert not any(rel.endswith(".jinja") or rel == "template.json" for rel in files)


@pytest.mark.parametrize("template", scaffold.TEMPLATES)
def test_static_files_are_copied_byte_for_byte(template: str) -> None:
    files = scaffold.project_files(template, ANSWERS)
    sources = [data_dir("boilerplate"), data_dir("templates") / template]
    copied = 0
    for source in sources:
        for path in source.rglob("*"):
            rel = path.relative_to(source).as_posix()
            if path.is_dir() or rel.endswith(".jinja") or rel == "template.json":
                continue
            out = ".gitignore" if rel == "gitignore" else rel
            assert files[out] == path.read_bytes(), rel
            copied += 1
    assert copied >= 4


@pytest.mark.parametrize("template", scaffold.TEMPLATES)
def test_rendered_files_keep_their_final_newline(template: str) -> None:
    files = scaffold.project_files(template, ANSWERS)
    root = data_dir("templates") / template
    rendered = list(root.rglob("*.jinja"))
    assert rendered
    for path in rendered:
        out = path.relative_to(root).as_posix().removesuffix(".jinja")
        assert path.read_bytes().endswith(b"\n")
        assert files[out].endswith(b"\n"), out
        assert not files[out].endswith(b"\n\n"), out
        assert b"\n\n\n" not in files[out], f"{out}: two blank lines in a row"
        assert b"{{" not in files[out] or out == "README.md", out


def test_gitignore_is_stored_under_another_name_and_renamed() -> None:
    assert (data_dir("boilerplate") / "gitignore").is_file()
    assert not (data_dir("boilerplate") / ".gitignore").exists()
    text = scaffold.project_files("vanilla", ANSWERS)[".gitignore"].decode()
    assert "/dist/" in text and "node_modules/" in text


def test_html_is_escaped_but_json_and_markdown_are_not() -> None:
    tricky = scaffold.Answers(
        name="my-app",
        title='<b>Tom & "Jerry"</b> \\ ünïcode',
        description='Uses <tags> & "quotes"',
        author_name="Zoë O'Brien",
        author_email="zoe@example.com",
    )
    files = scaffold.project_files("vanilla", tricky)
    html = files["src/main/html/index.html"].decode()
    assert "<title>&lt;b&gt;Tom &amp; &#34;Jerry&#34;&lt;/b&gt; \\ ünïcode</title>" in html
    package = json.loads(files["package.json"])
    assert package["deskpro"]["title"] == tricky.title
    assert package["description"] == tricky.description
    assert package["author"] == {"name": "Zoë O'Brien", "email": "zoe@example.com"}
    readme = files["README.md"].decode()
    assert readme.startswith(f"# {tricky.title}\n")
    assert "&amp;" not in readme


@pytest.mark.parametrize("template", scaffold.TEMPLATES)
def test_package_json_is_built_with_json(template: str) -> None:
    raw = scaffold.project_files(template, ANSWERS)["package.json"]
    package = json.loads(raw)
    assert raw == (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()
    assert list(package)[:3] == ["name", "version", "description"]
    assert package["name"] == "my-app"
    assert package["version"] == scaffold.APP_VERSION
    manifest = package["deskpro"]
    assert list(manifest) == [
        "version",
        "title",
        "isSingle",
        "scope",
        "targets",
        "storage",
        "settings",
        "customFields",
        "deskproApiTags",
        "externalApis",
    ]
    assert manifest["version"] == "2.3.0"
    assert manifest["targets"] == [{"target": "ticket-sidebar", "url": "html/index.html"}]


def test_targets_are_written_in_order_without_duplicates() -> None:
    answers = scaffold.Answers(
        **{**ANSWERS.__dict__, "targets": ("person-sidebar", "ticket-sidebar", "person-sidebar")}
    )
    checked = scaffold.check_answers(answers)
    package = json.loads(scaffold.project_files("vanilla", checked)["package.json"])
    assert [t["target"] for t in package["deskpro"]["targets"]] == [
        "person-sidebar",
        "ticket-sidebar",
    ]


def test_react_template_pins_its_dev_dependencies() -> None:
    package = json.loads(scaffold.project_files("react", ANSWERS)["package.json"])
    assert package["devDependencies"] == {
        "esbuild": "0.28.2",
        "react": "18.3.1",
        "react-dom": "18.3.1",
    }
    html = scaffold.project_files("react", ANSWERS)["src/main/html/index.html"].decode()
    assert "react@18.3.1/umd/react.production.min.js" in html
    assert "react-dom@18.3.1/umd/react-dom.production.min.js" in html


@pytest.mark.parametrize("template", scaffold.TEMPLATES)
def test_pages_load_the_pinned_sdk_with_its_integrity_hash(template: str) -> None:
    html = scaffold.project_files(template, ANSWERS)["src/main/html/index.html"].decode()
    sdk = (
        '<script src="https://cdn.jsdelivr.net/npm/@deskpro/apps-sdk-core@2.0.0/dist/'
        'apps-sdk-core.js" integrity="sha384-I5oSqHrUaces7Kq19PllXv3ylhXsQNWbW26ym7WBVPIyIPfs0'
        'l0li344eH2pPlGT" crossorigin="anonymous"></script>'
    )
    assert sdk in html


@pytest.fixture
def one_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str], None]]:
    """``one_template(name, text)``: the bundled data becomes a vanilla template of one file."""

    def make(name: str, text: str) -> None:
        templates = tmp_path / "templates"
        (templates / "vanilla").mkdir(parents=True)
        (templates / "vanilla" / "template.json").write_text('{"description": "x"}')
        (templates / "vanilla" / name).write_text(text)
        (tmp_path / "boilerplate").mkdir()
        monkeypatch.setattr(scaffold, "data_dir", lambda folder: tmp_path / folder)
        scaffold.template_meta.cache_clear()

    yield make
    scaffold.template_meta.cache_clear()


def test_strict_undefined_fails_loudly(one_template: Callable[[str, str], None]) -> None:
    from jinja2 import UndefinedError

    one_template("README.md.jinja", "{{ no_such_value }}\n")
    with pytest.raises(UndefinedError):
        scaffold.project_files("vanilla", ANSWERS)


def test_templates_are_sandboxed(one_template: Callable[[str, str], None]) -> None:
    from jinja2.exceptions import SecurityError

    one_template("x.jinja", "{{ sdk.__class__.__init__.__globals__ }}\n")
    with pytest.raises(SecurityError):
        scaffold.project_files("vanilla", ANSWERS)


# -- checks -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "My App", "lower case"),
        ("name", "", "must not be empty"),
        ("title", "  ", "--title must not be empty"),
        ("title", "two\nlines", "single line"),
        ("author_email", "not-an-address", "invalid e-mail"),
        ("author_name", "", "--author-name must not be empty"),
        ("targets", ("ticket-sidebr",), "did you mean 'ticket-sidebar'"),
        ("targets", ("install",), "install target"),
        ("targets", (), "at least one target"),
    ],
)
def test_bad_values_are_usage_errors(field: str, value: object, message: str) -> None:
    answers = scaffold.Answers(**{**ANSWERS.__dict__, field: value})
    with pytest.raises(UsageError) as caught:
        scaffold.check_answers(answers)
    assert message in caught.value.message + " " + str(caught.value.hint)


def test_known_targets_are_the_schema_list() -> None:
    known = scaffold.known_targets()
    assert len(known) == 60  # 61 in the schema, less `install`
    assert {"ticket-sidebar", "person-sidebar", "org-sidebar", "background"} <= known
    assert "install" not in known


def test_default_answers_come_from_the_folder_name(tmp_path: Path) -> None:
    answers = scaffold.default_answers(tmp_path / "My Cool_App", "github-oauth")
    assert answers.name == "my-cool_app"
    assert answers.title == "My Cool App"
    assert answers.description == scaffold.template_meta("github-oauth")["description"]
    assert scaffold.check_answers(answers) == answers


# -- writing ------------------------------------------------------------------------------------
def test_new_folder_is_created_in_one_move(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "still" / "app"
    result = scaffold.scaffold(target, "vanilla", ANSWERS)
    assert set(result.created) == EXPECTED_FILES["vanilla"]
    assert result.kept == ()
    on_disk = {k for k, v in snapshot(target).items() if v is not None}
    assert on_disk == EXPECTED_FILES["vanilla"]
    # nothing temporary is left beside it
    assert sorted(p.name for p in target.parent.iterdir()) == ["app"]
    mode = (target / "package.json").stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()
    assert target.stat().st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_existing_empty_folder_is_filled_in_place(tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    inode = target.stat().st_ino
    scaffold.scaffold(target, "github-oauth", ANSWERS)
    assert target.stat().st_ino == inode  # still the same folder (safe for `init .`)
    assert {k for k, v in snapshot(target).items() if v is not None} == EXPECTED_FILES[
        "github-oauth"
    ]


def test_non_empty_folder_is_refused_untouched(tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    with pytest.raises(CheckFailed, match="not empty"):
        scaffold.scaffold(target, "vanilla", ANSWERS)
    assert snapshot(tmp_path) == before


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.write_text("a file")
    with pytest.raises(CheckFailed, match="not a folder"):
        scaffold.scaffold(target, "vanilla", ANSWERS)
    assert target.read_text() == "a file"


def test_force_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "app"
    (target / "src" / "main" / "resources").mkdir(parents=True)
    (target / "README.md").write_text("my own readme\n")
    (target / "src" / "main" / "resources" / "icon.png").write_bytes(b"my icon")
    (target / "other.txt").write_text("unrelated")
    result = scaffold.scaffold(target, "vanilla", ANSWERS, force=True)
    assert set(result.kept) == {"README.md", "src/main/resources/icon.png"}
    assert set(result.created) == EXPECTED_FILES["vanilla"] - set(result.kept)
    assert (target / "README.md").read_text() == "my own readme\n"
    assert (target / "src/main/resources/icon.png").read_bytes() == b"my icon"
    assert (target / "other.txt").read_text() == "unrelated"
    assert json.loads((target / "package.json").read_text())["name"] == "my-app"
    assert not [p for p in target.iterdir() if p.name.startswith(".deskpro-init-")]


def test_force_refuses_a_file_where_a_folder_must_go(tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    (target / "src").write_text("a file called src")
    before = snapshot(tmp_path)
    with pytest.raises(CheckFailed, match="is a file, not a folder"):
        scaffold.scaffold(target, "vanilla", ANSWERS, force=True)
    assert snapshot(tmp_path) == before


def test_force_never_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    """init writes only inside its folder: a linked sub-folder would lead the files elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = tmp_path / "app"
    target.mkdir()
    (target / "src").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path)
    with pytest.raises(CheckFailed, match="src is a symbolic link"):
        scaffold.scaffold(target, "vanilla", ANSWERS, force=True)
    assert snapshot(tmp_path) == before
    assert list(elsewhere.iterdir()) == []


def test_force_keeps_a_symbolic_link_where_a_file_goes(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("not mine to change\n")
    target = tmp_path / "app"
    target.mkdir()
    (target / "README.md").symlink_to(outside)
    result = scaffold.scaffold(target, "vanilla", ANSWERS, force=True)
    assert result.kept == ("README.md",)
    assert outside.read_text() == "not mine to change\n"
    assert (target / "README.md").is_symlink()


def test_bad_name_writes_nothing(tmp_path: Path) -> None:
    answers = scaffold.Answers(**{**ANSWERS.__dict__, "name": "Bad Name"})
    with pytest.raises(UsageError):
        scaffold.scaffold(tmp_path / "new" / "app", "vanilla", answers)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("existing", [False, True])
def test_ctrl_c_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    target = tmp_path / "parent" / "app"
    if existing:
        target.mkdir(parents=True)
        (target / "keep.txt").write_text("keep")
    before = snapshot(tmp_path)
    real_write = os.fdopen
    calls = {"n": 0}

    def interrupted(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            os.close(fd)
            raise KeyboardInterrupt
        return real_write(fd, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(place.os, "fdopen", interrupted)
    with pytest.raises(KeyboardInterrupt):
        scaffold.scaffold(target, "vanilla", ANSWERS, force=existing)
    assert calls["n"] == 4
    assert snapshot(tmp_path) == before


def test_ctrl_c_while_placing_files_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "app"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    before = snapshot(tmp_path)
    real_place = place._place_file
    placed: list[Path] = []

    def place_one(source: Path, dest: Path) -> None:
        if len(placed) == 5:
            raise KeyboardInterrupt
        real_place(source, dest)
        placed.append(dest)

    monkeypatch.setattr(place, "_place_file", place_one)
    with pytest.raises(KeyboardInterrupt):
        scaffold.scaffold(target, "github-oauth", ANSWERS, force=True)
    assert len(placed) == 5
    assert snapshot(tmp_path) == before


def test_disk_full_is_an_environment_failure_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open
    calls = {"n": 0}

    def full(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(place.os, "open", full)
    with pytest.raises(EnvironmentFailure) as caught:
        scaffold.scaffold(tmp_path / "a" / "b" / "app", "react", ANSWERS)
    assert "No space left on device" in caught.value.message
    assert caught.value.hint and "disk space" in caught.value.hint
    assert caught.value.exit_code == 3
    assert list(tmp_path.iterdir()) == []


def test_hard_links_unavailable_falls_back_to_exclusive_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(place.os, "link", no_links)
    target = tmp_path / "app"
    target.mkdir()
    (target / "README.md").write_text("mine")
    result = scaffold.scaffold(target, "vanilla", ANSWERS, force=True)
    assert "README.md" in result.kept
    assert (target / "README.md").read_text() == "mine"
    assert (target / "src/main/resources/icon.png").read_bytes() == (
        data_dir("boilerplate") / "src/main/resources/icon.png"
    ).read_bytes()


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "exclusive-copy"])
def test_a_file_created_meanwhile_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    """Between the check and the placing another program creates package.json: it stays."""
    target = tmp_path / "app"
    target.mkdir()
    real_write = place._write_tree

    def write_then_race(root: Path, files: dict[str, bytes]) -> None:
        real_write(root, files)
        (target / "package.json").write_text("someone else's\n")

    monkeypatch.setattr(place, "_write_tree", write_then_race)
    if not links:

        def no_links(src: object, dst: object) -> None:
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(place.os, "link", no_links)
    with pytest.raises(EnvironmentFailure, match="File exists") as caught:
        scaffold.scaffold(target, "vanilla", ANSWERS)
    assert caught.value.hint and "created that file meanwhile" in caught.value.hint
    assert (target / "package.json").read_text() == "someone else's\n"
    assert [p.name for p in target.iterdir()] == ["package.json"]  # the rest rolled back
