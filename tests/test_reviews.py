"""A review: starting it, the triangle, walking the six components in order, the record of
each conversation and the commitments made in it."""

import datetime
import html
import re

import pytest

from alliances.models import Alliance
from history.models import Revision
from reviews.models import Commitment, ComponentRecord, Review
from tests import pages
from tests.factories import make_partner
from tests.framework_questions import FRAMEWORK_QUESTIONS

pytestmark = pytest.mark.usefixtures("fast_passwords")

HARVEST = "/a/harvest-alliance"
NAMES = {
    "purpose": "Shared purpose",
    "power": "Shared power",
    "interdependence": "Shared view of interdependence",
    "trust": "Mutual respect and trust",
    "control": "Shared control",
    "indicators": "Shared indicators of progress",
}
OUT_OF_ORDER = (
    "The component before this one is not recorded yet. To open this one out of order, give "
    "the reason."
)
BAD_DATE = "Enter the date as year-month-day, for example 2027-03-31."
ATTRIBUTION = (
    "Questions quoted from the Working Together Benchmarks, first introduced by Chris Kloth, "
    "ChangeWorks of the Heartland."
)

# The rules of private answers, as the review form sends them by default.
RULES = {"anonymous": "True", "rating_threshold": "3", "reflection_threshold": "5"}


def url(review, key="", action=""):
    path = f"{HARVEST}/reviews/{review.pk}/"
    if key:
        path += f"{key}/"
    if action:
        path += f"{action}/"
    return path


def states(review) -> dict[str, str]:
    return dict(review.records.values_list("component_key", "state"))


def record(review, key) -> ComponentRecord:
    return ComponentRecord.objects.get(review=review, component_key=key)


def commitment_data(**changes):
    return {
        "description": "Count the meals served each week",
        "partner": "",
        "owner": "",
        "due_on": "2027-06-30",
        "status": "open",
        "status_reason": "",
        **changes,
    }


# Starting a review


@pytest.mark.parametrize("role", ["carol", "fiona"])
def test_start_review_opens_shared_purpose(client, people, alliance, role):
    client.force_login(people[role])

    response = client.post(
        f"{HARVEST}/reviews/new/",
        {"name": "Autumn 2027 review", "started_on": "2027-09-01", **RULES},
        follow=True,
    )

    review = Review.objects.get()
    assert response.redirect_chain == [(url(review), 302)]
    assert pages.messages(response) == ["The review has started with shared purpose."]
    assert (review.alliance, review.name, review.started_on, review.created_by) == (
        alliance,
        "Autumn 2027 review",
        datetime.date(2027, 9, 1),
        people[role],
    )
    assert list(review.records.values_list("number", "component_key", "state")) == [
        (1, "purpose", "in_discussion"),
        (2, "power", "not_started"),
        (3, "interdependence", "not_started"),
        (4, "trust", "not_started"),
        (5, "control", "not_started"),
        (6, "indicators", "not_started"),
    ]
    assert record(review, "purpose").opened_by == people[role]


