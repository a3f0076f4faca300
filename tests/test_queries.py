"""Pages must not slow down as an alliance's history grows: their query counts are pinned,
and stay the same with ten times more reviews, partners, records and commitments."""

import datetime

import pytest
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
def grown(request, alliance, review, fiona):
    grow(alliance, fiona, request.param)
    rate(review, Membership.objects.filter(user__email__startswith="member1"))
    for c in range(request.param):
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
