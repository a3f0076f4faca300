"""When the mail server is down (nothing listens on its port) or refuses, nobody gets a
server error and nothing is half done: a check-in or a meeting stays created, since it is
reachable on the site, and whoever facilitates reads who did not get the email and sends
it again; sign-up shows the form again with the address kept and a message beside it; a
password reset says what it always says. The operator finds each failure in the log.

Each test runs in transactions of its own, as a page does, so that an email leaves when
its rows are committed and its failure reaches the page (inside the test's transaction it
would wait)."""

import logging

import pytest
from django.urls import reverse

from accord import mail
from meetings.models import Meeting
from ratings.models import CheckIn
from tests import pages
from tests.factories import make_meeting
from tests.meeting_forms import plan_data
from tests.smtp import closed_port, point_django_at

pytestmark = [pytest.mark.usefixtures("fast_passwords"), pytest.mark.django_db(transaction=True)]

SERVERS = ["down", "refusing"]
CHECK_IN = {"components": ["purpose", "power"], "closes_at": "2030-01-31T17:00", "message": ""}
NOT_TAKEN = "The mail server did not take the email to:"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://accord.example"
    settings.DEFAULT_FROM_EMAIL = "Accord <accord@accord.example>"
    settings.SIGNUP_OPEN = True


@pytest.fixture
def failing(settings, smtp_server, request):
    """The mail server as the test's parameter has it: "down" (its port refuses every
    connection) or "refusing" (it answers, and refuses every message with a 550).
    `failing.recover()` makes it take email again."""
    down = closed_port()
    if request.param == "down":
        point_django_at(settings, down.getsockname()[1])
    smtp_server.refusing = request.param == "refusing"

    def recover():
        point_django_at(settings, smtp_server.port)
        smtp_server.refusing = False

    smtp_server.recover = recover
    yield smtp_server
    down.close()


def recipients(smtp_server) -> list[str]:
    return sorted(address for each in smtp_server.received for address in each.rcpt_tos)


def warning(response) -> str:
    """The sentence that names who did not get the email, or "" when the page has none."""
    text = pages.text(response)
    if NOT_TAKEN not in text:
        return ""
    return NOT_TAKEN + text.split(NOT_TAKEN, 1)[1].split(".", 1)[0] + "."


# Sending many


def test_a_refused_email_does_not_stop_the_others(db, smtp_server):
    smtp_server.refusing_to = {"b@example.org"}
    emails = [mail.message(subject="Hi", body="Hello", to=[f"{n}@example.org"]) for n in "abc"]

    unsent = mail.send_each(*emails)

    assert unsent == [emails[1]]
    assert recipients(smtp_server) == ["a@example.org", "c@example.org"]


def test_a_server_that_stops_answering_is_not_waited_for_again(settings, smtp_server, caplog):
    # After one EMAIL_TIMEOUT, the emails left are not sent: each would wait as long again.
    settings.EMAIL_TIMEOUT = 1
    smtp_server.stalling_to = {"b@example.org"}
    emails = [mail.message(subject="Hi", body="Hello", to=[f"{n}@example.org"]) for n in "abc"]

    with caplog.at_level(logging.ERROR):
        unsent = mail.send_each(*emails)

    assert unsent == emails[1:]
    assert recipients(smtp_server) == ["a@example.org"]
    assert any(
        m.startswith("The connection to the mail server failed (2 emails not sent): ")
        for m in caplog.messages
    )


# A check-in


def open_check_in(client, review):
    return client.post(
        reverse("ratings:check_in_create", args=[review.alliance.slug, review.pk]), CHECK_IN
    )


def check_in_page(client, check_in):
    return client.get(
        reverse("ratings:check_in", args=[check_in.review.alliance.slug, check_in.pk])
    )


def email_check_in_again(client, check_in):
    return client.post(
        reverse("ratings:check_in_email_again", args=[check_in.review.alliance.slug, check_in.pk]),
        follow=True,
    )


