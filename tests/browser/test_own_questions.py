"""The alliance's own question and the network's figures, in a real browser (issue 19): an
outside facilitator adds a question on her desktop, a member answers it in a check-in from
her phone, and a member reads what the network of dependencies says."""

import datetime

import pytest
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from ratings.models import CheckIn
from reviews.models import Question
from reviews.services import start_review
from tests.answering import check_in_on
from tests.browser.checks import assert_fits_the_screen, axe_check
from tests.browser.people import follow, sign_in_to
from tests.factories import add_member, make_dependency, make_partner, make_user

RURAL = "Are the rural partners heard as much as the county ones?"


@pytest.fixture
def harvest(settings, transactional_db):
    """Harvest Alliance: Carol coordinates for the Food Bank, Mia is a member for the
    Community Kitchen, Fiona facilitates from outside; a review has started."""
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
    pantry = make_partner(alliance, "Pantry Network")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=food_bank)
    mia = make_user("Mia Member", "mia@example.org")
    add_member(alliance, mia, Role.MEMBER, partner=kitchen)
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=carol,
    )
    return {
        "alliance": alliance,
        "review": review,
        "partners": (food_bank, kitchen, pantry),
    }


def test_a_question_of_our_own_is_answered_from_a_phone_and_the_network_is_read(
    new_context, live_server, harvest
):
    url = live_server.url
    review = harvest["review"]
    errors = []

    # Fiona, on her desktop, adds a question of the alliance's own to Shared purpose.
    fiona = new_context("desktop").new_page()
    fiona.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_to(
        fiona, f"{url}/a/harvest-alliance/reviews/{review.pk}/", "fiona@example.org", "desktop"
    )
    follow(
        fiona,
        fiona.get_by_role("link", name="The questions this review asks, and the alliance's own"),
        "desktop",
    )
    expect(fiona.get_by_role("heading", level=1)).to_have_text("What this review asks")
    fiona.get_by_label("Component").select_option(label="1. Shared purpose")
    fiona.get_by_role("textbox", name="Question").fill(
        ""
    )  # an empty question is refused, beside the field
    follow(fiona, fiona.get_by_role("button", name="Add the question"), "desktop")
    expect(fiona.locator(".field--error")).to_contain_text("This field is required.")
    expect(fiona.get_by_label("Component")).to_have_value("purpose")
    fiona.get_by_role("textbox", name="Question").fill(RURAL)
    follow(fiona, fiona.get_by_role("button", name="Add the question"), "desktop")
    expect(fiona.locator(".messages")).to_contain_text("The question is added.")
    purpose = fiona.locator("section.questions").first
    expect(purpose.locator("li").last).to_contain_text(RURAL)
    expect(purpose.locator("li").last).to_contain_text("the alliance's own question")
    axe_check(fiona)
    question = Question.objects.get(review=review)

    # A check-in on Shared purpose; Mia answers it from her phone, the new question too.
    check_in = check_in_on(review, ["purpose"])
    check_in_url = f"{url}/a/harvest-alliance/check-ins/{check_in.pk}/"
    mia = new_context("phone").new_page()
    mia.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_to(mia, check_in_url, "mia@example.org", "phone")
    own = mia.get_by_label(RURAL)
    expect(own).to_be_visible()
    mia.locator("label.scale__option", has_text="4: Mostly true").tap()
    own.tap()
    own.fill("Not yet: the county partners speak first.")
    follow(mia, mia.get_by_role("button", name="Send my answers"), "phone")
    expect(mia.locator(".messages .message--success")).to_have_text(
        "Your answers were received. Thank you."
    )
    axe_check(mia)
    assert CheckIn.objects.get(pk=check_in.pk).rounds.get().participations.count() == 1
    assert question.pk  # asked, answered and kept sealed until the round closes

    # Mia reads what the network of dependencies says, on her phone.
    food_bank, kitchen, pantry = harvest["partners"]
    make_dependency(harvest["alliance"], kitchen, food_bank, "cold storage")
    make_dependency(harvest["alliance"], pantry, food_bank, "deliveries")
    mia.goto(f"{url}/a/harvest-alliance/dependencies/")
    figures = mia.locator("section.network-figures")
    expect(figures.get_by_role("heading", name="What the network says")).to_be_visible()
    expect(figures).to_contain_text(
        "33 %: 2 of the 6 ties there could be (each partner depending on each other one) exist."
    )
    expect(figures).to_contain_text("100 %: how much the network hangs on one partner.")
    expect(figures).to_contain_text("0 of 3 partners have confirmed their side of a tie.")
    table = figures.get_by_role(
        "table", name="Each partner's ties, and what its leaving would break"
    )
    expect(table.get_by_role("row")).to_have_count(4)
    # Mia confirms, for her kitchen, that it depends on the food bank.
    follow(mia, mia.get_by_role("button", name="Confirm for Community Kitchen"), "phone")
    expect(mia.locator(".messages")).to_contain_text("Community Kitchen confirms that")
    expect(mia.locator("section.network-figures")).to_contain_text(
        "1 of 3 partners have confirmed their side of a tie."
    )
    axe_check(mia)
    assert_fits_the_screen(mia)
    assert not errors, errors
