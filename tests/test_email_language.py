"""Every email is written in its recipient's language, subject, body, dates and the
meeting's .ics alike, whatever the language of the page or person that sent it: the
language an account chose (the site's, English, until it chooses), and for an address with
no account, the language of the sign-up page or the one the inviter chose."""

import datetime
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from alliances.models import Invitation
from meetings import calendar
from ratings import services as ratings
from reviews import digest
from tests import pages
from tests.meeting_forms import plan_data

pytestmark = pytest.mark.usefixtures("fast_passwords")

CHICAGO = ZoneInfo("America/Chicago")
CLOSES_AT = datetime.datetime(2027, 3, 10, 18, 0, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def chicago(settings):
    """Away from UTC, so that a date written in the wrong time zone shows."""
    settings.TIME_ZONE = "America/Chicago"
    settings.SIGNUP_OPEN = True


@pytest.fixture
def env(client, people, review, commitment, mailoutbox, django_capture_on_commit_callbacks):
    return SimpleNamespace(
        client=client,
        people=people,
        review=review,
        outbox=mailoutbox,
        capture=django_capture_on_commit_callbacks,
    )


def choose(user, code: str) -> None:
    user.language = code
    user.save(update_fields=["language"])


def other_than(code: str) -> str:
    """The language of whoever sends: never the recipient's, so that an email that follows
    the sender instead of the recipient fails."""
    return "en" if code == "es" else "es"


def the_one_to(outbox, address: str):
    (message,) = [message for message in outbox if message.to == [address]]
    return message


# Each email, sent to a recipient whose account speaks `code`, by a sender who does not.


def password_reset(env, code):
    choose(env.people["carol"], code)
    env.client.post(
        "/accounts/password/reset/",
        {"email": "carol@example.org"},
        HTTP_ACCEPT_LANGUAGE=other_than(code),
    )
    return the_one_to(env.outbox, "carol@example.org")


def sign_up_of_an_account(env, code):
    choose(env.people["carol"], code)
    env.client.post(
        "/accounts/sign-up/", {"email": "carol@example.org"}, HTTP_ACCEPT_LANGUAGE=other_than(code)
    )
    return the_one_to(env.outbox, "carol@example.org")


def invitation_of_an_account(env, code):
    choose(env.people["olga"], code)
    choose(env.people["carol"], other_than(code))
    env.client.force_login(env.people["carol"])
    with env.capture(execute=True):
        env.client.post(
            reverse("alliances:invite", args=[env.review.alliance.slug]),
            {"email": "olga@example.org", "role": "observer", "language": other_than(code)},
        )
    return the_one_to(env.outbox, "olga@example.org")


def check_in(env, code):
    choose(env.people["mia"], code)
    with translation.override(other_than(code)), env.capture(execute=True):
        ratings.open_check_in(
            review=env.review,
            component_keys=["purpose"],
            closes_at=CLOSES_AT,
            message="",
            author=env.people["fiona"],
        )
    return the_one_to(env.outbox, "mia@example.org")


def meeting_plan(env, code):
    choose(env.people["mia"], code)
    choose(env.people["fiona"], other_than(code))
    env.client.force_login(env.people["fiona"])
    with env.capture(execute=True):
        env.client.post(
            reverse("meetings:plan", args=[env.review.alliance.slug, env.review.pk]),
            plan_data(env.people),
        )
    return the_one_to(env.outbox, "mia@example.org")


def commitments_digest(env, code):
    choose(env.people["mia"], code)
    with translation.override(other_than(code)):
        assert digest.send_digests(datetime.date(2027, 4, 30)).sent == 1
    return the_one_to(env.outbox, "mia@example.org")


# What each says, in each language: its subject, and lines of its body (with a date, where
# it has one, in the recipient's format and in the site's time zone, Chicago).
EXPECTED = {
    password_reset: {
        "en": ("Choose a new password for Accord", ["To choose a new password, open this link:"]),
        "es": (
            "Elija una nueva contraseña para Accord",
            ["Para elegir una nueva contraseña, abra este enlace:"],
        ),
    },
    sign_up_of_an_account: {
        "en": ("You already have an Accord account", ["To sign in:"]),
        "es": ("Ya tiene una cuenta de Accord", ["Para iniciar sesión:"]),
    },
    invitation_of_an_account: {
        "en": (
            "You are invited to Harvest Alliance on Accord",
            ["Carol Coordinator invites you to join Harvest Alliance on Accord, as observer."],
        ),
        "es": (
            "Le invitan a Harvest Alliance en Accord",
            [
                "Carol Coordinator le invita a unirse a Harvest Alliance en Accord, "
                "como observador(a)."
            ],
        ),
    },
    check_in: {
        "en": (
            "Your private check-in for Spring 2027 review",
            ["Hello Mia,", "It closes: March 10, 2027, 6 p.m."],
        ),
        "es": (
            "Su consulta previa privada para Spring 2027 review",
            ["Hola, Mia:", "Cierra: 10 de marzo de 2027 a las 18:00"],
        ),
    },
    meeting_plan: {
        "en": (
            "Meeting of Harvest Alliance: Spring 2027 review",
            [
                "Hello Mia,",
                "Harvest Alliance meets for its Spring 2027 review: May 3, 2027, 6 p.m.",
                "The calendar invitation is attached.",
            ],
        ),
        "es": (
            "Reunión de Harvest Alliance: Spring 2027 review",
            [
                "Hola, Mia:",
                "Harvest Alliance se reúne para su Spring 2027 review: "
                "3 de mayo de 2027 a las 18:00",
                "Se adjunta la invitación de calendario.",
            ],
        ),
    },
    commitments_digest: {
        "en": (
            "Your commitments: 1 due this week",
            ["Hello Mia,", "Due by April 30, 2027 (Community Kitchen)"],
        ),
        "es": (
            "Sus compromisos: 1 vence esta semana",
            ["Hola, Mia:", "Fecha límite: 30 de abril de 2027 (Community Kitchen)"],
        ),
    },
}


def lines_of(message) -> list[str]:
    return [line.strip() for line in message.body.splitlines()]


@pytest.mark.parametrize("code", ["en", "es"])
@pytest.mark.parametrize("send", EXPECTED, ids=lambda send: send.__name__)
def test_each_email_is_in_the_language_its_recipient_chose(env, send, code):
    message = send(env, code)

    subject, body = EXPECTED[send][code]
    assert message.subject == subject
    for line in body:
        assert line in lines_of(message), (line, message.body)


# An invitation to an account is left out: one that never chose takes the invitation's.
@pytest.mark.parametrize("send", [s for s in EXPECTED if s is not invitation_of_an_account])
def test_an_account_that_never_chose_is_written_to_in_english_from_a_spanish_page(env, send):
    # `send` gives the sender Spanish, and the account this blank language.
    message = send(env, "")

    subject, body = EXPECTED[send]["en"]
    assert message.subject == subject
    for line in body:
        assert line in lines_of(message)


def calendar_text(message) -> str:
    ((name, content, mimetype),) = message.attachments
    assert mimetype == "text/calendar"
    return content.replace("\r\n ", "")  # unfolded


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("en", r"DESCRIPTION:Agenda: Shared purpose\, Shared power\nJoin in Accord: "),
        (
            "es",
            r"DESCRIPTION:Agenda: Propósito compartido\, Poder compartido\nParticipe en Accord: ",
        ),
    ],
)
def test_the_meetings_calendar_file_is_in_its_recipients_language_and_time(env, code, description):
    message = meeting_plan(env, code)

    text = calendar_text(message)
    assert description in text
    # 18:00 in Chicago, in daylight saving time, whatever the language.
    assert "DTSTART:20270503T230000Z" in text.splitlines()


