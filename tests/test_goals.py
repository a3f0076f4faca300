"""Shared purpose: the goals register and the alignment matrix."""

import codecs
import datetime

import pytest
from django.urls import reverse

from history.models import Revision
from registers import figures
from registers.models import Alignment, Goal
from reviews.models import ComponentRecord
from reviews.services import record_component
from tests.factories import make_goal, make_partner

GOOD = {
    "statement": "Every child can reach a free summer meal",
    "community": "Children of Harvest County",
    "measure": "Share of eligible children at a summer site",
    "target_value": "45",
    "target_unit": "%",
    "target_date": "2030-09-30",
    "status": "agreed",
    "base_version": "1",
}


def goals_url(alliance):
    return reverse("registers:goals", args=[alliance.slug])


def test_a_member_proposes_a_goal_and_it_keeps_its_history(client, alliance, mia):
    client.force_login(mia)
    response = client.post(reverse("registers:goal_create", args=[alliance.slug]), GOOD)
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.statement, goal.target_value, goal.target_unit, goal.created_by) == (
        GOOD["statement"],
        45,
        "%",
        mia,
    )
    assert goal.is_measurable
    edit = reverse("registers:goal_edit", args=[alliance.slug, goal.pk])
    client.post(edit, {**GOOD, "target_value": "50"})
    revision = Revision.objects.for_object(goal).first()
    assert revision.changes["target_value"]["old"] == "45.00"
    assert revision.changes["target_value"]["new"] == "50"
    assert revision.author == mia


def test_a_goal_without_a_target_is_kept_but_flagged(client, alliance, mia):
    client.force_login(mia)
    client.post(
        reverse("registers:goal_create", args=[alliance.slug]),
        {"statement": "Fewer families go hungry", "status": "proposed", "base_version": "1"},
    )
    assert not Goal.objects.get().is_measurable
    assert "not yet measurable" in client.get(goals_url(alliance)).content.decode()


def test_a_proposed_goal_needs_a_future_target_date(client, alliance, mia):
    client.force_login(mia)
    data = {**GOOD, "status": "proposed", "target_date": "2001-01-01"}
    response = client.post(reverse("registers:goal_create", args=[alliance.slug]), data)
    form = response.context["form"]
    assert form.errors == {"target_date": ["A proposed goal needs a target date in the future."]}
    assert form["statement"].value() == GOOD["statement"]
    assert not Goal.objects.exists()


def test_a_malformed_target_value_is_refused_beside_the_field(client, alliance, mia):
    client.force_login(mia)
    data = {**GOOD, "target_value": "about half"}
    response = client.post(reverse("registers:goal_create", args=[alliance.slug]), data)
    assert response.context["form"].errors == {
        "target_value": ["Enter a number, for example 45 or 1200.50."]
    }


def test_two_editors_of_a_goal_see_a_conflict(client, django_user_model, alliance, mia, carol):
    from django.test import Client

    goal = make_goal(alliance, "Old words")
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    edit = reverse("registers:goal_edit", args=[alliance.slug, goal.pk])
    assert client.post(edit, {**GOOD, "statement": "Mia's words"}).status_code == 302
    response = other.post(edit, {**GOOD, "statement": "Carol's words"})
    assert response.status_code == 200
    assert [(f.theirs, f.yours) for f in response.context["conflict"].fields][0] == (
        "Mia's words",
        "Carol's words",
    )
    goal.refresh_from_db()
    assert goal.statement == "Mia's words"


def test_observers_read_goals_but_cannot_change_them(client, alliance, otto):
    goal = make_goal(alliance)
    client.force_login(otto)
    assert client.get(goals_url(alliance)).status_code == 200
    assert client.get(reverse("registers:goal_create", args=[alliance.slug])).status_code == 403
    edit = reverse("registers:goal_edit", args=[alliance.slug, goal.pk])
    assert client.post(edit, GOOD).status_code == 403


def test_outsiders_cannot_see_goals(client, alliance, olga):
    goal = make_goal(alliance)
    client.force_login(olga)
    assert client.get(goals_url(alliance)).status_code == 404
    riverside = olga.memberships.get().alliance
    edit = reverse("registers:goal_edit", args=[riverside.slug, goal.pk])
    assert client.get(edit).status_code == 404


# The alignment matrix


def cell_url(alliance, goal, partner):
    return reverse("registers:alignment", args=[alliance.slug, goal.pk, partner.pk])


def test_a_member_marks_where_their_partner_stands(client, alliance, mia, kitchen):
    goal = make_goal(alliance)
    client.force_login(mia)
    data = {"stance": "partly", "comment": "Weekends only", "essential": "on", "base_version": "0"}
    assert client.post(cell_url(alliance, goal, kitchen), data).status_code == 302
    cell = Alignment.objects.get()
    assert (cell.stance, cell.comment, cell.essential) == ("partly", "Weekends only", True)
    page = client.get(goals_url(alliance)).content.decode()
    assert "partly ours" in page
    assert "Weekends only" in page


def test_a_member_cannot_answer_for_another_partner(client, alliance, mia, food_bank):
    goal = make_goal(alliance)
    client.force_login(mia)
    response = client.post(cell_url(alliance, goal, food_bank), {"stance": "ours"})
    assert response.status_code == 403
    assert not Alignment.objects.exists()


