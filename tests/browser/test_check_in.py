"""A private check-in, in a real browser: an outside facilitator opens it on a desktop, the
members answer it from their phones, and the spread of ratings appears only once the
check-in is closed and enough people answered (the review's thresholds, K).
"""

import datetime
import statistics

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from ratings.models import CheckIn
from reviews.services import start_review
from tests.answering import check_in_on
from tests.browser.checks import axe_check
from tests.browser.people import follow, sign_in_to
from tests.factories import add_member, add_named_members, make_partner, make_user

SPREAD_LATER = "The spread of ratings is shown once answers are closed."
RECEIVED = "Your answers were received."
SCALE_LABELS = {
    1: "1: Not at all true of our alliance",
    2: "2: A little true",
    3: "3: Partly true",
    4: "4: Mostly true",
    5: "5: Fully true of our alliance",
}


@pytest.fixture
def harvest(settings, transactional_db):
    """Harvest Alliance: Carol coordinates for the Food Bank, Fiona facilitates from outside
    (she does not answer), and a review has started with the default thresholds (ratings
    from 3 answers, written answers from 5)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    food_bank = make_partner(alliance, "Food Bank")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=food_bank)
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=carol,
    )
    assert (review.rating_threshold, review.reflection_threshold) == (3, 5)
    return {"alliance": alliance, "fiona": fiona, "food_bank": food_bank, "review": review}


def eligible(alliance) -> int:
    return sum(m.can_answer for m in Membership.objects.filter(alliance=alliance))


def open_page(new_context, viewport, errors):
    page = new_context(viewport).new_page()
    page.on("pageerror", lambda error: errors.append(f"{viewport}: {error}"))
    return page


def answer_from_phone(page, check_in_url, rating, text=""):
    """On a phone: open the check-in link, tap a rating, perhaps write, and send."""
    page.goto(check_in_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Private check-in")
    radio = page.get_by_label(SCALE_LABELS[rating])
    expect(radio).not_to_be_checked()
    page.locator("label.scale__option", has_text=SCALE_LABELS[rating]).tap()
    expect(radio).to_be_checked()
    # Only one rating is chosen.
    expect(page.locator("fieldset.scale input[type=radio]:checked")).to_have_count(1)
    if text:
        area = page.locator("form.answers textarea").first
        counter = page.locator(f"#{area.get_attribute('id')}_counter")
        expect(counter).to_have_text("0 of 2000 characters")
        area.tap()
        area.fill(text)
        expect(counter).to_have_text(f"{len(text)} of 2000 characters")
    follow(page, page.get_by_role("button", name="Send my answers"), "phone")
    expect(page).to_have_url(check_in_url)
    expect(page.locator(".messages .message--success")).to_have_text(
        "Your answers were received. Thank you."
    )
    expect(page.get_by_text(RECEIVED, exact=True)).to_be_visible()
    expect(page.locator("form.answers")).to_have_count(0)
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)


def expect_progress_without_spread(page, answered, total, needed_for_ratings):
    result = page.locator(".result")
    expect(result).to_have_count(1)
    expect(result.locator(".result__count")).to_have_text(f"{answered} of {total} people answered.")
    expect(page.get_by_text("Median rating")).to_have_count(0)
    expect(page.locator("svg.bars")).to_have_count(0)
    more = max(needed_for_ratings - answered, 0)
    later = SPREAD_LATER
    if more:
        later += f" {more} more answer{'s' if more > 1 else ''} needed."
    expect(result.locator("p.muted").first).to_have_text(later)


def test_four_members_answer_a_check_in_from_their_phones(new_context, live_server, harvest):
    url = live_server.url
    alliance, review = harvest["alliance"], harvest["review"]
    members = add_named_members(
        alliance, harvest["food_bank"], ["Mia Member", "Noor Member", "Omar Member", "Pia Member"]
    )
    total = eligible(alliance)
    assert total == 5  # Carol and the four members; Fiona, from outside, does not answer.
    errors = []

    # Fiona, on her desktop, opens a check-in on Shared purpose.
    fiona = open_page(new_context, "desktop", errors)
    review_url = f"{url}/a/harvest-alliance/reviews/{review.pk}/"
    sign_in_to(fiona, review_url, "fiona@example.org", "desktop")
    expect(fiona.get_by_role("heading", level=1)).to_have_text("Spring 2027 review")
    follow(fiona, fiona.get_by_role("link", name="Open a check-in"), "desktop")
    expect(fiona.get_by_role("heading", level=1)).to_have_text("Open a check-in")
    axe_check(fiona)
    components = fiona.get_by_role("group", name="Components to check in on").get_by_role(
        "checkbox"
    )
    expect(components).to_have_count(6)
    for index in range(6):
        expect(components.nth(index)).to_be_checked()  # none is recorded yet
    for index in range(1, 6):
        components.nth(index).uncheck()
    expect(fiona.get_by_label("1. Shared purpose")).to_be_checked()
    expect(fiona.get_by_label("2. Shared power")).not_to_be_checked()
    closes_at = fiona.get_by_label("Closes at")
    expect(closes_at).to_have_attribute("type", "datetime-local")
    closing = (timezone.localtime() + datetime.timedelta(days=2)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    closes_at.fill(closing.strftime("%Y-%m-%dT%H:%M"))
    fiona.get_by_label("A message for the members (optional)").fill(
        "Please answer before Thursday's meeting."
    )
    follow(
        fiona,
        fiona.get_by_role("button", name="Open the check-in and email the members"),
        "desktop",
    )

    check_in = CheckIn.objects.get(review=review)
    assert check_in.closes_at == closing
    assert [r.component_key for r in check_in.rounds.all()] == ["purpose"]
    check_in_url = f"{url}/a/harvest-alliance/check-ins/{check_in.pk}/"
    expect(fiona).to_have_url(check_in_url)
    expect(fiona.get_by_role("heading", level=1)).to_have_text("Private check-in")
    expect(fiona.get_by_role("status")).to_contain_text("The check-in is open")
    expect(fiona.get_by_text("Please answer before Thursday's meeting.")).to_be_visible()
    expect(fiona.get_by_role("heading", level=3)).to_have_text(["1. Shared purpose"])
    # An outside facilitator does not answer.
    expect(fiona.locator("form.answers")).to_have_count(0)
    expect(fiona.get_by_text("Observers and outside facilitators do not answer")).to_be_visible()
    expect_progress_without_spread(fiona, 0, total, review.rating_threshold)
    axe_check(fiona)

    # The four members answer from their phones; Fiona watches the count grow.
    ratings = [2, 4, 5, 5]
    texts = [
        "We agree on the pantry, less on the garden.",
        "Same goals, different clocks.",
        "Every partner wants fewer families waiting.",
        "Yes, since the spring retreat.",
    ]
    phones = []
    for number, (membership, rating, text) in enumerate(
        zip(members, ratings, texts, strict=True), 1
    ):
        phone = open_page(new_context, "phone", errors)
        phones.append(phone)
        sign_in_to(phone, check_in_url, membership.user.email, "phone")
        if number == 1:
            assert phone.evaluate("window.innerWidth") == 375
            expect(phone.get_by_role("button", name="Send my answers")).to_be_visible()
            axe_check(phone)
        answer_from_phone(phone, check_in_url, rating, text)
        if number == 1:
            axe_check(phone)

        fiona.reload()
        expect_progress_without_spread(fiona, number, total, review.rating_threshold)
        for written in texts:
            expect(fiona.get_by_text(written)).to_have_count(0)

    # Carol, the coordinator, opens the form on her phone but sends it too late.
    carol = open_page(new_context, "phone", errors)
    sign_in_to(carol, check_in_url, "carol@example.org", "phone")
    carol.locator("label.scale__option", has_text=SCALE_LABELS[1]).tap()
    expect(carol.get_by_label(SCALE_LABELS[1])).to_be_checked()

    # A member comes back: the form is gone, their answers were taken.
    phones[0].reload()
    expect(phones[0].get_by_text(RECEIVED, exact=True)).to_be_visible()
    expect(phones[0].locator("form.answers")).to_have_count(0)

    # Fiona closes the check-in: the spread shows (4 answers, K is 3), but not the written
    # answers (4 written, K is 5).
    follow(fiona, fiona.get_by_role("button", name="Close the check-in"), "desktop")
    expect(fiona).to_have_url(check_in_url)
    expect(fiona.get_by_role("status")).to_contain_text("The check-in is closed.")
    expect(fiona.get_by_role("button", name="Close the check-in")).to_have_count(0)
    expect(fiona.get_by_role("heading", level=2, name="Results")).to_be_visible()
    expect(fiona.locator(".result__count")).to_have_text(f"4 of {total} people answered.")
    median = statistics.median(ratings)
    assert median == 4.5
    expect(fiona.locator(".result p", has_text="Median rating:")).to_have_text(
        "Median rating: 4.5 out of 5."
    )
    bars = fiona.locator("svg.bars")
    expect(bars).to_be_visible()
    expect(bars.locator(".bars__count")).to_have_text(
        [str(ratings.count(value)) for value in range(1, 6)]
    )
    expect(fiona.get_by_text(SPREAD_LATER)).to_have_count(0)
    expect(fiona.get_by_text("4 written answers.")).to_be_visible()
    expect(fiona.get_by_text("1 more needed before they are shown.")).to_be_visible()
    expect(fiona.locator("ul.reflections")).to_have_count(0)
    for written in texts:
        expect(fiona.get_by_text(written)).to_have_count(0)
    axe_check(fiona)

    # Carol's late answer is refused, and nothing changes.
    follow(carol, carol.get_by_role("button", name="Send my answers"), "phone")
    expect(carol.locator(".messages .message")).to_have_text(
        ["This check-in is closed; answers are no longer taken."]
    )
    expect(carol.locator("form.answers")).to_have_count(0)
    expect(carol.get_by_text(RECEIVED, exact=True)).to_have_count(0)
    expect(carol.locator(".result__count")).to_have_text(f"4 of {total} people answered.")
    expect(carol.locator(".bars__count")).to_have_text(
        [str(ratings.count(value)) for value in range(1, 6)]
    )

    # A member tries to answer again, after the close: no form, their answers were received.
    phone = phones[2]
    phone.goto(check_in_url)
    expect(phone.get_by_text(RECEIVED, exact=True)).to_be_visible()
    expect(phone.locator("form.answers")).to_have_count(0)
    expect(phone.get_by_role("button", name="Send my answers")).to_have_count(0)
    expect(phone.get_by_text("Median rating:")).to_be_visible()
    axe_check(phone)

    assert not errors, f"JavaScript errors on the pages: {errors}"


def test_a_second_answer_from_a_stale_form_is_refused(new_context, live_server, harvest):
    """Two tabs with the form open: the second sending is refused, and nothing changes."""
    url = live_server.url
    alliance, review = harvest["alliance"], harvest["review"]
    [mia] = add_named_members(alliance, harvest["food_bank"], ["Mia Member"])
    check_in = check_in_on(review, author=harvest["fiona"])
    check_in_url = f"{url}/a/harvest-alliance/check-ins/{check_in.pk}/"
    errors = []

    first = open_page(new_context, "phone", errors)
    sign_in_to(first, check_in_url, mia.user.email, "phone")
    second = first.context.new_page()
    second.on("pageerror", lambda error: errors.append(str(error)))
    second.goto(check_in_url)
    expect(second.get_by_role("button", name="Send my answers")).to_be_visible()

    answer_from_phone(first, check_in_url, 3)
    second.locator("label.scale__option", has_text=SCALE_LABELS[1]).tap()
    follow(second, second.get_by_role("button", name="Send my answers"), "phone")
    expect(second.locator(".messages .message")).to_have_text(
        ["You have answered already. Each person answers once."]
    )
    expect(second.get_by_text(RECEIVED, exact=True)).to_be_visible()
    expect(second.locator("form.answers")).to_have_count(0)
    expect(second.locator(".result__count")).to_have_text(
        f"1 of {eligible(alliance)} people answered."
    )
    axe_check(second)
    assert not errors, f"JavaScript errors on the pages: {errors}"


def test_in_a_two_member_alliance_the_spread_never_shows(new_context, live_server, harvest):
    url = live_server.url
    alliance, review = harvest["alliance"], harvest["review"]
    [mia] = add_named_members(alliance, harvest["food_bank"], ["Mia Member"])
    total = eligible(alliance)
    assert total == 2  # Carol and Mia; Fiona, from outside, does not answer.
    check_in = check_in_on(review, author=harvest["fiona"])
    check_in_url = f"{url}/a/harvest-alliance/check-ins/{check_in.pk}/"
    errors = []

    # Fiona keeps the check-in open on her desktop; its progress updates by itself every 10
    # seconds (of the page's clock, which the test moves on rather than wait).
    fiona = open_page(new_context, "desktop", errors)
    fiona.clock.install()
    sign_in_to(fiona, check_in_url, "fiona@example.org", "desktop")
    expect(fiona.get_by_text("This part of the page updates by itself")).to_be_visible()
    expect_progress_without_spread(fiona, 0, total, review.rating_threshold)
    for number, (email, rating) in enumerate([("carol@example.org", 5), (mia.user.email, 5)], 1):
        phone = open_page(new_context, "phone", errors)
        sign_in_to(phone, check_in_url, email, "phone")
        answer_from_phone(phone, check_in_url, rating, "We know why we are here.")
        with fiona.expect_response(lambda response: response.url == check_in_url):
            fiona.clock.run_for("00:11")
        expect_progress_without_spread(fiona, number, total, review.rating_threshold)

    follow(fiona, fiona.get_by_role("button", name="Close the check-in"), "desktop")
    expect(fiona.get_by_role("status")).to_contain_text("The check-in is closed.")
    expect(fiona.locator(".result__count")).to_have_text(f"2 of {total} people answered.")
    expect(fiona.get_by_text("1 more answer needed before ratings are shown.")).to_be_visible()
    expect(fiona.get_by_text("Median rating")).to_have_count(0)
    expect(fiona.locator("svg.bars")).to_have_count(0)
    expect(fiona.get_by_text("2 written answers.")).to_be_visible()
    expect(fiona.get_by_text("We know why we are here.")).to_have_count(0)
    axe_check(fiona)

    # Nor does a member see it, after the close.
    phone.reload()
    expect(phone.get_by_text("1 more answer needed before ratings are shown.")).to_be_visible()
    expect(phone.get_by_text("Median rating")).to_have_count(0)
    axe_check(phone)
    assert not errors, f"JavaScript errors on the pages: {errors}"
