"""``deskpro init``: a new app project from a bundled template, all or nothing.

Contract:
- Every value is checked before anything is written: the template, the npm package name, the
  targets, the title/description/author, and the target folder (refused when it holds files,
  unless ``force``).
- The project is rendered in memory, then placed by :func:`deskpro_cli.place.place_files`: into
  a temporary folder moved into place, never overwriting an existing file (``force``), never
  writing through a symbolic link, and rolled back on any failure, Ctrl-C included.
- Files come from ``boilerplate/`` (shared by every template, copied as bytes) and then
  ``templates/<template>/`` (a file there replaces a boilerplate file of the same path). Only
  ``*.jinja`` files are rendered (jinja2 sandbox, StrictUndefined, final newlines kept, HTML
  autoescaping only for ``.html`` templates); everything else is copied byte for byte. A file
  called ``gitignore`` becomes ``.gitignore`` (stored under another name so it does not act on
  this repository). ``package.json`` is built with the json module from the template's
  ``template.json``, never by templating JSON text.

This module never prints and never prompts: the CLI layer asks for missing values and passes
them in.
"""

from __future__ import annotations

import errno
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from deskpro_cli import __version__
from deskpro_cli.build import cdn
from deskpro_cli.errors import CheckFailed, EnvironmentFailure, UsageError
from deskpro_cli.npm_name import name_problems, suggest_name
from deskpro_cli.place import place_files
from deskpro_cli.resources import data_dir

log = logging.getLogger(__name__)

TEMPLATES = ("vanilla", "react", "github-oauth")
DEFAULT_TEMPLATE = "vanilla"
DEFAULT_TARGET = "ticket-sidebar"
SCHEMA_VERSION = "2.3.0"
APP_VERSION = "0.1.0"
APP_PAGE = "html/index.html"
DEFAULT_AUTHOR_NAME = "Your Name"
DEFAULT_AUTHOR_EMAIL = "you@example.com"

#: Files in a template folder that describe the template rather than belong to the project.
_META = "template.json"
#: Stored names that become another name in the project.
_RENAMES = {"gitignore": ".gitignore"}
_JINJA = ".jinja"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Answers:
    """The values a project is made from, complete and (after :func:`check_answers`) valid."""

    name: str
    title: str
    description: str
    author_name: str
    author_email: str
    targets: tuple[str, ...] = (DEFAULT_TARGET,)


@dataclass(frozen=True)
class ScaffoldResult:
    """What :func:`scaffold` did: relative POSIX paths of the files it created and kept."""

    directory: Path
    template: str
    created: tuple[str, ...]
    kept: tuple[str, ...]


# -- templates ----------------------------------------------------------------------------------
def check_template(template: str) -> None:
    """Raise :class:`UsageError` unless ``template`` is one of :data:`TEMPLATES`."""
    if template not in TEMPLATES:
        raise UsageError(
            f"unknown template {template!r}",
            hint=f"choose one of: {', '.join(TEMPLATES)}",
        )


@cache
def template_meta(template: str) -> dict[str, Any]:
    """The template's ``template.json``: default description, manifest parts, npm extras."""
    check_template(template)
    path = data_dir("templates") / template / _META
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return meta


# -- defaults and checks ------------------------------------------------------------------------
def folder_name(directory: Path) -> str:
    """The name of the folder ``directory`` points at (``.`` resolved to the current folder)."""
    return Path(directory).resolve().name


def default_answers(directory: Path, template: str) -> Answers:
    """Answers made from the folder's name, used with ``--no-input`` and as prompt defaults."""
    base = folder_name(directory)
    name = suggest_name(base)
    words = [w for w in re.split(r"[-_.\s]+", base) if w]
    title = " ".join(w[:1].upper() + w[1:] for w in words) or "Deskpro App"
    return Answers(
        name=name,
        title=title,
        description=str(template_meta(template)["description"]),
        author_name=DEFAULT_AUTHOR_NAME,
        author_email=DEFAULT_AUTHOR_EMAIL,
    )


