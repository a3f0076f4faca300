"""Shared power: the resources the work needs, who brings them, and how that is shared."""

import codecs

import pytest
from django.test import Client
from django.urls import reverse

from history.models import Revision
from registers import figures
from registers.models import Goal, Resource
from reviews.models import ComponentRecord
from reviews.services import record_component
from tests import pages
from tests.factories import make_partner, make_resource

KIND_REQUIRED = "Say what kind of resource this is, for example knowledge, staff or funding."
NOT_A_BRINGER = "The partner responsible must be one of the partners who bring it."


def resources_url(alliance):
    return reverse("registers:resources", args=[alliance.slug])


def create_url(alliance):
    return reverse("registers:resource_create", args=[alliance.slug])


def edit_url(resource):
    return reverse("registers:resource_edit", args=[resource.alliance.slug, resource.pk])


def form_data(resource=None, **changes):
    """What the edit form posts, as it was loaded (the resource as it stands), with changes."""
    data = {"description": "Volunteer drivers", "kind": "staff", "base_version": "1"}
    if resource:
        data = {
            "description": resource.description,
            "kind": resource.kind,
            "goal": resource.goal_id or "",
            "partners": [c.partner_id for c in resource.contributions.all()],
            "responsible": resource.responsible_id or "",
            "base_version": resource.version,
        }
    return {**data, **changes}


# Create, edit, history


def test_a_member_adds_a_resource_and_the_partners_who_bring_it(
    client, alliance, mia, kitchen, food_bank
):
    goal = Goal.objects.create(alliance=alliance, statement="Summer meals")
    client.force_login(mia)
    data = form_data(goal=goal.pk, partners=[kitchen.pk, food_bank.pk], responsible=kitchen.pk)
    response = client.post(create_url(alliance), data)
    assert response.status_code == 302
    assert response["Location"] == resources_url(alliance)
    resource = Resource.objects.get()
    assert (resource.description, resource.kind, resource.goal, resource.responsible) == (
        "Volunteer drivers",
        "staff",
        goal,
        kitchen,
    )
    assert {c.partner for c in resource.contributions.all()} == {kitchen, food_bank}
    revision = Revision.objects.for_object(resource).get()
    assert (revision.action, revision.author, revision.version) == ("created", mia, 1)
    assert revision.changes["partners"] == {
        "label": "brought by",
        "old": "",
        "new": "Community Kitchen, Food Bank",
    }
    assert pages.messages(client.get(resources_url(alliance))) == ["The resource is added."]


def test_editing_a_resource_records_what_changed_and_who_brings_it_in_one_revision(
    client, alliance, mia, kitchen, food_bank
):
    resource = make_resource(alliance, "Drivers", "staff", brought_by=[kitchen])
    client.force_login(mia)
    data = form_data(resource, description="Volunteer drivers", partners=[kitchen.pk, food_bank.pk])
    assert client.post(edit_url(resource), data).status_code == 302
    resource.refresh_from_db()
    assert (resource.description, resource.version) == ("Volunteer drivers", 2)
    assert {c.partner for c in resource.contributions.all()} == {kitchen, food_bank}
    revision = Revision.objects.for_object(resource).get()
    assert (revision.action, revision.author, revision.version) == ("changed", mia, 2)
    assert revision.changes == {
        "description": {"label": "what is needed", "old": "Drivers", "new": "Volunteer drivers"},
        "partners": {
            "label": "brought by",
            "old": "Community Kitchen",
            "new": "Community Kitchen, Food Bank",
        },
    }


def test_changing_only_who_brings_a_resource_makes_a_new_version(
    client, alliance, mia, kitchen, food_bank
):
    resource = make_resource(alliance, brought_by=[kitchen, food_bank], responsible=kitchen)
    client.force_login(mia)
    assert (
        client.post(edit_url(resource), form_data(resource, partners=[kitchen.pk])).status_code
        == 302
    )
    resource.refresh_from_db()
    assert resource.version == 2
    assert [c.partner for c in resource.contributions.all()] == [kitchen]
    revision = Revision.objects.for_object(resource).get()
    assert revision.changes == {
        "partners": {
            "label": "brought by",
            "old": "Community Kitchen, Food Bank",
            "new": "Community Kitchen",
        }
    }
    history = reverse("alliances:history", args=[alliance.slug, "registers.resource", resource.pk])
    assert "Community Kitchen, Food Bank" in pages.text(client.get(history))


