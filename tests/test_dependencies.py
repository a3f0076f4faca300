"""Interdependence: who depends on whom, each partner's answer to the impact question, the
"should continue" signal, the network picture, the CSV and the review's snapshot."""

import codecs
import csv
import datetime
import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from alliances.models import Alliance
from history.models import Revision
from history.services import create_with_history
from registers import figures
from registers.models import Alignment, Dependency, Goal, ImpactAnswer, Resource
from reviews.models import ComponentRecord
from reviews.services import record_component, start_review
from tests import pages
from tests.factories import make_dependency, make_goal, make_partner

pytestmark = pytest.mark.usefixtures("fast_passwords")

SLUG = "harvest-alliance"
ITSELF = "A partner cannot depend on itself: choose another partner."
UNTIED = "Choose the goal or the resource this dependency is for."
NOT_OURS = "Choose one of this alliance's partners."
OWN_ONLY = (
    "A member answers for their own organization; a facilitator or a coordinator can record "
    "any partner's answer."
)
OBSERVERS = (
    "Observers can read but not change anything; a member, facilitator or coordinator can do this."
)
# session, user, membership, the alliance switcher, the live meetings (the banner), the
# reviews, and the register: partners,
# dependencies (with their partners, goal and resource), essential partners, goals, answers
PAGE_QUERIES = 11


def url(name, *args):
    return reverse(f"registers:{name}", args=[SLUG, *args])


def essential(goal, *partners):
    for partner in partners:
        Alignment.objects.create(goal=goal, partner=partner, essential=True)


def answer(review, partner, value, why=""):
    return ImpactAnswer.objects.create(review=review, partner=partner, answer=value, why=why)


def base_version(response) -> str:
    """The version the form on the page starts from (a hidden field)."""
    return re.search(r'name="base_version" value="(\d+)"', response.content.decode()).group(1)


def dependency_data(dependent, provider, what="cold storage", goal=None, resource=None, **extra):
    return {
        "dependent": dependent.pk,
        "provider": provider.pk,
        "what": what,
        "goal": goal.pk if goal else "",
        "resource": resource.pk if resource else "",
        **extra,
    }


@pytest.fixture
def meals(alliance, carol):
    return make_goal(alliance, "Every child can reach a free summer meal", author=carol)


@pytest.fixture
def pantry(alliance):
    return make_partner(alliance, "Pantry Network")


@pytest.fixture
def told(monkeypatch):
    """The components whose live meetings were told that their register changed."""
    calls = []
    monkeypatch.setattr(
        "registers.live.tell_meetings",
        lambda alliance, key, actor: calls.append((alliance.slug, key, actor.email)),
    )
    return calls


# Adding and editing


def test_member_adds_a_dependency_with_its_history(client, people, kitchen, food_bank, meals, told):
    client.force_login(people["mia"])

    response = client.post(
        url("dependency_create"), dependency_data(kitchen, food_bank, goal=meals)
    )

    assert response.status_code == 302
    assert response.url == url("dependencies")
    dependency = Dependency.objects.get()
    assert (dependency.dependent, dependency.provider, dependency.goal) == (
        kitchen,
        food_bank,
        meals,
    )
    revision = Revision.objects.for_object(dependency).get()
    assert (revision.action, revision.author, revision.version) == ("created", people["mia"], 1)
    assert revision.changes["what"]["new"] == "cold storage"
    assert told == [(SLUG, "interdependence", "mia@example.org")]
    page = pages.text(client.get(url("dependencies")))
    assert "Community Kitchen depends on Food Bank for cold storage" in page
    assert "For the goal: Every child can reach a free summer meal" in page


def test_the_form_starts_from_the_members_own_partner(client, people, kitchen):
    client.force_login(people["mia"])

    fields = pages.form_fields(client.get(url("dependency_create")))

    assert fields["dependent"].value == str(kitchen.pk)


def test_editing_a_dependency_keeps_who_changed_what(
    client, people, alliance, kitchen, food_bank, meals, told
):
    dependency = make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    client.force_login(people["carol"])

    response = client.post(
        url("dependency_edit", dependency.pk),
        dependency_data(kitchen, food_bank, "cold storage and a van", meals, base_version=1),
    )

    assert response.status_code == 302
    dependency.refresh_from_db()
    assert (dependency.what, dependency.version) == ("cold storage and a van", 2)
    latest = Revision.objects.for_object(dependency).first()
    assert (latest.action, latest.author) == ("changed", people["carol"])
    assert latest.changes == {
        "what": {"label": "for what", "old": "cold storage", "new": "cold storage and a van"}
    }
    assert told == [(SLUG, "interdependence", "carol@example.org")]
    history = client.get(
        reverse("alliances:history", args=[SLUG, "registers.dependency", dependency.pk])
    )
    assert "cold storage and a van" in pages.text(history)


