"""``deskpro init DIR``: scaffold a new app project (the work is in :mod:`deskpro_cli.scaffold`).

Values not given as options are asked for on a terminal, with defaults made from the folder's
name; with ``--no-input``, when stdin is not a terminal, or when ``CI`` is set, the defaults are
used without asking. Options are checked before any question is asked.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import click

from deskpro_cli import scaffold
from deskpro_cli.cli._common import ui
from deskpro_cli.errors import Interrupted, UsageError
from deskpro_cli.ui import UI

_NEXT_STEPS = {
    "vanilla": ["deskpro validate --strict", "deskpro package"],
    "react": ["npm install", "deskpro validate --strict", "deskpro package"],
    "github-oauth": ["deskpro validate --strict", "deskpro package"],
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def interactive(no_input: bool) -> bool:
    """Whether init may ask questions: a terminal on stdin, no ``--no-input``, no ``CI``."""
    if no_input or _in_ci():
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _answer_check(check: Callable[[str], None]) -> Callable[[str], str]:
    """A prompt's value check made from a core check: the answer without surrounding spaces,
    or ``click.BadParameter`` with the core's message (click shows it and asks again)."""

    def value_proc(value: str) -> str:
        value = value.strip()
        try:
            check(value)
        except UsageError as exc:
            raise click.BadParameter(exc.message) from None
        return value

    return value_proc


_check_name = _answer_check(scaffold.check_name)
_check_email = _answer_check(scaffold.check_email)
_check_line = _answer_check(lambda value: scaffold.check_line("the answer", value))


def _interrupted_at_prompt() -> Interrupted:
    # The prompt's line was left open (Ctrl-C or Ctrl-D echoes no newline): end it so the
    # message starts on a line of its own.
    click.echo()
    return Interrupted("interrupted; nothing was written")


def _ask(
    text: str,
    default: str,
    check: Callable[[str], str] = _check_line,
) -> str:
    try:
        answer: str = click.prompt(text, default=default, value_proc=check)
    except click.Abort:
        raise _interrupted_at_prompt() from None
    return answer


@click.command(name="init")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--template",
    type=click.Choice(scaffold.TEMPLATES),
    default=None,
    help=f"What the app starts as (default: {scaffold.DEFAULT_TEMPLATE}).",
)
@click.option("--name", help="npm package name (default: made from DIR's name).")
@click.option("--title", help="The app's title, shown to admins and agents.")
@click.option("--description", help="One line saying what the app does.")
@click.option("--author-name", help="The author's name.")
@click.option("--author-email", help="The author's e-mail address.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="TARGET",
    help=f"Where Deskpro shows the app (repeatable; default: {scaffold.DEFAULT_TARGET}).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Allow a non-empty DIR; existing files are never overwritten.",
)
@click.option(
    "--no-input",
    is_flag=True,
    help="Never ask; use defaults made from DIR's name (implied without a terminal or with CI).",
)
def command(
    directory: Path,
    template: str | None,
    name: str | None,
    title: str | None,
    description: str | None,
    author_name: str | None,
    author_email: str | None,
    targets: tuple[str, ...],
    force: bool,
    no_input: bool,
) -> None:
    """Scaffold a new Deskpro app project in DIR.

    Templates: vanilla (plain browser JavaScript, no Node.js needed), react (React with a custom
    install screen in JSX; run npm install before packaging) and github-oauth (the GitHub OAuth
    integration of Deskpro's guide, plain browser JavaScript).
    """
    # Everything given on the command line is checked before a question is asked or a file written.
    if name is not None:
        scaffold.check_name(name)
    checked_targets = scaffold.check_targets(targets) if targets else (scaffold.DEFAULT_TARGET,)
    scaffold.check_directory(directory, force=force)

    ask = interactive(no_input)
    if template is None:
        template = _ask_template() if ask else scaffold.DEFAULT_TEMPLATE
    defaults = scaffold.default_answers(directory, template)

    def value(given: str | None, prompt: str, default: str, check: Callable[[str], str]) -> str:
        if given is not None:
            return given
        return _ask(prompt, default, check) if ask else default

    answers = scaffold.Answers(
        name=value(name, "Package name", defaults.name, _check_name),
        title=value(title, "Title", defaults.title, _check_line),
        description=value(description, "Description", defaults.description, _check_line),
        author_name=value(author_name, "Author name", defaults.author_name, _check_line),
        author_email=value(author_email, "Author e-mail", defaults.author_email, _check_email),
        targets=checked_targets,
    )
    result = scaffold.scaffold(directory, template, answers, force=force)
    _report(ui(), result)


def _ask_template() -> str:
    lines = [f"  {t}: {scaffold.template_meta(t)['summary']}" for t in scaffold.TEMPLATES]
    click.echo("Templates:\n" + "\n".join(lines))
    try:
        answer: str = click.prompt(
            "Template",
            type=click.Choice(scaffold.TEMPLATES),
            default=scaffold.DEFAULT_TEMPLATE,
            show_choices=False,  # listed above, with what each one is
        )
    except click.Abort:
        raise _interrupted_at_prompt() from None
    return answer


def _report(out: UI, result: scaffold.ScaffoldResult) -> None:
    where = result.directory
    out.success(
        f"Created {where} from the {result.template} template ({len(result.created)} files)."
    )
    for rel in result.created:
        out.detail(f"  created {rel}")
    if result.kept:
        out.warning(
            f"kept {len(result.kept)} existing file(s) as they were: {', '.join(result.kept)}",
            hint="compare them with what the template would have written (deskpro init into "
            "an empty folder) and merge by hand",
        )
    if out.verbosity < 0:
        return  # -q: the next steps are advice, not the result
    out.result("")
    out.result("Next:")
    if where.resolve() != Path.cwd().resolve():
        # Quoted for the shell, so the line can be pasted as it is ("My App" -> 'My App').
        out.result(f"  cd {shlex.quote(click.format_filename(str(where)))}")
    for step in _NEXT_STEPS[result.template]:
        out.result(f"  {step}")
