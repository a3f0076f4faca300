"""A live meeting in real browsers: a facilitator on a desktop moves the room through Shared
purpose, three participants follow on their own devices (one on a phone) and a projector
shows the room the shared view, each in its own browser context, over real WebSockets
served by uvicorn (the `asgi_server` fixture).

Along the way: a participant's network drops and comes back (the page catches up by
itself), another reloads mid-reflection and finds what they typed, participants never get
the facilitator's controls, and the projector never shows a private answer.
"""

import datetime
import re
import statistics

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Membership, Role
from alliances.services import create_alliance
from meetings.models import Meeting
from ratings.models import Participation
from reviews.models import Commitment, ComponentRecord
from reviews.services import start_review
from tests.browser.checks import axe_check
from tests.browser.people import Person, fits_the_screen, label, sign_in
from tests.factories import add_member, make_partner, make_user

SCALE_LABELS = {
    1: "1: Not at all true of our alliance",
    2: "2: A little true",
    3: "3: Partly true",
    4: "4: Mostly true",
    5: "5: Fully true of our alliance",
}
WAITING = "The meeting has not started yet."
OPENING = "Opening: commitments"
INTRODUCE = "1. Shared purpose · Introduce"
REFLECT = "1. Shared purpose · Reflect"
REVEAL = "1. Shared purpose · Reveal"
DISCUSS = "1. Shared purpose · Discuss"
RECORD = "1. Shared purpose · Record"
NEXT_COMPONENT = "2. Shared power · Introduce"
# A dropped connection comes back by the page's own backoff, or at once on the "online" event.
RECONNECT_MS = 20_000


@pytest.fixture
def harvest(settings, transactional_db):
    """Harvest Alliance: Carol coordinates (and stays away from this meeting), Fiona
    facilitates from outside the partners (she does not answer), and three members of the
    partners will take part. The review shows ratings from K = 3 answers."""
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
    members = [
        add_member(alliance, make_user(name, email), Role.MEMBER, partner).user
        for name, email, partner in [
            ("Mia Member", "mia@example.org", food_bank),
            ("Noor Member", "noor@example.org", kitchen),
            ("Omar Member", "omar@example.org", pantry),
        ]
    ]
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=carol,
        rating_threshold=3,
    )
    assert (review.rating_threshold, review.reflection_threshold) == (3, 5)
    return {"alliance": alliance, "fiona": fiona, "members": members, "review": review,
            "kitchen": kitchen}  # fmt: skip


def test_a_facilitator_runs_shared_purpose_with_three_participants_and_a_projector(
    asgi_server, new_context, harvest
):
    url = asgi_server.url
    review, fiona_user = harvest["review"], harvest["fiona"]
    mia_user, noor_user, omar_user = harvest["members"]
    eligible = sum(m.can_answer for m in Membership.objects.filter(alliance=harvest["alliance"]))
    assert eligible == 4  # Carol and the three members; Fiona, from outside, does not answer.
    errors = []

    # Fiona on her desktop; Mia and Noor on laptops, Omar on his phone. Noor's network will
    # drop later on.
    fiona = Person("Fiona", new_context, "desktop", errors)
    mia = Person("Mia", new_context, "desktop", errors)
    noor = Person("Noor", new_context, "desktop", errors, cable=True)
    omar = Person("Omar", new_context, "phone", errors)
    participants = [mia, noor, omar]
    users = [fiona_user, mia_user, noor_user, omar_user]
    for person, user in zip([fiona, *participants], users, strict=True):
        sign_in(person.context, url, user)

    # Fiona plans the meeting from the review's page; the agenda defaults to the next two
    # components not yet recorded.
    page = fiona.page
    page.goto(f"{url}/a/harvest-alliance/reviews/{review.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring 2027 review")
    with page.expect_navigation():
        page.get_by_role("link", name="Plan a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a meeting")
    expect(page.get_by_label("1. Shared purpose (in discussion)")).to_be_checked()
    expect(page.get_by_label("2. Shared power (not started)")).to_be_checked()
    expect(page.get_by_label("3. Shared view of interdependence (not started)")).not_to_be_checked()
    starts_at = (timezone.localtime() + datetime.timedelta(hours=1)).replace(
        second=0, microsecond=0
    )
    page.get_by_label("Date and time").fill(starts_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place").fill("Community Kitchen, back room")
    with page.expect_navigation():
        page.get_by_role("button", name="Plan the meeting and invite everyone").click()
    meeting = Meeting.objects.get(review=review)
    meeting_url = f"{url}/a/harvest-alliance/meetings/{meeting.pk}/"
    expect(page).to_have_url(meeting_url)
    expect(page.get_by_role("status").first).to_contain_text("The meeting is planned")
    assert meeting.agenda == ["purpose", "power"]
    assert meeting.facilitator == fiona_user
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        m.user.email for m in Membership.objects.filter(alliance=harvest["alliance"])
    )
    expect(fiona.where).to_have_text(WAITING)
    expect(page.get_by_role("button", name="Start the meeting")).to_be_visible()

    # A projector link for the room's screen, opened without signing in.
    with page.expect_navigation():
        page.get_by_role("button", name="Make a projector link").click()
    projector_url = page.locator("#projector-url").inner_text()
    assert re.fullmatch(rf"{re.escape(url)}/projector/[\w-]+/", projector_url)
    expect(page.locator("#connection")).to_have_text("Live")
    axe_check(page)

    projector = Person("projector", new_context, "desktop", errors)
    projector.page.goto(projector_url)
    expect(projector.page.get_by_role("heading", level=1)).to_have_text(
        "Harvest Alliance — Spring 2027 review"
    )
    expect(projector.where).to_have_text(WAITING)
    expect(projector.page.locator("#connection")).to_have_text("Live")

    # The three participants open the meeting.
    for person in participants:
        person.page.goto(meeting_url)
        expect(person.where).to_have_text(WAITING)
        expect(person.page.locator("#connection")).to_have_text("Live")
    assert omar.page.evaluate("window.innerWidth") == 375
    expect(page.locator("#presence-names")).to_have_text(
        "Fiona Facilitator, Mia Member, Noor Member, Omar Member"
    )
    axe_check(omar.page)

    screens = [fiona, *participants, projector]

    def everyone_sees(where, among=screens):
        for person in among:
            expect(person.where).to_have_text(where)

    def no_controls_for_participants():
        for person in [*participants, projector]:
            expect(person.page.locator(".controls")).to_have_count(0)
            for name in ("Start the meeting", "Next", "Back", "Reveal", "Record and continue"):
                expect(person.page.get_by_role("button", name=label(name))).to_have_count(0)

    def fiona_sends(button, path):
        """Fiona presses a button of her part of the page (htmx) and waits until that part
        has been swapped for the server's answer: what she types next is not wiped out."""
        with page.expect_response(lambda r: r.request.method == "POST" and path in r.url):
            page.get_by_role("button", name=label(button)).click()
        expect(page.locator(".htmx-request")).to_have_count(0)

    def fiona_moves(button, where, among=screens):
        """Fiona moves the meeting on; her page and everyone's follow. When the new phase
        reaches her page before the command's answer does, her part of the page is loaded
        again: once her stage shows the phase, wait for any such load before going on (it
        would wipe out what she types next)."""
        fiona_sends(button, "/command/")
        everyone_sees(where, among)
        expect(page.locator(".htmx-request")).to_have_count(0)

    no_controls_for_participants()

    # Fiona starts the meeting: the opening, with no commitment due yet.
    fiona_moves("Start the meeting", OPENING)
    expect(projector.stage).to_contain_text("No commitment was due since the last meeting.")
    expect(page.locator("#meeting-status")).to_have_text("live")
    expect(mia.page.locator("#meeting-status")).to_have_text("live")
    no_controls_for_participants()

    # Introduce: the component's explanation and its questions, on every screen.
    fiona_moves("Next", INTRODUCE)
    for person in screens:
        expect(person.stage.get_by_role("heading", level=2)).to_have_text("Shared purpose")
        expect(person.stage.locator(".stage__question").first).to_be_visible()

    # Noor's network drops; Fiona moves on to the reflection without her.
    noor.page.evaluate("window.sameDocument = true")  # gone if the page were reloaded
    noor.cable.pull()
    expect(noor.page.locator("#connection")).to_contain_text("Offline")
    connected = [fiona, mia, omar, projector]
    fiona_moves("Next", REFLECT, among=connected)
    expect(page.get_by_role("button", name=label("Reveal"))).to_be_visible()
    expect(noor.where).to_have_text(INTRODUCE)  # cut off: she cannot know yet
    no_controls_for_participants()
    for person in connected:
        expect(person.stage.locator(".big-count")).to_have_text(f"0 of {eligible} have answered")

    # Mia chooses a rating and starts writing, then reloads the page: what she typed is
    # still there, and the meeting is where it was.
    ratings = {"Mia": 4, "Omar": 2, "Noor": 5}
    texts = {
        "Mia": "We agree on the pantry, less on the garden.",
        "Omar": "Same goals, different clocks.",
        "Noor": "Every partner wants fewer families waiting.",
    }
    form = mia.page.locator("#work form[data-drafts]")
    expect(form).to_be_visible()
    expect(mia.page.get_by_role("heading", name="Your private answer")).to_be_visible()
    mia.page.get_by_label(SCALE_LABELS[ratings["Mia"]]).check()
    area = form.locator("textarea").first
    area.fill(texts["Mia"])
    mia.page.reload()
    expect(mia.where).to_have_text(REFLECT)
    expect(form.locator("textarea").first).to_have_value(texts["Mia"])
    expect(mia.page.get_by_label(SCALE_LABELS[ratings["Mia"]])).to_be_checked()
    expect(mia.page.locator("#connection")).to_have_text("Live")
    mia.page.get_by_role("button", name="Send my answer").click()
    expect(mia.page.get_by_text("Your answer was received.")).to_be_visible()
    expect(mia.page.locator("#work form[data-drafts]")).to_have_count(0)
    for person in connected:
        expect(person.stage.locator(".big-count")).to_have_text(f"1 of {eligible} has answered")

    # Omar answers from his phone, tapping.
    form = omar.page.locator("#work form[data-drafts]")
    omar.press(omar.page.locator("label.scale__option", has_text=SCALE_LABELS[ratings["Omar"]]))
    expect(omar.page.get_by_label(SCALE_LABELS[ratings["Omar"]])).to_be_checked()
    area = form.locator("textarea").first
    area.tap()
    area.fill(texts["Omar"])
    axe_check(omar.page)
    assert fits_the_screen(omar.page)
    omar.press(omar.page.get_by_role("button", name="Send my answer"))
    expect(omar.page.get_by_text("Your answer was received.")).to_be_visible()
    for person in connected:
        expect(person.stage.locator(".big-count")).to_have_text(f"2 of {eligible} have answered")

    # Noor's network comes back: without a reload, her page catches up with the meeting,
    # the count included, and offers her the form.
    expect(noor.where).to_have_text(INTRODUCE)
    noor.cable.plug_in()
    expect(noor.where).to_have_text(REFLECT, timeout=RECONNECT_MS)
    expect(noor.page.locator("#connection")).to_have_text("Live", timeout=RECONNECT_MS)
    expect(noor.stage.locator(".big-count")).to_have_text(f"2 of {eligible} have answered")
    assert noor.page.evaluate("window.sameDocument") is True
    noor.page.get_by_label(SCALE_LABELS[ratings["Noor"]]).check()
    noor.page.locator("#work form[data-drafts] textarea").first.fill(texts["Noor"])
    noor.page.get_by_role("button", name="Send my answer").click()
    expect(noor.page.get_by_text("Your answer was received.")).to_be_visible()

    for person in screens:
        expect(person.stage.locator(".big-count")).to_have_text(f"3 of {eligible} have answered")
    # What was written is nowhere to be seen yet, and never on the projector.
    for person in screens:
        for text in texts.values():
            expect(person.page.get_by_text(text)).to_have_count(0)
    expect(projector.page.locator("form, textarea, input")).to_have_count(0)
    assert Participation.objects.filter(round__component_key="purpose").count() == 3

    # Reveal: the spread of the three ratings (K = 3) on every screen, without names; the
    # written answers stay hidden (3 of the 5 needed).
    # Carol (who answers) is away: revealing at 3 of 4 asks first.
    fiona_sends("Reveal", "/command/")
    expect(page.locator("#confirm-question")).to_have_text(
        "3 of 4 have answered: reveal now? Answers close then."
    )
    fiona_moves("Reveal now", REVEAL)
    median = statistics.median(ratings.values())
    assert median == 4
    counts = [list(ratings.values()).count(value) for value in range(5, 0, -1)]
    people = [f"{n} person" if n == 1 else f"{n} people" for n in counts]
    for person in screens:
        result = person.stage.locator(".spread")
        expect(result.locator(".spread__count")).to_have_text(f"3 of {eligible} answered")
        expect(result.locator(".spread__median")).to_have_text(f"Median: {median} out of 5")
        expect(result.locator(".spread__n")).to_have_text(people)
        expect(result.get_by_text("3 written answers.")).to_be_visible()
        expect(result.locator("ul.reflections")).to_have_count(0)
        for name in ("Mia", "Noor", "Omar"):
            expect(person.stage).not_to_contain_text(name)
        for text in texts.values():
            expect(person.page.get_by_text(text)).to_have_count(0)
    axe_check(page)
    axe_check(omar.page)
    assert fits_the_screen(omar.page)

    # Discuss: Fiona keeps the notes; the room sees them appear.
    fiona_moves("Next", DISCUSS)
    for person in screens:
        expect(person.stage.locator(".prose")).to_have_text("No notes yet.")
    notes = "The pantry is *shared*; the garden needs a second talk."
    page.get_by_label(re.compile(r"^Notes:?$")).fill(notes)
    fiona_sends("Save and show the room", "/notes/")
    for person in screens:
        expect(person.stage.locator(".prose")).to_have_text(
            "The pantry is shared; the garden needs a second talk."
        )
        expect(person.stage.locator(".prose em")).to_have_text("shared")
    for person in participants:
        expect(person.page.get_by_role("button", name="Save and show the room")).to_have_count(0)

    # Record: the agreements and a commitment, then "Record and continue".
    fiona_moves("Next", RECORD)
    agreements = "One shared waiting list for the three partners."
    page.get_by_label("What the partners agree on").fill(agreements)
    fiona_sends("Save and show the room", "/notes/")
    for person in screens:
        expect(person.stage.locator("dl.record dd").first).to_have_text(agreements)
    page.get_by_label("What will be done").fill("Draft the shared waiting list")
    page.get_by_label("Partner organization").select_option(label="Community Kitchen")
    page.get_by_label("Person responsible").select_option(label="Noor Member")
    page.get_by_label("Due by").fill("2027-04-30")
    fiona_sends("Save the commitment", "/commitments/new/")
    for person in screens:
        expect(
            person.stage.locator("ul li", has_text="Draft the shared waiting list")
        ).to_contain_text("Community Kitchen, Noor Member")
    axe_check(page)
    fiona_moves("Record and continue", NEXT_COMPONENT)
    no_controls_for_participants()

    record = ComponentRecord.objects.get(review=review, component_key="purpose")
    assert record.state == ComponentRecord.State.RECORDED
    assert record.agreements == agreements
    commitment = Commitment.objects.get(review=review, component_key="purpose")
    assert (commitment.partner, commitment.owner) == (harvest["kitchen"], noor_user)

    # The component's page shows it recorded, with the agreements.
    page.goto(f"{url}/a/harvest-alliance/reviews/{review.pk}/purpose/")
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Shared purpose")
    expect(page.locator(".page-head .state")).to_have_text("recorded")
    expect(page.locator("dl.record")).to_contain_text(agreements)

    assert not errors, f"JavaScript errors on the pages: {errors}"
    assert not asgi_server.errors, f"The server logged errors: {asgi_server.errors}"
