from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from alliances.models import Alliance, Membership, Partner
from history.models import Revision
from ratings import results
from records import compare
from reviews.components import TOOLS
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
    review = Review.objects.get(alliance__slug=SLUG, name="Autumn 2026 review")
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
    assert review.alliance.accomplishments.count() == 4
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


@pytest.mark.django_db
def test_seed_demo_earlier_review_is_finished():
    seed()
    spring, autumn = Review.objects.filter(alliance__slug=SLUG).order_by("started_on")
    assert spring.name == "Spring 2026 review"
    assert spring.started_on.isoformat() == "2026-03-10"
    records = list(spring.records.order_by("number"))
    assert [r.state for r in records] == ["recorded"] * 6
    for record in records:
        assert record.agreements and record.concerns and record.ideas
        assert record.snapshot is not None or record.component.tool not in TOOLS
        assert spring.started_on <= timezone.localdate(record.recorded_at) < autumn.started_on
    assert timezone.localdate(records[-1].recorded_at).isoformat() == "2026-05-19"
    assert all(p.joined_on < spring.started_on for p in spring.alliance.partners.all())

    commitments = Commitment.objects.filter(review=spring)
    assert commitments.count() == 6
    assert {c.status for c in commitments} == {"done", "partly", "not_done", "dropped"}
    assert all(c.status_reason for c in commitments if c.status != "done")
    for c in commitments:
        assert c.owner.memberships.get(alliance=spring.alliance).partner == c.partner


@pytest.mark.django_db
def test_seed_demo_earlier_review_ratings_shown_for_some_components_only():
    seed()
    spring = Review.objects.get(alliance__slug=SLUG, name="Spring 2026 review")
    (check_in,) = spring.check_ins.all()
    assert not check_in.is_open
    answers = results.review_results(spring)
    shown = {key for key, result in answers.items() if result.shown}
    assert shown == {"purpose", "power", "interdependence", "trust", "indicators"}
    assert answers["control"].count == 2
    assert answers["control"].median is None
    assert answers["purpose"].median == 3.5
    confidence = results.confidence_results(spring)
    assert len(confidence) == 4
    assert all(result.shown for result in confidence.values())


@pytest.mark.django_db
def test_seed_demo_two_reviews_compare():
    seed()
    spring, autumn = Review.objects.filter(alliance__slug=SLUG).order_by("started_on")
    result = compare.compare(spring.alliance, spring, autumn)
    assert result["before"]["day"].isoformat() == "2026-05-19"
    goals = result["goals"]
    assert [g["statement"] for g in goals["added"]] == [
        "More fresh produce on pantry shelves, at fair prices for growers"
    ]
    assert [g["statement"] for g in goals["achieved"]] == [
        "One food helpline number that every partner gives out"
    ]
    assert [g["statement"] for g in goals["dropped"]] == [
        "A county-wide holiday food drive, run by the alliance"
    ]
    intake = next(g for g in goals["carried"] if g["statement"].startswith("A family tells"))
    assert (intake["then_display"], intake["status_display"]) == ("proposed", "agreed")
    # Every indicator has a value at both dates.
    movements = {row["name"]: row["movement"]["words"] for row in result["indicators"]}
    assert movements == {
        "Children eating at a summer meal site": "up 13 — the better way",
        "Families told to repeat their story at a second pantry": "down 3 — the better way",
        "Pantries open an evening or a weekend": "up 1 — the better way",
    }
    purpose = next(row for row in result["components"] if row["key"] == "purpose")
    assert purpose["change"]["words"] == "up 0.5"


@pytest.mark.django_db
def test_seed_demo_compare_and_timeline_pages(client):
    seed()
    client.force_login(User.objects.get(email="evelyn@harvest-food.example"))
    response = client.get(reverse("reviews:compare", args=[SLUG]))
    assert response.status_code == 200
    assert response.context["comparison"]["before"]["name"] == "Spring 2026 review"
    assert response.context["comparison"]["after"]["name"] == "Autumn 2026 review"
    response = client.get(reverse("reviews:timeline", args=[SLUG]))
    assert response.status_code == 200
    assert "One food helpline number that every partner gives out" in response.content.decode()
