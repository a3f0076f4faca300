"""Help inside the product, on a phone: "How a meeting works" read by someone not signed
in, and the facilitator's guide opened from the keyboard on the meeting's plan. axe-core
audits both, and neither scrolls sideways on a 320 px screen."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from alliances.models import Role
from alliances.services import create_alliance
from meetings import services
from reviews.services import start_review
from tests.browser.checks import axe_check
from tests.browser.people import fits_the_screen
from tests.factories import add_member, make_user


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


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_facilitator_opens_a_phase_guide_from_the_keyboard(
    page, live_server, viewport, settings, transactional_db
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance", community="Harvest County", purpose="No hunger.", creator=carol
    )
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    review = start_review(
        alliance=alliance, name="Spring review", started_on=datetime.date(2027, 3, 1), author=carol
    )
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose", "power"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
    )
    client = Client()
    client.force_login(fiona)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    page.goto(f"{live_server.url}/a/{alliance.slug}/meetings/{meeting.pk}/guide/")

    guide = page.locator("details.guide", has_text="Shared power: Discuss")
    advice = guide.get_by_text("When the smaller partners stay quiet")
    expect(advice).to_be_hidden()
    guide.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(advice).to_be_visible()
    expect(guide.get_by_role("heading", name="Watch for")).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert fits_the_screen(page)
