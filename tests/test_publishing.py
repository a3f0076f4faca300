"""Publishing with consent (issue 18, parts 1 to 3): a coordinator proposes, each partner
approves or objects within the period, and only what was approved is shown, frozen as it
was proposed, on a shared link and the public page, never naming who said what, never
anything below K or from an open round. docs/publishing.md says the rules."""

import datetime
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from alliances.models import Alliance, Membership, Partner, Role
from indicators import values
from publishing import consent
from publishing import services as publishing
from publishing.models import Consent, Item, Objection, Publication, hash_token
from publishing.models import ShareLink as ShareLinkModel
from publishing.services import Choice, PublishingError
from reviews.models import Review
from tests import pages
from tests.answering import answer, check_in_on
from tests.factories import (
    add_member,
    add_members,
    add_values,
    make_accomplishment,
    make_commitment,
    make_indicator,
    make_partner,
    make_publication,
    make_share_link,
    make_user,
)
from tests.reporting import TODAY, finish, hold_meeting, rate

pytestmark = pytest.mark.usefixtures("fast_passwords")

PURPOSE = Choice("purpose")
ACCOMPLISHMENTS = Choice("accomplishments")


def membership(alliance, person):
    return Membership.objects.select_related("user", "partner").get(alliance=alliance, user=person)


def states(publication, now=None):
    publication = consent.with_decisions(Publication.objects.filter(pk=publication.pk)).get()
    return {
        item.kind: consent.item_state(item, publication, now) for item in publication.items.all()
    }


def shown(alliance, now=None, **kwargs):
    return [s.item.kind for s in consent.published_items(alliance, now=now, **kwargs)]


@pytest.fixture
def proposed(alliance, carol, mia, food_bank, kitchen):
    make_accomplishment(alliance, "A pantry in every school", datetime.date(2026, 4, 1))
    return make_publication(alliance, carol, [PURPOSE, ACCOMPLISHMENTS])


def test_proposal_asks_each_partner_with_someone_to_decide(alliance, proposed, food_bank, kitchen):
    make_partner(alliance, "Shelter House")  # after: not asked about this one
    assert sorted(c.partner.name for c in proposed.consents.all()) == [
        "Community Kitchen",
        "Food Bank",
    ]
    assert states(proposed) == {"purpose": "waiting", "accomplishments": "waiting"}
    assert shown(alliance) == []


def test_partner_without_people_is_not_asked_and_named(alliance, carol, food_bank, kitchen):
    make_partner(alliance, "Shelter House")
    publication = make_publication(alliance, carol)
    assert publication.undecidable == ["Community Kitchen", "Shelter House"]
    assert [c.partner for c in publication.consents.all()] == [food_bank]


def test_every_partner_approving_publishes(alliance, proposed, carol, mia):
    publishing.decide(publication=proposed, membership=membership(alliance, carol), objections={})
    assert states(proposed) == {"purpose": "waiting", "accomplishments": "waiting"}
    publishing.decide(publication=proposed, membership=membership(alliance, mia), objections={})
    assert states(proposed) == {"purpose": "approved", "accomplishments": "approved"}
    assert shown(alliance) == ["purpose", "accomplishments"]


def test_objection_stops_that_item_and_keeps_the_reason(alliance, proposed, carol, mia):
    item = proposed.items.get(kind="accomplishments")
    publishing.decide(
        publication=proposed,
        membership=membership(alliance, mia),
        objections={item.pk: "Not ready to share these"},
    )
    publishing.decide(publication=proposed, membership=membership(alliance, carol), objections={})
    assert states(proposed) == {"purpose": "approved", "accomplishments": "objected"}
    assert shown(alliance) == ["purpose"]
    objection = Objection.objects.get()
    assert (objection.partner.name, objection.person, objection.reason) == (
        "Community Kitchen",
        mia,
        "Not ready to share these",
    )


def test_objection_needs_a_reason(alliance, proposed, mia):
    item = proposed.items.get(kind="purpose")
    with pytest.raises(PublishingError, match="Say why"):
        publishing.decide(
            publication=proposed, membership=membership(alliance, mia), objections={item.pk: " "}
        )
    assert not Objection.objects.exists()


def test_one_decision_per_partner(alliance, proposed, kitchen, mia):
    publishing.decide(publication=proposed, membership=membership(alliance, mia), objections={})
    from tests.factories import add_member, make_user

    sam = make_user("Sam Second", "sam@example.org")
    add_member(alliance, sam, "member", kitchen)
    with pytest.raises(PublishingError, match="Mia Member has already decided"):
        publishing.decide(publication=proposed, membership=membership(alliance, sam), objections={})


