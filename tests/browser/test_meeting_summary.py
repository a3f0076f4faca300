"""A meeting's summary in real browsers (issue 14): Evelyn, who observes the demo alliance
for its funder, follows the link from the review's report to the summary of the meeting
that discussed interdependence, on a desktop and on a phone, reads what the room rated and
the log in plain words, and prints it: on paper there is no navigation, footer or button."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from meetings import live, services
from meetings.models import Attendance
from ratings.services import ComponentAnswer
from records.management.commands.seed_demo import PASSWORD, SLUG, build_demo
from tests.answering import submit_shown
from tests.browser.checks import assert_fits_the_screen, axe_check
from tests.browser.people import EVELYN, press


@pytest.fixture
def held(settings, transactional_db):
    """The demo's review under way, with a meeting held on interdependence: everyone who
    answers rated it, and it ended after its record."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # In a thread of its own: the meeting's services broadcast each change through
    # async_to_sync, which cannot run beside the event loop of Playwright's sync API.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_hold_a_meeting).result()


def _hold_a_meeting():
    try:
        review = build_demo().reviews.first()  # the latest
        facilitator = review.alliance.memberships.get(role="facilitator").user
        meeting = services.plan_meeting(
            review=review,
            agenda=["interdependence"],
            author=facilitator,
            starts_at=timezone.now(),
            place="Riverbend High School library",
            facilitator=facilitator,
        )
        services.start(meeting=meeting, actor=facilitator)
        answering = [m for m in review.alliance.memberships.all() if m.can_answer]
        for _ in ("introduce", "reflect"):
            services.advance(meeting=live.load(meeting.pk), actor=facilitator)
        round = live.load(meeting.pk).current.round
        for n, membership in enumerate(answering):
            submit_shown(membership=membership, answers=[ComponentAnswer(round, 3 + n % 2)])
            Attendance.objects.create(meeting=meeting, user=membership.user)
        services.set_timer(meeting=live.load(meeting.pk), actor=facilitator, minutes=10)
        for _ in ("reveal", "discuss", "record"):
            services.advance(meeting=live.load(meeting.pk), actor=facilitator)
        services.end(meeting=live.load(meeting.pk), actor=facilitator)
        return meeting, len(answering)
    finally:
        connection.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_summary_from_the_report_reads_and_prints_as_the_record(
    page, viewport, live_server, held
):
    meeting, answered = held
    page.goto(f"{live_server.url}/a/{SLUG}/reviews/{meeting.review_id}/report/")
    page.get_by_label("Email address").fill(EVELYN)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        press(page.get_by_role("button", name="Sign in"), viewport)
    meetings = page.get_by_role("region", name="Meetings")
    with page.expect_navigation():
        press(meetings.get_by_role("link", name="Summary of the meeting of"), viewport)

    expect(page).to_have_url(f"{live_server.url}/a/{SLUG}/meetings/{meeting.pk}/summary/")
    component = page.get_by_role("region", name="Shared view of interdependence")
    expect(component).to_contain_text(f"{answered} people answered.")
    expect(component).to_contain_text("Median rating:")
    expect(component.get_by_role("img", name="How many people gave each rating")).to_be_visible()
    log = page.locator(".log li")
    expect(log.first).to_contain_text("Marisol Ortega started the meeting")
    expect(log.last).to_contain_text("Marisol Ortega ended the meeting")
    expect(page.locator(".log")).to_contain_text("started a 10-minute timer")
    print_button = page.get_by_role("button", name="Print this summary")
    expect(print_button).to_be_visible()
    axe_check(page)
    assert_fits_the_screen(page)

    page.emulate_media(media="print")

    for hidden in (".site-header", ".site-footer", ".breadcrumb", ".meeting-summary__print"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(log.last).to_be_visible()


def test_the_summary_fits_a_narrow_phone(new_context, live_server, held):
    meeting, _answered = held
    context = new_context("phone")
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/accounts/sign-in/?next=/a/{SLUG}/meetings/{meeting.pk}/summary/")
    page.get_by_label("Email address").fill(EVELYN)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").tap()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Summary of the meeting of")
    assert_fits_the_screen(page)
