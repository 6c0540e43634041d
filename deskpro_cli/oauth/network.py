"""The network under every request: one call helper, and network failures as verdicts.

:func:`send` makes one request through the session of :mod:`deskpro_cli.http` and turns every
``requests`` failure into a :class:`~deskpro_cli.oauth.verdicts.Stop` (``timeout`` or
``unreachable``) whose message names the host and the step, never a secret; nothing is retried
(the authorization code is single-use). :func:`network_errors` is the same translation for calls
made by another library (requests-oauthlib's exchange).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests

from deskpro_cli.oauth.verdicts import Stop, Verdict

log = logging.getLogger(__name__)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _timeout_text(timeout: Any) -> str:
    if isinstance(timeout, tuple):
        timeout = max(timeout)
    return f"{timeout:g} s" if isinstance(timeout, (int, float)) else "the time limit"


def _is_dns_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        name = type(item).__name__
        if name in ("NameResolutionError", "gaierror"):
            return True
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
        stack.extend(a for a in item.args if isinstance(a, BaseException))
    text = str(exc)
    return "Name or service not known" in text or "nodename nor servname" in text


def _proxy_name(url: str) -> str:
    """`` host:port`` of the proxy the environment names for ``url`` (never its credentials)."""
    from requests.utils import get_environ_proxies, select_proxy

    proxy = select_proxy(url, get_environ_proxies(url))
    if not proxy:
        return ""
    try:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    return f" {parts.hostname}{port}" if parts.hostname else ""


@contextmanager
def network_errors(url: str, what: str, timeout: Any = None) -> Iterator[None]:
    """Turn ``requests`` failures inside the block into :class:`Stop` (timeout / unreachable).

    ``what`` names the step for messages ("checking the client id and secret").
    """
    host = _host(url)
    try:
        yield
    except requests.exceptions.ConnectTimeout:
        raise Stop(
            Verdict.TIMEOUT,
            f"no connection to {host} within {_timeout_text(timeout)} while {what}",
            hint="check your network, firewall or proxy (HTTPS_PROXY), or raise --timeout",
        ) from None
    except requests.exceptions.ReadTimeout:
        raise Stop(
            Verdict.TIMEOUT,
            f"{host} did not answer within {_timeout_text(timeout)} while {what}",
            hint="GitHub may be slow or a proxy may be holding the request; try again or raise "
            "--timeout",
        ) from None
    except requests.exceptions.SSLError as exc:
        why = (
            "its certificate is not trusted here"
            if "CERTIFICATE_VERIFY_FAILED" in str(exc)
            else type(exc).__name__
        )
        raise Stop(
            Verdict.UNREACHABLE,
            f"TLS failed with {host} while {what}: {why}",
            hint="a GitHub Enterprise Server with a certificate from your company's CA, or a "
            "TLS-intercepting proxy, needs that CA: set REQUESTS_CA_BUNDLE to its PEM file",
        ) from None
    except requests.exceptions.ProxyError:
        raise Stop(
            Verdict.UNREACHABLE,
            f"the proxy{_proxy_name(url)} refused or failed the connection to {host} while {what}",
            hint="check HTTPS_PROXY / NO_PROXY",
        ) from None
    except requests.exceptions.ConnectionError as exc:
        name = urlsplit(url).hostname or host
        if _is_dns_failure(exc):
            raise Stop(
                Verdict.UNREACHABLE,
                f"cannot resolve {name} while {what}",
                hint="check the host name in --github-url/--api-url and your DNS",
            ) from None
        text = str(exc)
        if "refused" in text.lower():
            detail = f"connection to {host} refused while {what}"
        elif "Remote" in text or "aborted" in text or "reset" in text.lower():
            detail = f"{host} closed the connection before answering while {what}"
        else:
            detail = f"cannot connect to {host} while {what}"
        raise Stop(
            Verdict.UNREACHABLE,
            detail,
            hint="check your network connection, and HTTPS_PROXY / NO_PROXY if you use a proxy",
        ) from None
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ):
        raise Stop(
            Verdict.UNREACHABLE,
            f"the connection to {host} broke in the middle of the answer while {what}",
            hint="try again; a proxy or an unstable network may be cutting connections",
        ) from None
    except requests.exceptions.RequestException as exc:
        raise Stop(
            Verdict.UNREACHABLE, f"request to {host} failed while {what}: {type(exc).__name__}"
        ) from None


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    **kwargs: Any,
) -> requests.Response:
    """Make one request; network failures become :class:`Stop` (``timeout`` / ``unreachable``).

    The single-use authorization code is never retried, so nothing here retries.
    """
    timeout = kwargs.get("timeout") or getattr(session, "default_timeout", None)
    with network_errors(url, what, timeout):
        response = session.request(method, url, **kwargs)
    log_answer(response)
    return response


def log_answer(response: requests.Response) -> None:
    """One INFO line per answer (``-v``): method, URL, status and GitHub's request id."""
    log.info(
        "%s %s -> HTTP %s (%s)",
        response.request.method,
        response.url,
        response.status_code,
        response.headers.get("X-GitHub-Request-Id", "no request id"),
    )
