"""GitHub OAuth scopes: which granted scope covers which requested one.

GitHub normalises what it grants (``user gist user:email`` → ``user,gist``), so "requested but not
granted" must look through the scope hierarchy before it warns.
"""

from __future__ import annotations

from collections.abc import Iterable

#: scope -> the scopes it includes (docs: "Scopes for OAuth apps").
IMPLIES: dict[str, frozenset[str]] = {
    "repo": frozenset(
        {"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"}
    ),
    "user": frozenset({"read:user", "user:email", "user:follow"}),
    "admin:org": frozenset({"write:org", "read:org", "manage_runners:org"}),
    "write:org": frozenset({"read:org"}),
    "admin:public_key": frozenset({"write:public_key", "read:public_key"}),
    "write:public_key": frozenset({"read:public_key"}),
    "admin:repo_hook": frozenset({"write:repo_hook", "read:repo_hook"}),
    "write:repo_hook": frozenset({"read:repo_hook"}),
    "admin:gpg_key": frozenset({"write:gpg_key", "read:gpg_key"}),
    "write:gpg_key": frozenset({"read:gpg_key"}),
    "admin:ssh_signing_key": frozenset({"write:ssh_signing_key", "read:ssh_signing_key"}),
    "write:ssh_signing_key": frozenset({"read:ssh_signing_key"}),
    "write:packages": frozenset({"read:packages"}),
    "project": frozenset({"read:project"}),
    "codespace": frozenset({"codespace:secrets"}),
    "admin:enterprise": frozenset(
        {"manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"}
    ),
}


def covered(scope: str, granted: Iterable[str]) -> bool:
    """Whether ``scope`` is among ``granted`` or included in one of them."""
    granted = set(granted)
    return scope in granted or any(scope in IMPLIES.get(g, ()) for g in granted)


def missing(requested: Iterable[str], granted: Iterable[str]) -> list[str]:
    """Requested scopes the grant does not cover, in request order."""
    granted = list(granted)
    return [s for s in dict.fromkeys(requested) if not covered(s, granted)]
