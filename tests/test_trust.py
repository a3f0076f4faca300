"""Mutual respect and trust: commitments kept, accomplishments, and the trust page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from history.models import Revision
from registers import figures
from registers.models import Accomplishment, Goal
from reviews.models import Commitment, ComponentRecord, Review
from reviews.services import start_review
from tests import pages
from tests.factories import make_partner

pytestmark = pytest.mark.usefixtures("fast_passwords")

TODAY = datetime.date(2027, 6, 1)


def commit(review, partner, status="open", due=TODAY, reason="", description="Do it"):
    return Commitment.objects.create(
        alliance=review.alliance,
        review=review,
        component_key="purpose",
        description=description,
        partner=partner,
        due_on=due,
        status=status,
        status_reason=reason,
    )


def follow(review, today=TODAY):
    return figures.follow_through(review.alliance, review, today=today)


def trust_url(alliance, review=None):
    url = reverse("registers:trust", args=[alliance.slug])
    return f"{url}?review={review.pk}" if review else url


# Follow-through figures, on hand-computed examples


def test_nothing_due_counts_nothing_and_says_so(client, review, kitchen, fiona):
    commit(review, kitchen, due=TODAY + datetime.timedelta(days=1))
    f = follow(review)["figures"]
    assert f["due"] == 0 and f["upcoming"] == 1 and f["kept_percent"] is None
    client.force_login(fiona)
    text = pages.text(client.get(trust_url(review.alliance, review)))
    assert "Nothing was due yet in Spring 2027 review." in text


def test_all_kept_is_one_hundred_percent(review, kitchen, food_bank):
    for partner in (kitchen, food_bank, kitchen):
        commit(review, partner, status="done", due=TODAY - datetime.timedelta(days=3))
    f = follow(review)["figures"]
    assert (f["due"], f["kept"], f["partly"], f["not_kept"], f["unreported"]) == (3, 3, 0, 0, 0)
    assert f["kept_percent"] == 100


def test_a_mixed_review_by_hand(review, kitchen, food_bank):
    past = TODAY - datetime.timedelta(days=10)
    commit(review, kitchen, "done", past)
    commit(review, kitchen, "partly", past, "Ran out of volunteers")
    commit(review, food_bank, "not_done", past, "The grant came late")
    commit(review, food_bank, "open", past)  # due, nobody said: not reported yet
    commit(review, food_bank, "open", TODAY)  # due today counts
    commit(review, kitchen, "dropped", past, "No longer needed")
    commit(review, kitchen, "open", TODAY + datetime.timedelta(days=5))  # upcoming
    commit(review, kitchen, "done", TODAY + datetime.timedelta(days=5))  # kept early: counts
    f = follow(review)["figures"]
    # due: done 2, partly 1, not done 1, unreported 2 → 6; 2 of 6 kept = 33 %
    assert f == {
        "due": 6,
        "kept": 2,
        "partly": 1,
        "not_kept": 1,
        "unreported": 2,
        "dropped": 1,
        "upcoming": 1,
        "kept_percent": 33,
    }


def autumn_review(review, fiona):
    """A review after `review`, of the same alliance."""
    return start_review(
        alliance=review.alliance,
        name="Autumn 2027 review",
        started_on=datetime.date(2027, 9, 1),
        author=fiona,
    )


def test_figures_over_time_go_review_by_review(review, kitchen, fiona):
    past = TODAY - datetime.timedelta(days=30)
    later = autumn_review(review, fiona)
    commit(review, kitchen, "done", past)
    commit(review, kitchen, "not_done", past, "No time")
    commit(later, kitchen, "done", past)
    Commitment.objects.create(
        alliance=review.alliance, description="Loose", due_on=past, status="done"
    )
    rows = follow(later)["over_time"]
    assert [(r["review"], r["due"], r["kept"], r["kept_percent"]) for r in rows] == [
        ("Spring 2027 review", 2, 1, 50),
        ("Autumn 2027 review", 1, 1, 100),
        ("Outside any review", 1, 1, 100),
    ]
    # The headline is the chosen review's.
    assert follow(later)["figures"]["due"] == 1


def test_an_earlier_review_over_time_counts_as_its_own_figures(review, kitchen, fiona):
    """The figures over time are counted by the database (so that a page never loads every
    commitment of ten years): each outcome as the chosen review's own figures count it."""
    past, soon = TODAY - datetime.timedelta(days=10), TODAY + datetime.timedelta(days=5)
    for status, due in [
        ("done", past),
        ("partly", past),
        ("not_done", past),
        ("open", past),
        ("open", TODAY),
        ("dropped", past),
        ("open", soon),
        ("done", soon),
    ]:
        commit(review, kitchen, status, due, "A reason" if status != "done" else "")
    later = autumn_review(review, fiona)
    commit(later, kitchen, "done", past)

    earlier = follow(later)["over_time"][0]

    assert earlier.pop("review") == review.name and earlier.pop("review_id") == review.pk
    assert earlier == follow(review)["figures"]
    assert (earlier["unreported"], earlier["upcoming"], earlier["due"]) == (2, 1, 6)