def test_start_review_with_malformed_date_keeps_input(client, carol, alliance):
    client.force_login(carol)

    response = client.post(
        f"{HARVEST}/reviews/new/", {"name": "Autumn 2027 review", "started_on": "next week"}
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["started_on"].errors == ["Enter a valid date."]
    assert (fields["name"].value, fields["started_on"].value) == (
        "Autumn 2027 review",
        "next week",
    )
    assert Review.objects.count() == 0


# The review's home: the triangle


def triangle_labels(response) -> list[str]:
    content = response.content.decode()
    svg = re.search(r"<svg .*?</svg>", content, re.S).group(0)
    return [html.unescape(label) for label in re.findall(r'<a [^>]*aria-label="([^"]*)"', svg)]


def test_review_home_draws_triangle_with_each_state_in_words(client, otto, review):
    client.force_login(otto)

    response = client.get(url(review))

    assert response.status_code == 200
    assert triangle_labels(response) == [
        "1. Shared purpose: in discussion",
        "2. Shared power: not started",
        "3. Shared view of interdependence: not started",
        "4. Mutual respect and trust: not started",
        "5. Shared control: not started",
        "6. Shared indicators of progress: not started",
    ]


def test_review_home_shows_recorded_component(client, fiona, review):
    client.force_login(fiona)
    client.post(url(review, "purpose", "record"))

    response = client.get(url(review))

    assert triangle_labels(response)[:3] == [
        "1. Shared purpose: recorded",
        "2. Shared power: in discussion",
        "3. Shared view of interdependence: not started",
    ]


# A component's page


@pytest.mark.parametrize("key", list(NAMES))
def test_component_page_quotes_framework_questions_with_attribution(client, mia, review, key):
    client.force_login(mia)

    response = client.get(url(review, key))

    assert response.status_code == 200
    content = response.content.decode()
    quoted = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", content, re.S)
    assert [html.unescape(q) for q in quoted] == FRAMEWORK_QUESTIONS[key]
    assert ATTRIBUTION in pages.text(response)


def test_edit_record_renders_markdown_and_drops_raw_html(client, mia, review):
    client.force_login(mia)
    notes = "We agree on **fewer hungry families**.\n\n<script>alert('owned')</script>"

    response = client.post(
        url(review, "purpose", "edit"),
        {
            "notes": notes,
            "agreements": "- Saturday pantry\n- One shared list",
            "concerns": '<img src="x" onerror="alert(1)">',
            "ideas": "",
            "base_version": "1",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url(review, "purpose"), 302)]
    assert pages.messages(response) == ["The record is saved."]
    assert record(review, "purpose").notes == notes
    content = response.content.decode()
    assert "<p>We agree on <strong>fewer hungry families</strong>.</p>" in content
    assert "<ul>\n<li>Saturday pantry</li>\n<li>One shared list</li>\n</ul>" in content
    assert "<script>alert" not in content
    assert "<img" not in content
    # What was typed as markup is shown as text.
    page = pages.text(response)
    assert "<script>alert('owned')</script>" in page
    assert '<img src="x" onerror="alert(1)">' in page


def test_edit_record_of_component_not_open_is_refused(client, fiona, review):
    client.force_login(fiona)

    response = client.post(
        url(review, "power", "edit"), {"notes": "Too early", "base_version": "1"}, follow=True
    )

    assert response.redirect_chain == [(url(review, "power"), 302)]
    assert pages.messages(response) == ["This component is not open for discussion yet."]
    assert record(review, "power").notes == ""


# Walking the components in order


def test_record_purpose_opens_power(client, fiona, review):
    client.force_login(fiona)

    response = client.post(url(review, "purpose", "record"), follow=True)

    assert response.redirect_chain == [(url(review, "power"), 302)]
    assert pages.messages(response) == [
        "Shared purpose is recorded. Shared power is open for discussion."
    ]
    assert states(review) == {
        "purpose": "recorded",
        "power": "in_discussion",
        "interdependence": "not_started",
        "trust": "not_started",
        "control": "not_started",
        "indicators": "not_started",
    }
    purpose, power = record(review, "purpose"), record(review, "power")
    assert (purpose.recorded_by, power.opened_by, power.out_of_order_reason) == (fiona, fiona, "")


def test_record_last_component_returns_to_review(client, fiona, review):
    ComponentRecord.objects.filter(review=review).update(state=ComponentRecord.State.RECORDED)
    ComponentRecord.objects.filter(review=review, component_key="indicators").update(
        state=ComponentRecord.State.IN_DISCUSSION
    )
    client.force_login(fiona)

    response = client.post(url(review, "indicators", "record"), follow=True)

    assert response.redirect_chain == [(url(review), 302)]
    assert pages.messages(response) == ["Shared indicators of progress is recorded."]
    assert set(states(review).values()) == {"recorded"}


@pytest.mark.parametrize("key", ["power", "indicators"])
def test_record_component_not_open_is_refused(client, fiona, review, key):
    client.force_login(fiona)

    response = client.post(url(review, key, "record"), follow=True)

    assert response.redirect_chain == [(url(review, key), 302)]
    assert pages.messages(response) == ["Only a component in discussion can be recorded."]
    assert states(review)[key] == "not_started"


@pytest.mark.parametrize("reason", ["", "   "])
def test_open_out_of_order_without_reason_is_refused_beside_reason(client, fiona, review, reason):
    client.force_login(fiona)

    response = client.post(url(review, "interdependence", "open"), {"reason": reason})

    assert response.status_code == 400
    assert pages.form_fields(response)["reason"].errors == [OUT_OF_ORDER]
    assert states(review)["interdependence"] == "not_started"


def test_open_out_of_order_with_reason_keeps_and_shows_reason(client, fiona, review):
    client.force_login(fiona)
    reason = "The funder's report is due, and it asks why partners need each other."

    response = client.post(
        url(review, "interdependence", "open"), {"reason": f"  {reason}  "}, follow=True
    )

    assert response.redirect_chain == [(url(review, "interdependence"), 302)]
    assert pages.messages(response) == ["Shared view of interdependence is open for discussion."]
    opened = record(review, "interdependence")
    assert (opened.state, opened.out_of_order_reason, opened.opened_by) == (
        "in_discussion",
        reason,
        fiona,
    )
    assert f"Opened out of order. Fiona Facilitator gave this reason: {reason}" in pages.text(
        response
    )
    home = pages.text(client.get(url(review)))
    assert "Shared view of interdependence In discussion opened out of order" in home.replace(
        "in discussion", "In discussion"
    )
    history = pages.text(client.get(f"{HARVEST}/history/reviews.componentrecord/{opened.pk}/"))
    assert "State Before: not started After: in discussion" in history
    assert f"Reason for opening out of order After: {reason}" in history


def test_open_in_order_needs_no_reason(client, fiona, review):
    ComponentRecord.objects.filter(review=review, component_key="purpose").update(
        state=ComponentRecord.State.RECORDED
    )
    client.force_login(fiona)
    page = client.get(url(review, "power"))
    assert "reason" not in pages.form_fields(page)
    assert "The component before this one is recorded: this one can open." in pages.text(page)

    response = client.post(url(review, "power", "open"), {"reason": ""})

    assert response.status_code == 302
    assert response.url == url(review, "power")
    opened = record(review, "power")
    assert (opened.state, opened.out_of_order_reason, opened.opened_by) == (
        "in_discussion",
        "",
        fiona,
    )


def test_open_component_already_open_says_so(client, fiona, review):
    client.force_login(fiona)
    before = Revision.objects.count()

    response = client.post(url(review, "purpose", "open"), {"reason": "Again"}, follow=True)

    assert response.redirect_chain == [(url(review, "purpose"), 302)]
    assert pages.messages(response) == ["This component is already open."]
    assert Revision.objects.count() == before


def test_reopen_recorded_component(client, fiona, review):
    client.force_login(fiona)
    client.post(url(review, "purpose", "record"), follow=True)

    response = client.post(url(review, "purpose", "reopen"), follow=True)

    assert response.redirect_chain == [(url(review, "purpose"), 302)]
    assert pages.messages(response) == ["Shared purpose is back in discussion."]
    purpose = record(review, "purpose")
    assert (purpose.state, purpose.recorded_at, purpose.recorded_by) == (
        "in_discussion",
        None,
        None,
    )
    assert states(review)["power"] == "in_discussion"


def test_reopen_component_not_recorded_is_refused(client, fiona, review):
    client.force_login(fiona)

    response = client.post(url(review, "purpose", "reopen"), follow=True)

    assert response.redirect_chain == [(url(review, "purpose"), 302)]
    assert pages.messages(response) == ["Only a recorded component can be reopened."]
    assert states(review)["purpose"] == "in_discussion"


# Commitments


def test_create_commitment(client, mia, review, kitchen):
    client.force_login(mia)

    response = client.post(
        url(review, "purpose", "commitments/new"),
        commitment_data(partner=kitchen.pk, owner=mia.pk),
        follow=True,
    )

    assert response.redirect_chain == [(url(review, "purpose"), 302)]
    assert pages.messages(response) == ["The commitment is saved."]
    commitment = Commitment.objects.get()
    assert (
        commitment.alliance,
        commitment.review,
        commitment.component_key,
        commitment.description,
        commitment.partner,
        commitment.owner,
        commitment.due_on,
        commitment.status,
        commitment.created_by,
    ) == (
        review.alliance,
        review,
        "purpose",
        "Count the meals served each week",
        kitchen,
        mia,
        datetime.date(2027, 6, 30),
        "open",
        mia,
    )
    assert (
        "Count the meals served each week Community Kitchen Mia Member June 30, 2027 "
        "Not yet due or in progress"
    ) in pages.text(response)


@pytest.mark.parametrize("due_on", ["31/12/2027", "tomorrow", "2027-02-30"])
def test_commitment_with_malformed_due_date_is_refused_beside_field(
    client, mia, review, kitchen, due_on
):
    client.force_login(mia)

    response = client.post(
        url(review, "purpose", "commitments/new"),
        commitment_data(partner=kitchen.pk, due_on=due_on),
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["due_on"].errors == [BAD_DATE]
    assert fields["due_on"].value == due_on
    assert fields["description"].value == "Count the meals served each week"
    assert fields["partner"].value == str(kitchen.pk)
    assert Commitment.objects.count() == 0


def test_commitment_not_done_without_reason_is_refused_beside_reason(client, mia, review):
    client.force_login(mia)

    response = client.post(
        url(review, "purpose", "commitments/new"),
        commitment_data(status="not_done", status_reason="  "),
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["status_reason"].errors == ["Say why it was not done."]
    assert fields["status"].value == "not_done"
    assert Commitment.objects.count() == 0


def test_commitment_not_done_with_reason_is_saved(client, mia, review):
    client.force_login(mia)

    response = client.post(
        url(review, "purpose", "commitments/new"),
        commitment_data(status="not_done", status_reason="The van broke down."),
    )

    assert response.status_code == 302
    assert list(Commitment.objects.values_list("status", "status_reason")) == [
        ("not_done", "The van broke down.")
    ]


def test_commitment_for_partner_or_person_of_another_alliance_is_refused(client, mia, olga, review):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    elsewhere = make_partner(riverside, "Riverside Housing")
    client.force_login(mia)

    response = client.post(
        url(review, "purpose", "commitments/new"),
        commitment_data(partner=elsewhere.pk, owner=olga.pk),
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    invalid = ["Select a valid choice. That choice is not one of the available choices."]
    assert (fields["partner"].errors, fields["owner"].errors) == (invalid, invalid)
    assert Commitment.objects.count() == 0


def test_commitment_on_component_not_open_is_refused(client, mia, review):
    client.force_login(mia)

    response = client.post(url(review, "power", "commitments/new"), commitment_data(), follow=True)

    assert response.redirect_chain == [(url(review, "power"), 302)]
    assert pages.messages(response) == ["This component is not open for discussion yet."]
    assert Commitment.objects.count() == 0


def test_edit_commitment(client, fiona, review, commitment, food_bank):
    client.force_login(fiona)

    response = client.post(
        f"{HARVEST}/commitments/{commitment.pk}/edit/",
        commitment_data(
            description="Share the pantry schedule",
            partner=food_bank.pk,
            status="done",
            base_version="1",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(url(review, "purpose"), 302)]
    assert pages.messages(response) == ["The commitment is saved."]
    commitment.refresh_from_db()
    assert (
        commitment.description,
        commitment.partner,
        commitment.owner,
        commitment.status,
        commitment.version,
    ) == ("Share the pantry schedule", food_bank, None, "done", 2)
    assert Revision.objects.for_object(commitment).first().changes["status"] == {
        "label": "status",
        "old": "not yet due or in progress",
        "new": "done",
    }


def test_edit_commitment_with_malformed_date_keeps_input(client, mia, commitment):
    client.force_login(mia)

    response = client.post(
        f"{HARVEST}/commitments/{commitment.pk}/edit/",
        commitment_data(due_on="tomorrow", base_version="1"),
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["due_on"].errors == [BAD_DATE]
    commitment.refresh_from_db()
    assert commitment.due_on == datetime.date(2027, 4, 30)


def edit_links(response) -> list[str]:
    return [
        link for link in pages.links(response) if link.endswith(("/edit/", "/commitments/new/"))
    ]


def test_observer_sees_no_edit_links(client, otto, review, commitment):
    client.force_login(otto)

    response = client.get(url(review, "purpose"))

    assert response.status_code == 200
    assert "Share the pantry schedule with every partner" in pages.text(response)
    assert edit_links(response) == []
    assert "Facilitation" not in pages.text(response)


def test_member_sees_edit_links_but_no_facilitation(client, mia, review, commitment):
    client.force_login(mia)

    response = client.get(url(review, "purpose"))

    assert edit_links(response) == [
        url(review, "purpose", "edit"),
        url(review, "purpose", "commitments/new"),
        f"{HARVEST}/commitments/{commitment.pk}/edit/",
    ]
    assert "Facilitation" not in pages.text(response)


def test_member_adds_commitment_but_cannot_record_component(client, mia, review):
    client.force_login(mia)

    added = client.post(url(review, "purpose", "commitments/new"), commitment_data())
    recorded = client.post(url(review, "purpose", "record"))

    assert added.status_code == 302
    assert Commitment.objects.count() == 1
    assert recorded.status_code == 403
    assert "Only a coordinator or a facilitator of this alliance can do this." in pages.text(
        recorded
    )
    assert states(review)["purpose"] == "in_discussion"


def test_a_component_is_recorded_once_even_from_a_stale_page(review, fiona, carol):
    from reviews.services import ReviewRuleError, record_component

    first = ComponentRecord.objects.get(review=review, component_key="purpose")
    stale = ComponentRecord.objects.select_related("review__alliance").get(pk=first.pk)
    first.review = review
    record_component(record=first, author=fiona)
    with pytest.raises(ReviewRuleError):
        record_component(record=stale, author=carol)
    assert Revision.objects.filter(object_id=first.pk, changes__has_key="state").count() == 1