def test_saving_a_resource_unchanged_keeps_no_revision(client, alliance, mia, kitchen):
    resource = make_resource(alliance, brought_by=[kitchen])
    client.force_login(mia)
    assert client.post(edit_url(resource), form_data(resource)).status_code == 302
    resource.refresh_from_db()
    assert resource.version == 1
    assert not Revision.objects.for_object(resource).exists()


def test_the_edit_form_shows_who_brings_the_resource(client, alliance, mia, kitchen, food_bank):
    resource = make_resource(alliance, brought_by=[kitchen])
    client.force_login(mia)
    form = client.get(edit_url(resource)).context["form"]
    assert form["partners"].value() == [kitchen.pk]
    html = client.get(edit_url(resource)).content.decode()
    assert f'type="checkbox" name="partners" value="{kitchen.pk}"' in html
    assert "<legend>The partners who bring it</legend>" in html


# Validation


def test_a_resource_with_no_kind_is_refused_beside_the_field(client, alliance, mia):
    client.force_login(mia)
    response = client.post(create_url(alliance), form_data(kind=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {"kind": [KIND_REQUIRED]}
    fields = pages.form_fields(response)
    assert fields["kind"].errors == [KIND_REQUIRED]
    assert fields["description"].value == "Volunteer drivers"
    assert not Resource.objects.exists()


def test_the_responsible_partner_must_be_one_who_brings_it(
    client, alliance, mia, kitchen, food_bank
):
    client.force_login(mia)
    data = form_data(partners=[kitchen.pk], responsible=food_bank.pk)
    response = client.post(create_url(alliance), data)
    assert response.context["form"].errors == {"responsible": [NOT_A_BRINGER]}
    assert pages.form_fields(response)["responsible"].errors == [NOT_A_BRINGER]
    assert not Resource.objects.exists()


def test_a_responsible_partner_needs_someone_to_bring_it(client, alliance, mia, kitchen):
    client.force_login(mia)
    response = client.post(create_url(alliance), form_data(responsible=kitchen.pk))
    assert response.context["form"].errors == {"responsible": [NOT_A_BRINGER]}


def test_partners_and_goals_of_another_alliance_are_refused(client, alliance, mia, olga):
    riverside = olga.memberships.get().alliance
    stranger = make_partner(riverside, "River Housing")
    their_goal = Goal.objects.create(alliance=riverside, statement="Homes")
    client.force_login(mia)
    response = client.post(
        create_url(alliance), form_data(partners=[stranger.pk], goal=their_goal.pk)
    )
    assert set(response.context["form"].errors) == {"partners", "goal"}
    assert not Resource.objects.exists()


# Two editors at once


def test_two_editors_of_a_resource_see_a_conflict(client, alliance, mia, carol):
    resource = make_resource(alliance, "Old words")
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(resource)
    assert client.post(edit_url(resource), {**loaded, "description": "Mia's"}).status_code == 302
    response = other.post(edit_url(resource), {**loaded, "description": "Carol's"})
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("what is needed", "Mia's", "Carol's")
    ]
    assert "Someone else saved this while you were editing" in pages.text(response)
    resource.refresh_from_db()
    assert resource.description == "Mia's"


def test_two_editors_changing_who_brings_it_see_a_conflict(
    client, alliance, mia, carol, kitchen, food_bank
):
    resource = make_resource(alliance, brought_by=[kitchen])
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(resource)
    both = {**loaded, "partners": [kitchen.pk, food_bank.pk]}
    assert client.post(edit_url(resource), both).status_code == 302
    response = other.post(edit_url(resource), {**loaded, "partners": [food_bank.pk]})
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("brought by", "Community Kitchen, Food Bank", "Food Bank")
    ]
    assert {c.partner for c in resource.contributions.all()} == {kitchen, food_bank}
    # The form is re-armed with the current version: saving again is a deliberate choice.
    assert response.context["form"]["base_version"].value() == 2
    assert (
        other.post(
            edit_url(resource), {**loaded, "partners": [food_bank.pk], "base_version": 2}
        ).status_code
        == 302
    )
    assert [c.partner for c in resource.contributions.all()] == [food_bank]