def test_a_dependency_can_be_tied_to_a_resource_alone(client, people, alliance, kitchen, food_bank):
    resource = Resource(alliance=alliance, description="A refrigerated van", kind="space")
    create_with_history(resource, alliance=alliance, author=None)
    client.force_login(people["mia"])

    response = client.post(
        url("dependency_create"), dependency_data(kitchen, food_bank, resource=resource)
    )

    assert response.status_code == 302
    assert Dependency.objects.get().resource == resource
    assert "For the resource: A refrigerated van" in pages.text(client.get(url("dependencies")))


def test_a_partner_cannot_depend_on_itself(client, people, kitchen, meals, told):
    client.force_login(people["mia"])

    response = client.post(url("dependency_create"), dependency_data(kitchen, kitchen, goal=meals))

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["provider"].errors == [ITSELF]
    assert response.context["form"].errors == {"provider": [ITSELF]}
    assert fields["what"].value == "cold storage"  # nothing typed is lost
    assert not Dependency.objects.exists()
    assert told == []


def test_the_database_refuses_a_dependency_on_oneself(alliance, kitchen):
    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(alliance=alliance, dependent=kitchen, provider=kitchen, what="x")


def test_a_dependency_needs_a_goal_or_a_resource(client, people, kitchen, food_bank):
    client.force_login(people["mia"])

    response = client.post(url("dependency_create"), dependency_data(kitchen, food_bank))

    fields = pages.form_fields(response)
    assert fields["goal"].errors == [UNTIED]
    assert response.context["form"].errors == {"goal": [UNTIED]}
    assert not Dependency.objects.exists()


def test_both_partners_belong_to_the_alliance(client, people, kitchen, meals):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    stranger = make_partner(riverside, "Riverside Housing")
    client.force_login(people["mia"])

    response = client.post(url("dependency_create"), dependency_data(kitchen, stranger, goal=meals))

    assert pages.form_fields(response)["provider"].errors == [NOT_OURS]
    assert not Dependency.objects.exists()


def test_a_goal_of_another_alliance_is_refused(client, people, kitchen, food_bank):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    theirs = make_goal(riverside, "A home for every family")
    client.force_login(people["mia"])

    response = client.post(
        url("dependency_create"), dependency_data(kitchen, food_bank, goal=theirs)
    )

    assert pages.form_fields(response)["goal"].errors == ["Choose one of this alliance's goals."]


def test_two_editors_never_silently_overwrite_each_other(
    client, people, alliance, kitchen, food_bank, meals
):
    dependency = make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    edit = url("dependency_edit", dependency.pk)
    client.force_login(people["carol"])
    client.post(
        edit, dependency_data(kitchen, food_bank, "cold storage, weekly", meals, base_version=1)
    )
    client.force_login(people["mia"])

    response = client.post(
        edit, dependency_data(kitchen, food_bank, "cold storage, daily", meals, base_version=1)
    )

    assert response.status_code == 200
    page = pages.text(response)
    assert "Someone else saved this while you were editing" in page
    assert "cold storage, weekly" in page
    assert base_version(response) == "2"
    dependency.refresh_from_db()
    assert (dependency.what, dependency.version) == ("cold storage, weekly", 2)


def test_two_editors_of_different_fields_both_keep_their_change(
    client, people, alliance, kitchen, food_bank, pantry, meals
):
    dependency = make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    edit = url("dependency_edit", dependency.pk)
    client.force_login(people["carol"])
    client.post(
        edit, dependency_data(kitchen, food_bank, "cold storage, weekly", meals, base_version=1)
    )
    client.force_login(people["mia"])

    response = client.post(
        edit, dependency_data(kitchen, pantry, "cold storage", meals, base_version=1)
    )

    assert response.status_code == 302
    dependency.refresh_from_db()
    assert (dependency.provider, dependency.what, dependency.version) == (
        pantry,
        "cold storage, weekly",
        3,
    )


# The impact question, once per review


