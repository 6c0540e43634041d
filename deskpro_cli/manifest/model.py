"""Facts about the Apps v1 manifest that every part of the tool shares (no I/O, no heavy imports).

The manifest versions, the target names, which key holds the whitelist in which version, the keys
npm's package.json lends to the manifest, and the storage defaults the old tool applied
(spec/deskpro-apps-v1.md §1). Editing, packaging and the dev server read these instead of
repeating them.
"""

from __future__ import annotations

from typing import Final

#: Manifest (schema) versions this tool validates and packages, oldest first.
SUPPORTED_VERSIONS: Final = ("2.1.0", "2.2.0", "2.3.0", "2.4.0")
#: The version ``init`` writes and the one to suggest when a manifest has none we know.
DEFAULT_VERSION: Final = "2.3.0"

_TICKET = [
    "sidebar",
    "header-top",
    "header-bottom",
    "header-after",
    "properties-before",
    "properties-after",
    "replybox-before",
    "replybox-after",
    "messages-before",
    "messages-after",
    "footer",
    "properties-new-tab",
    "body-tabs-new-tab",
]
_PERSON = [
    "sidebar",
    "header-top",
    "header-bottom",
    "header-after",
    "content-before",
    "summary-before",
    "summary-after",
    "properties-before",
    "properties-after",
    "notes-before",
    "notes-after",
    "content-after",
    "contact-before",
    "contact-after",
    "org-before",
    "org-after",
    "usergroups-before",
    "usergroups-after",
    "footer",
    "summary-new-tab",
    "content-box-new-tab",
    "notes-new-tab",
]
_ORG = [
    "sidebar",
    "header-top",
    "header-bottom",
    "header-after",
    "content-before",
    "summary-before",
    "summary-after",
    "notes-before",
    "notes-after",
    "content-after",
    "contact-before",
    "contact-after",
    "properties-before",
    "properties-after",
    "email-assoc-before",
    "email-assoc-after",
    "usergroups-before",
    "usergroups-after",
    "hierarchy-before",
    "hierarchy-after",
    "footer",
    "summary-new-tab",
    "content-box-new-tab",
    "notes-new-tab",
]

#: Every target name (the same 61 in every manifest version), in the order of the old schemas.
TARGETS: Final[tuple[str, ...]] = (
    *(f"ticket-{t}" for t in _TICKET),
    *(f"person-{t}" for t in _PERSON),
    *(f"org-{t}" for t in _ORG),
    "background",
    "install",
)

#: The target the packager adds, and the page it points at (spec §1.4 step 3).
INSTALL_TARGET: Final = "install"
INSTALL_URL: Final = "html/install.html"

#: package.json key → manifest key, in the order the old tool wrote them (spec §1.1).
NPM_KEYS: Final[dict[str, str]] = {
    "version": "appVersion",
    "author": "author",
    "description": "description",
    "name": "name",
}

#: Storage permissions (``permRead``/``permWrite``).
PERMISSIONS: Final = ("EVERYBODY", "OWNER")
#: What a setting's storage entry gets unless the declared storage item says otherwise.
SETTING_STORAGE_DEFAULTS: Final[dict[str, object]] = {
    "isBackendOnly": False,
    "permRead": "EVERYBODY",
    "permWrite": "OWNER",
}

#: Setting types of the typed settings (2.3.0 and 2.4.0).
SETTING_TYPES: Final = ("text", "textarea", "choice", "boolean")
#: customFields vocabulary (2.3.0+).
CUSTOM_FIELD_TYPES: Final = (
    "dataJson",
    "dataList",
    "data",
    "date",
    "dateTime",
    "text",
    "textarea",
    "textEmail",
    "textUrl",
    "toggle",
    "choice",
)
CUSTOM_FIELD_ENTITIES: Final = ("ticket", "person", "organization")


def is_supported(version: object) -> bool:
    """Whether ``version`` names a manifest version this tool knows."""
    return isinstance(version, str) and version in SUPPORTED_VERSIONS


def whitelist_key(version: str) -> str:
    """The key of the API whitelist: ``domainWhitelist`` in 2.4.0, else ``externalApis``."""
    return "domainWhitelist" if version == "2.4.0" else "externalApis"


def storage_key(version: str) -> str:
    """The key the schema of ``version`` declares for storage items (``state`` in 2.1.0 and 2.4.0).

    Every real manifest uses ``storage`` whatever its version, and the old packager writes
    ``storage``; this is only the name the schema itself declares.
    """
    return "state" if version in ("2.1.0", "2.4.0") else "storage"


def items_key(manifest: dict[str, object]) -> str:
    """Where ``manifest`` keeps its storage items: ``storage``, or ``state`` when it has a
    ``state`` list and no ``storage`` (2.1.0 manifests written to their schema)."""
    if "storage" not in manifest and isinstance(manifest.get("state"), list):
        return "state"
    return "storage"


def has_typed_settings(version: str) -> bool:
    """Whether settings items have the typed shapes (text/choice/boolean): 2.3.0 and 2.4.0."""
    return version in ("2.3.0", "2.4.0")


#: Hosts an OAuth provider's flow and API live on, for the whitelist-coverage rule.
OAUTH_PROVIDER_HOSTS: Final[dict[str, tuple[str, ...]]] = {
    "github": ("github.com", "api.github.com"),
    "gitlab": ("gitlab.com",),
    "google": ("accounts.google.com", "www.googleapis.com"),
    "microsoft": ("login.microsoftonline.com", "graph.microsoft.com"),
    "slack": ("slack.com",),
    "atlassian": ("auth.atlassian.com", "api.atlassian.com"),
    "trello": ("trello.com", "api.trello.com"),
    "mailchimp": ("login.mailchimp.com",),
    "dropbox": ("www.dropbox.com", "api.dropboxapi.com"),
}


def oauth_connection_provider(name: str) -> str | None:
    """The provider of an ``oauth:<provider>`` storage item (the OAuth connection), else None."""
    prefix, _, provider = name.partition(":")
    if prefix != "oauth" or not provider or ":" in provider:
        return None
    return provider


def oauth_tokens_provider(name: str) -> str | None:
    """The provider of an ``oauth:<provider>:tokens`` storage item (users' tokens), else None."""
    prefix, _, rest = name.partition(":")
    provider, _, suffix = rest.partition(":")
    if prefix != "oauth" or not provider or suffix != "tokens":
        return None
    return provider