def test_reasons_are_grouped_and_the_same_words_counted_once(review, kitchen, food_bank):
    past = TODAY - datetime.timedelta(days=1)
    commit(review, kitchen, "not_done", past, "The grant came late.")
    commit(review, food_bank, "not_done", past, "the grant  came late")
    commit(review, food_bank, "not_done", past, "Staff left")
    commit(review, kitchen, "partly", past, "Half the volunteers")
    commit(review, kitchen, "done", past, "")
    groups = follow(review)["reasons"]
    assert [g["outcome"] for g in groups] == ["not_kept", "partly"]
    assert groups[0]["reasons"] == [
        {"text": "The grant came late.", "count": 2},
        {"text": "Staff left", "count": 1},
    ]
    # Reasons are the alliance's: no partner is attached to them.
    assert "partner" not in groups[0]["reasons"][0]


def test_per_partner_figures_are_hidden_unless_the_review_turns_them_on(
    client, review, kitchen, food_bank, fiona, mia
):
    past = TODAY - datetime.timedelta(days=1)
    commit(review, kitchen, "done", past)
    commit(review, food_bank, "not_done", past, "No van")
    assert follow(review)["per_partner"] is None
    client.force_login(mia)
    page = pages.text(client.get(trust_url(review.alliance, review)))
    assert "Commitments per partner" not in page
    assert "Figures per partner are not shown for this review" in page

    client.force_login(fiona)
    response = client.post(
        reverse("registers:partner_follow_through", args=[review.alliance.slug, review.pk]),
        {"partner_follow_through": "on", "base_version": review.version},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.partner_follow_through
    assert Revision.objects.for_object(review).first().changes["partner_follow_through"]
    table = follow(review)["per_partner"]
    # In the order of the names, not ranked by how much each kept.
    assert [(r["partner"], r["due"], r["kept"], r["not_kept"]) for r in table] == [
        ("Community Kitchen", 1, 1, 0),
        ("Food Bank", 1, 0, 1),
    ]
    client.force_login(mia)
    page = pages.text(client.get(trust_url(review.alliance, review)))
    assert "Commitments per partner, in the order of their names" in page


def test_a_partner_who_joined_mid_review(review, kitchen):
    review.partner_follow_through = True
    review.save()
    newcomer = make_partner(review.alliance, "Bike Collective", joined_on=datetime.date(2027, 5, 1))
    past = TODAY - datetime.timedelta(days=1)
    commit(review, kitchen, "done", past)
    commit(review, newcomer, "partly", past, "Started in May")
    commit(review, newcomer, "open", TODAY + datetime.timedelta(days=9))
    result = follow(review)
    # The alliance's figures count the newcomer's commitments like anyone's.
    assert (result["figures"]["due"], result["figures"]["kept"]) == (2, 1)
    rows = {r["partner"]: r for r in result["per_partner"]}
    assert rows["Bike Collective"]["joined"]  # says it joined during the review
    assert (rows["Bike Collective"]["due"], rows["Bike Collective"]["upcoming"]) == (1, 1)
    assert rows["Community Kitchen"]["joined"] == ""


def test_only_a_facilitator_turns_per_partner_figures_on(client, review, mia):
    client.force_login(mia)
    response = client.post(
        reverse("registers:partner_follow_through", args=[review.alliance.slug, review.pk]),
        {"partner_follow_through": "on", "base_version": review.version},
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert not review.partner_follow_through


def test_the_recorded_trust_component_keeps_its_figures(review, kitchen, fiona):
    from reviews.services import open_component, record_component

    record = ComponentRecord.objects.get(review=review, component_key="trust")
    open_component(record=record, author=fiona, reason="We start with trust this time.")
    commit(review, kitchen, "done", datetime.date(2027, 3, 2))
    record_component(record=record, author=fiona)
    record.refresh_from_db()
    assert record.snapshot["tool"] == "trust"
    assert record.snapshot["follow_through"]["figures"]["kept"] == 1
    Commitment.objects.update(status="not_done", status_reason="Changed our minds")
    record.refresh_from_db()
    assert figures.register_for(record)["follow_through"]["figures"]["kept"] == 1


# Accomplishments


def accomplishment_data(**changes):
    data = {
        "statement": "1,200 children ate a free summer meal",
        "achieved_on": "2026-07-31",
        "goal": "",
        "figure": "",
        "unit": "",
        "base_version": "1",
    }
    return {**data, **changes}


def test_a_member_adds_an_accomplishment_with_history(client, alliance, mia):
    goal = Goal.objects.create(alliance=alliance, statement="Summer meals", status="agreed")
    client.force_login(mia)
    response = client.post(
        reverse("registers:accomplishment_create", args=[alliance.slug]),
        accomplishment_data(goal=goal.pk, figure="1200", unit="meals"),
    )
    assert response.status_code == 302
    item = Accomplishment.objects.get()
    assert (item.goal, item.figure, item.unit, item.created_by) == (goal, 1200, "meals", mia)
    assert Revision.objects.for_object(item).get().action == Revision.Action.CREATED
    page = pages.text(client.get(trust_url(alliance)))
    assert "1,200 children ate a free summer meal" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"statement": ""}, "statement", "This field is required."),
        ({"achieved_on": "next week"}, "achieved_on", "Enter the date as year-month-day"),
        ({"achieved_on": "2999-01-01"}, "achieved_on", "already achieved"),
        ({"figure": "many"}, "figure", "Enter a number"),
        ({"unit": "meals"}, "figure", "Give the figure that goes with the unit."),
    ],
)
def test_bad_accomplishments_are_refused_beside_the_field_and_kept(
    client, alliance, mia, changes, field, message
):
    client.force_login(mia)
    data = accomplishment_data(**changes)
    response = client.post(reverse("registers:accomplishment_create", args=[alliance.slug]), data)
    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert any(message in error for error in fields[field].errors)
    assert (fields["statement"].value or "") == data["statement"]
    assert not Accomplishment.objects.exists()


