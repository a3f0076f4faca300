"""An attacker holding the coordinator's and the site administrator's rights, and read
access to the database, tries every path from an anonymous answer to its author. Each test
is one path; each would fail if the link existed."""

import uuid

import pytest
from django.contrib import admin
from django.db import connection, models
from django.urls import reverse

from ratings.models import Participation, Rating, Reflection, Round, SealedAnswer
from ratings.services import ComponentAnswer, close_check_in
from registers.models import Goal
from tests.answering import answer, check_in_on, submit_shown
from tests.factories import add_members

ANSWER_MODELS = [Rating, Reflection]


@pytest.fixture
def answered(alliance, review, carol):
    """Thirty members answer, in a known order, with ratings that follow that order; then
    the check-in closes (while it is open, answers are sealed: see test_anonymity_storage)."""
    members = add_members(alliance, 30)
    check_in = check_in_on(review)
    round = check_in.rounds.get()
    for n, membership in enumerate(members):
        answer(membership, round, rating=n % 5 + 1, q1=f"Reflection number {n}")
    close_check_in(check_in=check_in)
    return {"members": members, "round": round, "check_in": check_in}


@pytest.mark.parametrize("model", ANSWER_MODELS)
def test_schema_has_no_relation_from_an_answer_to_a_participation(model):
    related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
    assert Participation not in related
    assert {f.name for f in model._meta.get_fields() if f.is_relation} <= {
        "round",
        "author",
        "question",
    }


def test_schema_a_round_names_no_person_and_a_confidence_round_only_its_goal():
    relations = {f.name: f.related_model for f in Round._meta.concrete_fields if f.is_relation}
    assert set(relations) == {"review", "check_in", "goal", "asked_with"}
    assert relations["goal"] is Goal
    assert relations["asked_with"] is Round  # the trust round it was asked with


def test_schema_has_no_relation_from_a_participation_to_an_answer():
    related = {f.related_model for f in Participation._meta.get_fields() if f.is_relation}
    assert not related & set(ANSWER_MODELS)


def test_anonymous_answers_carry_no_author(answered):
    assert Rating.objects.count() == 30
    assert Reflection.objects.count() == 30
    assert not Rating.objects.filter(author__isnull=False).exists()
    assert not Reflection.objects.filter(author__isnull=False).exists()


@pytest.mark.parametrize("model", [*ANSWER_MODELS, Participation, SealedAnswer])
def test_no_date_or_time_at_all(model):
    """A day kept on both sides joined a participation to its answer in a check-in open
    over several days; they keep no time finer than their round's."""
    assert not [f for f in model._meta.get_fields() if isinstance(f, models.DateField)]


def test_confidence_answers_carry_no_author_and_do_not_follow_the_answer_order(alliance, review):
    goal = Goal.objects.create(
        alliance=alliance, statement="Summer meals for all", status=Goal.Status.AGREED
    )
    members = add_members(alliance, 30)
    check_in = check_in_on(review, ["trust"])
    round = check_in.rounds.get(goal=goal)
    for n, membership in enumerate(members):
        submit_shown(membership=membership, answers=[ComponentAnswer(round, n % 5 + 1)])
    close_check_in(check_in=check_in)
    in_answer_order = [n % 5 + 1 for n in range(30)]
    assert not Rating.objects.filter(author__isnull=False).exists()
    assert sorted(physical_order(Rating, round)) == sorted(in_answer_order)
    assert physical_order(Rating, round) != in_answer_order


def test_answer_ids_are_random(answered):
    ids = set(Rating.objects.values_list("pk", flat=True))
    ids |= set(Reflection.objects.values_list("pk", flat=True))
    assert len(ids) == 60
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in ids)


def physical_order(model, round):
    """The order rows sit in on disk, as an attacker reading the table would see it."""
    column = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {'value' if model is Rating else 'text'} FROM {table} "  # noqa: S608
            f"WHERE round_id = %s ORDER BY {column}",
            [round.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def test_rating_rows_do_not_follow_the_order_people_answered(answered):
    in_answer_order = [n % 5 + 1 for n in range(30)]
    assert sorted(physical_order(Rating, answered["round"])) == sorted(in_answer_order)
    assert physical_order(Rating, answered["round"]) != in_answer_order
    by_id = list(Rating.objects.order_by("pk").values_list("value", flat=True))
    assert by_id != in_answer_order


def test_reflection_rows_do_not_follow_the_order_people_answered(answered):
    in_answer_order = [f"Reflection number {n}" for n in range(30)]
    on_disk = physical_order(Reflection, answered["round"])
    assert sorted(on_disk) == sorted(in_answer_order)
    assert on_disk != in_answer_order
    assert on_disk[-1] != in_answer_order[-1] or on_disk[:-1] != in_answer_order[:-1]


def test_participations_and_answers_share_nothing_but_the_round(answered):
    participation_columns = {f.column for f in Participation._meta.concrete_fields}
    for model in [*ANSWER_MODELS, SealedAnswer]:
        columns = {f.column for f in model._meta.concrete_fields}
        assert participation_columns & columns == {"id", "round_id"}
    # The shared "id" column holds a sequence in one table and random UUIDs in the other.
    participation_ids = set(Participation.objects.values_list("pk", flat=True))
    assert all(isinstance(pk, int) for pk in participation_ids)
    assert {str(pk) for pk in Rating.objects.values_list("pk", flat=True)}.isdisjoint(
        {str(pk) for pk in participation_ids}
    )


@pytest.mark.parametrize("model", [*ANSWER_MODELS, Participation, SealedAnswer])
def test_the_admin_shows_no_answer_and_no_participation(model, admin_client):
    assert not admin.site.is_registered(model)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 404


def test_the_coordinator_sees_counts_and_results_but_no_author(client, answered, carol):
    client.force_login(carol)
    url = reverse(
        "ratings:check_in", args=[answered["round"].review.alliance.slug, answered["check_in"].pk]
    )
    page = client.get(url).content.decode()
    assert "30 of 31 people answered." in page
    assert "Reflection number 7" in page
    for membership in answered["members"]:
        assert membership.user.name not in page
        assert membership.user.email not in page


def test_a_member_cannot_see_even_their_own_anonymous_answer(client, answered):
    me = answered["members"][3]
    client.force_login(me.user)
    url = reverse("ratings:check_in", args=[me.alliance.slug, answered["check_in"].pk])
    response = client.get(url)
    assert response.context["my_ratings"] is None
    assert "They cannot be changed, and nobody can trace them back to you." in (
        response.content.decode()
    )
