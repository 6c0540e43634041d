"""Every manifest of the shared corpus gets the verdict a careful reader gives it.

The corpus (``../shared/corpus``, not part of the repository) holds real manifests from public
repositories. The expectations below were reached by reading each file against
spec/deskpro-apps-v1.md: which error rules make it invalid (none: valid), and which warnings a
reader would raise. A file added to the corpus fails this test until it is classified here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deskpro_cli.manifest.validate import validate_path

# Deskpro's current (2022+) format: one verdict, not a pile of schema errors
CURRENT = "DP012"
DPAT = "dpat-fixtures/deskpro__apps-dpat__src__"

#: file → (error rules, warning rules that must be among the warnings)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # -- current format ----------------------------------------------------------------------
    **{
        f"current/{name}": ({CURRENT}, set())
        for name in (
            "DeskproApps__Bubble365__manifest.json",
            "DeskproApps__app-template-vite__manifest.json",
            "DeskproApps__deskpro-news__manifest.json",
            "DeskproApps__iframe__manifest.json",
            "DeskproApps__mailchimp__manifest@6fd8806.json",
            "DeskproApps__salesforce__manifest.json",
            "DeskproApps__scratchpad__manifest.json",
            "DeskproApps__trello__manifest.json",
            "DeskproApps__zoom__manifest.json",
            "deskpro__horizon-vite-app-template__manifest.json",
        )
    },
    # -- dpat's own fixtures -----------------------------------------------------------------
    # dpat's legacy JSON Schema file is not a manifest at all: said to be a JSON Schema, not
    # checked as a manifest that lacks a version
    f"{DPAT}main__resources__manifest.schema.json": (
        {"DP023"},
        set(),
    ),
    # 2017-09 fixtures: snake_case keys the 2.1.0 schema tolerates but the helpdesk ignores
    f"{DPAT}test__resources__valid-app-manifest-v2.1.0.manifest.json": (
        set(),
        {"DP104"},
    ),
    f"{DPAT}test__resources__valid-app-manifest.package-v2.1.0.json": (
        set(),
        {"DP104"},
    ),
    # additional_field: tolerated by 2.1.0, flagged; mailchimp regex admits look-alike hosts
    f"{DPAT}test__resources__valid-v2.1.0-manifest.manifest.json": (
        set(),
        {"DP104", "DP212"},
    ),
    f"{DPAT}test__resources__valid-v2.1.0-manifest.package.json": (
        set(),
        {"DP104", "DP212"},
    ),
    **{
        f"{DPAT}test__resources__valid-v{v}-manifest.{kind}.json": (
            set(),
            {"DP212"},
        )
        for v in ("2.2.0", "2.3.0", "2.4.0")
        for kind in ("manifest", "package")
    },
    # 2.0.0: a version the versioned schemas never knew
    f"{DPAT}test__resources__valid_app_manifest.json": (
        {"DP011"},
        set(),
    ),
    # -- real apps ---------------------------------------------------------------------------
    "v1/DeskproApps__app-auto-self-assign__manifest.json": ({"DP011"}, set()),
    "v1/DeskproApps__app-auto-self-assign__package.json": (set(), set()),
    "v1/DeskproApps__app-mailchimp__manifest.json": ({"DP011"}, set()),
    # per-user tokens shared with everybody (backend-only, so a warning), client secret readable
    "v1/DeskproApps__app-mailchimp__package.json": (set(), {"DP204", "DP205", "DP212"}),
    "v1/DeskproApps__app-mailchimp__package@38b7a04.json": (set(), {"DP212"}),
    "v1/DeskproApps__app-manipulate-dom__manifest.json": ({"DP011"}, set()),
    "v1/DeskproApps__app-manipulate-dom__package.json": (set(), set()),
    "v1/DeskproApps__app-reply-requirements__manifest.json": ({"DP011"}, set()),
    "v1/DeskproApps__app-reply-requirements__package.json": (set(), set()),
    "v1/DeskproApps__app-reply-requirements__package@52b5db3.json": ({"DP011"}, set()),
    "v1/DeskproApps__app-trello__manifest.json": ({"DP011"}, set()),
    # unedited April 2017 boilerplate: no version at all
    "v1/DeskproApps__app-trello__manifest@6abd141.json": ({"DP010"}, set()),
    "v1/DeskproApps__app-trello__package.json": (set(), set()),
    "v1/DeskproApps__app-trello__package@0be5a2e.json": (set(), set()),
    "v1/DeskproApps__custom-html__package.json": (set(), set()),
    "v1/DeskproApps__custom-html__package@fa3d491.json": (set(), set()),
    # whitelist /^https?://.*$/ admits every host
    "v1/DeskproApps__custom-javascript__package.json": (set(), {"DP211"}),
    "v1/DeskproApps__custom-javascript__package@eea484c.json": (set(), set()),
    "v1/DeskproApps__dev-guide-api-key__package.json": (set(), {"DP212"}),
    # the guide: client secret readable by every agent, look-alike hosts admitted
    "v1/DeskproApps__dev-guide-oauth2__package.json": (set(), {"DP205", "DP212"}),
    "v1/DeskproApps__fullstory__package.json": (set(), {"DP205", "DP212"}),
    "v1/DeskproApps__fullstory__package@8103feb.json": (set(), set()),
    # "http*" is a glob, not a regex literal: the proxy could not use it
    "v1/DeskproApps__json-service__package.json": ({"DP210"}, {"DP205"}),
    "v1/DeskproApps__json-service__package@1c54684.json": ({"DP210"}, set()),
    "v1/deskpro__apps-boilerplate__manifest.json": ({"DP011"}, set()),
    "v1/deskpro__apps-boilerplate__manifest@cda915e.json": ({"DP010"}, set()),
    "v1/deskpro__apps-boilerplate__package.json": (set(), set()),
    "v1/deskpro__apps-boilerplate__package@21853bf.json": ({"DP011"}, set()),
    "v1/deskpro__apps-boilerplate__package@dccdfe9.json": (set(), set()),
    "v1/deskpro__apps-installer__package.json": (set(), set()),
    "v1/deskpro__apps-installer__package@ce94bc2.json": (set(), set()),
    "v1/deskpro__deskproapps-boilerplate-react__package.json": (set(), set()),
    "v1/headzoo__app-installer__package.json": (set(), set()),
    "v1/jducro__jira__package.json": (set(), {"DP205", "DP212"}),
    "v1/jducro__jira__package@8fb138f.json": (set(), {"DP205", "DP212"}),
}
#: files whose whole verdict is exactly the expected warnings (no others)
EXACT_WARNINGS = {
    "v1/DeskproApps__dev-guide-oauth2__package.json",
    "v1/DeskproApps__app-mailchimp__package.json",
    "v1/deskpro__apps-boilerplate__package.json",
    "v1/DeskproApps__custom-javascript__package.json",
}


def corpus_files(shared: Path) -> list[str]:
    root = shared / "corpus"
    return sorted(
        p.relative_to(root).as_posix() for p in root.glob("*/*.json") if p.name != "index.json"
    )


def test_every_corpus_file_is_classified(shared_dir: Path) -> None:
    assert corpus_files(shared_dir) == sorted(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_corpus_verdict(shared_dir: Path, rel: str) -> None:
    path = shared_dir / "corpus" / rel
    if not path.exists():
        pytest.fail(f"{rel} is gone from the corpus")
    report = validate_path(path)
    errors = {p.rule for p in report.problems if p.is_error}
    warnings = {p.rule for p in report.problems if not p.is_error}
    want_errors, want_warnings = EXPECTED[rel]
    assert errors == want_errors, report.problems
    assert report.ok() == (not want_errors)
    assert want_warnings <= warnings, report.problems
    if rel in EXACT_WARNINGS:
        assert warnings == want_warnings, report.problems
    for p in report.problems:
        assert p.line is not None and p.column is not None, p
        assert p.hint, p
    if errors & {CURRENT, "DP010", "DP011", "DP023"}:
        # one clear verdict, not a pile of schema errors
        assert len(report.problems) == 1, report.problems
    if rel.endswith("manifest.schema.json"):
        assert "this is a JSON Schema" in report.problems[0].message
        assert report.schema_version is None
    if CURRENT in errors:
        # its "version" is the app's own, not a manifest version
        assert report.schema_version is None
