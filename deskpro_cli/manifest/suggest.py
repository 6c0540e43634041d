"""'Did you mean' for unknown keys, targets and enum values."""

from __future__ import annotations

import re
from collections.abc import Iterable


def _fold(word: str) -> str:
    """Case, separators and plural-insensitive form (``is_single`` ~ ``isSingle``)."""
    return re.sub(r"[^a-z0-9]", "", word.lower())


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice ``word`` most likely meant, or None when nothing is close."""
    import difflib  # only when something is misspelt

    options = list(choices)
    folded = {_fold(c): c for c in options}
    if _fold(word) in folded:
        return folded[_fold(word)]
    match = difflib.get_close_matches(_fold(word), list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` or an empty string."""
    best = closest(word, choices)
    return f' (did you mean "{best}"?)' if best is not None and best != word else ""
