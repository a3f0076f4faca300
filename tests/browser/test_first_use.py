"""A new person's first use of Accord, in a real browser, on a desktop and on a phone.

Invited into an existing alliance, they make an account from the invitation link, create
their own alliance, add its partners, start a review and carry Shared purpose through to
recorded, checking accessibility (axe-core) on every page they see.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from alliances.models import Invitation, Role
from alliances.services import create_alliance
from tests.browser.checks import axe_check
from tests.browser.people import press
from tests.factories import PASSWORD, make_partner, make_user

VIEWPORTS = ["desktop", "phone"]


def follow(page, locator, viewport):
    """Activate a link or submit button, wait for the next page and audit it."""
    with page.expect_navigation():
        press(locator, viewport)
    axe_check(page)


def open_menu(page, summary_text, viewport):
    """Open one of the header's <details> menus by its summary."""
    menu = page.locator("header details", has=page.locator("summary", has_text=summary_text))
    expect(menu).not_to_have_attribute("open", "")
    press(menu.locator("summary"), viewport)
    expect(menu).to_have_attribute("open", "")
    return menu


def triangle_node(page, label):
    return page.locator(f'svg.triangle__svg a[aria-label="{label}"]')


@pytest.fixture
def invitation_token(db):
    """Carol, coordinator of Harvest Alliance, has invited Nadia as a member for the Food Bank."""
    carol = make_user("Carol Coordinator", "carol@example.org")
    harvest = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    food_bank = make_partner(harvest, "Food Bank")
    invitation = Invitation(
        alliance=harvest,
        email="nadia@example.org",
        role=Role.MEMBER,
        partner=food_bank,
        invited_by=carol,
    )
    token = invitation.issue_token()
    invitation.save()
    return token


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_first_use_from_invitation_to_a_recorded_component(
    page, viewport, live_server, invitation_token
):
    url = live_server.url

    # The invitation link: a new account, made with a name and a password typed twice.
    page.goto(f"{url}/invitations/{invitation_token}/")
    # The page lays out at the device's width (the phone honours the viewport meta tag).
    assert page.evaluate("window.innerWidth") == {"desktop": 1280, "phone": 375}[viewport]
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Harvest Alliance")
    expect(page.get_by_text("Carol Coordinator invites you as member.")).to_be_visible()
    expect(page.get_by_text("Your account will use nadia@example.org.")).to_be_visible()

    page.get_by_label("Your name").fill("Nadia Newcomer")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Join the alliance"), viewport)

    # Lands in the alliance she was invited to, as herself.
    expect(page).to_have_url(f"{url}/a/harvest-alliance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harvest Alliance")
    expect(page.get_by_role("status")).to_contain_text("Welcome to Harvest Alliance.")
    expect(page.locator("header summary").nth(1)).to_have_text("Nadia Newcomer")
    nadia = User.objects.get(email="nadia@example.org")
    assert nadia.name == "Nadia Newcomer"
    assert nadia.check_password(PASSWORD)
    assert nadia.memberships.get().role == Role.MEMBER
    # A member cannot start a review here.
    expect(page.get_by_role("link", name="Start a review")).to_have_count(0)

    # Her own alliance, through the alliance menu.
    menu = open_menu(page, "Harvest Alliance", viewport)
    follow(page, menu.get_by_role("link", name="Create an alliance"), viewport)
    expect(page).to_have_url(f"{url}/alliances/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an alliance")
    page.get_by_label(re.compile(r"^Name:?$")).fill("Riverside Housing Alliance")
    page.get_by_label("Community it serves").fill("Renters along the Riverside corridor")
    page.get_by_label("Purpose").fill("Keep **every family** housed through the winter.")
    follow(page, page.get_by_role("button", name="Create the alliance"), viewport)

    # Next step: the partners.
    expect(page).to_have_url(f"{url}/a/riverside-housing-alliance/partners/")
    expect(page.get_by_role("status")).to_contain_text("Your alliance is ready.")
    expect(page.get_by_text("No partner organization yet.")).to_be_visible()
    partners = [
        ("Riverside Tenants Union", "Organizes renters", "https://tenants.example.org",
         "Tomas Ortega", "tomas@tenants.example.org"),
        ("Legal Aid Riverside", "Free legal help", "https://legal.example.org",
         "Lena Ward", "lena@legal.example.org"),
    ]  # fmt: skip
    for name, description, website, contact, email in partners:
        follow(page, page.get_by_role("link", name="Add a partner"), viewport)
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a partner organization")
        page.get_by_label(re.compile(r"^Name:?$")).fill(name)
        page.get_by_label("Short description").fill(description)
        page.get_by_label("Website").fill(website)
        page.get_by_label("Contact person").fill(contact)
        page.get_by_label("Contact email").fill(email)
        follow(page, page.get_by_role("button", name="Add the partner"), viewport)
        expect(page.get_by_role("status")).to_contain_text(f"{name} is a partner now.")
        card = page.locator(".card", has=page.get_by_role("heading", name=name))
        expect(card).to_contain_text(description)
        expect(card.get_by_role("link", name=website)).to_have_attribute("href", website)
        expect(card).to_contain_text(contact)
    expect(page.locator(".card h2")).to_have_text(
        ["Legal Aid Riverside", "Riverside Tenants Union"]
    )

    # The overview: her alliance, described, with its partners.
    nav = page.get_by_role("navigation", name="Alliance")
    follow(page, nav.get_by_role("link", name="Overview"), viewport)
    expect(page).to_have_url(f"{url}/a/riverside-housing-alliance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Housing Alliance")
    expect(page.get_by_text("Serving: Renters along the Riverside corridor")).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("every family")
    expect(page.get_by_text("Legal Aid Riverside · Riverside Tenants Union")).to_be_visible()
    expect(page.get_by_text("No review yet.")).to_be_visible()

    # Start a review.
    follow(page, page.get_by_role("link", name="Start a review"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a review")
    page.get_by_label(re.compile(r"^Name:?$")).fill("Spring 2027 review")
    start_date = page.get_by_label("Start date")
    expect(start_date).to_have_attribute("type", "date")
    start_date.fill("2027-03-01")
    follow(page, page.get_by_role("button", name="Start the review"), viewport)

    # The review home: the triangle and the list agree on each component's state.
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring 2027 review")
    expect(page.get_by_text("Started March 1, 2027")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The review has started")
    review_url = page.url
    assert re.fullmatch(rf"{re.escape(url)}/a/riverside-housing-alliance/reviews/\d+/", review_url)
    components = page.locator("ol.components > li")
    expect(components).to_have_count(6)
    expect(components.nth(0)).to_contain_text("Shared purpose")
    expect(components.nth(0).locator(".state")).to_have_text("in discussion")
    expect(components.nth(1)).to_contain_text("Shared power")
    expect(components.nth(1).locator(".state")).to_have_text("not started")
    expect(page.locator("svg.triangle__svg")).to_be_visible()
    expect(page.locator("svg.triangle__svg a")).to_have_count(6)
    expect(triangle_node(page, "1. Shared purpose: in discussion")).to_be_visible()
    expect(triangle_node(page, "2. Shared power: not started")).to_be_visible()

    # Shared purpose: write the record of the conversation.
    follow(page, components.nth(0).get_by_role("link", name="Shared purpose"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Shared purpose")
    expect(page.locator(".page-head .state")).to_have_text("in discussion")
    record = page.locator("dl.record")
    expect(record.locator("dd")).to_have_text(["Nothing written yet."] * 4)
    follow(page, page.get_by_role("link", name="Edit the record"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("The record of Shared purpose")
    page.get_by_label("Notes").fill("We met at the library; *all* partners came.")
    page.get_by_label("What the partners agree on").fill(
        "- Nobody sleeps outside this winter\n- We share one waiting list"
    )
    follow(page, page.get_by_role("button", name="Save the record"), viewport)
    expect(page.get_by_role("status")).to_contain_text("The record is saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Shared purpose")
    notes = record.locator("dd").nth(0)
    expect(notes).to_have_text("We met at the library; all partners came.")
    expect(notes.locator("em")).to_have_text("all")
    expect(record.locator("dd").nth(1).locator("li")).to_have_text(
        ["Nobody sleeps outside this winter", "We share one waiting list"]
    )
    expect(record.locator("dd").nth(2)).to_have_text("Nothing written yet.")
    expect(page.get_by_text(re.compile(r"Last change: Nadia Newcomer"))).to_be_visible()

    # Record it: the next component opens and is shown.
    follow(page, page.get_by_role("button", name="Mark Shared purpose recorded"), viewport)
    expect(page.get_by_role("heading", level=1)).to_have_text("2. Shared power")
    expect(page.locator(".page-head .state")).to_have_text("in discussion")
    expect(page.get_by_role("status")).to_contain_text(
        "Shared purpose is recorded. Shared power is open for discussion."
    )
    component_nav = page.get_by_role("navigation", name="Components of this review")
    expect(
        component_nav.get_by_role("link", name=re.compile("^1. Shared purpose"))
    ).to_contain_text("(recorded)")

    # Back on the review home, the triangle shows the change.
    follow(
        page, page.locator(".breadcrumb").get_by_role("link", name="Spring 2027 review"), viewport
    )
    expect(page).to_have_url(review_url)
    expect(triangle_node(page, "1. Shared purpose: recorded")).to_be_visible()
    expect(triangle_node(page, "2. Shared power: in discussion")).to_be_visible()
    expect(triangle_node(page, "3. Shared view of interdependence: not started")).to_be_visible()
    expect(triangle_node(page, "1. Shared purpose: in discussion")).to_have_count(0)
    expect(components.nth(0).locator(".state")).to_have_text("recorded")
    expect(components.nth(1).locator(".state")).to_have_text("in discussion")
    expect(components.nth(2).locator(".state")).to_have_text("not started")

    # Keyboard: the first Tab from the top of the page reaches the skip link, shown on focus,
    # and following it puts the focus on the content.
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page).to_have_url(review_url + "#main")
