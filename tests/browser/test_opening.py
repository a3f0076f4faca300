"""The opening of a live meeting, in real browsers: the commitments due since the last
meeting are reviewed one by one. The owner of the current commitment says, from her phone,
whether it was done (a "not done" needs a reason, said beside the field); the facilitator
moves on to the next commitment and answers for a member who is not in the room; the trust
page then shows the alliance's commitments kept, with the reason given.

Fiona facilitates on a desktop, Noor follows on a 375 px phone and a projector shows the
room the stage, each in its own browser context, over real WebSockets served by uvicorn
(the `asgi_server` fixture).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from history.models import Revision
from history.services import create_with_history
from meetings.services import plan_meeting
from reviews.models import Commitment
from reviews.services import start_review
from tests.browser.checks import axe_check
from tests.browser.people import Person, label, sign_in
from tests.factories import add_member, make_partner, make_user

WAITING = "The meeting has not started yet."
OPENING = "Opening: commitments"
NOOR_TASK = "Open the kitchen on Saturdays"
OMAR_TASK = "Map the pantry's winter stops"
REASON = "Two volunteers left in October; we start again in January."


@pytest.fixture
def opening(settings, transactional_db):
    """Harvest Alliance, with two commitments of its review that fell due before the meeting
    planned for now: Noor's (Community Kitchen), then Omar's (Mobile Pantry). Fiona
    facilitates from outside the partners."""
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
    pantry = make_partner(alliance, "Mobile Pantry")
    Membership.objects.filter(alliance=alliance, user=carol).update(partner=food_bank)
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    noor = add_member(
        alliance, make_user("Noor Member", "noor@example.org"), Role.MEMBER, kitchen
    ).user
    omar = add_member(
        alliance, make_user("Omar Member", "omar@example.org"), Role.MEMBER, pantry
    ).user
    today = timezone.localdate()
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=today - datetime.timedelta(days=90),
        author=carol,
    )
    commitments = []
    for description, partner, owner, days in [
        (NOOR_TASK, kitchen, noor, 10),
        (OMAR_TASK, pantry, omar, 3),
    ]:
        commitment = Commitment(
            alliance=alliance,
            review=review,
            component_key="purpose",
            description=description,
            partner=partner,
            owner=owner,
            due_on=today - datetime.timedelta(days=days),
            created_by=carol,
        )
        create_with_history(commitment, alliance=alliance, author=carol)
        commitments.append(commitment)
    meeting = plan_meeting(
        review=review,
        agenda=["purpose"],
        author=fiona,
        starts_at=timezone.now(),
        place="Community Kitchen, back room",
        facilitator=fiona,
    )
    return {
        "alliance": alliance,
        "review": review,
        "meeting": meeting,
        "fiona": fiona,
        "noor": noor,
        "omar": omar,
        "commitments": commitments,
    }


def test_the_opening_reviews_the_commitments_due_one_by_one(asgi_server, new_context, opening):
    url = asgi_server.url
    meeting = opening["meeting"]
    noor_commitment, omar_commitment = opening["commitments"]
    meeting_url = f"{url}/a/harvest-alliance/meetings/{meeting.pk}/"
    errors = []

    fiona = Person("Fiona", new_context, "desktop", errors)
    noor = Person("Noor", new_context, "phone", errors)
    sign_in(fiona.context, url, opening["fiona"])
    sign_in(noor.context, url, opening["noor"])
    page = fiona.page

    page.goto(meeting_url)
    expect(fiona.where).to_have_text(WAITING)
    expect(page.locator("#connection")).to_have_text("Live")
    with page.expect_navigation():
        page.get_by_role("button", name="Make a projector link").click()
    projector_url = page.locator("#projector-url").inner_text()
    projector = Person("projector", new_context, "desktop", errors)
    projector.page.goto(projector_url)
    expect(projector.where).to_have_text(WAITING)
    expect(projector.page.locator("#connection")).to_have_text("Live")
    noor.page.goto(meeting_url)
    expect(noor.where).to_have_text(WAITING)
    expect(noor.page.locator("#connection")).to_have_text("Live")
    assert noor.page.evaluate("window.innerWidth") == 375
    screens = [fiona, noor, projector]

    def fiona_sends(button, path):
        """Fiona presses a button of her part of the page (htmx) and waits for its answer."""
        with page.expect_response(lambda r: r.request.method == "POST" and path in r.url):
            page.get_by_role("button", name=label(button)).click()
        expect(page.locator(".htmx-request")).to_have_count(0)

    def now_on(person, description):
        """The commitment the room is looking at, on this person's stage."""
        current = person.stage.locator("li.due__item--current")
        expect(current).to_have_count(1)
        expect(current.locator(".due__now")).to_have_text("Now:")
        expect(current).to_contain_text(description)
        return current

    def item(person, description):
        return person.stage.locator("ol.due li", has_text=description)

    # 1. Fiona starts the meeting: every screen shows the opening, "Now:" on Noor's
    # commitment, the earlier due of the two.
    fiona_sends("Start the meeting", "/command/")
    for person in screens:
        expect(person.where).to_have_text(OPENING)
        expect(person.stage.locator("ol.due li")).to_have_count(2)
        now_on(person, NOOR_TASK)
        expect(item(person, NOOR_TASK)).to_contain_text("Community Kitchen, Noor Member")
        expect(item(person, OMAR_TASK)).to_contain_text("Mobile Pantry, Omar Member")
    # Her part of the page may be fetched again as the new phase reaches it: let it land.
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(page.get_by_role("button", name="Next commitment")).to_be_visible()
    expect(noor.page.get_by_role("button", name="Next commitment")).to_have_count(0)
    expect(projector.page.locator("form, textarea, select")).to_have_count(0)
    for person in screens:
        person.page.evaluate("window.sameDocument = true")  # gone if a page were reloaded

    # 2. Noor, on her phone, is asked about her commitment.
    form = noor.page.locator("#work section.mine")
    expect(form.get_by_role("heading", level=2)).to_have_text(f"Was it done? “{NOOR_TASK}”")
    status = noor.page.get_by_label("Status")
    reason = noor.page.get_by_label("Reason")
    expect(status).to_have_value("open")
    # Not done, without a reason: refused, said beside the reason, her choice kept.
    status.select_option(label="not done")
    save = noor.page.get_by_role("button", name="Save", exact=True)
    with noor.page.expect_response(
        lambda r: r.request.method == "POST" and "/status/" in r.url
    ) as response:
        noor.press(save)
    assert response.value.status == 200
    expect(noor.page.locator(".htmx-request")).to_have_count(0)
    field = noor.page.locator("#work .field--error")
    expect(field).to_have_count(1)
    expect(field.locator(".field__errors")).to_have_text("Say why it was not done.")
    expect(field.locator("textarea")).to_have_attribute("name", "status_reason")
    expect(noor.page.get_by_role("alert")).to_contain_text("Please correct what is marked below")
    expect(status).to_have_value(Commitment.Status.NOT_DONE)
    noor_commitment.refresh_from_db()
    assert noor_commitment.status == Commitment.Status.OPEN
    for person in screens:
        expect(item(person, NOOR_TASK).locator(".state")).to_have_text("not yet due or in progress")
    axe_check(noor.page)
    assert noor.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # She gives the reason and saves: every screen shows it, with no reload.
    reason.tap()
    reason.fill(REASON)
    with noor.page.expect_response(lambda r: r.request.method == "POST" and "/status/" in r.url):
        noor.press(save)
    expect(noor.page.locator(".htmx-request")).to_have_count(0)
    expect(noor.page.locator("#work .field--error")).to_have_count(0)
    for person in screens:
        current = now_on(person, NOOR_TASK)
        expect(current.locator(".state")).to_have_text("not done")
        expect(current).to_contain_text(f"({REASON})")
    for person in screens:
        assert person.page.evaluate("window.sameDocument") is True
    axe_check(noor.page)

    # 3. Omar is not in the room: Fiona moves on to his commitment and says it was done.
    fiona_sends("Next commitment", "/command/")
    for person in screens:
        now_on(person, OMAR_TASK)
        expect(item(person, NOOR_TASK).locator(".due__now")).to_have_count(0)
    # Noor's question goes away: the room has moved on from her commitment.
    expect(noor.page.locator("#work section.mine")).to_have_count(0)
    expect(page.locator("#work section.mine h2")).to_have_text(f"Was it done? “{OMAR_TASK}”")
    page.get_by_label("Status").select_option(label="done")
    fiona_sends("Save", "/status/")
    for person in screens:
        expect(now_on(person, OMAR_TASK).locator(".state")).to_have_text("done")
        expect(item(person, NOOR_TASK).locator(".state")).to_have_text("not done")
    axe_check(page)

    # The database: both statuses and the reason saved, each change on the record.
    noor_commitment.refresh_from_db()
    omar_commitment.refresh_from_db()
    assert (noor_commitment.status, noor_commitment.status_reason) == ("not_done", REASON)
    assert (omar_commitment.status, omar_commitment.status_reason) == ("done", "")
    for commitment, author, changes in [
        (noor_commitment, opening["noor"], {"status", "status_reason"}),
        (omar_commitment, opening["fiona"], {"status"}),
    ]:
        revisions = Revision.objects.for_object(commitment).filter(action=Revision.Action.CHANGED)
        assert [(r.author, set(r.changes)) for r in revisions] == [(author, changes)]
        assert revisions[0].version == commitment.version == 2
        assert revisions[0].changes["status"]["old"] == "not yet due or in progress"
    assert Revision.objects.for_object(noor_commitment).get(version=2).changes["status_reason"] == {
        "label": "reason",
        "old": "",
        "new": REASON,
    }

    # 4. The trust page: the alliance's commitments kept, and the reason given.
    page.goto(f"{url}/a/harvest-alliance/trust/")
    follow = page.locator("#trust-register")
    expect(follow.get_by_text("Commitments kept", exact=True)).to_be_visible()
    expect(follow.locator(".headline")).to_have_text("Of 2 commitments due in Spring 2027 review:")
    tally = follow.locator("ul.tally li")
    expect(tally.filter(has_text="kept (")).to_have_text("1 kept (50%)")
    expect(tally.filter(has_text="not kept")).to_have_text("1 not kept")
    expect(tally.filter(has_text="not reported yet")).to_have_count(0)  # none: not listed
    heading = follow.get_by_role("heading", name="The reasons given")
    expect(heading).to_be_visible()
    expect(follow.locator("ul.reasons li")).to_have_text([REASON])
    expect(follow.get_by_text("Why some were not kept")).to_be_visible()
    axe_check(page)

    # 5. Nothing went wrong along the way.
    assert not errors, f"JavaScript errors on the pages: {errors}"
    assert not asgi_server.errors, f"The server logged errors: {asgi_server.errors}"
