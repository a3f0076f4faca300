"""One meeting, three languages on screen: an English phone, a Spanish phone and a
bilingual projector (English beside Spanish) follow Shared purpose through every phase
over real WebSockets while Fiona steers from her desktop. After every live change, and
after each screen is reloaded, each one is still in its language: the phase it shows, its
status and its `lang`.

Beto chooses Spanish from the header of the meeting's page on his phone, as a person would.
At the reveal the projector's two columns each hold the whole spread, labels 48 px tall."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Role
from alliances.services import create_alliance
from meetings import services
from meetings.models import Meeting
from reviews.services import start_review
from tests.browser.people import Person, sign_in
from tests.factories import add_member, make_partner, make_user

# Each phase as the screens name it: (English, Spanish).
PHASES = {
    "opening": ("Opening: commitments", "Apertura: compromisos"),
    "introduce": ("Introduce", "Presentar"),
    "reflect": ("Reflect", "Reflexionar"),
    "reveal": ("Reveal", "Revelar"),
    "discuss": ("Discuss", "Dialogar"),
    "record": ("Record", "Registrar"),
    "closing": ("Closing", "Cierre"),
    "ended": ("The meeting has ended.", "La reunión terminó."),
}


def ends_with(text: str):
    return re.compile(re.escape(text) + r"$")


@pytest.fixture
def bilingual_room(settings, transactional_db):
    """An English-speaking alliance with a Spanish-speaking partner, whose projector shows
    English beside Spanish."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    carol = make_user("Carol Coordinator", "carol@example.org")
    alliance = create_alliance(
        name="Harvest Alliance",
        community="Families in Harvest County",
        purpose="End hunger in Harvest County.",
        creator=carol,
        language="en",
    )
    fiona = make_user("Fiona Facilitator", "fiona@example.org")
    add_member(alliance, fiona, Role.FACILITATOR)
    ana = make_user("Ana Member", "ana@example.org")
    add_member(alliance, ana, Role.MEMBER, make_partner(alliance, "Ana's Pantry"))
    beto = make_user("Beto Miembro", "beto@example.org")
    add_member(alliance, beto, Role.MEMBER, make_partner(alliance, "Despensa de Beto"))
    chen = make_user("Chen Member", "chen@example.org")
    add_member(alliance, chen, Role.MEMBER, make_partner(alliance, "Chen's Kitchen"))
    review = start_review(
        alliance=alliance,
        name="Spring 2027 review",
        started_on=datetime.date(2027, 3, 1),
        author=carol,
    )
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=fiona,
        starts_at=timezone.now(),
        facilitator=fiona,
        projector_languages=["en", "es"],
    )
    token = meeting.issue_projector_token()
    meeting.save()
    return {
        "fiona": fiona,
        "ana": ana,
        "beto": beto,
        "chen": chen,
        "meeting": meeting,
        "token": token,
    }