def test_a_meeting_plan_gives_each_person_theirs_with_one_calendar_file_per_language(
    env, monkeypatch
):
    people = env.people
    for name, code in [("carol", "es"), ("fiona", "en"), ("mia", "es"), ("otto", "")]:
        choose(people[name], code)
    written = []

    def ics(meeting):
        written.append(translation.get_language())
        return real_ics(meeting)

    real_ics = calendar.ics
    monkeypatch.setattr(calendar, "ics", ics)
    env.client.force_login(people["fiona"])

    with env.capture(execute=True):
        env.client.post(
            reverse("meetings:plan", args=[env.review.alliance.slug, env.review.pk]),
            plan_data(people),
        )

    spanish = EXPECTED[meeting_plan]["es"][0]
    english = EXPECTED[meeting_plan]["en"][0]
    assert {message.to[0]: message.subject for message in env.outbox} == {
        "carol@example.org": spanish,
        "fiona@example.org": english,
        "mia@example.org": spanish,
        "otto@example.org": english,
    }
    for message in env.outbox:
        joined = "Participe en Accord" if message.subject == spanish else "Join in Accord"
        assert joined in calendar_text(message)
    assert sorted(written) == ["en", "es"]


def test_a_check_in_gives_each_person_theirs(env):
    people = env.people
    choose(people["carol"], "es")
    choose(people["mia"], "en")

    with env.capture(execute=True):
        ratings.open_check_in(
            review=env.review,
            component_keys=["purpose"],
            closes_at=CLOSES_AT,
            message="",
            author=people["fiona"],
        )

    subjects = {message.to[0]: message.subject for message in env.outbox}
    assert subjects["carol@example.org"] == EXPECTED[check_in]["es"][0]
    assert subjects["mia@example.org"] == EXPECTED[check_in]["en"][0]
    greeting = {message.to[0]: lines_of(message)[0] for message in env.outbox}
    assert greeting["carol@example.org"] == "Hola, Carol:"
    assert greeting["mia@example.org"] == "Hello Mia,"


