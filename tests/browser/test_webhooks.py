"""Webhooks in a real browser: Carol, who coordinates Harvest, connects the alliance's chat
(a receiver on loopback, which the site's staff allow). An address on the server's own
network is refused beside its field, with what she typed kept; then she copies the secret,
sends a test event, and reads in the log that the receiver took it, signed with that secret.
"""

import json

import pytest
from playwright.sync_api import expect

from alliances.services import create_alliance
from tests.browser.checks import axe_check
from tests.browser.people import fits_the_screen, press, sign_in
from tests.factories import make_user
from tests.webhook_receiver import verify
from webhooks import services


@pytest.fixture
def carol(settings, transactional_db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    return carol


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_coordinator_connects_a_webhook_and_sees_its_test_event_delivered(
    page, viewport, live_server, carol, webhook_receiver
):
    sign_in(page.context, live_server.url, carol)
    page.goto(f"{live_server.url}/a/harvest-alliance/")
    press(page.get_by_role("link", name="Tell other systems what happens (webhooks)"), viewport)
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    press(page.get_by_role("link", name="Add a webhook"), viewport)

    # The cloud's metadata address: refused beside the field, nothing she typed lost.
    address = page.get_by_label("Address")
    address.fill("https://169.254.169.254/latest/meta-data/")
    page.get_by_label("A meeting is planned, or its plan changes").check()
    press(page.get_by_role("button", name="Add the webhook"), viewport)
    expect(page.locator(".field--error .field__errors")).to_have_text(
        "This address is on a private network (or is this server itself); ask the site's "
        "staff to allow it."
    )
    expect(address).to_have_value("https://169.254.169.254/latest/meta-data/")
    expect(page.get_by_label("A meeting is planned, or its plan changes")).to_be_checked()
    axe_check(page)
    assert fits_the_screen(page)

    address.fill(webhook_receiver.url)
    press(page.get_by_role("button", name="Add the webhook"), viewport)
    expect(page.get_by_role("alert")).to_contain_text("Copy it now")
    secret = page.locator("pre code").inner_text()
    assert secret.startswith("whsec_")
    axe_check(page)

    press(page.get_by_role("link", name="Back to the webhooks"), viewport)
    press(page.get_by_role("link", name="0 waiting, 0 given up"), viewport)
    press(page.get_by_role("button", name="Send a test event"), viewport)
    expect(page.get_by_role("cell", name="waiting to be sent")).to_be_visible()
    assert webhook_receiver.received == []  # nothing is sent while a page waits

    services.deliver_due()  # the scheduler's minute
    page.reload()

    expect(page.get_by_role("cell", name="delivered", exact=True)).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("code 200")
    [received] = webhook_receiver.received
    assert verify(secret, received.headers, received.body)
    assert json.loads(received.body)["event"] == "ping"
    axe_check(page)
    assert fits_the_screen(page)
