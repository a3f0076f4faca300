"""One meeting, several languages: each socket follows in its person's language, the room's
screen in the alliance's (or two side by side), and a change is rendered once per language
listened to, never once per person. The socket helpers are in tests/sockets.py.
"""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils.translation import get_language

from accord.asgi import application
from meetings import live, services
from meetings.models import Meeting
from tests.sockets import (
    HOST,
    ORIGIN,
    STARTS,
    WebsocketCommunicator,
    browser,
    joined,
    leave,
    next_of,
    run,
    signed_in,
    socket,
)

pytestmark = pytest.mark.usefixtures("transactional_db", "fast_passwords", "channel_layer")

SPANISH_OPENING = "Apertura: compromisos"


@pytest.fixture
def running(people, review):
    """Started by fiona, who facilitates."""
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose", "power"],
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
    )
    services.start(meeting=meeting, actor=people["fiona"])
    return live.load(meeting.pk)


def speaks(user, code: str):
    user.language = code
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def renders(monkeypatch):
    """Each stage rendered, as (sequence number, language)."""
    seen = []
    render_stage = live.render_stage

    def counted(meeting, phase):
        seen.append((meeting.seq, get_language()))
        return render_stage(meeting, phase)

    monkeypatch.setattr(live, "render_stage", counted)
    return seen


def where(state) -> str:
    """The phase a state's stage says the meeting is at (what meeting.js shows in #now)."""
    return state["html"].split('class="stage__where">', 1)[1].split("</p>", 1)[0]


def projector_link(meeting) -> str:
    token = meeting.issue_projector_token()
    meeting.save(update_fields=["projector_token_hash"])
    return token


# Phones


def test_an_english_and_a_spanish_phone_each_follow_in_their_language(
    running, fiona, mia, otto, renders
):
    speaks(mia, "es")
    spanish, english = signed_in(mia), signed_in(otto)  # otto never chose: the site's

    async def scenario():
        phones = [socket(running, spanish), socket(running, english)]
        at_connect = [await joined(phone) for phone in phones]
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        after_change = [await next_of(phone, "state") for phone in phones]
        for phone in phones:
            await phone.send_json_to({"type": "hello", "seq": 1})
        after_hello = [await next_of(phone, "state") for phone in phones]
        await leave(*phones)
        return at_connect, after_change, after_hello

    at_connect, after_change, after_hello = run(scenario)

    assert [where(s) for s in at_connect] == [SPANISH_OPENING, "Opening: commitments"]
    assert [s["status_display"] for s in at_connect] == ["en curso", "live"]
    assert "¿Cada uno de nosotros hizo lo que dijo que haría?" in at_connect[0]["html"]
    assert [where(s).rsplit(" · ", 1)[1] for s in after_change] == ["Presentar", "Introduce"]
    assert [s["seq"] for s in after_hello] == [2, 2]
    assert [where(s) for s in after_hello] == [where(s) for s in after_change]
    # Once per language per change: seq 1 for each phone that joined, then the advance.
    assert renders == [(1, "es"), (1, "en"), (2, "en"), (2, "es")]


def test_many_phones_in_two_languages_cost_two_renders_a_change(
    running, fiona, mia, otto, carol, renders
):
    speaks(mia, "es")
    speaks(carol, "es")
    headers = [signed_in(person) for person in (mia, carol, otto, fiona)]

    async def scenario():
        phones = [socket(running, h) for h in headers]
        for phone in phones:
            await joined(phone)
        renders.clear()
        for _ in range(2):
            await sync_to_async(services.advance)(meeting=running, actor=fiona)
            states = [await next_of(phone, "state") for phone in phones]
        await leave(*phones)
        return states

    states = run(scenario)

    assert sorted(renders) == [(2, "en"), (2, "es"), (3, "en"), (3, "es")]
    assert [where(s).rsplit(" · ", 1)[1] for s in states] == [
        "Reflexionar",
        "Reflexionar",
        "Reflect",
        "Reflect",
    ]


def test_a_phone_whose_person_never_chose_follows_the_language_of_their_pages(running, otto):
    cookie = [h for h in signed_in(otto) if h[0] == b"cookie"][0]
    by_header = [ORIGIN, HOST, cookie, (b"accept-language", b"es-MX,es;q=0.9,en;q=0.5")]
    by_cookie = [ORIGIN, HOST, (b"cookie", cookie[1] + b"; django_language=es")]

    async def scenario():
        states = []
        for headers in (by_header, by_cookie):
            phone = socket(running, headers)
            states.append(await joined(phone))
            await leave(phone)
        return states

    assert [where(s) for s in run(scenario)] == [SPANISH_OPENING, SPANISH_OPENING]


def test_a_refusal_or_a_question_is_in_the_language_of_who_sent_the_command(running, fiona, mia):
    speaks(fiona, "es")
    steering, watching = signed_in(fiona), signed_in(mia)

    async def scenario():
        fiona_phone, mia_phone = socket(running, steering), socket(running, watching)
        await joined(fiona_phone)
        await joined(mia_phone)
        answers = []
        for phone, command in (
            (fiona_phone, {"type": "command", "command": "back"}),
            (fiona_phone, {"type": "command", "command": "end"}),
            (fiona_phone, {"type": "command", "command": "dance"}),
            (mia_phone, {"type": "command", "command": "back"}),
        ):
            await phone.send_json_to(command)
            message = await phone.receive_json_from()
            while message["type"] == "presence":
                message = await phone.receive_json_from()
            answers.append((message["type"], message["message"]))
        await leave(fiona_phone, mia_phone)
        return answers

    assert run(scenario) == [
        ("error", "Esta es la primera fase."),
        ("confirm", "¿Terminar la reunión para todos? Todo lo registrado se conserva."),
        ("error", "Comando desconocido."),
        ("error", "Only the facilitator or the co-facilitator can do this."),
    ]