def test_a_conflict_on_a_field_undoes_the_change_of_partners_too(
    client, alliance, mia, carol, kitchen, food_bank
):
    resource = make_resource(alliance, "Old words", brought_by=[kitchen])
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(resource)
    client.post(edit_url(resource), {**loaded, "description": "Mia's"})
    response = other.post(
        edit_url(resource), {**loaded, "description": "Carol's", "partners": [food_bank.pk]}
    )
    assert response.context["conflict"]
    assert [c.partner for c in resource.contributions.all()] == [kitchen]


def test_another_editors_change_of_partners_stands_where_this_one_left_them(
    client, alliance, mia, carol, kitchen, food_bank
):
    resource = make_resource(alliance, "Old words", brought_by=[kitchen])
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(resource)
    client.post(edit_url(resource), {**loaded, "partners": [kitchen.pk, food_bank.pk]})
    assert other.post(edit_url(resource), {**loaded, "description": "Carol's"}).status_code == 302
    resource.refresh_from_db()
    assert (resource.description, resource.version) == ("Carol's", 3)
    assert {c.partner for c in resource.contributions.all()} == {kitchen, food_bank}


def test_a_merge_that_leaves_the_responsible_partner_out_is_a_conflict(
    client, alliance, mia, carol, kitchen, food_bank
):
    resource = make_resource(alliance, brought_by=[kitchen, food_bank])
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(resource)
    client.post(edit_url(resource), {**loaded, "partners": [kitchen.pk]})
    response = other.post(edit_url(resource), {**loaded, "responsible": food_bank.pk})
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("brought by", "Community Kitchen", "Community Kitchen"),
        ("partner responsible", "", "Food Bank"),
    ]
    resource.refresh_from_db()
    assert resource.responsible is None


# Access


def test_observers_read_resources_but_cannot_change_them(client, alliance, otto):
    resource = make_resource(alliance, "Meeting room")
    client.force_login(otto)
    page = client.get(resources_url(alliance))
    assert page.status_code == 200
    assert "Meeting room" in pages.text(page)
    assert create_url(alliance) not in pages.links(page)
    assert edit_url(resource) not in pages.links(page)
    assert client.get(create_url(alliance)).status_code == 403
    assert client.post(create_url(alliance), form_data()).status_code == 403
    assert client.get(edit_url(resource)).status_code == 403
    assert client.post(edit_url(resource), form_data(resource, description="x")).status_code == 403
    assert client.get(reverse("registers:resources_csv", args=[alliance.slug])).status_code == 200
    assert Resource.objects.get().description == "Meeting room"


