"""What every browser test checks on a page: that axe-core finds no WCAG 2.2 A or AA
violation, and that the page fits the screen without scrolling sideways."""

import json
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _describe(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}")
    return "\n".join(lines)


def axe_check(page) -> None:
    """Audit the page as it stands with axe-core against WCAG 2.2 A and AA."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing; `make install-test` installs axe-core with npm ci")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})""", AXE_TAGS
    )
    violations = results["violations"]
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + _describe(violations)
    )


def assert_fits_the_screen(page) -> None:
    """Nothing sticks out sideways; the failure says by how much."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"
