"""Keep the client secret and every token out of output, logs and error messages.

Messages are built without secrets in the first place; this module is the second line: a
:class:`Redactor` knows the secrets of the running command and scrubs any text (and, while
:meth:`Redactor.guard_logging` is active, every log record, from any library) before it leaves.
A token may be shown only as :func:`mask` gives it (first four and last four characters).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REDACTED = "[redacted]"

#: Libraries that log request bodies (with ``client_secret``) or tokens at DEBUG level.
_CHATTY_LOGGERS = ("requests_oauthlib", "oauthlib")


def mask(token: str) -> str:
    """``gho_abcd…wxyz`` style: the first four and last four characters, nothing for short ones."""
    if len(token) < 12:
        return REDACTED
    return f"{token[:4]}…{token[-4:]}"


class Redactor:
    """The secrets of one run and the means to scrub them from text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        """Remember a secret (ignored when empty or too short to be worth matching)."""
        if secret and len(secret) >= 6:
            self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        """``text`` with every known secret replaced (tokens by their masked form)."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, mask(secret) if _looks_like_token(secret) else REDACTED)
        return text

    def scrub_opt(self, text: str | None) -> str | None:
        return None if text is None else self.scrub(text)

    @contextmanager
    def guard_logging(self) -> Iterator[None]:
        """While active: every log record is scrubbed, and the chatty OAuth libraries stay at INFO.

        requests-oauthlib logs the token request body (``client_secret`` included) and the token
        at DEBUG; those records are not even created.
        """
        previous_factory = logging.getLogRecordFactory()
        redactor = self

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous_factory(*args, **kwargs)
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a broken format string must not hide the scrub
                message = str(record.msg)
            scrubbed = redactor.scrub(message)
            if scrubbed != message or record.args:
                record.msg, record.args = scrubbed, ()
            return record

        levels: list[tuple[logging.Logger, int]] = []
        for name in _CHATTY_LOGGERS:
            logger = logging.getLogger(name)
            levels.append((logger, logger.level))
            if logger.getEffectiveLevel() < logging.INFO:
                logger.setLevel(logging.INFO)
        logging.setLogRecordFactory(factory)
        try:
            yield
        finally:
            logging.setLogRecordFactory(previous_factory)
            for logger, level in levels:
                logger.setLevel(level)


def _looks_like_token(secret: str) -> bool:
    return secret[:4] in ("gho_", "ghu_", "ghp_", "ghr_", "ghs_")
