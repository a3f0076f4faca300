"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here is marked `browser`. Each viewport gets its own fresh browser context; the
page is audited with axe-core after each navigation (`axe_check`).
"""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# plain synchronous code, so Django's async-safety guard must be told to stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make install-test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Make a fresh browser context for a viewport name ("desktop" or "phone")."""
    contexts = []

    def make(viewport: str):
        # The app sends a strict Content-Security-Policy; bypassing it lets axe-core be
        # injected as a script tag. The app's own pages carry no inline script either way.
        context = browser.new_context(bypass_csp=True, **VIEWPORTS[viewport])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, viewport, live_server):
    """A page in a fresh context for the test's `viewport` parameter."""
    context = new_context(viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the pages: {errors}"


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
