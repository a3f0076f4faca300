"""The registers' services, and the partners' changes that reach a live meeting: each write
keeps one revision per save and tells the meetings that show what it changed."""

import datetime

import pytest
from django.urls import reverse

from alliances import services as alliance_services
from alliances.models import Partner
from history.models import Revision
from meetings import live
from meetings import services as meetings
from meetings.models import Meeting
from registers import services
from registers.models import Goal, Resource

NAMING_PARTNERS = ["purpose", "power", "interdependence", "trust", "control"]


@pytest.fixture
def told(monkeypatch):
    """The components whose live meetings were told that their register changed."""
    calls = []
    monkeypatch.setattr(
        "registers.live.tell_meetings",
        lambda alliance, key, actor: calls.append((alliance.slug, key, actor.email)),
    )
    return calls


def _meeting_at_purpose_discussion(review, fiona):
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
    )
    meetings.start(meeting=meeting, actor=fiona)
    target = meeting.phases.get(kind="discuss", component_key="purpose")
    while live.load(meeting.pk).current.position < target.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=fiona, confirmed=True)
    return live.load(meeting.pk)


def test_a_resource_and_who_brings_it_are_one_revision(alliance, carol, kitchen, food_bank, told):
    resource = Resource(alliance=alliance, description="Two drivers", kind="people")

    services.add_resource(
        resource=resource, partners=[kitchen, food_bank], alliance=alliance, author=carol
    )

    revision = Revision.objects.for_object(resource).get()
    assert (revision.action, revision.version) == ("created", 1)
    assert revision.changes["partners"] == {
        "label": "brought by",
        "old": "",
        "new": "Community Kitchen, Food Bank",
    }
    assert told == [("harvest-alliance", "power", "carol@example.org")]


def test_adding_a_goal_records_who_proposed_it(alliance, mia, told):
    goal = services.add_goal(
        goal=Goal(alliance=alliance, statement="Every child eats"), alliance=alliance, author=mia
    )

    assert Goal.objects.get().created_by == mia
    assert Revision.objects.for_object(goal).get().author == mia
    assert told == [("harvest-alliance", "purpose", "mia@example.org")]


def test_adding_or_renaming_a_partner_tells_every_register_that_names_partners(
    client, carol, alliance, food_bank, told
):
    client.force_login(carol)
    slug = alliance.slug
    client.post(reverse("alliances:partner_create", args=[slug]), {"name": "Shelter House"})
    client.post(
        reverse("alliances:partner_edit", args=[slug, food_bank.pk]),
        {"name": "Harvest Food Bank", "base_version": "1"},
    )

    expected = [(slug, key, "carol@example.org") for key in NAMING_PARTNERS]
    assert told == expected * 2


def test_a_partner_added_by_the_service_has_its_first_revision(alliance, carol, told):
    partner = alliance_services.add_partner(
        partner=Partner(alliance=alliance, name="Shelter House"), alliance=alliance, author=carol
    )

    revision = Revision.objects.for_object(partner).get()
    assert (revision.action, revision.author) == ("created", carol)
    assert [key for _slug, key, _email in told] == NAMING_PARTNERS


def test_a_refused_partner_name_tells_no_meeting(client, carol, alliance, food_bank, told):
    client.force_login(carol)
    client.post(reverse("alliances:partner_create", args=[alliance.slug]), {"name": "Food Bank"})
    assert told == []


def test_renaming_a_partner_refreshes_the_meeting_discussing_the_goals(
    client, alliance, review, carol, fiona, food_bank
):
    Goal.objects.create(alliance=alliance, statement="Every child eats")
    meeting = _meeting_at_purpose_discussion(review, fiona)
    before = meeting.seq
    client.force_login(carol)

    client.post(
        reverse("alliances:partner_edit", args=[alliance.slug, food_bank.pk]),
        {"name": "Harvest Food Bank", "base_version": "1"},
    )

    assert Meeting.objects.get(pk=meeting.pk).seq == before + 1
    assert "Harvest Food Bank" in live.state(live.load(meeting.pk))["html"]


def test_a_register_change_stands_when_the_meeting_it_tells_has_just_ended(
    alliance, review, fiona, mia
):
    meeting = _meeting_at_purpose_discussion(review, fiona)
    found = Meeting.objects.get(pk=meeting.pk)  # found live, as tell_meetings finds it
    meetings.end(meeting=meeting, actor=fiona, confirmed=True)
    ended = Meeting.objects.get(pk=meeting.pk)

    meetings.refresh(meeting=found, actor=mia, action="register")
    services.add_goal(
        goal=Goal(alliance=alliance, statement="Every child eats"), alliance=alliance, author=mia
    )

    assert Goal.objects.filter(statement="Every child eats").exists()
    assert Meeting.objects.get(pk=meeting.pk).seq == ended.seq
