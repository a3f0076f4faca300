"""Pages must not slow down as an alliance's history grows: their query counts are pinned,
and stay the same with ten times more reviews, partners, records and commitments."""

import datetime

import pytest
from django.urls import reverse

from alliances.models import Membership, Partner, Role
from history.services import create_with_history
from reviews.models import Commitment, ComponentRecord
from reviews.services import record_component, start_review
from tests.conftest import make_user

# Each page: session, user, membership (with its alliance), the alliance switcher, and the
# page's own rows, each list in a single query.
REVIEW_HOME_QUERIES = 7  # + review, records, open commitments count
COMPONENT_PAGE_QUERIES = 9  # + record, all six records, questions, commitments, last change
# + remembering the last alliance opened (first visit only), reviews, partners, people count
ALLIANCE_HOME_QUERIES = 8


def grow(alliance, author, times: int):
    """Add `times` partners, people, reviews (two components recorded in each), and five
    commitments per review."""
    for n in range(times):
        partner = Partner.objects.create(alliance=alliance, name=f"Partner {n}")
        person = make_user(f"Person {n}", f"person{n}@example.org")
        Membership.objects.create(alliance=alliance, user=person, role=Role.MEMBER, partner=partner)
        review = start_review(
            alliance=alliance,
            name=f"Review {n}",
            started_on=datetime.date(2020 + n % 5, 1, 1),
            author=author,
        )
        for key in ("purpose", "power"):
            record = ComponentRecord.objects.get(review=review, component_key=key)
            record.notes = f"Notes {n}"
            record.save()
            record_component(record=record, author=author)
        for c in range(5):
            create_with_history(
                Commitment(
                    alliance=alliance,
                    review=review,
                    component_key="purpose",
                    description=f"Commitment {n}.{c}",
                    partner=partner,
                    owner=person,
                    due_on=datetime.date(2027, 1, 1),
                    created_by=author,
                ),
                alliance=alliance,
                author=author,
            )


@pytest.fixture(params=[1, 10], ids=["small", "ten-times"])
def grown(request, alliance, review, fiona):
    grow(alliance, fiona, request.param)
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
