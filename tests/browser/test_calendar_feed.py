"""Following Accord in a calendar, and calling a meeting off, on a phone: a member makes their
calendar feed from their profile and reads its address once; the facilitator cancels a
planned meeting from its page, saying why. axe-core audits each page, and none scrolls
sideways on a 320 px screen."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from alliances.models import Role
from alliances.services import create_alliance
from meetings import services
from meetings.models import Meeting
from reviews.services import start_review
from tests.browser.checks import assert_fits_the_screen, axe_check
from tests.browser.people import follow, sign_in
from tests.factories import add_member, make_user


@pytest.fixture
def harvest(settings, transactional_db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance", community="Harvest County", purpose="No hunger.", creator=carol
    )
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    review = start_review(
        alliance=alliance, name="Spring review", started_on=datetime.date(2030, 3, 1), author=carol
    )
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=fiona,
        starts_at=datetime.datetime(2030, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
        place="Town hall",
    )
    return alliance, carol, fiona, meeting


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_member_makes_their_calendar_feed_from_their_profile(
    page, live_server, viewport, harvest, settings
):
    settings.SITE_URL = live_server.url
    _alliance, carol, _fiona, meeting = harvest
    sign_in(page.context, live_server.url, carol)

    page.goto(f"{live_server.url}/accounts/profile/")
    follow(page, page.get_by_role("link", name="Your calendar feed"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar feed")
    expect(page.get_by_role("heading", name="Google Calendar")).to_be_visible()
    axe_check(page)
    follow(page, page.get_by_role("button", name="Make my calendar feed"), viewport)

    address = page.get_by_label("Address of your calendar feed")
    expect(address).to_have_value(re.compile(r"/calendar/[\w-]{43}\.ics$"))
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_fits_the_screen(page)
    # What a calendar app reads there (without the browser's session).
    calendar_app = page.context.browser.new_context()
    feed = calendar_app.request.get(address.input_value())
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert f"UID:meeting-{meeting.pk}@" in feed.text()
    calendar_app.close()
    page.reload()
    expect(page.get_by_label("Address of your calendar feed")).to_have_count(0)
    expect(page.get_by_role("button", name="Stop the feed")).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_facilitator_cancels_a_planned_meeting_saying_why(page, live_server, viewport, harvest):
    _alliance, _carol, fiona, meeting = harvest
    sign_in(page.context, live_server.url, fiona)

    page.goto(live_server.url + meeting.get_absolute_url())
    follow(page, page.get_by_role("link", name="Cancel the meeting"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the meeting")
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_fits_the_screen(page)
    follow(page, page.get_by_role("button", name="Yes, cancel the meeting"), viewport)
    expect(page.locator(".field__errors")).to_contain_text("Say why, in a few words")
    page.get_by_label("Why is the meeting cancelled?").fill("The hall is closed for repairs.")
    follow(page, page.get_by_role("button", name="Yes, cancel the meeting"), viewport)

    expect(page.locator("#meeting-status")).to_have_text("cancelled")
    expect(page.locator("#cancelled")).to_contain_text("The hall is closed for repairs.")
    expect(page.get_by_role("button", name="Start the meeting")).to_have_count(0)
    axe_check(page)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED
