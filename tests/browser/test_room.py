"""The room: a facilitator at a desktop, five partners on their phones and the room's
screen, each in its own browser, run Shared purpose through every phase over real
WebSockets. Asserted as a person sees it: on each phone the phase and the answer form
inside the first screen after each change, nothing sticking out sideways (at 320 px and
with the text at 200 % too); on the wall the chart's size and its labels' height; axe in
each phase; the facilitator working from the keyboard alone, the focus staying on the
control just used; a reveal before everyone answered asks first; a draft of the notes
survives a command and a broadcast; a phone that goes offline keeps its answer and sends
it once; the end is announced everywhere.
"""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Role
from alliances.services import create_alliance
from meetings import services
from meetings.models import Meeting
from ratings.models import Participation
from reviews.services import start_review
from tests.browser.checks import axe_check
from tests.browser.people import Person, fits_the_screen, sign_in
from tests.factories import add_member, make_partner, make_user

PHONE_HEIGHT = 812
RECONNECT_MS = 20_000


@pytest.fixture
def room(settings, transactional_db):
    """Carol coordinates from no partner (she is not asked to answer), Fiona facilitates
    from outside, and five partners' people are in the room. K = 3."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
    )
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    names = ["Ana", "Ben", "Chen", "Dara", "Eli"]
    members = [
        add_member(
            alliance,
            make_user(f"{name} Member", f"{name.lower()}@example.org"),
            Role.MEMBER,
            make_partner(alliance, f"{name}'s Pantry"),
        ).user
        for name in names
    ]
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=carol,
        rating_threshold=3,
    )
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=fiona,
        starts_at=timezone.now(),
        place="Town hall",
        facilitator=fiona,
    )
    token = meeting.issue_projector_token()
    meeting.save()
    return {"fiona": fiona, "members": members, "meeting": meeting, "token": token}


def inside_first_screen(locator, height=PHONE_HEIGHT) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 48) <= height


def shot(page, name):
    """With ROOM_SHOTS=<folder>, keep a picture of the screen (to look at, not to assert)."""
    folder = os.environ.get("ROOM_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def keyboard_to(page, element_id: str, limit: int = 80) -> None:
    """Tab through the page until `element_id` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the keyboard")