def test_period_ending_without_objection_publishes(alliance, proposed, carol):
    """Lazy consent: every partner was told and had the whole period."""
    publishing.decide(publication=proposed, membership=membership(alliance, carol), objections={})
    before = proposed.consent_until - datetime.timedelta(seconds=1)
    assert states(proposed, before) == {"purpose": "waiting", "accomplishments": "waiting"}
    assert shown(alliance, before) == []
    at_end = proposed.consent_until
    assert states(proposed, at_end) == {"purpose": "approved", "accomplishments": "approved"}
    assert shown(alliance, at_end) == ["purpose", "accomplishments"]


def test_period_ending_keeps_an_objected_item_stopped(alliance, proposed, mia):
    item = proposed.items.get(kind="purpose")
    publishing.decide(
        publication=proposed, membership=membership(alliance, mia), objections={item.pk: "No"}
    )
    assert shown(alliance, proposed.consent_until) == ["accomplishments"]


def test_unpublishing_is_immediate(alliance, proposed, carol, mia):
    for person in (carol, mia):
        publishing.decide(
            publication=proposed, membership=membership(alliance, person), objections={}
        )
    publishing.unpublish(publication=proposed, author=carol)
    assert shown(alliance) == []
    proposed.refresh_from_db()
    assert (proposed.unpublished_by, proposed.unpublished_at is not None) == (carol, True)


def test_withdrawn_proposal_is_never_shown_nor_decided(alliance, proposed, carol, mia):
    publishing.withdraw(publication=proposed, author=carol)
    assert shown(alliance, proposed.consent_until) == []
    with pytest.raises(PublishingError, match="withdrawn"):
        publishing.decide(publication=proposed, membership=membership(alliance, mia), objections={})
    with pytest.raises(PublishingError, match="already"):
        publishing.unpublish(publication=proposed, author=carol)


def test_consent_period_is_at_least_a_day(alliance, carol, food_bank):
    with pytest.raises(PublishingError, match="at least one day"):
        publishing.propose(
            alliance=alliance,
            author=carol,
            audience="shared",
            consent_until=timezone.now() + datetime.timedelta(hours=20),
            choices=[PURPOSE],
        )
    assert not Publication.objects.exists()


def test_snapshot_is_frozen_when_proposed(alliance, proposed, carol, mia):
    alliance.purpose = "Something else entirely"
    alliance.save()
    for person in (carol, mia):
        publishing.decide(
            publication=proposed, membership=membership(alliance, person), objections={}
        )
    (purpose,) = [s.item for s in consent.published_items(alliance) if s.item.kind == "purpose"]
    assert purpose.snapshot["purpose"] == "End hunger in Harvest County."  # as proposed
    assert Item.objects.get(kind="accomplishments").snapshot["rows"] == [
        {"statement": "A pantry in every school", "date": "2026-04-01", "figure": None, "unit": ""}
    ]


def test_update_replaces_the_old_publication_once_settled(alliance, proposed, carol, mia):
    for person in (carol, mia):
        publishing.decide(
            publication=proposed, membership=membership(alliance, person), objections={}
        )
    alliance.purpose = "A newer purpose"
    alliance.save()
    update = make_publication(alliance, carol, [PURPOSE], replaces=proposed)
    # While the partners decide on the update, the old one stays.
    assert sorted(s.publication.pk for s in consent.published_items(alliance)) == [proposed.pk] * 2
    assert [
        s.item.snapshot["purpose"]
        for s in consent.published_items(alliance, now=update.consent_until)
    ] == ["A newer purpose"]


def test_unpublishing_a_settled_update_does_not_bring_the_old_one_back(
    client, alliance, proposed, carol, mia
):
    approve_all(proposed)
    alliance.purpose = "A newer purpose"
    alliance.save()
    update = make_publication(alliance, carol, [PURPOSE], replaces=proposed)
    approve_all(update)
    publishing.unpublish(publication=update, author=carol)
    # Carol stopped what was shown: the older version it replaced stays replaced.
    assert consent.published_items(alliance) == []
    _link, token = make_share_link(alliance, carol)
    text = pages.text(client.get(shared_url(token)))
    assert "End hunger in Harvest County." not in text
    assert "Nothing is shared here at the moment." in text


def test_withdrawing_an_update_before_it_settles_keeps_the_old_one(alliance, proposed, carol, mia):
    approve_all(proposed)
    update = make_publication(alliance, carol, [PURPOSE], replaces=proposed)
    publishing.withdraw(publication=update, author=carol)
    assert {s.publication.pk for s in consent.published_items(alliance)} == {proposed.pk}
    assert {
        s.publication.pk for s in consent.published_items(alliance, now=update.consent_until)
    } == {proposed.pk}


