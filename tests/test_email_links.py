"""Every link in every email Accord sends starts with SITE_URL, whatever Host header the
request that sent it carried (a client chooses it; a permissive ALLOWED_HOSTS lets it
through, and a link to the attacker's host in a password reset gives them its token)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from ratings import services as ratings
from reviews import digest
from tests.factories import make_publication
from tests.meeting_forms import plan_data

pytestmark = pytest.mark.usefixtures("fast_passwords")

SITE_URL = "https://accord.example.org"
EVIL = {"HTTP_HOST": "evil.example"}
EMAIL_TEMPLATES = Path(django_settings.BASE_DIR, "templates")


@pytest.fixture
def hostile_host(settings):
    """A permissive installation: any Host is allowed, as a misconfigured one would."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = SITE_URL
    settings.SIGNUP_OPEN = True


@pytest.fixture
def rendered_emails():
    """The email templates rendered during the test."""
    names = set()

    def record(sender, template, **kwargs):
        if template.name and "/email/" in template.name:
            names.add(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def links(message) -> list[str]:
    bodies = [message.body] + [
        content.decode() if isinstance(content, bytes) else content
        for _, content, _ in message.attachments
    ]
    return [link for body in bodies for link in re.findall(r"https?://[^\s<>\"]+", body)]


def test_password_reset_link_ignores_the_host_header(client, carol, mailoutbox, hostile_host):
    client.post("/accounts/password/reset/", {"email": "carol@example.org"}, **EVIL)

    (message,) = mailoutbox
    assert "evil.example" not in message.body
    (link,) = links(message)
    assert link.startswith(f"{SITE_URL}/accounts/password/reset/")


def send_every_email(client, people, review, commitment, capture):
    """Every email Accord sends, each through the web with a hostile Host where a request
    sends it."""
    client.post("/accounts/password/reset/", {"email": "carol@example.org"}, **EVIL)
    client.post("/accounts/sign-up/", {"email": "carol@example.org"}, **EVIL)
    client.post("/accounts/sign-up/", {"email": "nell@example.org"}, **EVIL)
    client.force_login(people["carol"])
    slug = review.alliance.slug
    with capture(execute=True):
        client.post(
            f"/a/{slug}/people/invite/", {"email": "nadia@example.org", "role": "observer"}, **EVIL
        )
    client.force_login(people["fiona"])
    with capture(execute=True):
        client.post(reverse("meetings:plan", args=[slug, review.pk]), plan_data(people), **EVIL)
    meeting = Meeting.objects.get()
    with capture(execute=True):
        client.post(
            reverse("meetings:cancel", args=[slug, meeting.pk]), {"reason": "Closed"}, **EVIL
        )
    assert Meeting.objects.get().status == Meeting.Status.CANCELLED
    with capture(execute=True):
        ratings.open_check_in(
            review=review,
            component_keys=["purpose"],
            closes_at=timezone.now() + datetime.timedelta(days=3),
            message="",
            author=people["fiona"],
        )
    with capture(execute=True):
        make_publication(review.alliance, people["carol"])
    assert digest.send_digests(commitment.due_on).sent == 1


def test_every_link_of_every_email_starts_with_site_url(
    client,
    people,
    review,
    commitment,
    mailoutbox,
    hostile_host,
    rendered_emails,
    django_capture_on_commit_callbacks,
):
    send_every_email(client, people, review, commitment, django_capture_on_commit_callbacks)

    subjects = {message.subject for message in mailoutbox}
    assert len(subjects) == 9, subjects
    for message in mailoutbox:
        found = links(message)
        assert found, message.subject
        for link in found:
            assert link.startswith(f"{SITE_URL}/"), (message.subject, link)
    # A new email template that this sweep does not send fails here: add it to the sweep.
    every = {
        str(path.relative_to(EMAIL_TEMPLATES))
        for path in EMAIL_TEMPLATES.glob("*/email/*")
        if not path.name.endswith("_subject.txt")
    }
    assert every <= rendered_emails


def test_no_email_template_builds_a_link_from_the_request():
    for path in EMAIL_TEMPLATES.glob("*/email/*"):
        text = path.read_text()
        for forbidden in ("{{ domain", "{{ protocol", "request.", "get_host", "build_absolute"):
            assert forbidden not in text, (path, forbidden)
