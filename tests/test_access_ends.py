"""Access ends when the right ends: a person whose role was just taken away is refused at
once, over HTTP and in the services that the socket uses, with nothing changed. (The socket
side, closing an open connection, is in tests/test_meeting_socket.py.)"""

import datetime

import pytest
from django.urls import reverse

from alliances.models import Membership, Role
from meetings import live, services
from meetings.models import Meeting

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
STEERERS_ONLY = "Only the facilitator or the co-facilitator can do this."


@pytest.fixture
def running(people, review):
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
        recorder=people["mia"],
    )
    services.start(meeting=meeting, actor=people["fiona"])
    return live.load(meeting.pk)


def demote(client, carol, person, role=Role.OBSERVER):
    """As the coordinator would: through the people page."""
    membership = Membership.objects.get(alliance__slug="harvest-alliance", user=person)
    client.force_login(carol)
    response = client.post(
        reverse("alliances:member_edit", args=["harvest-alliance", membership.pk]),
        {"role": role, "partner": membership.partner_id or ""},
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == role


def meeting_row(meeting) -> dict:
    return Meeting.objects.filter(pk=meeting.pk).values().get()


def url(name, meeting):
    return reverse(f"meetings:{name}", args=[meeting.review.alliance.slug, meeting.pk])


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("command", {"command": "advance"}),
        ("command", {"command": "timer", "minutes": "5"}),
        ("command", {"command": "end"}),
        ("projector_link", {}),
        ("projector_link", {"revoke": "1"}),
    ],
)
def test_a_facilitator_demoted_to_observer_can_no_longer_steer_over_http(
    client, running, people, name, data
):
    fiona = people["fiona"]
    facilitator = type(client)()
    facilitator.force_login(fiona)  # her page was open before the demotion
    demote(client, people["carol"], fiona)
    before = meeting_row(running)

    response = facilitator.post(url(name, running), data)

    assert response.status_code == 403
    assert STEERERS_ONLY in response.content.decode()
    assert meeting_row(running) == before


def test_a_facilitator_demoted_to_observer_can_no_longer_hand_over(client, running, people):
    fiona, mia = people["fiona"], people["mia"]
    demote(client, people["carol"], fiona)
    client.force_login(fiona)

    response = client.post(url("handover", running), {"to": mia.pk, "confirm": "on"})

    assert response.status_code == 403
    assert Meeting.objects.get(pk=running.pk).facilitator == fiona


def test_a_recorder_demoted_to_observer_can_no_longer_keep_the_notes(client, running, people):
    # to introduce: a component
    services.advance(meeting=running, actor=people["fiona"], confirmed=True)
    demote(client, people["carol"], people["mia"])
    client.force_login(people["mia"])

    response = client.post(url("notes", running), {"notes": "Still here."})

    assert response.status_code == 403
    assert running.review.records.get(component_key="purpose").notes == ""


@pytest.mark.parametrize(
    "action",
    [
        lambda m, actor: services.advance(meeting=m, actor=actor, confirmed=True),
        lambda m, actor: services.go_back(meeting=m, actor=actor),
        lambda m, actor: services.set_timer(meeting=m, actor=actor, minutes=5),
        lambda m, actor: services.end(meeting=m, actor=actor),
    ],
    ids=["advance", "back", "timer", "end"],
)
@pytest.mark.parametrize("change", ["demoted", "removed"])
def test_the_services_read_the_role_again_when_a_command_runs(running, people, action, change):
    """What the socket relies on: the service checks the role as it is in the database at
    the moment it runs, not as the page or the socket saw it when it opened."""
    fiona = people["fiona"]
    memberships = Membership.objects.filter(alliance=running.review.alliance, user=fiona)
    if change == "demoted":
        memberships.update(role=Role.OBSERVER)
    else:
        memberships.delete()
    before = meeting_row(running)

    with pytest.raises(services.MeetingError, match=STEERERS_ONLY):
        action(running, fiona)

    assert meeting_row(running) == before


def test_a_facilitator_demoted_to_member_still_steers_the_meeting_she_leads(
    client, running, people
):
    """A member may be chosen to lead a meeting: only roles that may not lead lose it."""
    client.force_login(people["carol"])
    kitchen = Membership.objects.get(user=people["mia"]).partner
    membership = Membership.objects.get(user=people["fiona"], alliance=running.review.alliance)
    membership.role, membership.partner = Role.MEMBER, kitchen
    membership.save()
    client.force_login(people["fiona"])

    response = client.post(url("command", running), {"command": "advance"})

    assert response.status_code == 302
    assert Meeting.objects.get(pk=running.pk).seq == running.seq + 1


def test_handing_over_to_someone_demoted_to_observer_is_refused(running, people):
    Membership.objects.filter(user=people["mia"]).update(role=Role.OBSERVER)

    with pytest.raises(services.MeetingError, match="only go to someone in the alliance"):
        services.hand_over(meeting=running, actor=people["fiona"], to=people["mia"], confirmed=True)

    assert Meeting.objects.get(pk=running.pk).facilitator == people["fiona"]
