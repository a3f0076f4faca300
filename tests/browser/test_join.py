"""Joining a meeting in seconds, in a real browser: a phone that is not signed in opens the
short join address, signs in and lands in the meeting; the join panel (address and QR
code) reads on the wall and fits a console; the alliance's overview announces the live
meeting."""

import datetime
import threading

import pytest
from django.db import connection
from django.template.loader import render_to_string
from playwright.sync_api import expect

from alliances.models import Role
from alliances.services import create_alliance
from meetings import join, services
from reviews.services import start_review
from tests.browser.checks import axe_check
from tests.factories import PASSWORD, add_member, make_partner, make_user

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)


def off_the_event_loop(action):
    """Run `action` in a thread of its own: the meeting's broadcast (async_to_sync) refuses
    to run in this thread, where Playwright's event loop runs."""

    def run():
        try:
            action()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


@pytest.fixture
def harvest(settings, transactional_db):
    """Harvest Alliance with a live meeting: Fiona facilitates, Mia takes part on her phone."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    kitchen = make_partner(alliance, "Community Kitchen")
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    mia = add_member(alliance, make_user("Mia Member", "mia@example.org"), Role.MEMBER, kitchen)
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=carol,
    )
    meeting = services.plan_meeting(
        review=review, agenda=["purpose"], author=fiona, starts_at=STARTS, facilitator=fiona
    )
    off_the_event_loop(lambda: services.start(meeting=meeting, actor=fiona))
    return {"alliance": alliance, "mia": mia.user, "meeting": meeting}


def sign_in(page, email, viewport="phone"):
    """On the sign-in page: fill it in and send it, by a tap on a phone."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Accord")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    button = page.get_by_role("button", name="Sign in")
    with page.expect_navigation():
        if viewport == "phone":
            button.tap()
        else:
            button.click()


def test_a_phone_opens_the_join_address_signs_in_and_lands_in_the_meeting(
    asgi_server, new_context, harvest
):
    meeting = harvest["meeting"]
    page = new_context("phone").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{asgi_server.url}/m/{meeting.pk}/")
    expect(page).to_have_url(f"{asgi_server.url}/accounts/sign-in/?next=/m/{meeting.pk}/")
    axe_check(page)
    sign_in(page, "mia@example.org")

    expect(page).to_have_url(f"{asgi_server.url}{meeting.get_absolute_url()}")
    expect(page.locator("#stage")).to_be_visible()
    # The meeting's own page does not announce itself.
    expect(page.locator(".live-banner")).to_have_count(0)
    assert not errors
    assert not asgi_server.errors


def join_page(page, base_url, url, projector: bool, join_class: str = "") -> None:
    """The join panel alone in a page with the site's stylesheet: as the projector shows it
    (on its dark-on-white wall page) or as a console does, inside the site's main column."""
    context = {"join_url": url, "join_qr": join.qr_svg(url), "join_class": join_class}
    panel = render_to_string("meetings/_join.html", context)
    body = ' class="projector"' if projector else ""
    page.goto(f"{base_url}/static/accord/accord.css")  # the same origin, for the stylesheet
    page.set_content(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Join</title><link rel="stylesheet" href="{base_url}/static/accord/accord.css">'
        f'</head><body{body}><main id="main"><h1>Meeting</h1>{panel}</main></body></html>',
        wait_until="load",
    )


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_the_join_panel_reads_from_the_back_of_the_room(live_server, browser, harvest):
    url = join.join_url(harvest["meeting"])
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    page = context.new_page()

    join_page(page, live_server.url, url, projector=True)

    expect(page.get_by_role("heading", name="Join on your phone")).to_be_visible()
    expect(page.get_by_role("img", name=f"QR code to join the meeting: {url}")).to_be_visible()
    code = box(page, ".join__code")
    assert code["width"] == code["height"] >= 400  # square, and large enough to scan far off
    address = page.locator(".join__url")
    expect(address).to_have_text(url.removeprefix("https://"))
    font_size = float(address.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert font_size >= 60
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)

    # In a corner of the wall, beside a phase: smaller, and still readable from afar.
    join_page(page, live_server.url, url, projector=True, join_class="join--small")
    code = box(page, ".join__code")
    assert 200 <= code["width"] == code["height"] < 400
    font_size = float(address.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert font_size >= 40
    axe_check(page)
    context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_join_panel_stays_small_in_a_console(live_server, browser, harvest, width):
    url = join.join_url(harvest["meeting"])
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()

    join_page(page, live_server.url, url, projector=False)

    code = box(page, ".join__code")
    assert 100 <= code["width"] == code["height"] <= 160
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)
    context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_overview_announces_the_live_meeting(live_server, new_context, harvest, viewport):
    meeting = harvest["meeting"]
    page = new_context(viewport).new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/?next=/a/harvest-alliance/")
    sign_in(page, "mia@example.org", viewport)
    expect(page).to_have_url(f"{live_server.url}/a/harvest-alliance/")

    banner = page.get_by_role("status").filter(has_text="A meeting is live now:")
    expect(banner).to_be_visible()
    link = banner.get_by_role("link", name="Join the meeting")
    expect(link).to_have_attribute("href", meeting.get_absolute_url())
    # Near the top: inside the first screen, above the page's own heading.
    assert box(page, ".live-banner")["y"] < box(page, "h1")["y"]
    assert box(page, ".live-banner")["y"] + box(page, ".live-banner")["height"] < 812
    axe_check(page)
