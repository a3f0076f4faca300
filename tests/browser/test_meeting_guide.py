"""Help inside the product, on a phone: "How a meeting works" read by someone not signed
in. axe-core audits it, and it does not scroll sideways on a 320 px screen."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", ["phone"])
def test_how_a_meeting_works_reads_on_a_phone_without_signing_in(page, live_server, viewport):
    page.goto(f"{live_server.url}/help/meetings/")

    expect(page.get_by_role("heading", level=1)).to_have_text("How a meeting works")
    expect(page.get_by_role("heading", name="If the network drops")).to_be_visible()
    assert "/accounts/sign-in/" not in page.url
    axe_check(page)
    assert fits_the_screen(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert fits_the_screen(page)