@pytest.mark.parametrize("failing", SERVERS, indirect=True)
def test_a_check_in_the_mail_server_does_not_take_stays_open_and_its_facilitator_sends_it_again(
    client, people, review, failing, caplog
):
    client.force_login(people["fiona"])

    with caplog.at_level(logging.ERROR):
        response = open_check_in(client, review)

    check_in = CheckIn.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ratings:check_in", args=[review.alliance.slug, check_in.pk])
    assert sorted(check_in.rounds.values_list("component_key", flat=True)) == ["power", "purpose"]
    assert failing.received == []
    assert sorted(check_in.not_emailed.values_list("email", flat=True)) == [
        "carol@example.org",
        "mia@example.org",
    ]
    assert (
        f"The email of check-in {check_in.pk} did not reach person(s) "
        f"{people['carol'].pk}, {people['mia'].pk}: the mail server did not take it."
        in caplog.messages
    )

    page = check_in_page(client, check_in)

    assert pages.messages(page) == [
        "The check-in is open, but the mail server did not take every email: see below who did "
        "not get it, and send it again."
    ]
    assert warning(page) == f"{NOT_TAKEN} Carol Coordinator, Mia Member."
    # Only those who may send it again read it: not Mia, who answers.
    client.force_login(people["mia"])
    assert warning(check_in_page(client, check_in)) == ""

    failing.recover()
    client.force_login(people["fiona"])
    again = email_check_in_again(client, check_in)

    assert pages.messages(again) == ["The email is sent again; everyone has the link."]
    assert warning(again) == ""
    assert recipients(failing) == ["carol@example.org", "mia@example.org"]
    assert (
        failing.to("mia@example.org")["Subject"] == "Your private check-in for Spring 2027 review"
    )
    assert not check_in.not_emailed.exists()


def test_a_check_in_refused_for_one_member_names_only_them_and_goes_again_only_to_them(
    client, people, review, smtp_server
):
    smtp_server.refusing_to = {"mia@example.org"}
    client.force_login(people["fiona"])

    open_check_in(client, review)

    check_in = CheckIn.objects.get()
    assert recipients(smtp_server) == ["carol@example.org"]
    assert warning(check_in_page(client, check_in)) == f"{NOT_TAKEN} Mia Member."

    # Still refused: still named, and the facilitator is told.
    still = email_check_in_again(client, check_in)

    assert pages.messages(still) == [
        "The mail server still did not take every email; try again later."
    ]
    assert warning(still) == f"{NOT_TAKEN} Mia Member."

    smtp_server.refusing_to = set()
    email_check_in_again(client, check_in)

    # Mia gets it; Carol, who had it, does not get it twice.
    assert recipients(smtp_server) == ["carol@example.org", "mia@example.org"]
    assert not check_in.not_emailed.exists()


def test_a_closed_check_in_is_not_emailed_again(client, people, review, smtp_server):
    smtp_server.refusing_to = {"mia@example.org"}
    client.force_login(people["fiona"])
    open_check_in(client, review)
    check_in = CheckIn.objects.get()
    client.post(
        reverse("ratings:check_in_close", args=[review.alliance.slug, check_in.pk]), follow=True
    )
    smtp_server.refusing_to = set()

    response = email_check_in_again(client, check_in)

    assert pages.messages(response) == ["This check-in is closed; answers are no longer taken."]
    assert warning(response) == ""
    assert recipients(smtp_server) == ["carol@example.org"]


# A meeting's invitations


def meeting_page(client, meeting):
    return client.get(meeting.get_absolute_url())


@pytest.mark.parametrize("failing", SERVERS, indirect=True)
def test_a_meeting_whose_invitations_the_mail_server_does_not_take_stays_planned_and_they_go_again(
    client, people, review, failing, caplog
):
    client.force_login(people["fiona"])

    with caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("meetings:plan", args=[review.alliance.slug, review.pk]), plan_data(people)
        )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.phases.count() == 12  # the opening, five phases of each component, the closing
    assert failing.received == []
    assert any(
        message.startswith(f"The invitation to meeting {meeting.pk} did not reach person(s) ")
        for message in caplog.messages
    )

    page = meeting_page(client, meeting)

    assert pages.messages(page) == [
        "The meeting is planned, but the mail server did not take every invitation: see below "
        "who did not get it, and send it again."
    ]
    assert warning(page) == (
        f"{NOT_TAKEN} Carol Coordinator, Fiona Facilitator, Mia Member, Otto Observer."
    )
    client.force_login(people["mia"])
    assert warning(meeting_page(client, meeting)) == ""

    failing.recover()
    client.force_login(people["carol"])  # a coordinator may send it as well
    again = client.post(
        reverse("meetings:email_again", args=[review.alliance.slug, meeting.pk]), follow=True
    )

    assert pages.messages(again) == ["The email is sent again; everyone has the link."]
    assert warning(again) == ""
    assert recipients(failing) == [
        "carol@example.org",
        "fiona@example.org",
        "mia@example.org",
        "otto@example.org",
    ]
    (calendar,) = failing.to("otto@example.org").iter_attachments()
    assert calendar.get_filename() == f"accord-meeting-{meeting.pk}.ics"
    assert not meeting.not_emailed.exists()


