"""Pages must not slow down as an alliance's history grows: their query counts are pinned,
and stay the same with ten times more reviews, partners, records and commitments."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Membership
from history.services import create_with_history
from reviews.models import Commitment
from tests.growth import grow, rate

# Each page: session, user, membership (with its alliance), the alliance switcher, the
# alliance's live meetings (the banner, meetings/join.py), and the page's own rows, each
# list in a single query.
# + review, records, open commitments count, check-ins, whether the rules are locked, and
# the ratings of this review and of the previous one (rounds, counts, values: 3 each)
REVIEW_HOME_QUERIES = 17  # and its meetings
# + record, all six records, questions, commitments, last change, and the ratings: this
# component's rounds, counts, values and reflection counts, and the previous review's
# review, rounds, counts and values
COMPONENT_PAGE_QUERIES = 22  # and the goals register: alliance, partners, alignments, goals
# + remembering the last alliance opened (first visit only), reviews, partners, people count
ALLIANCE_HOME_QUERIES = 9


@pytest.fixture(params=[1, 10], ids=["small", "ten-times"])
def size(request):
    return request.param


@pytest.fixture
def grown(size, alliance, review, fiona):
    grow(alliance, fiona, size)
    rate(review, Membership.objects.filter(user__email__startswith="member1"))
    for c in range(size):
        create_with_history(
            Commitment(
                alliance=alliance,
                review=review,
                component_key="purpose",
                description=f"Ours {c}",
                due_on=datetime.date(2027, 1, 1),
                created_by=fiona,
            ),
            alliance=alliance,
            author=fiona,
        )
    return review


def test_review_home_query_count_is_fixed(client, grown, fiona, django_assert_num_queries):
    client.force_login(fiona)
    url = reverse("reviews:detail", args=[grown.alliance.slug, grown.pk])
    with django_assert_num_queries(REVIEW_HOME_QUERIES):
        assert client.get(url).status_code == 200


def test_component_page_query_count_is_fixed(client, grown, fiona, django_assert_num_queries):
    client.force_login(fiona)
    url = reverse("reviews:component", args=[grown.alliance.slug, grown.pk, "purpose"])
    with django_assert_num_queries(COMPONENT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert (
        len(response.context["commitments"])
        == Commitment.objects.filter(review=grown, component_key="purpose").count()
    )


def test_alliance_home_query_count_is_fixed(client, grown, fiona, django_assert_num_queries):
    client.force_login(fiona)
    url = reverse("alliances:detail", args=[grown.alliance.slug])
    with django_assert_num_queries(ALLIANCE_HOME_QUERIES):
        assert client.get(url).status_code == 200


def _grow_meetings_and_history(review, author, times: int):
    """`times` meetings planned for the review, `times` edits of the alliance (its history
    page), and `times` goals (each with an indicator of a year of values), resources,
    dependencies, agreements and accomplishments (the registers and their CSV files)."""
    from history.services import change_with_history
    from tests.factories import (
        add_values,
        make_accomplishment,
        make_agreement,
        make_dependency,
        make_goal,
        make_indicator,
        make_meeting,
        make_resource,
    )

    alliance = review.alliance
    partners = list(alliance.partners.order_by("pk")[:2])
    for n in range(times):
        make_meeting(review, author, place=f"Hall {n}")
        alliance.refresh_from_db()
        change_with_history(alliance, alliance=alliance, author=author, purpose=f"Purpose {n}")
        resource = make_resource(alliance, f"Resource {n}", "staff", brought_by=partners)
        make_dependency(alliance, partners[0], partners[1], f"Dependency {n}", resource=resource)
        make_agreement(alliance, title=f"Agreement {n}")
        goal = make_goal(alliance, f"Goal {n}", status="agreed", author=author)
        indicator = make_indicator(alliance, f"Indicator {n}", goals=[goal])
        add_values(indicator, *[(datetime.date(2026, m, 1), m * n) for m in range(1, 13)])
        make_accomplishment(alliance, f"Accomplishment {n}", datetime.date(2026, 6, 1), goal)


# Every other page a member opens (the GET pages of tests/access_matrix.py that need "read"
# or "write"), each asked twice and counted the second time (the first may remember the
# alliance opened or fill a cache): the same count at 1× and 10× the history. Each starts
# with the session, the user and the membership (with its alliance), and the header's
# alliance switcher and live meetings where it is a page of an alliance.
OTHER_PAGE_QUERIES = {
    "alliances:list": 3,
    "alliances:partners": 6,
    "alliances:people": 6,
    "alliances:history": 6,
    # the component page (COMPONENT_PAGE_QUERIES) with each register in place of the goals'
    "reviews:component power": 22,
    "reviews:component interdependence": 17,
    "reviews:component trust": 20,
    "reviews:component control": 15,
    "reviews:component indicators": 16,
    "reviews:commitment_create": 9,
    "reviews:commitment_edit": 8,
    "reviews:commitment_status": 6,
    "registers:goal_create": 5,
    "registers:goal_edit": 6,
    "registers:goals_csv": 6,
    "registers:resources_csv": 6,
    "registers:dependencies_csv": 7,
    "registers:agreements_csv": 4,
    "meetings:list": 7,
    "meetings:detail": 6,
    "meetings:ics": 4,
    "accounts:profile": 3,
}


def _other_pages(review, commitment, goal, meeting) -> dict[str, str]:
    slug = review.alliance.slug
    pages = {
        "alliances:list": reverse("alliances:list"),
        "alliances:partners": reverse("alliances:partners", args=[slug]),
        "alliances:people": reverse("alliances:people", args=[slug]),
        "alliances:history": reverse(
            "alliances:history", args=[slug, "alliances.alliance", review.alliance.pk]
        ),
    }
    for key in ("power", "interdependence", "trust", "control", "indicators"):
        pages[f"reviews:component {key}"] = reverse(
            "reviews:component", args=[slug, review.pk, key]
        )
    return pages | {
        "reviews:commitment_create": reverse(
            "reviews:commitment_create", args=[slug, review.pk, "purpose"]
        ),
        "reviews:commitment_edit": reverse("reviews:commitment_edit", args=[slug, commitment.pk]),
        "reviews:commitment_status": reverse(
            "reviews:commitment_status", args=[slug, commitment.pk]
        ),
        "registers:goal_create": reverse("registers:goal_create", args=[slug]),
        "registers:goal_edit": reverse("registers:goal_edit", args=[slug, goal.pk]),
        "registers:goals_csv": reverse("registers:goals_csv", args=[slug]),
        "registers:resources_csv": reverse("registers:resources_csv", args=[slug]),
        "registers:dependencies_csv": reverse("registers:dependencies_csv", args=[slug]),
        "registers:agreements_csv": reverse("registers:agreements_csv", args=[slug]),
        "meetings:list": reverse("meetings:list", args=[slug, review.pk]),
        "meetings:detail": reverse("meetings:detail", args=[slug, meeting.pk]),
        "meetings:ics": reverse("meetings:ics", args=[slug, meeting.pk]),
        "accounts:profile": reverse("accounts:profile"),
    }


@pytest.fixture
def grown_further(size, grown, fiona):
    _grow_meetings_and_history(grown, fiona, size)
    return grown


def test_every_other_page_keeps_its_query_count(client, grown_further, fiona, mia, commitment):
    from tests.factories import make_goal, make_meeting

    review = grown_further
    goal = make_goal(review.alliance, "Every child fed", author=fiona)
    meeting = make_meeting(review, fiona, place="Town hall")
    client.force_login(mia)
    counts = {}
    for name, url in _other_pages(review, commitment, goal, meeting).items():
        assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    assert counts == OTHER_PAGE_QUERIES
