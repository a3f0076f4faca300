"""Help for people new to Accord's meetings: "How a meeting works", a page for participants
that needs no sign-in and that the invitation email and every page's footer link to.

As in test_meetings.py, fiona facilitates, mia is a member, otto observes and carol
coordinates.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from meetings import calendar, services
from meetings.models import Phase
from tests import pages

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
HOW = "/help/meetings/"

# Signed in: session, user, the alliance switcher; not signed in, none at all.
HOW_PAGE_QUERIES = 3


@pytest.fixture
def meeting(people, review):
    return services.plan_meeting(
        review=review,
        agenda=services.default_agenda(review),
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
        recorder=people["mia"],
    )


# How a meeting works


def test_how_page_needs_no_sign_in_and_explains_the_meeting(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(HOW)

    assert response.status_code == 200
    text = pages.text(response)
    for heading in (
        "How a meeting works",
        "Joining from your phone",
        "The phases",
        "Private answers",
        "What the room's screen shows",
        "If the network drops",
    ):
        assert f"{heading}" in text
    for kind in Phase.Kind:
        assert str(kind.label) in text
    assert "never fewer than 3" in text
    assert "sent when the connection returns" in text


def test_how_page_signed_in_keeps_its_query_count(client, mia, django_assert_num_queries):
    client.force_login(mia)
    client.get(HOW)

    with django_assert_num_queries(HOW_PAGE_QUERIES):
        assert client.get(HOW).status_code == 200


def test_how_page_refuses_post(client, db):
    assert client.post(HOW).status_code == 405


def test_how_page_is_linked_from_every_pages_footer(client, db):
    response = client.get(reverse("accounts:login"))

    assert HOW in pages.links(response)


def test_the_invitation_email_links_how_a_meeting_works_and_the_link_opens(
    client, people, meeting, mailoutbox
):
    calendar.email_invitations(meeting)

    assert len(mailoutbox) == 4  # carol, fiona, mia, otto
    link = settings.SITE_URL + HOW
    for message in mailoutbox:
        assert f"How a meeting works, in two minutes:\n{link}\n" in message.body
        assert message.body.index(meeting.get_absolute_url()) < message.body.index(link)
    client.logout()
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
