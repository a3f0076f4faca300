"""Publishing with consent in real browsers (issue 18): Carol, who coordinates, proposes to
publish the alliance's purpose and two indicators, with a preview of exactly what would be
shown; Mia objects to one indicator for the Community Kitchen (on a phone), with a reason;
Carol approves for the Food Bank. The Hill Foundation's shared link, opened without an
account on a 360 px screen, shows the purpose and the other indicator, not the one objected
to. Once the public page is on, the chart's embed HTML, pasted into a plain page of another
website (served on loopback), shows the chart."""

import datetime
import http.server
import threading
from functools import partial

import pytest
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from publishing.models import Publication
from tests.browser.checks import assert_fits_the_screen, axe_check
from tests.browser.people import Member
from tests.factories import add_member, add_values, make_indicator, make_partner, make_user

TODAY = datetime.date.today()
FAMILIES = "Families served"
MEALS = "Meals in schools"
REASON = "The schools asked us not to publish their counts yet."


@pytest.fixture
def harvest(settings, transactional_db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    food_bank = make_partner(alliance, "Food Bank")
    kitchen = make_partner(alliance, "Community Kitchen")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=food_bank)
    add_member(alliance, make_user("Mia Member", "mia@example.org"), Role.MEMBER, kitchen)
    families = make_indicator(alliance, FAMILIES, unit="families")
    add_values(
        families,
        (TODAY - datetime.timedelta(days=60), 120),
        (TODAY - datetime.timedelta(days=30), 135),
        (TODAY, 150),
    )
    meals = make_indicator(alliance, MEALS, unit="meals")
    add_values(meals, (TODAY - datetime.timedelta(days=30), 900), (TODAY, 950))
    return alliance


@pytest.fixture
def people(new_context, live_server, harvest):
    errors = []
    carol = Member(new_context, "desktop", "carol@example.org", errors)
    mia = Member(new_context, "phone", "mia@example.org", errors)
    yield carol, mia
    assert not errors, f"JavaScript errors on the pages: {errors}"


@pytest.fixture
def other_website(tmp_path):
    """A plain website on loopback, serving the files of `tmp_path`."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def propose(carol, live_server):
    page = carol.page
    carol.sign_in_to(f"{live_server.url}/a/harvest-alliance/")
    carol.follow(
        page.get_by_role("navigation", name="Alliance").get_by_role("link", name="Sharing")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharing beyond the alliance")
    axe_check(page)
    carol.follow(page.get_by_role("link", name="Propose a publication"))
    page.get_by_label("by shared link and on the public page").check()
    page.get_by_label("The alliance's name and purpose").check()
    page.get_by_label(f"Indicator: {FAMILIES}").check()
    page.get_by_label(f"Indicator: {MEALS}").check()
    carol.follow(page.get_by_role("button", name="Preview what would be shown"))
    preview = page.get_by_role("region", name="Preview: exactly what would be shown")
    expect(preview.get_by_role("heading", name=FAMILIES)).to_be_visible()
    expect(preview.get_by_role("heading", name=MEALS)).to_be_visible()
    expect(preview).to_contain_text("End hunger in Harvest County.")
    # What was chosen is still chosen.
    expect(page.get_by_label(f"Indicator: {MEALS}")).to_be_checked()
    axe_check(page)
    carol.follow(page.get_by_role("button", name="Propose it to the partners"))
    expect(page.get_by_role("status")).to_contain_text("Proposed.")
    axe_check(page)
    return Publication.objects.get()


def mia_objects_to_meals(mia, live_server, publication):
    page = mia.page
    mia.sign_in_to(f"{live_server.url}/a/harvest-alliance/")
    notice = page.get_by_role("region", name="Community Kitchen has not decided yet")
    mia.follow(notice.get_by_role("link"))
    expect(page.get_by_role("heading", name="Decide for Community Kitchen")).to_be_visible()
    assert_fits_the_screen(page)
    axe_check(page)
    page.get_by_label(f"We object to publishing “Indicator: {MEALS}”").check()
    page.get_by_label(f"Why we object to “Indicator: {MEALS}”").fill(REASON)
    mia.follow(page.get_by_role("button", name="Send our decision"))
    expect(page.get_by_role("status")).to_contain_text("Your organization's decision is recorded.")
    expect(page.get_by_text(f"Community Kitchen objects: {REASON}")).to_be_visible()
    assert_fits_the_screen(page)


def carol_approves_and_makes_a_link(carol, live_server, publication) -> str:
    page = carol.page
    page.goto(f"{live_server.url}/a/harvest-alliance/sharing/{publication.pk}/")
    expect(page.get_by_text(f"Community Kitchen objects: {REASON}")).to_be_visible()
    carol.follow(page.get_by_role("button", name="Send our decision"))
    expect(
        page.get_by_role("heading", name=f"Indicator: {MEALS}: stopped by an objection")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=f"Indicator: {FAMILIES}: approved")).to_be_visible()
    axe_check(page)
    page.goto(f"{live_server.url}/a/harvest-alliance/sharing/")
    page.get_by_label("For whom").fill("For the Hill Foundation")
    carol.follow(page.get_by_role("button", name="Make the link"))
    address = page.get_by_label("The address").input_value()
    assert "/s/" in address
    page.get_by_label("The public page is on").check()
    carol.follow(page.get_by_role("button", name="Save the public page's settings"))
    expect(page.get_by_role("status")).to_contain_text("The public page's settings are saved.")
    return address


def test_published_with_consent_shared_with_a_funder_and_embedded(
    people, live_server, new_context, browser, other_website
):
    carol, mia = people
    publication = propose(carol, live_server)
    mia_objects_to_meals(mia, live_server, publication)
    address = carol_approves_and_makes_a_link(carol, live_server, publication)

    # The Hill Foundation, without an account, on a small phone.
    funder = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = funder.new_page()
    response = page.goto(address)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Harvest Alliance")
    expect(
        page.get_by_text("Shared by Harvest Alliance with its partners' approval")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=FAMILIES)).to_be_visible()
    expect(page.get_by_text("End hunger in Harvest County.")).to_be_visible()
    expect(page.get_by_role("heading", name=MEALS)).to_have_count(0)
    assert funder.cookies() == []
    assert_fits_the_screen(page)
    axe_check(page)

    # The public page offers the chart's HTML; another website pastes it.
    page.goto(f"{live_server.url}/p/harvest-alliance/")
    snippet = page.get_by_label(f"Embed this chart ({FAMILIES})").input_value()
    assert_fits_the_screen(page)
    axe_check(page)
    folder, website = other_website
    (folder / "partner.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Our partners</title>"
        f"</head><body><h1>Our alliance</h1>{snippet}</body></html>",
        encoding="utf-8",
    )
    visitor = browser.new_context()
    outside = visitor.new_page()
    outside.goto(f"{website}/partner.html")
    chart = outside.locator("img")
    expect(chart).to_have_attribute("alt", f"{FAMILIES}, by Harvest Alliance")
    outside.wait_for_function("document.querySelector('img').complete")
    assert outside.evaluate("document.querySelector('img').naturalWidth") > 0
    frame = outside.frame_locator("iframe")
    expect(frame.get_by_text("Harvest Alliance").first).to_be_visible()
    funder.close()
    visitor.close()