# The report: through records.report.build, then nothing that names anyone.


def rated_review(review, fiona, mia, *, named=False):
    """`review` with purpose rated by three (closed: shown), power by two (closed: below K),
    interdependence by three in a check-in still open; recorded, with a commitment Mia owns
    and a meeting Mia and Fiona came to. Named answers when `named`."""
    if named:
        Review.objects.filter(pk=review.pk).update(anonymous=False)
        review.refresh_from_db()
    raters = add_members(review.alliance, 3)
    rate(review, raters, ["purpose"], [4, 4, 5], reflections={"q1": "Ravi wrote this secret"})
    rate(review, raters[:2], ["power"], [1, 2])
    still_open = check_in_on(review, ["interdependence"])
    for m in raters:
        answer(m, still_open.rounds.get(goal=None), 2)
    finish(review, fiona)
    make_commitment(
        review,
        "Share the pantry schedule",
        TODAY,
        author=fiona,
        partner=mia_partner(review),
        owner=mia,
    )
    hold_meeting(review, fiona, [mia, fiona])
    return review


def mia_partner(review):
    return Partner.objects.get(alliance=review.alliance, name="Community Kitchen")


ALL_SECTIONS = {"sections": ["ratings", "records", "commitments", "meetings"]}


@pytest.mark.parametrize("named", [False, True])
def test_report_snapshot_keeps_anonymity_and_names_nobody(
    alliance, review, carol, fiona, mia, named
):
    rated_review(review, fiona, mia, named=named)
    publication = make_publication(alliance, carol, [Choice("report", review.pk, ALL_SECTIONS)])
    snapshot = publication.items.get().snapshot
    ratings = {r["key"]: r for r in snapshot["ratings"]}
    assert (ratings["purpose"]["count"], ratings["purpose"]["median"]) == (3, 4.0)
    # Below K, and a round still open: nothing, not even how many answered.
    for key in ("power", "interdependence"):
        assert (ratings[key]["count"], ratings[key]["median"], ratings[key]["bars"]) == (
            None,
            None,
            [],
        )
    assert snapshot["commitments"] == [
        {
            "description": "Share the pantry schedule",
            "component_number": 1,
            "partner": "Community Kitchen",
            "due": TODAY.isoformat(),
            "status": "open",
        }
    ]
    assert [m["attendance"] for m in snapshot["meetings"]] == [2]
    text = json.dumps(snapshot)
    for private in ("Mia", "Fiona", "Member 0", "Ravi wrote this secret", "Notes on", "@"):
        assert private not in text
    assert "Agreed on purpose: the alliance shares this." in text


def test_report_snapshot_keeps_only_the_chosen_sections(alliance, review, carol, fiona, mia):
    rated_review(review, fiona, mia)
    publication = make_publication(
        alliance, carol, [Choice("report", review.pk, {"sections": ["ratings"]})]
    )
    snapshot = publication.items.get().snapshot
    assert snapshot["sections"] == ["ratings"]
    assert not {"records", "commitments", "meetings"} & set(snapshot)


def test_indicator_snapshot_with_or_without_breakdowns(alliance, carol, food_bank):
    indicator = make_indicator(alliance, "Families served", unit="families")
    add_values(indicator, (datetime.date(2026, 1, 31), 120))
    publication = make_publication(
        alliance,
        carol,
        [
            Choice("indicator", indicator.pk, {"breakdowns": False, "stories": False}),
            Choice("indicator", indicator.pk, {"breakdowns": True, "stories": True}),
        ],
    )
    plain, full = (item.snapshot for item in publication.items.all())
    assert (plain["name"], plain["values"], plain["breakdowns"]) == (
        "Families served",
        [["2026-01-31", 120.0]],
        [],
    )
    assert full["id"] == indicator.pk


# The members' pages


def test_coordinator_proposes_with_a_preview_then_partners_are_emailed(
    client, alliance, carol, mia, food_bank, kitchen, mailoutbox, django_capture_on_commit_callbacks
):
    indicator = make_indicator(alliance, "Families served")
    client.force_login(carol)
    url = reverse("publishing:propose", args=[alliance.slug])
    assert client.get(url).status_code == 200
    data = {
        "audience": "public",
        "consent_until": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "purpose": "on",
        f"indicator_{indicator.pk}": "on",
    }
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "Preview: exactly what would be shown" in pages.text(preview)
    assert "End hunger in Harvest County." in pages.text(preview)
    assert not Publication.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    publication = Publication.objects.get()
    assert response.url == reverse("publishing:publication", args=[alliance.slug, publication.pk])
    assert [i.kind for i in publication.items.all()] == ["purpose", "indicator"]
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@example.org", "mia@example.org"]
    assert reverse("publishing:publication", args=[alliance.slug, publication.pk]) in (
        mailoutbox[0].body
    )