def impact_data(value="no", why="We need their kitchens.", **extra):
    return {"answer": value, "why": why, **extra}


def test_a_member_answers_for_their_own_partner(client, people, review, kitchen, told):
    client.force_login(people["mia"])

    response = client.post(url("impact", review.pk, kitchen.pk), impact_data("partly"))

    assert response.status_code == 302
    assert response.url == f"{url('dependencies')}?review={review.pk}"
    saved = ImpactAnswer.objects.get()
    assert (saved.review, saved.partner, saved.answer, saved.version) == (
        review,
        kitchen,
        "partly",
        1,
    )
    revision = Revision.objects.for_object(saved).get()
    assert (revision.action, revision.author) == ("created", people["mia"])
    assert told == [(SLUG, "interdependence", "mia@example.org")]


def test_a_member_cannot_answer_for_another_partner(client, people, review, food_bank):
    client.force_login(people["mia"])

    response = client.post(url("impact", review.pk, food_bank.pk), impact_data())

    assert response.status_code == 403
    assert OWN_ONLY in pages.text(response)
    assert not ImpactAnswer.objects.exists()


def test_a_facilitator_answers_for_any_partner(client, people, review, food_bank, kitchen):
    client.force_login(people["fiona"])

    for partner in (food_bank, kitchen):
        response = client.post(url("impact", review.pk, partner.pk), impact_data("no"))
        assert response.status_code == 302

    assert ImpactAnswer.objects.filter(review=review).count() == 2


def test_an_answer_needs_no_partly_or_yes(client, people, review, kitchen):
    client.force_login(people["mia"])

    response = client.post(url("impact", review.pk, kitchen.pk), impact_data(""))

    assert pages.form_fields(response)["why"].value == "We need their kitchens."
    assert "Choose no, partly or yes." in pages.text(response)
    assert not ImpactAnswer.objects.exists()


def test_one_answer_per_partner_per_review(client, people, alliance, review, kitchen, fiona):
    impact = url("impact", review.pk, kitchen.pk)
    client.force_login(people["mia"])
    client.post(impact, impact_data("no", base_version=0))

    assert base_version(client.get(impact)) == "1"
    client.post(impact, impact_data("partly", "Less than we thought.", base_version=1))

    saved = ImpactAnswer.objects.get()
    assert (saved.answer, saved.why, saved.version) == ("partly", "Less than we thought.", 2)
    later = start_review(
        alliance=alliance,
        name="Autumn 2027 review",
        started_on=datetime.date(2027, 9, 1),
        author=fiona,
    )
    client.post(url("impact", later.pk, kitchen.pk), impact_data("yes"))
    assert dict(ImpactAnswer.objects.values_list("review__name", "answer")) == {
        "Spring 2027 review": "partly",
        "Autumn 2027 review": "yes",
    }


def test_two_people_answering_for_one_partner_at_once_see_each_other(
    client, people, review, kitchen
):
    """Both opened the empty form; the second to save sees the first's answer beside theirs."""
    impact = url("impact", review.pk, kitchen.pk)
    client.force_login(people["fiona"])
    client.post(impact, impact_data("no", "We need the food bank.", base_version=0))
    client.force_login(people["mia"])

    response = client.post(impact, impact_data("yes", "We could do it alone.", base_version=0))

    assert response.status_code == 200
    assert "Someone else saved this while you were editing" in pages.text(response)
    saved = ImpactAnswer.objects.get()
    assert (saved.answer, saved.why) == ("no", "We need the food bank.")


def test_an_answer_for_a_review_of_another_alliance_is_not_found(client, people, olga, kitchen):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    theirs = start_review(
        alliance=riverside, name="Theirs", started_on=datetime.date(2027, 1, 1), author=olga
    )
    client.force_login(people["fiona"])

    assert client.post(url("impact", theirs.pk, kitchen.pk), impact_data()).status_code == 404


def test_the_page_shows_each_partners_answer_in_words(
    client, people, review, kitchen, food_bank, pantry
):
    answer(review, kitchen, "partly", "Only the cooking.")
    answer(review, food_bank, "no")
    client.force_login(people["mia"])

    response = client.get(url("dependencies"))

    page = pages.text(response)
    assert "Community Kitchen Partly Only the cooking." in page
    assert "Food Bank No" in page
    assert "Pantry Network not answered yet" in page
    # Mia answers for her own organization only.
    impact_links = [link for link in pages.links(response) if "/impact/" in link]
    assert impact_links == [url("impact", review.pk, kitchen.pk)]


