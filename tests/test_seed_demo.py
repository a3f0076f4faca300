from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from alliances.models import Alliance, Membership, Partner
from history.models import Revision
from reviews.models import Commitment, ComponentRecord, Review

SLUG = "harvest-county-food-security-alliance"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Alliance,
            Partner,
            Membership,
            Review,
            ComponentRecord,
            Commitment,
            Revision,
        )
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_alliance():
    assert "ready" in seed()

    alliance = Alliance.objects.get(slug=SLUG)
    assert alliance.name == "Harvest County Food Security Alliance"
    assert alliance.community.startswith("Families in Harvest County")
    assert alliance.partners.count() == 6
    assert all(p.website.endswith(".example") and p.contact_name for p in alliance.partners.all())

    memberships = alliance.memberships.select_related("user", "partner")
    assert memberships.count() == 10
    assert Counter(m.role for m in memberships) == {
        "coordinator": 1,
        "facilitator": 1,
        "member": 7,
        "observer": 1,
    }
    dana = memberships.get(user__email="dana@harvest-food.example")
    assert dana.role == "coordinator"
    assert dana.partner.name == "Harvest County Food Bank"
    for m in memberships:
        assert m.user.email.endswith("@harvest-food.example")
        assert (m.partner is None) == (m.role in {"facilitator", "observer"})
    assert {m.partner.name for m in memberships if m.partner} == set(
        alliance.partners.values_list("name", flat=True)
    )


@pytest.mark.django_db
def test_seed_demo_review_is_half_done():
    seed()
    review = Review.objects.get(alliance__slug=SLUG)
    assert review.name == "Autumn 2026 review"
    assert review.started_on.isoformat() == "2026-09-15"
    states = dict(review.records.values_list("component_key", "state"))
    assert states == {
        "purpose": "recorded",
        "power": "recorded",
        "interdependence": "in_discussion",
        "trust": "not_started",
        "control": "not_started",
        "indicators": "not_started",
    }
    for key in ("purpose", "power"):
        record = review.records.get(component_key=key)
        assert record.notes and record.agreements and record.concerns and record.ideas
        assert record.recorded_by.email == "marisol@harvest-food.example"
    assert review.records.get(component_key="interdependence").notes

    commitments = Commitment.objects.filter(review=review)
    assert commitments.count() == 6
    assert {c.status for c in commitments} >= {"done", "open", "partly", "not_done"}
    for c in commitments:
        assert c.component_key in {"purpose", "power"}
        assert c.owner.memberships.get(alliance=review.alliance).partner == c.partner
    assert all(c.status_reason for c in commitments if c.status in ("partly", "not_done"))
    # The trust conversation starts from results, and every partner joined before the review.
    assert review.alliance.accomplishments.count() == 3
    # Shared control: agreements (one due for review) and pledges in every state.
    assert review.alliance.agreements.count() == 3
    # Indicators with values, one broken down by county area.
    assert review.alliance.indicators.count() == 3
    assert review.alliance.indicators.filter(breakdowns__name="North").exists()
    assert {p.delivery for p in review.alliance.pledges.all()} == {
        "complete",
        "partial",
        "not_delivered",
        "pending",
    }
    assert all(p.joined_on < review.started_on for p in review.alliance.partners.all())


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed()
    before = counts()
    assert "already exists" in seed()
    assert counts() == before


@pytest.mark.django_db
def test_demo_people_can_sign_in():
    seed()
    dana = authenticate(username="dana@harvest-food.example", password="accord-demo")
    assert dana is not None
    assert dana.name == "Dana Whitfield"
    assert authenticate(username="dana@harvest-food.example", password="wrong") is None