def test_two_editors_of_one_accomplishment_see_the_conflict(client, alliance, mia, carol):
    item = Accomplishment.objects.create(
        alliance=alliance, statement="Opened a pantry", achieved_on=datetime.date(2026, 5, 1)
    )
    url = reverse("registers:accomplishment_edit", args=[alliance.slug, item.pk])
    client.force_login(carol)
    client.post(url, accomplishment_data(statement="Opened two pantries", achieved_on="2026-05-01"))
    client.force_login(mia)
    response = client.post(
        url, accomplishment_data(statement="Opened a pantry downtown", achieved_on="2026-05-01")
    )
    assert response.status_code == 200
    text = pages.text(response)
    assert "Opened two pantries" in text and "Opened a pantry downtown" in text
    item.refresh_from_db()
    assert item.statement == "Opened two pantries"


def test_what_remains_counts_figures_in_the_goals_unit(alliance):
    goal = Goal.objects.create(
        alliance=alliance,
        statement="5,000 summer meals",
        status="agreed",
        target_value=Decimal("5000"),
        target_unit="meals",
    )
    other = Goal.objects.create(alliance=alliance, statement="A shared van", status="proposed")
    Goal.objects.create(alliance=alliance, statement="Old goal", status="retired")
    day = datetime.date(2026, 7, 1)
    Accomplishment.objects.create(
        alliance=alliance, statement="July", achieved_on=day, goal=goal, figure=1200, unit="meals"
    )
    Accomplishment.objects.create(
        alliance=alliance, statement="June", achieved_on=day, goal=goal, figure=800, unit="Meals"
    )
    Accomplishment.objects.create(
        alliance=alliance, statement="Press", achieved_on=day, goal=goal, figure=3, unit="articles"
    )
    result = figures.accomplishments(alliance)
    rows = {g["statement"]: g for g in result["goals"]}
    assert set(rows) == {"5,000 summer meals", "A shared van"}
    assert rows["5,000 summer meals"]["count"] == 3
    assert rows["5,000 summer meals"]["reached"] == "2000 meals"
    assert rows["5,000 summer meals"]["remaining"] == "3000 meals"
    assert rows["A shared van"] == {
        "id": other.pk,
        "statement": "A shared van",
        "count": 0,
        "target": "",
        "reached": "",
        "remaining": "",
    }