# Access


@pytest.fixture
def dependency(alliance, kitchen, food_bank, meals):
    return make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)


def test_an_observer_reads_but_does_not_write(
    client, people, review, dependency, kitchen, food_bank, meals
):
    client.force_login(people["otto"])

    assert client.get(url("dependencies")).status_code == 200
    assert client.get(url("dependencies_csv")).status_code == 200
    writes = [
        (url("dependency_create"), dependency_data(kitchen, food_bank, goal=meals)),
        (url("dependency_edit", dependency.pk), dependency_data(kitchen, food_bank, goal=meals)),
        (url("impact", review.pk, kitchen.pk), impact_data()),
    ]
    for path, data in writes:
        response = client.post(path, data)
        assert response.status_code == 403
        assert OBSERVERS in pages.text(response)
    page = client.get(url("dependencies"))
    assert not [link for link in pages.links(page) if "/edit/" in link or "/impact/" in link]


def test_an_outsider_finds_nothing(client, people, review, dependency, kitchen):
    client.force_login(people["olga"])

    for path in (
        url("dependencies"),
        url("dependencies_csv"),
        url("dependency_create"),
        url("dependency_edit", dependency.pk),
        url("impact", review.pk, kitchen.pk),
    ):
        assert client.get(path).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, review, dependency, kitchen):
    for path in (
        url("dependencies"),
        url("dependencies_csv"),
        url("dependency_create"),
        url("dependency_edit", dependency.pk),
        url("impact", review.pk, kitchen.pk),
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == f"/accounts/sign-in/?next={path}"


def test_a_dependency_of_another_alliance_is_not_found(client, people, olga):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    a, b = make_partner(riverside, "A"), make_partner(riverside, "B")
    theirs = make_dependency(riverside, a, b, "housing")
    client.force_login(people["carol"])

    assert client.get(url("dependency_edit", theirs.pk)).status_code == 404


def test_the_review_asked_for_must_be_the_alliances(client, people, review, olga):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    theirs = start_review(
        alliance=riverside, name="Theirs", started_on=datetime.date(2027, 1, 1), author=olga
    )
    client.force_login(people["mia"])

    assert client.get(url("dependencies"), {"review": theirs.pk}).status_code == 404
    assert client.get(url("dependencies"), {"review": "x"}).status_code == 404
    assert client.get(url("dependencies"), {"review": review.pk}).status_code == 200


@pytest.mark.parametrize("page", ["dependencies", "trust"])
def test_every_page_that_chooses_a_review_refuses_one_it_cannot_show(
    client, people, review, olga, page
):
    riverside = Alliance.objects.get(slug="riverside-alliance")
    theirs = start_review(
        alliance=riverside, name="Theirs", started_on=datetime.date(2027, 1, 1), author=olga
    )
    client.force_login(people["mia"])

    for asked in (theirs.pk, "x", "-1", f"{review.pk}.0", " "):
        assert client.get(url(page), {"review": asked}).status_code == 404, asked
    assert client.get(url(page), {"review": review.pk}).context["review"] == review
    assert client.get(url(page)).context["review"] == review


# The "should continue" signal


def test_a_partner_answering_yes_is_a_signal(alliance, review, kitchen, food_bank):
    answer(review, kitchen, "yes", "We could feed them alone.")
    answer(review, food_bank, "no")

    assert figures.dependencies(alliance, review)["signals"] == [
        "Community Kitchen says it could have the same impact without the alliance. The "
        "alliance should discuss whether it, or that partner's part in it, should continue."
    ]


def test_a_goal_with_exactly_one_essential_partner_is_a_signal(
    alliance, review, meals, kitchen, food_bank
):
    gardens = make_goal(alliance, "Ten school gardens")
    essential(meals, kitchen)
    essential(gardens, kitchen, food_bank)

    assert figures.dependencies(alliance, review)["signals"] == [
        "“Every child can reach a free summer meal” has only one essential partner, Community "
        "Kitchen. The alliance should discuss whether this goal needs the alliance, or should "
        "continue as that partner's own."
    ]


def test_no_signal_when_goals_need_two_partners_and_none_could_go_alone(
    client, people, alliance, review, meals, kitchen, food_bank
):
    essential(meals, kitchen, food_bank)
    answer(review, kitchen, "partly")
    answer(review, food_bank, "no")

    assert figures.dependencies(alliance, review)["signals"] == []
    client.force_login(people["mia"])
    response = client.get(url("dependencies"))
    assert "Time to ask whether this should continue" not in pages.text(response)
    assert "essential partners: Community Kitchen, Food Bank" in pages.text(response)


def test_the_page_says_the_signal_plainly_in_a_marked_box(
    client, people, review, meals, kitchen, food_bank
):
    essential(meals, food_bank)
    answer(review, kitchen, "yes")
    client.force_login(people["mia"])

    response = client.get(url("dependencies"))

    box = re.search(
        r'<div class="notice signal" role="note".*?</div>', response.content.decode(), re.S
    )
    assert box is not None
    box_text = " ".join(re.sub(r"<[^>]+>", " ", box.group()).split())
    assert box_text.startswith("⚠ Time to ask whether this should continue")
    assert "Community Kitchen says it could have the same impact without the alliance." in box_text
    assert "has only one essential partner, Food Bank." in box_text
    assert "essential partner: Food Bank ⚠ only one" in pages.text(response)


def test_only_goals_still_pursued_count(alliance, review, meals, kitchen):
    meals.status = Goal.Status.RETIRED
    meals.save()
    essential(meals, kitchen)

    assert figures.dependencies(alliance, review)["signals"] == []


# The network picture


def test_the_network_has_one_arrow_per_dependency_and_a_table_of_them(
    client, people, alliance, kitchen, food_bank, pantry, meals
):
    make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    make_dependency(alliance, food_bank, kitchen, "cooking", goal=meals)
    make_dependency(alliance, pantry, food_bank, "deliveries", goal=meals)
    client.force_login(people["mia"])

    response = client.get(url("dependencies"))

    network = response.context["register"]["network"]
    assert [e["label"] for e in network["edges"]] == [
        "Community Kitchen → Food Bank: cold storage",
        "Food Bank → Community Kitchen: cooking",
        "Pantry Network → Food Bank: deliveries",
    ]
    content = response.content.decode()
    svg = re.search(r"<svg .*?</svg>", content, re.S).group()
    assert 'role="img"' in svg and 'aria-labelledby="network-title network-desc"' in svg
    assert svg.count("<line ") == 3
    assert svg.count('marker-end="url(#dependency-arrow)"') == 3
    assert svg.count("<circle ") == 3
    assert "style=" not in content
    table = re.search(r'<table class="network__table">.*?</table>', content, re.S).group()
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>.*?</tr>", table, re.S)[1:]
    ]
    meal = "Every child can reach a free summer meal"
    assert rows == [
        f"1 Community Kitchen Food Bank cold storage not said yet {meal}",
        f"2 Food Bank Community Kitchen cooking not said yet {meal}",
        f"3 Pantry Network Food Bank deliveries not said yet {meal}",
    ]


