"""The story behind the curve, and the indicators on their component's page and in a
meeting's discussion."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse

from history.models import Revision
from history.services import create_with_history
from indicators import values
from indicators.models import Indicator, Story
from registers import figures
from reviews.models import ComponentRecord
from reviews.services import open_component, record_component
from tests import pages

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def meals(alliance):
    indicator = Indicator(
        alliance=alliance,
        name="Children at summer meal sites",
        unit="children",
        baseline_value=100,
        baseline_date=datetime.date(2026, 6, 1),
        target_value=400,
        target_date=datetime.date(2027, 8, 31),
    )
    create_with_history(indicator, alliance=alliance, author=None)
    rows = [
        values.Row(datetime.date(2026, 7, 1), 150),
        values.Row(datetime.date(2026, 8, 1), 210),
    ]
    values.add(indicator, rows, origin="form", author=None)
    return indicator


@pytest.fixture
def opened(review, fiona):
    record = ComponentRecord.objects.select_related("review__alliance").get(
        review=review, component_key="indicators"
    )
    open_component(record=record, author=fiona, reason="Our numbers are due this month.")
    return record


def story_url(review, indicator):
    return reverse("indicators:story", args=[review.alliance.slug, review.pk, indicator.pk])


def component_url(review):
    return reverse("reviews:component", args=[review.alliance.slug, review.pk, "indicators"])


STORY = {
    "helping": "The school district opened four more sites.",
    "hindering": "Families far from a bus route cannot reach a site.",
    "actions": "Ask the transit authority for a summer route to the two rural sites.",
    "base_version": "1",
}


def test_a_member_tells_the_story_and_sees_it_on_the_component_page(
    client, review, meals, opened, mia
):
    client.force_login(mia)
    response = client.post(story_url(review, meals), STORY)
    assert response.status_code == 302 and response["Location"] == component_url(review)
    story = Story.objects.get(indicator=meals, review=review)
    assert story.actions.startswith("Ask the transit authority")
    assert Revision.objects.for_object(story).get().action == Revision.Action.CREATED
    page = client.get(component_url(review))
    text = pages.text(page)
    assert "Children at summer meal sites" in text
    assert "Families far from a bus route cannot reach a site." in text
    # What the alliance will do can become a commitment, its words prefilled.
    commit_link = (
        reverse("reviews:commitment_create", args=[review.alliance.slug, review.pk, "indicators"])
        + "?description="
        + quote(STORY["actions"])
    )
    assert commit_link in page.content.decode().replace("&amp;", "&")
    form = client.get(commit_link)
    assert pages.form_fields(form)["description"].value == STORY["actions"]


def test_editing_the_story_keeps_history_and_shows_a_conflict(
    client, review, meals, opened, mia, carol
):
    client.force_login(mia)
    client.post(story_url(review, meals), STORY)
    client.force_login(carol)
    client.post(
        story_url(review, meals), {**STORY, "helping": "Four more sites.", "base_version": "1"}
    )
    client.force_login(mia)
    response = client.post(
        story_url(review, meals), {**STORY, "helping": "Schools and buses.", "base_version": "1"}
    )
    assert response.status_code == 200
    text = pages.text(response)
    assert "Four more sites." in text and "Schools and buses." in text
    assert Story.objects.get().helping == "Four more sites."
    assert Revision.objects.for_object(Story.objects.get()).count() == 2


def test_the_first_story_written_twice_at_once_is_a_conflict_not_an_error(
    client, review, meals, opened, mia
):
    client.force_login(mia)
    page = client.get(story_url(review, meals))  # the form, while nobody has written
    assert page.status_code == 200
    Story.objects.create(indicator=meals, review=review, helping="Written meanwhile.")
    # The view looked for a story before this one existed; simulate the race by posting a
    # first story where one now exists: it is shown as a conflict, nothing is lost.
    from indicators import forms
    from indicators.views import stories

    form = forms.StoryForm({**STORY}, instance=Story(indicator=meals, review=review))
    assert form.is_valid()
    conflict = stories._first_story_conflict(form, meals, review)
    assert [f.theirs for f in conflict.fields if f.yours == STORY["helping"]] == [
        "Written meanwhile."
    ]


def test_an_observer_reads_the_stories_but_cannot_write_one(client, review, meals, opened, otto):
    Story.objects.create(indicator=meals, review=review, helping="Schools.")
    client.force_login(otto)
    text = pages.text(client.get(component_url(review)))
    assert "Schools." in text and "Tell the story" not in text and "Edit the story" not in text
    assert client.post(story_url(review, meals), STORY).status_code == 403


def test_the_register_polls_and_answers_204_when_unchanged(client, review, meals, opened, mia):
    from registers import live

    client.force_login(mia)
    url = reverse("indicators:register", args=[review.alliance.slug, review.pk])
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200
    stamp = live.stamp(figures.register_for(opened))
    assert client.get(f"{url}?stamp={stamp}", headers={"HX-Request": "true"}).status_code == 204
    client.post(story_url(review, meals), STORY)
    changed = client.get(f"{url}?stamp={stamp}", headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert "Ask the transit authority" in changed.content.decode()
    # Without htmx, a person is sent to the component's page.
    assert client.get(url)["Location"] == component_url(review)


def test_recording_the_component_keeps_the_indicators_and_stories(review, meals, opened, fiona):
    Story.objects.create(indicator=meals, review=review, hindering="No bus.")
    record_component(record=opened, author=fiona)
    opened.refresh_from_db()
    snapshot = opened.snapshot
    assert snapshot["tool"] == "indicators"
    (item,) = snapshot["indicators"]
    assert item["name"] == "Children at summer meal sites" and item["latest"] == "210"
    assert item["story"]["hindering"] == "No bus."
    Story.objects.update(hindering="Changed later.")
    assert figures.register_for(opened)["indicators"][0]["story"]["hindering"] == "No bus."


def test_the_meetings_discussion_shows_indicators_and_follows_a_story(
    client, review, meals, fiona, mia
):
    from meetings import live
    from meetings import services as meetings
    from meetings.models import Meeting

    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose", "power", "interdependence", "trust", "control", "indicators"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
    )
    meetings.start(meeting=meeting, actor=fiona)
    target = meeting.phases.get(kind="discuss", component_key="indicators")
    while live.load(meeting.pk).current.position < target.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=fiona, confirmed=True)
    html = live.state(live.load(meeting.pk))["html"]
    assert "Children at summer meal sites" in html and "Not told yet in this review." in html
    assert "/story/" not in html  # read-only in the meeting
    before = Meeting.objects.get(pk=meeting.pk).seq
    client.force_login(mia)
    client.post(story_url(review, meals), STORY)
    assert Meeting.objects.get(pk=meeting.pk).seq == before + 1
    assert "Ask the transit authority" in live.state(live.load(meeting.pk))["html"]


def test_another_alliances_indicator_is_not_found(client, review, olga, mia):
    theirs = Indicator.objects.create(
        alliance=olga.memberships.get().alliance, name="Their indicator"
    )
    client.force_login(mia)
    assert client.get(story_url(review, theirs)).status_code == 404