def test_propose_form_keeps_what_was_typed_and_says_why(client, alliance, carol, food_bank):
    client.force_login(carol)
    url = reverse("publishing:propose", args=[alliance.slug])
    response = client.post(
        url,
        {
            "audience": "shared",
            "consent_until": (timezone.localtime() + datetime.timedelta(hours=2)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "purpose": "on",
        },
    )
    assert response.status_code == 200
    assert "Give the partners at least one day to decide." in pages.text(response)
    assert 'name="purpose" id="id_purpose" checked' in response.content.decode()


def test_propose_form_takes_tomorrow_at_this_minute(client, alliance, carol, food_bank):
    # The picker has no seconds: "this time tomorrow" is a few seconds short of a day.
    client.force_login(carol)
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("publishing:propose", args=[alliance.slug]),
        {"audience": "shared", "consent_until": tomorrow, "purpose": "on"},
    )
    publication = Publication.objects.get()
    assert response.url == reverse("publishing:publication", args=[alliance.slug, publication.pk])


def test_a_moment_beyond_the_calendar_is_refused_beside_its_field(
    client, alliance, carol, food_bank, settings
):
    # West of UTC, the last minute of the year 9999 is in the year 10000 in UTC.
    settings.TIME_ZONE = "America/New_York"
    client.force_login(carol)
    last = "9999-12-31T23:59"
    response = client.post(
        reverse("publishing:propose", args=[alliance.slug]),
        {"audience": "shared", "consent_until": last, "purpose": "on"},
    )
    assert response.status_code == 200
    assert pages.form_fields(response)["consent_until"].errors == ["Enter a valid date/time."]
    response = client.post(
        reverse("publishing:link_create", args=[alliance.slug]),
        {"label": "For the Hill Foundation", "expires_at": last},
    )
    assert response.status_code == 400
    assert pages.form_fields(response)["expires_at"].errors == ["Enter a valid date/time."]
    assert not Publication.objects.exists() and not ShareLinkModel.objects.exists()


def test_member_objects_with_a_reason_on_the_publication_page(
    client, alliance, proposed, carol, mia
):
    item = proposed.items.get(kind="accomplishments")
    client.force_login(mia)
    page = reverse("publishing:publication", args=[alliance.slug, proposed.pk])
    assert "Decide for Community Kitchen" in pages.text(client.get(page))
    decide_url = reverse("publishing:decide", args=[alliance.slug, proposed.pk])
    # An objection without a reason: the form comes back, with the box still ticked.
    response = client.post(decide_url, {f"object_{item.pk}": "on"})
    assert response.status_code == 400
    assert "Say why your organization objects." in pages.text(response)
    response = client.post(
        decide_url, {f"object_{item.pk}": "on", f"reason_{item.pk}": "Not ready yet"}
    )
    assert response.url == page
    text = pages.text(client.get(page))
    assert "Community Kitchen objects: Not ready yet" in text
    assert "Mia Member has decided for Community Kitchen." in text
    # The coordinator reads it, and the story.
    client.force_login(carol)
    text = pages.text(client.get(page))
    assert "Community Kitchen objects: Not ready yet" in text
    assert "Community Kitchen objected (decided by Mia Member)." in text
    assert "Proposed by Carol Coordinator" in text


def test_a_reason_without_the_box_ticked_is_not_taken_as_approval(client, alliance, proposed, mia):
    item = proposed.items.get(kind="accomplishments")
    client.force_login(mia)
    decide_url = reverse("publishing:decide", args=[alliance.slug, proposed.pk])
    response = client.post(decide_url, {f"reason_{item.pk}": "Not ready yet"})
    assert response.status_code == 400
    field = pages.form_fields(response)[f"object_{item.pk}"]
    assert field.errors == [
        "You wrote a reason: tick the box to object, or clear the reason to approve."
    ]
    assert pages.form_fields(response)[f"reason_{item.pk}"].value == "Not ready yet"
    assert not Consent.objects.filter(decided_at__isnull=False).exists()


def test_alliance_home_tells_a_member_whose_partner_has_not_decided(
    client, alliance, proposed, mia, carol
):
    client.force_login(mia)
    home = reverse("alliances:detail", args=[alliance.slug])
    assert "Community Kitchen has not decided yet" in pages.text(client.get(home))
    publishing.decide(publication=proposed, membership=membership(alliance, mia), objections={})
    assert "has not decided yet" not in pages.text(client.get(home))