def test_an_arrow_goes_from_who_depends_and_stops_short_of_whom():
    partners = [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]
    rows = [{"dependent_id": 1, "provider_id": 2, "dependent": "A", "provider": "B", "what": "x"}]

    network = figures.network(partners, rows)

    # Size 400: centre 200, radius 130; A at the top, B at the bottom.
    assert network["nodes"] == [
        {"name": "A", "x": 200, "y": 70},
        {"name": "B", "x": 200, "y": 330},
    ]
    assert network["edges"] == [
        {"x1": 200, "y1": 70, "x2": 200, "y2": 308, "label": "A → B: x", "dash": "", "width": 1}
    ]


# CSV


def test_the_csv_lists_every_dependency(client, people, alliance, kitchen, food_bank, meals):
    resource = Resource(alliance=alliance, description="A van", kind="space")
    create_with_history(resource, alliance=alliance, author=None)
    make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    make_dependency(alliance, food_bank, kitchen, "drivers, on Sundays", resource=resource)
    client.force_login(people["otto"])

    response = client.get(url("dependencies_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}-dependencies.csv"'
    assert response.content.startswith(codecs.BOM_UTF8)  # read as UTF-8 by a spreadsheet
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [
        [
            "partner",
            "depends on",
            "for what",
            "how they work together",
            "confirmed by the partner",
            "confirmed by the partner depended on",
            "goal",
            "resource",
        ],
        ["Community Kitchen", "Food Bank", "cold storage", "", "no", "no", meals.statement, ""],
        ["Food Bank", "Community Kitchen", "drivers, on Sundays", "", "no", "no", "", "A van"],
    ]


# Live: polling, and the component's page


def test_a_poll_gets_204_until_the_register_changes(
    client, people, alliance, review, kitchen, food_bank, meals
):
    client.force_login(people["mia"])
    first = client.get(url("dependencies"), headers={"HX-Request": "true"})
    stamp = first.context["stamp"]
    assert b'data-stamp="' + stamp.encode() + b'"' in first.content
    assert b"<html" not in first.content

    poll = {"review": review.pk, "stamp": stamp}
    assert client.get(url("dependencies"), poll, headers={"HX-Request": "true"}).status_code == 204
    make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    changed = client.get(url("dependencies"), poll, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert "Community Kitchen depends on Food Bank" in pages.text(changed)


def open_interdependence(review, author):
    for key in ("purpose", "power"):
        record_component(
            record=ComponentRecord.objects.get(review=review, component_key=key), author=author
        )
    return ComponentRecord.objects.get(review=review, component_key="interdependence")


def component_url(review):
    return reverse("reviews:component", args=[SLUG, review.pk, "interdependence"])


def test_the_component_page_follows_this_reviews_answers(
    client, people, alliance, review, fiona, kitchen
):
    open_interdependence(review, fiona)
    later = start_review(
        alliance=alliance,
        name="Autumn 2027 review",
        started_on=datetime.date(2027, 9, 1),
        author=fiona,
    )
    answer(review, kitchen, "partly", "Spring's answer")
    answer(later, kitchen, "yes", "Autumn's answer")
    client.force_login(people["mia"])

    response = client.get(component_url(review))

    page = pages.text(response)
    assert "Spring's answer" in page and "Autumn's answer" not in page
    live_url = f"{url('dependencies')}?review={review.pk}"
    assert f'data-live-url="{live_url}"' in response.content.decode()
    # live-region.js keeps the URL's ?review= and adds the stamp.
    poll = client.get(
        url("dependencies"),
        {"review": review.pk, "stamp": response.context["stamp"]},
        headers={"HX-Request": "true"},
    )
    assert poll.status_code == 204


def test_the_review_keeps_the_register_as_it_was_recorded(
    client, people, alliance, review, fiona, kitchen, food_bank, meals
):
    record = open_interdependence(review, fiona)
    dependency = make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    answer(review, kitchen, "no", "We need them.")
    record_component(record=record, author=fiona)
    client.force_login(people["carol"])
    client.post(
        url("dependency_edit", dependency.pk),
        dependency_data(kitchen, food_bank, "a refrigerated van", meals, base_version=1),
    )

    response = client.get(component_url(review))

    page = pages.text(response)
    assert "Community Kitchen depends on Food Bank for cold storage" in page
    assert "a refrigerated van" not in page
    assert "We need them." in page
    assert "data-live-url" not in response.content.decode()
    assert "a refrigerated van" in pages.text(client.get(url("dependencies")))


def test_the_meetings_discuss_phase_shows_the_register(
    alliance, review, fiona, kitchen, food_bank, meals
):
    from django.template.loader import render_to_string

    record = open_interdependence(review, fiona)
    make_dependency(alliance, kitchen, food_bank, "cold storage", goal=meals)
    record.review = review

    html = render_to_string(
        "registers/_dependencies.html",
        {"register": figures.register_for(record), "readonly": True},
    )

    assert "depends on <strong>Food Bank</strong> for cold storage" in html
    assert "href=" not in html


# Query counts


@pytest.mark.parametrize("size", [10, 100])
def test_page_query_count_is_fixed(
    client, people, alliance, review, kitchen, food_bank, pantry, size, django_assert_num_queries
):
    goals = [make_goal(alliance, f"Goal {n}") for n in range(size)]
    Dependency.objects.bulk_create(
        Dependency(
            alliance=alliance,
            dependent=(kitchen, food_bank, pantry)[n % 3],
            provider=(food_bank, pantry, kitchen)[n % 3],
            what=f"Need {n}",
            goal=goals[n],
        )
        for n in range(size)
    )
    for goal in goals:
        essential(goal, kitchen)
    answer(review, kitchen, "partly")
    client.force_login(people["fiona"])

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url("dependencies"))

    assert response.status_code == 200
    assert len(response.context["register"]["dependencies"]) == size
    assert len(response.context["register"]["signals"]) == size
