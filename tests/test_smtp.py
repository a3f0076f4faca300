"""Email really leaves: each kind of email goes through Django's SMTP backend to a real SMTP
server on loopback (aiosmtpd, the `smtp_server` fixture), and what that server received is
read back with the `email` package, as a mail client would: the envelope, `From`, `To`,
`Reply-To` where answering means answering a person, the digest's unsubscribe headers, a
plain-text part and an HTML part with the same words (its links real links, in the
reader's language), the meeting's .ics, and Spanish surviving the encoding. A server that
is down or refuses: the digest is tried again by the next run, and the coordinator who
invites is told.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from alliances.models import Alliance, Invitation, Role
from ratings import services as ratings
from reviews import digest
from reviews.models import Review
from tests import pages
from tests.meeting_forms import plan_data
from tests.smtp import closed_port, point_django_at

pytestmark = pytest.mark.usefixtures("fast_passwords")

SITE = "https://accord.example"
SENDER = "Accord <accord@accord.example>"
LINK = re.compile(r"https://accord\.example/\S+")


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.SIGNUP_OPEN = True


def choose(user, code: str) -> None:
    user.language = code
    user.save(update_fields=["language"])


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> ET.Element:
    """The HTML part, parsed as XML: it fails here unless the page is well formed."""
    return ET.fromstring(message.get_body(("html",)).get_content())


def assert_html_says_the_text(message: EmailMessage, lang: str) -> None:
    """The HTML part is a small page in the reader's language, titled with the subject,
    with every address of the text as a link, and nothing loaded from anywhere."""
    page = html_of(message)
    assert page.tag == "html"
    assert page.get("lang") == lang
    assert page.find("head/title").text == message["Subject"]
    hrefs = [a.get("href") for a in page.iter("a")]
    assert hrefs == LINK.findall(text_of(message))
    assert hrefs  # every email here has a link
    for element in page.iter():
        assert element.tag not in {"img", "script", "link", "style", "iframe", "object"}
        assert "src" not in element.attrib
        assert "url(" not in element.get("style", "")
    words = " ".join("".join(page.find("body").itertext()).split())
    assert words.replace("\u00a0", " ").split() == text_of(message).replace("--", "").split()


def assert_sent_by_accord(smtp_server, message: EmailMessage, to: str) -> None:
    (received,) = [each for each in smtp_server.received if each.message is message]
    assert received.mail_from == "accord@accord.example"
    assert received.rcpt_tos == [to]
    assert message["From"] == SENDER
    assert message["To"] == to
    assert message["Message-ID"].endswith("@accord.example>")


# Each email, through SMTP


def test_an_invitation_leaves_by_smtp_replying_to_whoever_invited(
    client, carol, alliance, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alliances:invite", args=[alliance.slug]),
            {"email": "noor@example.org", "role": Role.OBSERVER},
        )

    assert response.status_code == 302
    message = smtp_server.to("noor@example.org")
    assert_sent_by_accord(smtp_server, message, "noor@example.org")
    assert message["Subject"] == "You are invited to Harvest Alliance on Accord"
    assert message["Reply-To"] == "Carol Coordinator <carol@example.org>"
    assert message["Auto-Submitted"] is None
    assert message["List-Unsubscribe"] is None
    text = text_of(message)
    assert "Carol Coordinator invites you to join Harvest Alliance on Accord, as observer." in text
    (link,) = LINK.findall(text)
    assert link.startswith(f"{SITE}/invitations/")
    assert_html_says_the_text(message, "en")


def test_an_invitation_in_spanish_keeps_its_accents_through_smtp(
    client, carol, alliance, smtp_server, django_capture_on_commit_callbacks
):
    Alliance.objects.filter(pk=alliance.pk).update(name="Alianza Cosecha: niños y mayores")
    User.objects.filter(pk=carol.pk).update(name="Carolina Núñez")
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("alliances:invite", args=[alliance.slug]),
            {"email": "noor@example.org", "role": Role.OBSERVER, "language": "es"},
        )

    message = smtp_server.to("noor@example.org")
    assert message["Subject"] == "Le invitan a Alianza Cosecha: niños y mayores en Accord"
    assert parseaddr(str(message["Reply-To"])) == ("Carolina Núñez", "carol@example.org")
    text = text_of(message)
    assert (
        "Carolina Núñez le invita a unirse a Alianza Cosecha: niños y mayores en Accord, "
        "como observador(a)." in text
    )
    assert "Para unirse, abra este enlace:" in text
    assert_html_says_the_text(message, "es")
    assert "Carolina Núñez le invita" in "".join(html_of(message).itertext())


def test_a_check_in_leaves_by_smtp_on_one_connection_replying_to_its_facilitator(
    people, review, smtp_server, django_capture_on_commit_callbacks
):
    Review.objects.filter(pk=review.pk).update(name="Revisión de primavera")
    review.refresh_from_db()
    choose(people["mia"], "es")

    with django_capture_on_commit_callbacks(execute=True):
        ratings.open_check_in(
            review=review,
            component_keys=["purpose"],
            closes_at=datetime.datetime(2027, 3, 10, 18, 0, tzinfo=datetime.UTC),
            message="",
            author=people["fiona"],
        )

    # Everyone who answers (not Fiona, who facilitates from outside, nor Otto, who
    # observes), over one SMTP connection.
    assert sorted(r for each in smtp_server.received for r in each.rcpt_tos) == [
        "carol@example.org",
        "mia@example.org",
    ]
    assert len({each.peer for each in smtp_server.received}) == 1
    for each in smtp_server.received:
        assert each.message["Reply-To"] == "Fiona Facilitator <fiona@example.org>"
        assert each.message["Auto-Submitted"] == "auto-generated"
    carol = smtp_server.to("carol@example.org")
    assert_sent_by_accord(smtp_server, carol, "carol@example.org")
    assert carol["Subject"] == "Your private check-in for Revisión de primavera"
    assert text_of(carol).startswith("Hello Carol,")
    assert_html_says_the_text(carol, "en")
    mia = smtp_server.to("mia@example.org")
    assert mia["Subject"] == "Su consulta previa privada para Revisión de primavera"
    assert text_of(mia).startswith("Hola, Mia:")
    assert_html_says_the_text(mia, "es")


def test_a_meetings_invitation_leaves_by_smtp_with_its_ics_replying_to_who_planned_it(
    client, people, review, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(people["fiona"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:plan", args=[review.alliance.slug, review.pk]), plan_data(people)
        )

    assert response.status_code == 302
    meeting = review.meetings.get()
    message = smtp_server.to("otto@example.org")
    assert_sent_by_accord(smtp_server, message, "otto@example.org")
    assert message["Subject"] == "Meeting of Harvest Alliance: Spring 2027 review"
    assert message["Reply-To"] == "Fiona Facilitator <fiona@example.org>"
    assert_html_says_the_text(message, "en")
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"accord-meeting-{meeting.pk}.ics"
    ics = attachment.get_content()
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Harvest Alliance: Spring 2027 review\r\n" in ics


def test_a_digest_leaves_by_smtp_with_one_click_unsubscribe_that_works(
    alliance, commitment, mia, smtp_server
):
    outcome = digest.send_digests(datetime.date(2027, 4, 28))

    assert (outcome.sent, outcome.failed) == (1, 0)
    message = smtp_server.to("mia@example.org")
    assert_sent_by_accord(smtp_server, message, "mia@example.org")
    assert message["Subject"] == "Your commitments: 1 due this week"
    assert message["Reply-To"] is None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long header is folded onto a second line, which unfolding leaves as a leading space.
    unsubscribe = message["List-Unsubscribe"].strip()
    stop = re.fullmatch(r"<(https://accord\.example/accounts/digest/stop/[^/]+/)>", unsubscribe)[1]
    assert stop in LINK.findall(text_of(message))
    assert_html_says_the_text(message, "en")

    # What a mail client's "unsubscribe" button does: a POST with no cookie and no token.
    response = Client(enforce_csrf_checks=True).post(
        stop.removeprefix(SITE), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    mia.refresh_from_db()
    assert mia.wants_digest is False


def test_a_sign_up_email_leaves_by_smtp_with_no_reply_to(client, db, smtp_server):
    client.post(
        reverse("accounts:signup"), {"email": "noor@example.org"}, HTTP_ACCEPT_LANGUAGE="es"
    )

    message = smtp_server.to("noor@example.org")
    assert_sent_by_accord(smtp_server, message, "noor@example.org")
    assert message["Subject"] == "Cree su cuenta de Accord"
    assert message["Reply-To"] is None
    assert_html_says_the_text(message, "es")


def test_a_password_reset_leaves_by_smtp_with_no_reply_to(client, carol, smtp_server):
    choose(carol, "es")

    client.post(reverse("accounts:password_reset"), {"email": "carol@example.org"})

    message = smtp_server.to("carol@example.org")
    assert_sent_by_accord(smtp_server, message, "carol@example.org")
    assert message["Subject"] == "Elija una nueva contraseña para Accord"
    assert message["Reply-To"] is None
    assert_html_says_the_text(message, "es")


# When the mail server is down or refuses


def test_a_digest_refused_by_the_smtp_server_is_sent_by_the_next_run(commitment, mia, smtp_server):
    smtp_server.refusing = True

    outcome = digest.send_digests(datetime.date(2027, 4, 28))

    assert (outcome.sent, outcome.failed) == (0, 1)
    mia.refresh_from_db()
    assert mia.digest_sent_on is None
    smtp_server.refusing = False

    outcome = digest.send_digests(datetime.date(2027, 4, 28))

    assert (outcome.sent, outcome.failed) == (1, 0)
    assert smtp_server.to("mia@example.org")["Subject"] == "Your commitments: 1 due this week"


def test_a_digest_with_no_smtp_server_listening_is_sent_by_the_next_run(
    settings, commitment, mia, smtp_server
):
    down = closed_port()
    point_django_at(settings, down.getsockname()[1])
    try:
        outcome = digest.send_digests(datetime.date(2027, 4, 28))
    finally:
        down.close()

    assert (outcome.sent, outcome.failed) == (0, 1)
    mia.refresh_from_db()
    assert mia.digest_sent_on is None
    point_django_at(settings, smtp_server.port)

    outcome = digest.send_digests(datetime.date(2027, 4, 28))

    assert (outcome.sent, outcome.failed) == (1, 0)
    assert smtp_server.to("mia@example.org")["To"] == "mia@example.org"


# In a transaction of its own, as a page runs: the email leaves when the invitation is
# saved, and its failure reaches the page (inside the test's transaction it would wait).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["down", "refusing"])
def test_an_invitation_the_mail_server_does_not_take_is_not_kept_and_the_coordinator_is_told(
    client, carol, alliance, smtp_server, settings, server
):
    client.force_login(carol)
    down = closed_port()
    if server == "down":
        point_django_at(settings, down.getsockname()[1])
    smtp_server.refusing = server == "refusing"

    try:
        response = client.post(
            reverse("alliances:invite", args=[alliance.slug]),
            {"email": "noor@example.org", "role": Role.OBSERVER},
        )
    finally:
        down.close()

    assert response.status_code == 200
    assert (
        "The invitation could not be sent: the mail server did not take the email. Nothing "
        "was saved; try again in a few minutes." in pages.text(response)
    )
    assert pages.form_fields(response)["email"].value == "noor@example.org"
    assert not Invitation.objects.filter(email="noor@example.org").exists()
    assert smtp_server.received == []

    # Once the server takes email again, the same invitation goes.
    point_django_at(settings, smtp_server.port)
    smtp_server.refusing = False
    again = client.post(
        reverse("alliances:invite", args=[alliance.slug]),
        {"email": "noor@example.org", "role": Role.OBSERVER},
    )

    assert again.status_code == 302
    assert Invitation.objects.get(email="noor@example.org").state == "pending"
    assert smtp_server.to("noor@example.org")["Subject"] == (
        "You are invited to Harvest Alliance on Accord"
    )