def test_a_password_reset_asked_from_an_english_page_is_in_the_accounts_spanish(env):
    message = password_reset(env, "es")

    assert message.subject == "Elija una nueva contraseña para Accord"
    assert "Para elegir una nueva contraseña, abra este enlace:" in message.body


# An address with no account yet.


@pytest.mark.parametrize(
    ("code", "subject"),
    [("en", "Create your Accord account"), ("es", "Cree su cuenta de Accord")],
)
def test_the_sign_up_email_is_in_the_language_of_the_page_it_was_asked_from(
    client, db, mailoutbox, code, subject
):
    client.post("/accounts/sign-up/", {"email": "nell@example.org"}, HTTP_ACCEPT_LANGUAGE=code)

    (message,) = mailoutbox
    assert message.subject == subject


def test_the_sign_up_email_follows_the_language_switched_to_in_the_header(client, db, mailoutbox):
    client.post(reverse("set_language"), {"language": "es", "next": "/accounts/sign-up/"})

    client.post("/accounts/sign-up/", {"email": "nell@example.org"}, HTTP_ACCEPT_LANGUAGE="en")

    (message,) = mailoutbox
    assert message.subject == "Cree su cuenta de Accord"
    assert "Para elegir su nombre y su contraseña, abra este enlace:" in message.body


def invite_nell(client, capture, alliance, **fields):
    with capture(execute=True):
        return client.post(
            reverse("alliances:invite", args=[alliance.slug]),
            {"email": "nell@example.org", "role": "observer", **fields},
        )


@pytest.mark.parametrize(
    ("code", "subject", "line"),
    [
        ("en", "You are invited to Harvest Alliance on Accord", "To join, open this link:"),
        ("es", "Le invitan a Harvest Alliance en Accord", "Para unirse, abra este enlace:"),
    ],
)
def test_an_invitation_to_a_new_address_is_in_the_language_the_inviter_chose(
    env, code, subject, line
):
    carol = env.people["carol"]
    choose(carol, other_than(code))
    env.client.force_login(carol)

    invite_nell(env.client, env.capture, env.review.alliance, language=code)

    assert Invitation.objects.get(email="nell@example.org").language == code
    message = the_one_to(env.outbox, "nell@example.org")
    assert message.subject == subject
    assert line in lines_of(message)


def test_an_invitation_to_an_account_that_never_chose_is_in_the_invitations_language(env):
    env.client.force_login(env.people["carol"])

    response = invite_nell(
        env.client, env.capture, env.review.alliance, email="olga@example.org", language="es"
    )

    assert response.status_code == 302
    assert the_one_to(env.outbox, "olga@example.org").subject == (
        "Le invitan a Harvest Alliance en Accord"
    )


def test_the_invite_form_offers_each_language_in_itself_starting_with_the_inviters(env):
    carol = env.people["carol"]
    choose(carol, "es")
    env.client.force_login(carol)

    response = env.client.get(reverse("alliances:invite", args=[env.review.alliance.slug]))

    assert pages.form_fields(response)["language"].value == "es"
    html = response.content.decode()
    select = html[html.index('<select name="language"') :]
    select = select[: select.index("</select>")]
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select) == [
        ("en", "English"),
        ("es", "Español"),
    ]


def test_an_invitation_sent_without_a_language_takes_the_inviters(env):
    carol = env.people["carol"]
    choose(carol, "es")
    env.client.force_login(carol)

    invite_nell(env.client, env.capture, env.review.alliance)

    assert Invitation.objects.get(email="nell@example.org").language == "es"
    assert the_one_to(env.outbox, "nell@example.org").subject == (
        "Le invitan a Harvest Alliance en Accord"
    )


def test_the_invitations_page_offers_its_language_for_the_new_account(env):
    env.client.force_login(env.people["carol"])
    invite_nell(env.client, env.capture, env.review.alliance, language="es")
    link = re.search(r"(/invitations/\S+/)", the_one_to(env.outbox, "nell@example.org").body)
    env.client.logout()

    response = env.client.get(link.group(1), HTTP_ACCEPT_LANGUAGE="en")

    assert pages.form_fields(response)["language"].value == "es"