# Without an account: the shared link and the public page


def approve_all(publication):
    for c in publication.consents.select_related("partner"):
        person = Membership.objects.filter(partner=c.partner).select_related("user", "partner")
        publishing.decide(publication=publication, membership=person.first(), objections={})


@pytest.fixture
def published(alliance, carol, mia, food_bank, kitchen):
    """Harvest shows its purpose to the public, and an indicator by shared link only."""
    families = make_indicator(alliance, "Families served", unit="families")
    add_values(families, (datetime.date(2026, 1, 31), 120), (datetime.date(2026, 2, 28), 130))
    meals = make_indicator(alliance, "Meals in schools")
    add_values(meals, (datetime.date(2026, 1, 31), 900))
    public = make_publication(
        alliance, carol, [PURPOSE, Choice("indicator", families.pk, {})], audience="public"
    )
    shared = make_publication(alliance, carol, [Choice("indicator", meals.pk, {})])
    approve_all(public)
    approve_all(shared)
    publishing.set_public_page(alliance=alliance, author=carol, on=True, indexable=False)
    return SimpleNamespace(public=public, shared=shared, families=families, meals=meals)


def shared_url(token):
    return reverse("publishing:shared", args=[token])


def public_url(alliance):
    return reverse("publishing:public", args=[alliance.slug])


def svg_url(alliance, indicator):
    return reverse("publishing:embed_svg", args=[alliance.slug, indicator.pk])


def card_url(alliance, indicator):
    return reverse("publishing:embed_card", args=[alliance.slug, indicator.pk])


def test_shared_link_shows_everything_published_and_no_more(client, alliance, carol, published):
    _link, token = make_share_link(alliance, carol)
    waiting = make_publication(alliance, carol, [ACCOMPLISHMENTS])
    response = client.get(shared_url(token))
    assert response.status_code == 200
    text = pages.text(response)
    assert "End hunger in Harvest County." in text
    assert "Families served" in text and "Meals in schools" in text
    assert "accomplished" not in text  # still waiting for the partners
    assert waiting.pk
    today = timezone.localdate()
    assert f"Shared by Harvest Alliance with its partners' approval on {date_format(today)}" in text
    # Read-only, no session, kept by nobody, never sent on, never indexed.
    assert not response.cookies
    assert "<form" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_thing_published_twice_is_shown_once_the_newest(client, alliance, carol, published):
    # Families served, shared with the public, is later proposed again (not as an update)
    # for the shared links, with a newer value.
    add_values(published.families, (datetime.date(2026, 3, 31), 140))
    again = make_publication(alliance, carol, [Choice("indicator", published.families.pk, {})])
    approve_all(again)
    _link, token = make_share_link(alliance, carol)
    response = client.get(shared_url(token))
    page = response.content.decode()
    assert page.count(f'<h3 id="published-{published.families.pk}">') == 1
    assert "Latest value: 140 families" in pages.text(response)
    # The public page still shows what was approved for the public.
    assert "Latest value: 130 families" in pages.text(client.get(public_url(alliance)))