def test_an_english_phone_a_spanish_phone_and_a_bilingual_projector_each_keep_their_language(
    asgi_server, new_context, bilingual_room
):
    url = asgi_server.url
    room = bilingual_room
    meeting = room["meeting"]
    meeting_url = f"{url}{meeting.get_absolute_url()}"
    errors = []

    fiona = Person("Fiona", new_context, "desktop", errors)
    english = Person("Ana", new_context, "phone", errors)
    spanish = Person("Beto", new_context, "phone", errors)
    third = Person("Chen", new_context, "phone", errors)
    people = ((fiona, "fiona"), (english, "ana"), (spanish, "beto"), (third, "chen"))
    for person, name in people:
        sign_in(person.context, url, room[name])
        person.page.goto(meeting_url)
    # Beto's browser asked for English; he picks his language in the meeting page's header.
    expect(spanish.page.locator("#now")).to_have_text("The meeting has not started yet.")
    spanish.page.locator(".menu--language summary").tap()
    spanish.page.get_by_label("Language").select_option("es")
    spanish.page.get_by_role("button", name="Change language").tap()
    expect(spanish.page.locator("html")).to_have_attribute("lang", "es")
    wall = new_context("desktop").new_page()
    wall.set_viewport_size({"width": 1920, "height": 1080})
    wall.on("pageerror", lambda error: errors.append(f"wall: {error}"))
    wall.goto(f"{url}/projector/{room['token']}/")
    expect(english.page.locator("#connection")).to_have_text("Live")
    expect(spanish.page.locator("#connection")).to_have_text("En vivo")
    expect(wall.locator("#connection")).to_have_text("Live")

    def each_screen_in_its_language(kind):
        in_english, in_spanish = PHASES[kind]
        expect(english.page.locator("#now")).to_have_text(ends_with(in_english))
        expect(spanish.page.locator("#now")).to_have_text(ends_with(in_spanish))
        expect(english.where).to_have_text(ends_with(in_english))
        expect(spanish.where).to_have_text(ends_with(in_spanish))
        expect(english.page.locator("html")).to_have_attribute("lang", "en")
        expect(spanish.page.locator("html")).to_have_attribute("lang", "es")
        status = "ended" if kind == "ended" else "live"
        statuses = {"live": ("live", "en curso"), "ended": ("ended", "terminada")}[status]
        expect(english.page.locator("#meeting-status")).to_have_text(statuses[0])
        expect(spanish.page.locator("#meeting-status")).to_have_text(statuses[1])
        for code, text in (("en", in_english), ("es", in_spanish)):
            column = wall.locator(f'.projector__language[lang="{code}"] .stage__where')
            expect(column).to_have_text(ends_with(text))
        expect(wall.locator(".projector__language")).to_have_count(2)
        expect(wall.locator("html")).to_have_attribute("lang", "en")
        expect(wall.locator("main")).to_have_attribute("data-kind", kind)

    def after_a_reload_too(kind):
        for screen in (english.page, spanish.page, wall):
            screen.reload()
        expect(english.page.locator("#connection")).to_have_text("Live")
        expect(spanish.page.locator("#connection")).to_have_text("En vivo")
        expect(wall.locator("#connection")).to_have_text("Live")
        each_screen_in_its_language(kind)

    def steer(button_id, then):
        fiona.page.locator(f"#{button_id}").click()
        each_screen_in_its_language(then)
        after_a_reload_too(then)

    expect(english.page.locator("#now")).to_have_text("The meeting has not started yet.")
    expect(spanish.page.locator("#now")).to_have_text("La reunión aún no empezó.")

    steer("cmd-start", "opening")
    steer("cmd-advance", "introduce")
    steer("cmd-advance", "reflect")
    # Both answer, each from a form in their language; the count reaches every screen.
    expect(english.page.locator("#send-answer")).to_have_text("Send my answer")
    expect(spanish.page.locator("#send-answer")).to_have_text("Enviar mi respuesta")
    for n, phone in enumerate((english, spanish, third)):
        phone.page.locator(".scale__option").nth(n + 2).tap()
        phone.page.locator("#send-answer").tap()
        expect(phone.page.locator("#answer-received")).to_be_visible()
    each_screen_in_its_language("reflect")
    steer("cmd-advance", "reveal")
    expect(spanish.page.locator("#now")).to_contain_text("Propósito compartido")
    for code in ("en", "es"):
        column = wall.locator(f'.projector__language[lang="{code}"]')
        expect(column.locator(".spread__row")).to_have_count(5)
        last = column.locator(".spread__row").last.bounding_box()
        assert last["y"] + last["height"] <= 1080, (code, last)
        for label in column.locator(".spread__label").all():
            assert label.bounding_box()["height"] >= 48, (code, label.text_content())
    steer("cmd-advance", "discuss")
    steer("cmd-advance", "record")
    steer("cmd-advance", "closing")
    fiona.page.locator("#cmd-end").click()
    fiona.page.locator("#cmd-confirm").click()
    each_screen_in_its_language("ended")
    expect(spanish.page.locator("#announce")).to_have_text("La reunión terminó.")
    expect(english.page.locator("#announce")).to_have_text("The meeting has ended.")
    after_a_reload_too("ended")

    assert Meeting.objects.get(pk=meeting.pk).status == "ended"
    assert not errors, errors
    assert not asgi_server.errors, asgi_server.errors