@pytest.mark.parametrize("failing", SERVERS, indirect=True)
def test_a_cancellation_the_mail_server_does_not_take_leaves_the_meeting_cancelled_and_goes_again(
    client, people, review, failing, caplog
):
    meeting = make_meeting(review, people["fiona"])
    client.force_login(people["fiona"])
    cancel_url = reverse("meetings:cancel", args=[review.alliance.slug, meeting.pk])

    with caplog.at_level(logging.ERROR):
        response = client.post(cancel_url, {"reason": "The hall is closed"})

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED
    assert failing.received == []
    assert any(
        message.startswith(f"The cancellation of meeting {meeting.pk} did not reach person(s) ")
        for message in caplog.messages
    )
    page = meeting_page(client, meeting)
    assert pages.messages(page) == [
        "The meeting is cancelled, but the mail server did not take every email: see below "
        "who did not get it, and send it again."
    ]
    assert warning(page) == (
        f"{NOT_TAKEN} Carol Coordinator, Fiona Facilitator, Mia Member, Otto Observer."
    )

    failing.recover()
    again = client.post(
        reverse("meetings:email_again", args=[review.alliance.slug, meeting.pk]), follow=True
    )

    assert pages.messages(again) == ["The email is sent again; everyone has the link."]
    assert warning(again) == ""
    assert len(recipients(failing)) == 4
    received = failing.to("otto@example.org")
    assert "Why: The hall is closed" in received.get_body(("plain",)).get_content()
    (calendar,) = received.iter_attachments()
    assert "METHOD:CANCEL" in calendar.get_content()
    assert not Meeting.objects.get(pk=meeting.pk).not_emailed.exists()


# Signing up


@pytest.mark.parametrize("failing", SERVERS, indirect=True)
def test_a_sign_up_the_mail_server_does_not_take_shows_the_form_again_with_the_address(
    client, failing, caplog
):
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("accounts:signup"), {"email": "noor@example.org"})

    assert response.status_code == 200
    field = pages.form_fields(response)["email"]
    assert field.value == "noor@example.org"
    assert field.errors == [
        "The email to this address could not be sent: the mail server did not take it. "
        "Try again in a few minutes."
    ]
    assert failing.received == []
    assert any(m.startswith("A sign-up email could not be sent: ") for m in caplog.messages)

    failing.recover()
    again = client.post(reverse("accounts:signup"), {"email": "noor@example.org"})

    assert again.status_code == 200
    assert "email" not in pages.form_fields(again)
    assert failing.to("noor@example.org")["Subject"] == "Create your Accord account"


@pytest.mark.parametrize("failing", SERVERS, indirect=True)
def test_a_sign_up_for_an_address_with_an_account_fails_alike(client, carol, failing):
    # The same words as for a new address: the page does not tell who has an account.
    response = client.post(reverse("accounts:signup"), {"email": "carol@example.org"})

    assert response.status_code == 200
    assert pages.form_fields(response)["email"].errors == [
        "The email to this address could not be sent: the mail server did not take it. "
        "Try again in a few minutes."
    ]


@pytest.mark.parametrize("failing", SERVERS, indirect=True)
def test_a_password_reset_the_mail_server_does_not_take_says_what_it_always_says(
    client, carol, failing, caplog
):
    # Saying that it failed would tell who has an account (no email goes to an address
    # without one): the page is the same, and the operator reads the log.
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("accounts:password_reset"), {"email": "carol@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert f"The password reset email to person {carol.pk} could not be sent." in caplog.messages