def test_shared_link_revoked_expired_or_wrong_is_not_found(client, alliance, carol, published):
    link, token = make_share_link(alliance, carol)
    assert client.get(shared_url(token)).status_code == 200
    publishing.revoke_share_link(link=link, author=carol)
    assert client.get(shared_url(token)).status_code == 404
    soon, soon_token = make_share_link(
        alliance, carol, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert client.get(shared_url(soon_token)).status_code == 200
    ShareLinkModel.objects.filter(pk=soon.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(shared_url(soon_token)).status_code == 404
    assert client.get(shared_url("not-a-token")).status_code == 404


def test_shared_link_stops_showing_what_is_unpublished_at_once(client, alliance, carol, published):
    _link, token = make_share_link(alliance, carol)
    publishing.unpublish(publication=published.shared, author=carol)
    text = pages.text(client.get(shared_url(token)))
    assert "Meals in schools" not in text
    assert "Families served" in text


def test_public_page_shows_only_what_was_published_for_the_public(client, alliance, published):
    response = client.get(public_url(alliance))
    assert response.status_code == 200
    text = pages.text(response)
    assert "End hunger in Harvest County." in text
    assert "Families served" in text
    assert "Meals in schools" not in text  # shared by link only
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    # Beside the indicator, the HTML that embeds its chart elsewhere, to copy.
    svg = "http://testserver" + svg_url(alliance, published.families)
    assert f"&lt;img src=&quot;{svg}&quot; alt=&quot;Families served, by Harvest Alliance" in (
        response.content.decode()
    )


def test_public_page_may_be_indexed_when_the_coordinator_says(client, alliance, carol, published):
    publishing.set_public_page(alliance=alliance, author=carol, on=True, indexable=True)
    response = client.get(public_url(alliance))
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.content.decode()


def test_public_page_off_or_of_another_alliance_is_not_found(
    client, alliance, carol, olga, published
):
    assert client.get(reverse("publishing:public", args=["riverside-alliance"])).status_code == 404
    assert client.get(reverse("publishing:public", args=["no-such-alliance"])).status_code == 404
    # Riverside's page on shows Riverside's publications, none of Harvest's.
    riverside = Alliance.objects.get(slug="riverside-alliance")
    publishing.set_public_page(alliance=riverside, author=olga, on=True, indexable=False)
    text = pages.text(client.get(reverse("publishing:public", args=["riverside-alliance"])))
    assert "Families served" not in text and "Harvest" not in text
    publishing.set_public_page(alliance=alliance, author=carol, on=False, indexable=False)
    assert client.get(public_url(alliance)).status_code == 404
    assert client.get(svg_url(alliance, published.families)).status_code == 404


# The embed


def test_embedded_chart_is_an_svg_cached_and_revalidated(client, alliance, published):
    response = client.get(svg_url(alliance, published.families))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.content.startswith(b"<?xml")
    assert b"Families served" in response.content
    assert response["Cache-Control"] == "public, max-age=60"
    assert not response.cookies
    again = client.get(
        svg_url(alliance, published.families), headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_embedded_chart_revalidated_keeps_the_image_policy(client, alliance, published):
    # A cache updates what it keeps with the headers of a 304: they must be the SVG's own.
    response = client.get(svg_url(alliance, published.families))
    again = client.get(
        svg_url(alliance, published.families), headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304
    assert (
        again["Content-Security-Policy"]
        == response["Content-Security-Policy"]
        == "default-src 'none'; frame-ancestors *"
    )


def test_embedded_card_may_be_framed_by_any_site(client, alliance, published):
    response = client.get(card_url(alliance, published.families))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "Families served" in pages.text(response)
    assert not response.cookies


def test_embed_is_only_for_what_is_published_for_the_public(client, alliance, carol, published):
    # Shared by link only: not embeddable.
    assert client.get(svg_url(alliance, published.meals)).status_code == 404
    assert client.get(card_url(alliance, published.meals)).status_code == 404
    # Another alliance's slug with this indicator.
    elsewhere = reverse("publishing:embed_svg", args=["riverside-alliance", published.families.pk])
    assert client.get(elsewhere).status_code == 404
    # Unpublished: gone at once.
    publishing.unpublish(publication=published.public, author=carol)
    assert client.get(svg_url(alliance, published.families)).status_code == 404
    assert client.get(card_url(alliance, published.families)).status_code == 404


def test_objected_indicator_is_not_embeddable(client, alliance, carol, mia, published):
    other = make_indicator(alliance, "Volunteers")
    publication = make_publication(
        alliance, carol, [Choice("indicator", other.pk, {})], audience="public"
    )
    item = publication.items.get()
    publishing.decide(
        publication=publication,
        membership=membership(alliance, mia),
        objections={item.pk: "Our volunteers' numbers are private"},
    )
    assert client.get(svg_url(alliance, other), headers={}).status_code == 404
    later = publication.consent_until + datetime.timedelta(days=1)
    assert [s.item.kind for s in consent.published_items(alliance, now=later)].count(
        "indicator"
    ) == 2  # families and meals; never the objected one


@pytest.mark.parametrize("named", [False, True])
def test_published_report_names_nobody_and_shows_nothing_below_k(
    client, alliance, review, carol, fiona, mia, food_bank, named
):
    rated_review(review, fiona, mia, named=named)
    publication = make_publication(
        alliance, carol, [Choice("report", review.pk, ALL_SECTIONS)], audience="public"
    )
    approve_all(publication)
    publishing.set_public_page(alliance=alliance, author=carol, on=True, indexable=False)
    _link, token = make_share_link(alliance, carol)
    for url in (public_url(alliance), shared_url(token)):
        text = pages.text(client.get(url))
        assert "1. Shared purpose 4 3" in text  # median 4 from 3 answers
        # Below K (power) and a round still open (interdependence): not shown, no count.
        assert "2. Shared power not shown —" in text
        assert "3. Shared view of interdependence not shown —" in text
        assert "Share the pantry schedule Community Kitchen" in text
        for private in ("Mia", "Fiona", "Member 0", "Ravi wrote this secret", "Notes on"):
            assert private not in text


# Query counts: the pages that list publications and their story do not grow with them.


def grow_publications(alliance, carol, mia, n):
    indicators = [make_indicator(alliance, f"Indicator {i}") for i in range(n)]
    for i in range(n):
        publication = make_publication(
            alliance,
            carol,
            [PURPOSE, *(Choice("indicator", ind.pk, {}) for ind in indicators)],
            audience="public",
        )
        first = publication.items.first()
        publishing.decide(
            publication=publication,
            membership=membership(alliance, mia),
            objections={first.pk: f"Reason {i}"},
        )
        publishing.decide(
            publication=publication, membership=membership(alliance, carol), objections={}
        )
    publishing.set_public_page(alliance=alliance, author=carol, on=True, indexable=True)


# session and user, the membership, publications with their consents, items and objections
# (4), the links, the public page's settings; the alliance switcher and the live banner.
SHARING_QUERIES = 11
# the public page's settings with its alliance, the publications with their consents, items
# and objections (4).
PUBLIC_QUERIES = 5


@pytest.mark.parametrize("n", [1, 6])
def test_sharing_and_public_pages_run_a_fixed_number_of_queries(
    client, alliance, carol, mia, food_bank, kitchen, django_assert_num_queries, n
):
    grow_publications(alliance, carol, mia, n)
    client.force_login(carol)
    with django_assert_num_queries(SHARING_QUERIES):
        assert client.get(reverse("publishing:sharing", args=[alliance.slug])).status_code == 200
    client.logout()
    with django_assert_num_queries(PUBLIC_QUERIES):
        assert client.get(public_url(alliance)).status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_publication_page_runs_a_fixed_number_of_queries(
    client, alliance, carol, mia, food_bank, kitchen, django_assert_num_queries, n
):
    grow_publications(alliance, carol, mia, n)
    publication = Publication.objects.latest("pk")
    client.force_login(mia)
    url = reverse("publishing:publication", args=[alliance.slug, publication.pk])
    with django_assert_num_queries(PUBLICATION_QUERIES):
        assert client.get(url).status_code == 200


# session and user, the membership, the publication, then with its consents, items and
# objections (4), who was not emailed; the alliance switcher and the live banner.
PUBLICATION_QUERIES = 10


def test_proposal_stands_when_the_mail_server_is_down_and_says_who_was_not_reached(
    client,
    alliance,
    carol,
    mia,
    food_bank,
    kitchen,
    smtp_down,
    django_capture_on_commit_callbacks,
    settings,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        publication = make_publication(alliance, carol)
    assert sorted(p.name for p in publication.not_emailed.all()) == [
        "Carol Coordinator",
        "Mia Member",
    ]
    client.force_login(carol)
    page = reverse("publishing:publication", args=[alliance.slug, publication.pk])
    text = pages.text(client.get(page))
    assert "The mail server did not take the email to: Carol Coordinator, Mia Member." in text
    # Once the mail server is back, the coordinator sends it to them again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = reverse("publishing:email_again", args=[alliance.slug, publication.pk])
    assert client.post(again).url == page
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@example.org", "mia@example.org"]
    assert not publication.not_emailed.exists()
    # Mia still learns of it on the alliance's home.
    client.force_login(mia)
    home = reverse("alliances:detail", args=[alliance.slug])
    assert "Community Kitchen has not decided yet" in pages.text(client.get(home))


def test_a_withdrawn_proposal_is_not_emailed_again(
    client,
    alliance,
    carol,
    mia,
    food_bank,
    kitchen,
    smtp_down,
    django_capture_on_commit_callbacks,
    settings,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        publication = make_publication(alliance, carol)
    publishing.withdraw(publication=publication, author=carol)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(carol)
    page = reverse("publishing:publication", args=[alliance.slug, publication.pk])
    assert "Send the email again" not in pages.text(client.get(page))
    again = reverse("publishing:email_again", args=[alliance.slug, publication.pk])
    response = client.post(again, follow=True)
    # Nobody is asked to decide on what will never be shown.
    assert mailoutbox == []
    assert "This publication was withdrawn or unpublished." in pages.text(response)


def test_new_shared_link_address_is_shown_once(client, alliance, carol, food_bank):
    client.force_login(carol)
    sharing = reverse("publishing:sharing", args=[alliance.slug])
    response = client.post(
        reverse("publishing:link_create", args=[alliance.slug]),
        {"label": "For the Hill Foundation"},
    )
    assert response.url == sharing
    page = client.get(sharing).content.decode()
    (address,) = re.findall(r'value="(http://testserver/s/[^"]+/)"', page)
    token = address.rsplit("/", 2)[1]
    assert ShareLinkModel.objects.get().token_hash == hash_token(token)
    assert token not in client.get(sharing).content.decode()  # shown once
    assert "For the Hill Foundation" in pages.text(client.get(sharing))


def test_shared_link_form_keeps_what_was_typed(client, alliance, carol, food_bank):
    client.force_login(carol)
    response = client.post(
        reverse("publishing:link_create", args=[alliance.slug]),
        {"label": "For the board", "expires_at": "2001-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "Choose a moment in the future." in pages.text(response)
    assert 'value="For the board"' in response.content.decode()
    assert not ShareLinkModel.objects.exists()


def test_update_starts_from_the_same_choices_and_replaces_the_old(
    client, alliance, proposed, carol, mia
):
    approve_all(proposed)
    client.force_login(carol)
    url = reverse("publishing:propose", args=[alliance.slug])
    form = client.get(url, {"from": proposed.pk}).content.decode()
    assert 'name="purpose" id="id_purpose" checked' in form
    assert 'name="accomplishments" id="id_accomplishments" checked' in form
    until = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        url,
        {
            "replaces": proposed.pk,
            "audience": "shared",
            "consent_until": until,
            "purpose": "on",
            "accomplishments": "on",
        },
    )
    update = Publication.objects.latest("pk")
    assert update.replaces == proposed
    approve_all(update)
    assert {s.publication.pk for s in consent.published_items(alliance)} == {update.pk}
    text = pages.text(client.get(reverse("publishing:sharing", args=[alliance.slug])))
    assert "replaced by an update" in text


def test_a_chosen_indicator_gone_meanwhile_is_refused_in_words(alliance, carol, food_bank):
    with pytest.raises(PublishingError, match="An indicator you chose no longer exists."):
        publishing.build_items(alliance=alliance, choices=[Choice("indicator", 999_999, {})])


def test_embed_names_nobody_who_reported_a_value(client, alliance, carol, mia, food_bank):
    indicator = make_indicator(alliance, "Families served", unit="families")
    row = values.Row(datetime.date(2026, 1, 31), Decimal(120), note="Counted by Mia's team")
    values.add(indicator, [row], origin="form", author=mia)
    publication = make_publication(
        alliance,
        carol,
        [Choice("indicator", indicator.pk, {"breakdowns": True})],
        audience="public",
    )
    approve_all(publication)
    publishing.set_public_page(alliance=alliance, author=carol, on=True, indexable=False)
    for url in (svg_url(alliance, indicator), card_url(alliance, indicator), public_url(alliance)):
        body = client.get(url).content.decode()
        assert "Families served" in body
        assert "Mia" not in body and "Counted by" not in body


def test_coordinator_unpublishes_or_withdraws_from_the_publication_page(
    client, alliance, carol, proposed, published
):
    client.force_login(carol)
    page = reverse("publishing:publication", args=[alliance.slug, published.public.pk])

    response = client.post(
        reverse("publishing:unpublish", args=[alliance.slug, published.public.pk]), follow=True
    )
    assert response.redirect_chain == [(page, 302)]
    assert "Unpublished: it is no longer shown anywhere, from now on." in pages.text(response)
    assert "Families served" not in pages.text(client.get(public_url(alliance)))

    again = client.post(
        reverse("publishing:unpublish", args=[alliance.slug, published.public.pk]), follow=True
    )
    assert "This publication was already withdrawn or unpublished." in pages.text(again)

    response = client.post(
        reverse("publishing:withdraw", args=[alliance.slug, proposed.pk]), follow=True
    )
    assert "The proposal is withdrawn: nothing of it will be shown." in pages.text(response)
    proposed.refresh_from_db()
    assert proposed.withdrawn_by == carol


def test_a_partner_added_after_the_proposal_is_told_why_it_does_not_decide(
    client, alliance, proposed, carol
):
    pantry = make_partner(alliance, "Mobile Pantry")
    noor = make_user("Noor Member", "noor@example.org")
    add_member(alliance, noor, Role.MEMBER, pantry)
    client.force_login(noor)
    page = reverse("publishing:publication", args=[alliance.slug, proposed.pk])

    text = pages.text(client.get(page))

    assert "Mobile Pantry joined the alliance after this was proposed, so it is not asked" in text
    assert "Decide for" not in text


def test_a_withdrawn_publications_items_say_so(client, alliance, proposed, carol):
    publishing.withdraw(publication=proposed, author=carol)
    client.force_login(carol)

    text = pages.text(
        client.get(reverse("publishing:publication", args=[alliance.slug, proposed.pk]))
    )

    assert ": withdrawn" in text
    assert "waiting for the partners" not in text and ": approved" not in text
    assert "joined the alliance after" not in text