# Polling and the person's own parts


def test_the_polling_fallback_and_the_own_parts_follow_the_persons_language(
    running, fiona, mia, otto
):
    speaks(mia, "es")
    services.advance(meeting=running, actor=fiona)
    services.advance(meeting=running, actor=fiona)  # reflect: mia's part is her answer
    slug = running.review.alliance.slug
    state_url = reverse("meetings:state", args=[slug, running.pk])
    mine_url = reverse("meetings:mine", args=[slug, running.pk])
    spanish, _headers = browser(mia)
    english, _headers = browser(otto)

    assert where(spanish.get(state_url, {"seq": 0}).json()).endswith(" · Reflexionar")
    assert where(english.get(state_url, {"seq": 0}).json()).endswith(" · Reflect")
    assert spanish.get(state_url, {"seq": 3}).status_code == 204
    part = spanish.get(mine_url, {"part": "work"}).content.decode()
    assert "Su respuesta privada" in part and "Enviar mi respuesta" in part
    assert (
        spanish.get(reverse("meetings:detail", args=[slug, running.pk])).headers["Content-Language"]
        == "es"
    )


# The room's screen


def test_the_projector_shows_the_alliances_language_whatever_its_browser(running):
    alliance = running.review.alliance
    alliance.language = "es"
    alliance.save(update_fields=["language"])
    token = projector_link(running)
    client = Client(headers={"accept-language": "en"})

    page = client.get(reverse("meetings:projector", args=[token])).content.decode()
    state = client.get(reverse("meetings:projector_state", args=[token]), {"seq": 0}).json()

    assert '<html lang="es">' in page
    assert SPANISH_OPENING in page and "Tiempo restante" in page
    assert where(state) == SPANISH_OPENING and state["languages"] == ["es"]


def test_a_bilingual_projector_shows_both_languages_side_by_side_with_no_render_of_its_own(
    running, fiona, mia, renders
):
    token = projector_link(running)
    speaks(mia, "es")
    console, _headers = browser(fiona)
    slug = running.review.alliance.slug
    phone_headers = signed_in(mia)

    response = console.post(
        reverse("meetings:command", args=[slug, running.pk]),
        {"command": "projector", "languages": "en,es"},
    )
    assert response.status_code == 302
    assert Meeting.objects.get(pk=running.pk).projector_languages == ["en", "es"]
    assert "The projector shows: English · Spanish." in console.get(response.url).content.decode()

    async def scenario():
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN, HOST])
        phone = socket(running, phone_headers)
        at_connect = await joined(projector)
        await joined(phone)
        renders.clear()
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        after_change = await next_of(projector, "state")
        await next_of(phone, "state")
        await leave(projector, phone)
        return at_connect, after_change

    at_connect, after_change = run(scenario)

    for state in (at_connect, after_change):
        assert state["languages"] == ["en", "es"]
        columns = state["html"].split('<div class="projector__language" lang="')[1:]
        assert [column[:2] for column in columns] == ["en", "es"]
    assert "Introduce" in after_change["html"] and "Presentar" in after_change["html"]
    # The phone (es) and the projector (en and es) share the two renders of the change.
    assert sorted(renders) == [(3, "en"), (3, "es")]
    page = Client().get(reverse("meetings:projector", args=[token])).content.decode()
    assert '<div class="projector__language" lang="es">' in page
    # How to join, said in both languages.
    assert '<span class="join__in" lang="en">Join on your phone</span>' in page
    assert '<span class="join__in" lang="es">Únase desde su teléfono</span>' in page


def test_only_a_facilitator_chooses_the_projectors_languages(running, mia):
    client, _headers = browser(mia)
    url = reverse("meetings:command", args=[running.review.alliance.slug, running.pk])

    assert client.post(url, {"command": "projector", "languages": "en,es"}).status_code == 403
    assert Meeting.objects.get(pk=running.pk).projector_languages == []


def test_the_meeting_plan_chooses_the_projectors_languages(client, fiona, review):
    client.force_login(fiona)
    url = reverse("meetings:plan", args=[review.alliance.slug, review.pk])
    form = client.get(url).content.decode()
    assert "English only" in form and "English and Spanish, side by side" in form

    client.post(
        url,
        {
            "starts_at": "2027-05-03T17:00",
            "duration_minutes": 120,
            "agenda": ["purpose"],
            "facilitator": fiona.pk,
            "projector_languages": "en,es",
        },
    )

    assert Meeting.objects.get().projector_languages == ["en", "es"]


def test_a_coordinator_sets_the_alliances_language(client, carol, alliance):
    client.force_login(carol)
    url = reverse("alliances:edit", args=[alliance.slug])
    client.post(
        url,
        {
            "name": alliance.name,
            "community": alliance.community,
            "purpose": alliance.purpose,
            "language": "es",
            "base_version": alliance.version,
        },
    )

    alliance.refresh_from_db()
    assert alliance.language == "es"