def test_outsiders_cannot_see_resources(client, alliance, olga):
    resource = make_resource(alliance)
    client.force_login(olga)
    assert client.get(resources_url(alliance)).status_code == 404
    assert client.get(edit_url(resource)).status_code == 404
    assert client.get(reverse("registers:resources_csv", args=[alliance.slug])).status_code == 404
    riverside = olga.memberships.get().alliance
    through_own = reverse("registers:resource_edit", args=[riverside.slug, resource.pk])
    assert client.get(through_own).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, alliance):
    resource = make_resource(alliance)
    for url in (resources_url(alliance), create_url(alliance), edit_url(resource)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_resources_page_is_read_only_to_post(client, alliance, mia):
    client.force_login(mia)
    assert client.post(resources_url(alliance)).status_code == 405
    assert client.post(reverse("registers:resources_csv", args=[alliance.slug])).status_code == 405


# Figures, on hand-computed examples


def test_concentration_warns_when_one_partner_brings_more_than_half(alliance):
    a, b, c = (make_partner(alliance, name) for name in ("Ash", "Birch", "Cedar"))
    make_resource(alliance, "R1", brought_by=[a, b])
    make_resource(alliance, "R2", "funding", brought_by=[a])
    make_resource(alliance, "R3", "staff", brought_by=[a])
    concentration = figures.resources(alliance)["concentration"]
    assert concentration["total"] == 4
    assert [(s["partner"], s["count"], s["percent"]) for s in concentration["shares"]] == [
        ("Ash", 3, 75),
        ("Birch", 1, 25),
        ("Cedar", 0, 0),
    ]
    assert concentration["warning"].startswith(
        "Ash brings more than half of everything the alliance's work needs."
    )


def test_an_even_share_gives_no_warning(alliance):
    a, b = make_partner(alliance, "Ash"), make_partner(alliance, "Birch")
    make_resource(alliance, "R1", brought_by=[a, b])
    make_resource(alliance, "R2", brought_by=[a])
    make_resource(alliance, "R3", brought_by=[b])
    concentration = figures.resources(alliance)["concentration"]
    assert [s["percent"] for s in concentration["shares"]] == [50, 50]
    assert concentration["warning"] == ""


def test_shares_follow_the_partners_names_not_their_size(alliance):
    small, big = make_partner(alliance, "Aspen"), make_partner(alliance, "Zelkova")
    make_resource(alliance, "R1", brought_by=[big])
    make_resource(alliance, "R2", brought_by=[big, small])
    shares = figures.resources(alliance)["concentration"]["shares"]
    assert [s["partner"] for s in shares] == ["Aspen", "Zelkova"]


def test_gaps_list_what_nobody_brings(alliance):
    a = make_partner(alliance, "Ash")
    make_resource(alliance, "Translators")
    make_resource(alliance, "Cold storage", "space", brought_by=[a])
    make_resource(alliance, "A grant writer", "skills")
    register = figures.resources(alliance)
    assert register["gaps"] == ["Translators", "A grant writer"]
    assert register["concentration"]["shares"] == [{"partner": "Ash", "count": 1, "percent": 100}]


def test_the_contribution_matrix_counts_each_partners_resources_by_kind(alliance):
    a, b = make_partner(alliance, "Ash"), make_partner(alliance, "Birch")
    make_resource(alliance, "R1", "knowledge", brought_by=[a, b])
    make_resource(alliance, "R2", "knowledge", brought_by=[a])
    make_resource(alliance, "R3", "funding", brought_by=[b])
    register = figures.resources(alliance)
    assert [k["key"] for k in register["kinds"]] == [
        "knowledge",
        "skills",
        "relationships",
        "staff",
        "funding",
        "space",
        "other",
    ]
    assert register["matrix"] == [
        {"partner": "Ash", "counts": [2, 0, 0, 0, 0, 0, 0]},
        {"partner": "Birch", "counts": [1, 0, 0, 0, 1, 0, 0]},
    ]


def test_the_page_shows_the_matrix_the_gaps_and_the_warning_in_words(client, alliance, otto):
    a = make_partner(alliance, "Ash")
    make_partner(alliance, "Birch")
    make_resource(alliance, "Cold storage", "space", brought_by=[a])
    make_resource(alliance, "Drivers", "staff", brought_by=[a])
    make_resource(alliance, "Translators", "skills")
    client.force_login(otto)
    text = pages.text(client.get(resources_url(alliance)))
    assert "The number of resources each partner brings, by kind." in text
    assert "Ash 0 0 0 1 0 1 0" in text
    assert "Birch 0 0 0 0 0 0 0" in text
    assert "1 resource the work needs has no partner to bring it: Translators" in text
    assert "⚠ Ash brings more than half of everything the alliance's work needs." in text
    assert "Ash 2 100% Birch 0 0%" in text
    assert "⚠ nobody brings it yet" in text


def test_a_page_with_no_gap_says_so(client, alliance, mia, kitchen):
    make_resource(alliance, brought_by=[kitchen])
    client.force_login(mia)
    text = pages.text(client.get(resources_url(alliance)))
    assert "No gap: every resource the work needs has at least one partner who brings it." in text


# Export, live updates, the review's snapshot


def test_resources_csv_lists_each_resource_and_who_brings_it(
    client, alliance, mia, kitchen, food_bank
):
    goal = Goal.objects.create(alliance=alliance, statement="Summer meals")
    make_resource(
        alliance,
        "Drivers",
        "staff",
        brought_by=[kitchen, food_bank],
        goal=goal,
        responsible=food_bank,
    )
    make_resource(alliance, "Translators, Spanish", "skills")
    client.force_login(mia)
    response = client.get(reverse("registers:resources_csv", args=[alliance.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="harvest-alliance-resources.csv"'
    )
    assert response.content.startswith(codecs.BOM_UTF8)  # read as UTF-8 by a spreadsheet
    assert response.content.decode("utf-8-sig").splitlines() == [
        "resource,kind,goal,brought by,responsible",
        "Drivers,staff,Summer meals,Community Kitchen; Food Bank,Food Bank",
        '"Translators, Spanish",skills,,,',
    ]


def test_polling_gets_204_until_the_register_changes(client, alliance, mia):
    resource = make_resource(alliance)
    client.force_login(mia)
    htmx = {"HX-Request": "true"}
    first = client.get(resources_url(alliance), headers=htmx)
    assert first.templates[0].name == "registers/_resources.html"
    stamp = first.context["stamp"]
    again = client.get(resources_url(alliance) + f"?stamp={stamp}", headers=htmx)
    assert again.status_code == 204
    resource.description = "Changed"
    resource.save()
    changed = client.get(resources_url(alliance) + f"?stamp={stamp}", headers=htmx)
    assert changed.status_code == 200
    assert "Changed" in changed.content.decode()


def test_every_change_reaches_a_live_meeting(client, alliance, mia, monkeypatch):
    told = []
    monkeypatch.setattr("registers.live.tell_meetings", lambda *args: told.append(args))
    client.force_login(mia)
    client.post(create_url(alliance), form_data())
    resource = Resource.objects.get()
    client.post(edit_url(resource), form_data(resource, description="Changed"))
    assert told == [(alliance, "power", mia), (alliance, "power", mia)]


def test_the_review_keeps_the_register_as_it_stood_when_recorded(client, review, fiona, kitchen):
    resource = make_resource(review.alliance, "Before recording", brought_by=[kitchen])
    records = ComponentRecord.objects.select_related("review__alliance")
    for key in ("purpose", "power"):
        record_component(record=records.get(review=review, component_key=key), author=fiona)
    client.force_login(fiona)
    client.post(edit_url(resource), form_data(resource, description="After recording"))
    assert Resource.objects.get().description == "After recording"
    page = pages.text(
        client.get(reverse("reviews:component", args=[review.alliance.slug, review.pk, "power"]))
    )
    assert "Before recording" in page
    assert "After recording" not in page
    assert "After recording" in pages.text(client.get(resources_url(review.alliance)))


def test_the_component_page_shows_the_live_register_before_recording(client, review, fiona):
    make_resource(review.alliance, "Cold storage")
    record = ComponentRecord.objects.select_related("review__alliance").get(
        review=review, component_key="purpose"
    )
    record_component(record=record, author=fiona)
    client.force_login(fiona)
    response = client.get(
        reverse("reviews:component", args=[review.alliance.slug, review.pk, "power"])
    )
    assert "Cold storage" in pages.text(response)
    assert f'data-live-url="{resources_url(review.alliance)}"' in response.content.decode()


@pytest.mark.parametrize("size", [10, 100])
def test_resources_page_query_count_does_not_grow(
    client, alliance, mia, kitchen, food_bank, size, django_assert_num_queries
):
    goal = Goal.objects.create(alliance=alliance, statement="Summer meals")
    for n in range(size):
        make_resource(
            alliance,
            f"Resource {n}",
            brought_by=[kitchen, food_bank][: n % 3],
            goal=goal,
            responsible=kitchen if n % 3 else None,
        )
    client.force_login(mia)
    # session, user, membership, partners, contributions, resources, the alliance switcher,
    # the live meetings (the banner)
    with django_assert_num_queries(8):
        assert client.get(resources_url(alliance)).status_code == 200


def test_the_meetings_read_only_register_has_no_links(alliance):
    from django.template.loader import render_to_string

    make_resource(alliance, "Drivers", brought_by=[make_partner(alliance, "Ash")])
    register = figures.resources(alliance)
    html = render_to_string(
        "registers/_resources.html", {"register": register, "readonly": True, "stamp": "s"}
    )
    assert "Drivers" in html
    assert "href" not in html