def test_a_room_of_phones_a_wall_and_a_facilitator_at_the_keyboard(asgi_server, new_context, room):
    url = asgi_server.url
    meeting = room["meeting"]
    meeting_url = f"{url}{meeting.get_absolute_url()}"
    errors = []

    fiona = Person("Fiona", new_context, "desktop", errors)
    phones = [
        Person(user.name, new_context, "phone", errors, cable=(n == 4))
        for n, user in enumerate(room["members"])
    ]
    for person, user in zip([fiona, *phones], [room["fiona"], *room["members"]], strict=True):
        sign_in(person.context, url, user)
    wall_context = new_context("desktop")
    wall = wall_context.new_page()
    wall.set_viewport_size({"width": 1920, "height": 1080})
    wall.on("pageerror", lambda error: errors.append(f"wall: {error}"))

    for person in [fiona, *phones]:
        person.page.goto(meeting_url)
        expect(person.page.locator("#connection")).to_have_text("Live")
    wall.goto(f"{url}/projector/{room['token']}/")
    expect(wall.locator("#connection")).to_have_text("Live")
    # The wall shows how to join while the room gathers.
    expect(wall.locator(".join__url")).to_contain_text(f"/m/{meeting.pk}/")
    expect(wall.locator(".join__qr svg")).to_be_visible()
    page = fiona.page

    def every_phone_sees(now_text):
        for phone in phones:
            now = phone.page.locator("#now")
            expect(now).to_have_text(now_text)
            assert inside_first_screen(now), f"{phone.name}: the phase is off the first screen"
            assert fits_the_screen(phone.page), f"{phone.name}: the page scrolls sideways"

    def command(button_id):
        """Press a control with the keyboard; the focus stays on it (or on what follows)."""
        keyboard_to(page, button_id)
        page.keyboard.press("Enter")

    def audit(kind):
        for who, screen in (("fiona", page), ("phone", phones[0].page), ("wall", wall)):
            shot(screen, f"{kind}-{who}")
        axe_check(page)
        axe_check(phones[0].page)
        axe_check(wall)
        assert wall.locator("main").get_attribute("data-kind") == kind

    # Start, from the keyboard alone.
    command("cmd-start")
    expect(page.locator("#controls .message")).to_contain_text("The meeting has started")
    expect(page.locator("#cmd-advance")).to_be_focused()
    every_phone_sees("Opening: commitments")
    audit("opening")

    # Introduce: on the wall the question is the largest text.
    page.keyboard.press("Enter")
    expect(page.locator("#controls .message")).to_contain_text("Shared purpose: Introduce")
    expect(page.locator("#cmd-advance")).to_be_focused()
    every_phone_sees("1. Shared purpose · Introduce")
    question = wall.locator(".stage__question")
    about = wall.locator(".stage__about")
    assert question.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") > about.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    audit("introduce")

    # Reflect: each phone has the phase and its answer form on the first screen.
    page.keyboard.press("Enter")
    expect(page.locator("#cmd-advance")).to_be_focused()
    every_phone_sees("1. Shared purpose · Reflect")
    for phone in phones:
        form = phone.page.locator("#work form[data-answer-form]")
        expect(form).to_be_visible()
        assert inside_first_screen(form.locator("fieldset legend")), phone.name
        assert inside_first_screen(form.locator(".scale__option").first), phone.name
    # The facilitator (no partner) is not asked: five are.
    expect(page.locator("#answer-count")).to_have_text("0 of 5 have answered")
    expect(page.locator("#work form[data-answer-form]")).to_have_count(0)
    audit("reflect")

    # 320 px and text at 200 %: still nothing sideways.
    small = phones[1].page
    small.set_viewport_size({"width": 320, "height": 640})
    assert fits_the_screen(small)
    small.add_style_tag(content="html { font-size: 200% !important; }")
    assert fits_the_screen(small)
    shot(small, "phone-320-200")
    small.set_viewport_size({"width": 375, "height": PHONE_HEIGHT})
    small.reload()  # and a reload lands in the same phase, with the same form
    expect(small.locator("#connection")).to_have_text("Live")

    for n, phone in enumerate(phones[:4]):
        phone.page.locator(".scale__option").nth(n % 5).tap()
        phone.page.locator("#send-answer").tap()
        expect(phone.page.locator("#answer-received")).to_be_visible()
    expect(page.locator("#answer-count")).to_have_text("4 of 5 have answered")

    # Revealing now asks first, and keeping waiting keeps the round open.
    page.locator("#cmd-advance").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-question")).to_have_text(
        "4 of 5 have answered: reveal now? Answers close then."
    )
    expect(page.locator("#cmd-confirm")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#cmd-cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#cmd-advance")).to_be_focused()
    every_phone_sees("1. Shared purpose · Reflect")

    # Eli's phone loses the network while answering; the answer waits and goes once.
    eli = phones[4]
    eli.cable.pull()
    eli.page.locator(".scale__option").nth(2).tap()
    eli.page.locator("#send-answer").tap()
    expect(eli.page.locator("[data-offline-note]")).to_be_visible()
    expect(eli.page.locator("#connection")).to_contain_text("Offline")
    eli.cable.plug_in()
    expect(eli.page.locator("#answer-received")).to_be_visible(timeout=RECONNECT_MS)
    expect(page.locator("#answer-count")).to_have_text("5 of 5 have answered")
    round = Meeting.objects.get(pk=meeting.pk).current.round
    assert Participation.objects.filter(round=round).count() == 5

    # Everyone answered: the reveal asks nothing. The wall's spread fills the screen.
    page.keyboard.press("Enter")
    every_phone_sees("1. Shared purpose · Reveal")
    expect(wall.locator(".spread__count")).to_have_text("5 of 5 answered")
    bars = wall.locator(".spread__bars").bounding_box()
    assert bars["width"] >= 1920 * 0.6 and bars["height"] >= 1080 * 0.4, bars
    for label in wall.locator(".spread__label").all() + wall.locator(".spread__n").all():
        assert label.bounding_box()["height"] >= 48, label.text_content()
    expect(wall.locator(".projector__join")).to_be_hidden()
    # The same wall on a small projector and on a 4K screen: nothing sideways, the labels
    # still tall, the spread still most of the width.
    for width, height in ((1280, 720), (3840, 2160)):
        wall.set_viewport_size({"width": width, "height": height})
        assert fits_the_screen(wall), (width, height)
        assert wall.locator(".spread__bars").bounding_box()["width"] >= width * 0.6
        for label in wall.locator(".spread__label").all():
            assert label.bounding_box()["height"] >= 48 * height / 1080 * 0.9, (width, height)
        shot(wall, f"reveal-wall-{width}")
    wall.set_viewport_size({"width": 1920, "height": 1080})
    expect(page.locator("#cmd-advance")).to_be_focused()
    audit("reveal")

    # Discuss: Fiona keeps the notes. A draft survives a command and a broadcast.
    page.keyboard.press("Enter")
    every_phone_sees("1. Shared purpose · Discuss")
    notes = page.locator("#id_notes")
    notes.fill("We agree on the goals; the rural partners want a say.")
    keyboard_to(page, "cmd-timer")
    page.keyboard.press("Enter")
    expect(page.locator("#controls .message")).to_contain_text("The timer is running")
    expect(page.locator("#cmd-timer")).to_be_focused()
    expect(wall.locator("#timer")).to_be_visible()
    expect(notes).to_have_value("We agree on the goals; the rural partners want a say.")
    page.locator("#save-notes").click()
    expect(page.locator("#work-messages")).to_contain_text("Saved, and shown to the room.")
    expect(wall.locator(".stage")).to_contain_text("the rural partners want a say")
    audit("discuss")

    # Record, then the closing, where the main action ends the meeting after asking.
    command("cmd-advance")
    every_phone_sees("1. Shared purpose · Record")
    audit("record")
    page.keyboard.press("Enter")
    every_phone_sees("Closing")
    expect(page.locator("#cmd-end[data-primary]")).to_be_visible()
    expect(page.locator("#cmd-advance")).to_have_count(0)
    audit("closing")
    command("cmd-end")
    expect(page.locator("#confirm-question")).to_contain_text("End the meeting for everyone?")
    expect(page.locator("#cmd-confirm")).to_be_focused()
    page.keyboard.press("Enter")

    # The end, announced on every phone and on the wall.
    every_phone_sees("The meeting has ended.")
    for phone in phones:
        expect(phone.page.locator("#announce")).to_have_text("The meeting has ended.")
        expect(phone.page.locator("#work")).to_contain_text("Read the summary")
    expect(wall.locator(".stage__headline")).to_have_text("Thank you. The meeting has ended.")
    audit("ended")
    assert Meeting.objects.get(pk=meeting.pk).status == "ended"
    assert not errors, errors
    assert not asgi_server.errors, asgi_server.errors


def test_a_phone_that_joins_late_lands_in_the_phase_with_its_form(asgi_server, new_context, room):
    meeting = room["meeting"]
    errors = []
    fiona = Person("Fiona", new_context, "desktop", errors)
    sign_in(fiona.context, asgi_server.url, room["fiona"])
    fiona.page.goto(f"{asgi_server.url}{meeting.get_absolute_url()}")
    for button, now in (
        ("cmd-start", "Opening: commitments"),
        ("cmd-advance", "1. Shared purpose · Introduce"),
        ("cmd-advance", "1. Shared purpose · Reflect"),
    ):
        fiona.page.locator(f"#{button}").click()
        expect(fiona.page.locator("#controls .controls__now")).to_contain_text(now.split()[-1])
        expect(fiona.page.locator("#now")).to_have_text(now)
    late = Person("Ana", new_context, "phone", errors)
    sign_in(late.context, asgi_server.url, room["members"][0])

    late.page.goto(f"{asgi_server.url}/m/{meeting.pk}/")

    expect(late.page.locator("#now")).to_have_text("1. Shared purpose · Reflect")
    form = late.page.locator("#work form[data-answer-form]")
    assert inside_first_screen(form.locator(".scale__option").first)
    axe_check(late.page)
    assert not errors