def test_a_facilitator_records_any_partners_stance(client, alliance, fiona, food_bank):
    goal = make_goal(alliance)
    client.force_login(fiona)
    data = {"stance": "not_ours", "comment": "", "base_version": "0"}
    assert client.post(cell_url(alliance, goal, food_bank), data).status_code == 302
    assert Alignment.objects.get().stance == "not_ours"


def test_alignment_summary_on_a_hand_computed_example(alliance):
    partners = [make_partner(alliance, name) for name in ("A", "B", "C")]
    shared, contested, unsaid = (make_goal(alliance, s, status="agreed") for s in "XYZ")
    make_goal(alliance, "Old", status="retired")
    for p in partners:
        Alignment.objects.create(goal=shared, partner=p, stance="ours")
    Alignment.objects.create(goal=contested, partner=partners[0], stance="ours")
    Alignment.objects.create(goal=contested, partner=partners[1], stance="not_ours")
    Alignment.objects.create(goal=contested, partner=partners[2], stance="not_ours")
    Alignment.objects.create(goal=unsaid, partner=partners[0], stance="partly")
    assert figures.goals(alliance)["summary"] == [
        "1 of 3 goals are shared by every partner.",
        "“Y” is not shared by 2 partners.",
        "“Z” is only partly shared by 1 partner.",
        "2 partners have not said where they stand on “Z”.",
    ]


def test_goals_csv_lists_each_goal_and_each_partners_stance(client, alliance, mia, kitchen):
    goal = make_goal(
        alliance,
        "Summer meals",
        measure="Share",
        target_value=45,
        target_unit="%",
        target_date=datetime.date(2030, 1, 1),
    )
    Alignment.objects.create(goal=goal, partner=kitchen, stance="ours")
    client.force_login(mia)
    response = client.get(reverse("registers:goals_csv", args=[alliance.slug]))
    # A byte order mark, so that a spreadsheet reads the partners' accents as UTF-8.
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "goal,community,measure,target,target date,status,measurable,Community Kitchen"
    )
    assert lines[1].startswith("Summer meals,,Share,45 %,")
    assert lines[1].endswith(",proposed,yes,ours")


def test_the_review_keeps_the_register_as_it_stood_when_recorded(client, review, fiona, kitchen):
    goal = make_goal(review.alliance, "Before recording")
    record = ComponentRecord.objects.select_related("review__alliance").get(
        review=review, component_key="purpose"
    )
    record_component(record=record, author=fiona)
    goal.statement = "After recording"
    goal.save()
    client.force_login(fiona)
    page = client.get(
        reverse("reviews:component", args=[review.alliance.slug, review.pk, "purpose"])
    ).content.decode()
    assert "Before recording" in page
    assert "After recording" not in page
    assert "After recording" in client.get(goals_url(review.alliance)).content.decode()


def test_polling_gets_204_until_the_register_changes(client, alliance, mia):
    goal = make_goal(alliance)
    client.force_login(mia)
    first = client.get(goals_url(alliance), headers={"HX-Request": "true"})
    stamp = first.context["stamp"]
    again = client.get(goals_url(alliance) + f"?stamp={stamp}", headers={"HX-Request": "true"})
    assert again.status_code == 204
    goal.statement = "Changed"
    goal.save()
    changed = client.get(goals_url(alliance) + f"?stamp={stamp}", headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert "Changed" in changed.content.decode()


@pytest.mark.parametrize("size", [10, 100])
def test_goals_page_query_count_does_not_grow(
    client, alliance, mia, kitchen, size, django_assert_num_queries
):
    for n in range(size):
        goal = make_goal(alliance, f"Goal {n}")
        Alignment.objects.create(goal=goal, partner=kitchen, stance="ours")
    client.force_login(mia)
    # session, user, membership, partners, alignments, goals, the alliance switcher, the
    # live meetings (the banner)
    with django_assert_num_queries(8):
        assert client.get(goals_url(alliance)).status_code == 200


def test_goals_achieved_or_retired_are_listed_apart_and_left_out_of_the_matrix(
    client, alliance, mia, kitchen
):
    """Over the years most goals are achieved or retired: they stay on the page, one line
    each, while the goals being worked on keep their details and the alignment matrix."""
    working = make_goal(alliance, "Summer meals for every child", status="agreed")
    make_goal(alliance, "Open a second pantry", status="achieved")
    make_goal(alliance, "Weekend deliveries", status="retired")
    Alignment.objects.create(goal=working, partner=kitchen, stance="ours")
    client.force_login(mia)

    page = client.get(goals_url(alliance)).content.decode()

    closed_list = page.split("Achieved or retired (2)")[1].split("</ul>")[0]
    assert "Open a second pantry" in closed_list
    assert "Weekend deliveries" in closed_list
    assert "Summer meals" not in closed_list
    matrix = page.split('<table class="matrix">')[1].split("</table>")[0]
    assert "Summer meals for every child" in matrix
    assert "Open a second pantry" not in matrix
    assert "Weekend deliveries" not in matrix
    # What stays in the CSV: every goal.
    csv = client.get(reverse("registers:goals_csv", args=[alliance.slug])).content.decode(
        "utf-8-sig"
    )
    assert "Open a second pantry" in csv and "Weekend deliveries" in csv
