"""Where the files that ship with the tool are: templates, boilerplate, schemas, installer assets.

In a wheel, ``templates/`` and ``boilerplate/`` are inside the package (``deskpro_cli/templates``);
in a source checkout or an editable install they sit at the top of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder of bundled data called ``name`` (``templates`` or ``boilerplate``).

    Raises:
        FileNotFoundError: the installation is broken (neither location exists).
    """
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"deskpro-cli is missing its bundled {name}/ folder")


def package_file(*parts: str) -> Path:
    """A file shipped inside the package itself (schemas, installer runtime, ...)."""
    return _PACKAGE_DIR.joinpath(*parts)
