"""The review report page (issue 8): one page per review, for every member and observer,
built from `records.report.build`. A finished review, a review in progress, and a review
whose ratings are below the threshold (K): nothing below K shows. Its query count does not
grow with the review or with the alliance's history."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from records import report
from registers.models import Goal
from reviews.models import ComponentRecord
from reviews.services import open_component, record_component
from tests import pages
from tests.answering import answer, check_in_on
from tests.factories import add_members, add_values, make_indicator
from tests.growth import grow
from tests.reporting import (
    KEYS,
    REPORT_QUERIES,
    SCALE_LABELS,
    TODAY,
    fill,
    finished_review,
    rate,
    texts,
    write_record,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


def url(review, name="reviews:report") -> str:
    return reverse(name, args=[review.alliance.slug, review.pk])


@pytest.fixture
def raters(alliance):
    return add_members(alliance, 3)


@pytest.fixture
def finished(review, fiona, mia, raters):
    return finished_review(review, fiona, mia, raters)


def test_report_of_a_finished_review_shows_what_each_component_recorded(
    client, finished, otto, raters
):
    client.force_login(otto)  # observers read the report too
    response = client.get(url(finished))

    assert response.status_code == 200
    words = pages.text(response)
    assert "Report of Spring 2027 review" in words
    assert "Finished. All 6 components are recorded." in words
    assert "Review in progress" not in words
    for key in KEYS:
        for text in texts(key).values():
            assert text in words
    # Six ratings: each with its count and its median.
    assert words.count("3 people answered.") == 6
    assert words.count("Median rating: 4 out of 5.") == 6
    assert "5: Fully true of our alliance 1" in words
    # The triangle says it in words too.
    assert words.count("recorded median 4, 3 answers") == 6
    # Nobody's name is tied to a rating in an anonymous review.
    for membership in raters:
        assert membership.user.name not in words


def test_report_gathers_the_ideas_commitments_and_meetings(client, finished, mia):
    client.force_login(mia)
    response = client.get(url(finished))
    rows = response.context["report"]

    assert [idea["text"] for idea in rows["ideas"]] == [texts(key)["ideas"] for key in KEYS]
    assert [
        (c["description"], c["status_display"], c["overdue"]) for c in rows["commitments"]["rows"]
    ] == [
        ("Draft the intake form", "not yet due or in progress", True),
        ("Share the pantry schedule", "done", False),
    ]
    words = pages.text(response)
    assert "2 commitments were made in this review." in words
    assert "1 is past its due date and nobody has said how it went." in words
    assert "Draft the intake form 1. Shared purpose" in words
    assert "(overdue)" in words
    (meeting,) = rows["meetings"]
    assert meeting["attendance"] == 2
    assert meeting["people"] == ["Fiona Facilitator", "Mia Member"]
    assert "2 people Fiona Facilitator, Mia Member" in words
    summary = reverse("meetings:summary", args=[finished.alliance.slug, meeting["id"]])
    assert summary in pages.links(response)


def test_report_keeps_each_register_as_it_stood_when_recorded(client, finished, carol):
    Goal.objects.create(alliance=finished.alliance, statement="A goal proposed afterwards")
    client.force_login(carol)
    response = client.get(url(finished))

    purpose = response.context["report"]["components"][0]
    assert purpose["register_kept"] is True
    assert [g["statement"] for g in purpose["register"]["goals"]] == []
    assert "As it stood when this component was recorded" in pages.text(response)


def test_report_of_a_review_in_progress_shows_what_is_there_so_far(client, review, fiona, mia):
    write_record(
        ComponentRecord.objects.get(review=review, component_key="purpose"), **texts("purpose")
    )
    client.force_login(mia)
    response = client.get(url(review))

    assert response.status_code == 200
    words = pages.text(response)
    assert (
        "Review in progress 0 of 6 components are recorded. This report shows what is there so "
        "far; it changes as the review goes on."
    ) in words
    assert texts("purpose")["agreements"] in words
    assert "Open for discussion since" in words
    assert words.count("Not opened yet in this review.") == 5
    assert words.count("Nobody has rated this component in this review.") == 6
    assert "As it stands today: the review keeps it once this component is recorded." in words
    assert "No commitment was made in this review yet." in words
    assert "No meeting has been held in this review yet." in words
    assert response.context["report"]["finished"] is False


def test_report_below_the_threshold_shows_only_how_many_answered(client, review, mia, raters):
    # Two people answered purpose (K is 3) and wrote; the check-in is closed.
    rate(review, raters[:2], ["purpose"], [5, 4], reflections={"q1": "Only we know this."})
    client.force_login(mia)
    response = client.get(url(review))

    words = pages.text(response)
    assert "2 people answered. 1 more answer needed before ratings are shown." in words
    assert "Median rating" not in words
    assert not re.search(r"median [0-9]", words)
    assert "4.5" not in words
    for label in SCALE_LABELS:
        assert label not in words
    assert "Only we know this." not in words
    purpose = response.context["report"]["components"][0]["ratings"]
    assert purpose == {
        "count": 2,
        "needed": 3,
        "more_needed": 1,
        "closed": True,
        "shown": False,
        "median": None,
        "bars": [],
        "change": None,
        "words": "2 answers",
        "from_check_in": True,
        "asked_on": purpose["asked_on"],
    }


def test_report_while_answers_are_open_says_they_are_not_closed(client, review, mia, raters):
    check_in = check_in_on(review, ["purpose"])
    for membership in raters:
        answer(membership, check_in.rounds.get(), 3)
    client.force_login(mia)
    words = pages.text(client.get(url(review)))

    assert "3 people answered." in words
    assert "Answers are still open: the spread of ratings is shown once they are closed." in words
    assert "Median rating" not in words


def test_report_draws_each_indicator_with_the_values_the_review_kept(client, review, fiona, mia):
    indicator = make_indicator(review.alliance, name="Meals served", unit="meals")
    add_values(
        indicator,
        (TODAY - datetime.timedelta(days=60), 100),
        (TODAY - datetime.timedelta(days=30), 140),
    )
    record = ComponentRecord.objects.get(review=review, component_key="indicators")
    record.review = review
    open_component(record=record, author=fiona, reason="The figures are due now.")
    record.refresh_from_db()
    record_component(record=record, author=fiona)
    # After the review kept it: tomorrow by the clock now, not when the module was imported
    # (a run that crosses midnight would make that day today).
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    add_values(indicator, (tomorrow, 999))
    client.force_login(mia)
    response = client.get(url(review))

    (item,) = response.context["report"]["components"][5]["register"]["indicators"]
    assert item["chart"]["description"].startswith("From 100 (")
    assert "to 140 (" in item["chart"]["description"]
    assert "999" not in item["chart"]["description"]
    content = response.content.decode()
    assert f'id="chart-{indicator.pk}-title"' in content
    assert "The trend of “Meals served”" in content
    assert "Opened out of order. The reason given: The figures are due now." in pages.text(response)


def test_report_structure_is_plain_data(finished):
    built = report.build(finished)

    assert json.loads(json.dumps(built)) == built
    assert [c["key"] for c in built["components"]] == KEYS
    assert built["finished"] is True and built["recorded"] == 6


def test_report_is_for_members_only(client, review, olga, otto):
    assert client.get(url(review)).status_code == 302  # to sign in
    client.force_login(olga)
    assert client.get(url(review)).status_code == 404
    client.force_login(otto)
    assert client.post(url(review)).status_code == 405
    assert client.get(url(review)).status_code == 200


# The page's queries: session, user, membership (with its alliance) and review (4); the
@pytest.mark.parametrize("size", [1, 10], ids=["small", "ten-times"])
def test_report_query_count_is_fixed(client, review, fiona, size, django_assert_num_queries):
    grow(review.alliance, fiona, size)  # earlier reviews, partners, people, commitments
    fill(review, fiona, size)
    client.force_login(fiona)
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(url(review))
    assert response.status_code == 200
    assert len(response.context["report"]["commitments"]["rows"]) == size
    assert len(response.context["report"]["meetings"]) == size
