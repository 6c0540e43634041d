"""docs/rules.md documents exactly the rule ids the tool can report, with their severities."""

from __future__ import annotations

import re
from pathlib import Path

from deskpro_cli.manifest import RULES, TARGETS

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def documented() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^### (DP\d{3}): (.+?)(?: \((error|warning)(?:, or warning)?\))?$", line)
        if m:
            out[m.group(1)] = m.group(3)
    return out


def test_every_rule_is_documented_once_with_its_severity() -> None:
    doc = documented()
    assert sorted(doc) == sorted(RULES)
    for rule_id, sev in doc.items():
        if sev is not None:  # grouped headings (DP201/DP202) share the severity line
            assert sev == RULES[rule_id].severity, rule_id


def test_every_rule_id_used_in_the_code_is_registered() -> None:
    package = Path(__file__).resolve().parents[2] / "deskpro_cli"
    used: set[str] = set()
    for path in package.rglob("*.py"):
        used |= set(re.findall(r'"(DP\d{3})"', path.read_text(encoding="utf-8")))
    assert used <= set(RULES), used - set(RULES)
    assert set(RULES) <= used, set(RULES) - used  # no rule documented but never reported


def test_the_target_list_is_complete() -> None:
    text = DOC.read_text(encoding="utf-8").split("### DP105", 1)[1].split("###", 1)[0]
    flat = " ".join(text.split())
    for target in TARGETS:
        prefix, _, rest = target.partition("-")
        assert (rest and rest in flat and f"`{prefix}-`" in flat) or f"`{target}`" in flat, target
