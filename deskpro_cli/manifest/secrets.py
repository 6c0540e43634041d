"""Which names say they hold a secret: one heuristic, shared by validate, editing and packaging.

A setting or storage item called ``githubClientSecret``, ``api_key``, ``password`` or
``accessToken`` holds something an agent's browser must not read; the rules warn when such an
item is not backend-only, ``settings add`` proposes ``--backend-only`` for it, and the packager's
secret scan uses the same words.
"""

from __future__ import annotations

import re
from typing import Final

#: Words that, as a whole word of a name, mark it as holding a secret.
SECRET_WORDS: Final = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "token",
        "tokens",
        "key",
        "keys",
        "apikey",
        "privatekey",
        "credential",
        "credentials",
        "authorization",
        "bearer",
        "salt",
    }
)
#: Words that mark a name as public even when a secret word is there too (``rsaPublicKey``).
PUBLIC_WORDS: Final = frozenset({"public", "pub", "publishable"})

# split camelCase, PascalCase, snake_case, kebab-case, dotted and colon-separated names into words
# (a pattern string: re compiles and caches it on first use, not at start-up)
_WORD = r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_|$)|[A-Z]?[a-z]+|[A-Z]+|\d+"


def name_words(name: str) -> list[str]:
    """The lower-case words of an identifier (``githubClientSecret`` → github, client, secret)."""
    return [w.lower() for w in re.findall(_WORD, name)]


def looks_secret(name: str) -> bool:
    """Whether a setting/storage ``name`` says it holds a secret (secret, password, token, key...).

    Whole words only (``keyword`` and ``monkey`` are not keys, ``author`` is not authorization),
    and names that say ``public`` are not secrets (``rsaPublicKey``). ``oauth:<provider>`` items
    are left to their own rules.
    """
    words = name_words(name)
    if any(w in PUBLIC_WORDS for w in words):
        return False
    if any(w in SECRET_WORDS for w in words):
        return True
    # run-together spellings: apikey, clientsecret, accesstoken, privatekey
    squashed = "".join(words)
    return any(
        squashed.endswith(w) for w in ("apikey", "secret", "password", "token", "privatekey")
    )