# The page


def test_an_observer_reads_the_trust_page_without_edit_controls(client, review, otto, kitchen):
    commit(review, kitchen, "done", TODAY)
    client.force_login(otto)
    response = client.get(trust_url(review.alliance))
    assert response.status_code == 200
    assert "Add an accomplishment" not in pages.text(response)
    assert "Show the figures per partner" not in pages.text(response)


def test_another_alliances_review_is_not_found(client, review, olga):
    other = Review.objects.exclude(alliance=review.alliance).first() or start_review(
        alliance=olga.memberships.get().alliance,
        name="Theirs",
        started_on=datetime.date(2027, 1, 1),
        author=olga,
    )
    client.force_login(olga)
    assert client.get(trust_url(review.alliance)).status_code == 404
    client.force_login(review.alliance.memberships.first().user)
    assert client.get(trust_url(review.alliance, other)).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_trust_page_query_count_does_not_grow_with_history(client, review, kitchen, mia):
    client.force_login(mia)
    goal = Goal.objects.create(alliance=review.alliance, statement="Meals", status="agreed")
    for n in range(5):
        commit(review, kitchen, "done", TODAY, description=f"c{n}")
        Accomplishment.objects.create(
            alliance=review.alliance, statement=f"a{n}", achieved_on=TODAY, goal=goal
        )
    small = _queries(client, trust_url(review.alliance, review))
    for n in range(45):
        commit(review, kitchen, "not_done", TODAY, f"reason {n}", description=f"d{n}")
        Accomplishment.objects.create(
            alliance=review.alliance, statement=f"b{n}", achieved_on=TODAY, goal=goal
        )
        Goal.objects.create(alliance=review.alliance, statement=f"g{n}", status="agreed")
    assert _queries(client, trust_url(review.alliance, review)) == small


# In a live meeting


def _meeting_at_trust_discussion(review, fiona):
    from meetings import live
    from meetings import services as meetings

    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose", "power", "interdependence", "trust"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
    )
    meetings.start(meeting=meeting, actor=fiona)
    target = meeting.phases.get(kind="discuss", component_key="trust")
    while live.load(meeting.pk).current.position < target.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=fiona, confirmed=True)
    return live.load(meeting.pk)


def test_the_discuss_phase_of_trust_shows_the_register_without_controls(review, kitchen, fiona):
    from meetings import live

    commit(review, kitchen, "not_done", datetime.date(2027, 3, 5), "The van broke down")
    Accomplishment.objects.create(
        alliance=review.alliance, statement="Opened a pantry", achieved_on=TODAY
    )
    html = live.state(_meeting_at_trust_discussion(review, fiona))["html"]
    assert "Commitments kept" in html and "The van broke down" in html
    assert "Opened a pantry" in html
    assert "/edit/" not in html and "<form" not in html


def test_a_trust_change_refreshes_the_meeting_discussing_it(client, review, fiona, mia):
    from meetings import live
    from meetings.models import Meeting

    meeting = _meeting_at_trust_discussion(review, fiona)
    before = meeting.seq
    client.force_login(mia)
    client.post(
        reverse("registers:accomplishment_create", args=[review.alliance.slug]),
        accomplishment_data(),
    )
    assert Meeting.objects.get(pk=meeting.pk).seq == before + 1
    assert "1,200 children ate a free summer meal" in live.state(live.load(meeting.pk))["html"]