def check_name(name: str) -> None:
    """Raise :class:`UsageError` when npm would refuse ``name`` for a new package."""
    problems = name_problems(name)
    if problems:
        raise UsageError(
            f"invalid app name {name!r}: the name {'; '.join(problems)}",
            hint=f"an app's name is an npm package name, for example --name {suggest_name(name)}",
        )


def known_targets() -> frozenset[str]:
    """Target names an app may ask for (``install`` is added by ``deskpro package`` itself)."""
    from deskpro_cli.manifest import INSTALL_TARGET, TARGETS

    return frozenset(TARGETS) - {INSTALL_TARGET}


def check_targets(targets: Iterable[str]) -> tuple[str, ...]:
    """The targets, de-duplicated in order; :class:`UsageError` for an unknown one."""
    known = known_targets()
    result: list[str] = []
    for target in targets:
        if target == "install":
            raise UsageError(
                "the install target cannot be asked for",
                hint="deskpro package adds html/install.html as the install target itself",
            )
        if target not in known:
            import difflib

            close = difflib.get_close_matches(target, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see the target list in the docs"
            raise UsageError(f"unknown target {target!r}", hint=hint)
        if target not in result:
            result.append(target)
    if not result:
        raise UsageError("an app needs at least one target", hint=f"--target {DEFAULT_TARGET}")
    return tuple(result)


def check_line(option: str, value: str) -> None:
    """Raise :class:`UsageError` unless ``value`` is one non-empty line (``option`` names it)."""
    if not value.strip():
        raise UsageError(f"{option} must not be empty", hint=f"give {option} a value")
    if _CONTROL.search(value):
        raise UsageError(
            f"{option} must be a single line of text", hint="remove tabs and line breaks"
        )


def check_email(value: str) -> None:
    """Raise :class:`UsageError` unless ``value`` looks like an e-mail address."""
    if not _EMAIL.match(value):
        raise UsageError(
            f"invalid e-mail address {value!r}", hint="give --author-email as name@example.com"
        )


def check_answers(answers: Answers) -> Answers:
    """Check every value; return the answers with the targets de-duplicated."""
    check_name(answers.name)
    check_line("--title", answers.title)
    check_line("--description", answers.description)
    check_line("--author-name", answers.author_name)
    check_email(answers.author_email)
    targets = check_targets(answers.targets)
    return Answers(
        answers.name,
        answers.title,
        answers.description,
        answers.author_name,
        answers.author_email,
        targets,
    )


def check_directory(directory: Path, *, force: bool) -> None:
    """Refuse a target that is not a folder, or a folder with files in it unless ``force``.

    Raises:
        CheckFailed: a file, a broken link, a file among its parents, a folder with files (1).
        UsageError: a name longer than the file system allows (2).
        EnvironmentFailure: the folder or a parent cannot be looked at (permissions) (3).
    """
    try:
        _check_directory(directory, force=force)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise UsageError(
                f"cannot use {directory}: the name is too long for the file system",
                hint="choose a shorter folder name",
            ) from exc
        raise EnvironmentFailure(
            f"cannot look at {exc.filename or directory}: {exc.strerror or exc}; nothing was "
            "written",
            hint="choose a folder you can read, or fix the permissions of that one",
        ) from exc


def _check_directory(directory: Path, *, force: bool) -> None:
    if directory.is_symlink() and not directory.exists():
        raise CheckFailed(
            f"{directory} is a broken symbolic link", hint="remove it or choose another folder"
        )
    if not directory.exists():
        for parent in Path(directory).absolute().parents:
            if parent.exists():
                if not parent.is_dir():
                    raise CheckFailed(
                        f"cannot create {directory}: {parent} is a file, not a folder",
                        hint="choose a folder path whose parents are folders",
                    )
                break
        return
    if not directory.is_dir():
        raise CheckFailed(
            f"{directory} exists and is not a folder", hint="choose another folder name"
        )
    if not force and any(directory.iterdir()):
        raise CheckFailed(
            f"{directory} is not empty; nothing was written",
            hint="choose a new or empty folder, or add --force to add the project's files "
            "beside what is there (existing files are never overwritten)",
        )


# -- the project's files ------------------------------------------------------------------------
def manifest(template: str, answers: Answers) -> dict[str, Any]:
    """The ``deskpro`` object of the new package.json (schema 2.3.0, the old boilerplate's keys)."""
    parts = template_meta(template).get("manifest", {})
    return {
        "version": SCHEMA_VERSION,
        "title": answers.title,
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": t, "url": APP_PAGE} for t in answers.targets],
        "storage": list(parts.get("storage", [])),
        "settings": list(parts.get("settings", [])),
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": list(parts.get("externalApis", [])),
    }


def package_json(template: str, answers: Answers) -> bytes:
    """The new project's package.json, made with the json module (2-space indent, final newline)."""
    npm = template_meta(template).get("package", {})
    document: dict[str, Any] = {
        "name": answers.name,
        "version": APP_VERSION,
        "description": answers.description,
        "private": True,
        "license": "UNLICENSED",
        "author": {"name": answers.author_name, "email": answers.author_email},
        "keywords": ["deskpro", "deskpro-app"],
        "scripts": dict(npm.get("scripts", {})),
        "deskpro": manifest(template, answers),
    }
    if npm.get("devDependencies"):
        document["devDependencies"] = dict(npm["devDependencies"])
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _context(template: str, answers: Answers) -> dict[str, Any]:
    return {
        "name": answers.name,
        "title": answers.title,
        "description": answers.description,
        "author_name": answers.author_name,
        "author_email": answers.author_email,
        "targets": list(answers.targets),
        "template": template,
        "app_version": APP_VERSION,
        "schema_version": SCHEMA_VERSION,
        "cli_version": __version__,
        "sdk": cdn.APPS_SDK_CORE,
        "react": cdn.REACT,
        "react_dom": cdn.REACT_DOM,
    }


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    """``(relative posix path, file)`` under ``root``, sorted, skipping caches and bytecode."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or "__pycache__" in rel.parts or path.suffix == ".pyc":
            continue
        yield rel.as_posix(), path


def _output_path(rel: str) -> str:
    parts = rel.split("/")
    last = parts[-1]
    if last.endswith(_JINJA):
        last = last[: -len(_JINJA)]
    parts[-1] = _RENAMES.get(last, last)
    return "/".join(parts)


def project_files(template: str, answers: Answers) -> dict[str, bytes]:
    """Every file of the new project, by relative POSIX path, in memory (nothing is written)."""
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    check_template(template)
    templates_root = data_dir("templates")
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_root)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=select_autoescape(
            enabled_extensions=("html.jinja", "htm.jinja"), default_for_string=False
        ),
    )
    context = _context(template, answers)
    files: dict[str, bytes] = {}
    for rel, path in _walk(data_dir("boilerplate")):
        files[_output_path(rel)] = path.read_bytes()
    for rel, path in _walk(templates_root / template):
        if rel == _META:
            continue
        if rel.endswith(_JINJA):
            text = env.get_template(f"{template}/{rel}").render(context)
            files[_output_path(rel)] = text.encode("utf-8")
        else:
            files[_output_path(rel)] = path.read_bytes()
    files["package.json"] = package_json(template, answers)
    return dict(sorted(files.items()))


# -- writing, all or nothing --------------------------------------------------------------------
def scaffold(
    directory: Path, template: str, answers: Answers, *, force: bool = False
) -> ScaffoldResult:
    """Create the project in ``directory``; see the module docstring for the guarantees.

    Raises:
        UsageError: a bad template, name, target or text value (exit 2); nothing written.
        CheckFailed: ``directory`` is a file, or not empty without ``force``, or a file of the
            project is blocked (exit 1); nothing written.
        EnvironmentFailure: the folder cannot be written, the disk is full (exit 3).
        KeyboardInterrupt: passed on after everything written was removed.
    """
    check_template(template)
    answers = check_answers(answers)
    directory = Path(directory)
    check_directory(directory, force=force)
    placed = place_files(directory, project_files(template, answers))
    log.debug("created %d files in %s (kept %d)", len(placed.created), directory, len(placed.kept))
    return ScaffoldResult(directory, template, placed.created, placed.kept)
