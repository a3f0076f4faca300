"""Interdependence as a network (issue 19): density, centralization, ties both partners
confirm, each partner's ties and what its leaving would break, on hand-computed networks;
how partners work together on a tie; the figures on the register, kept by a review and
compared between two."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from history.models import Revision
from registers import figures
from registers.models import Alignment, Dependency
from registers.network import centralization, measures
from reviews.models import ComponentRecord
from tests.factories import make_dependency, make_goal, make_partner, make_review
from tests.pages import text
from tests.reporting import finish

pytestmark = pytest.mark.usefixtures("fast_passwords")

A, B, C, D = (
    {"id": 1, "name": "A"},
    {"id": 2, "name": "B"},
    {"id": 3, "name": "C"},
    {"id": 4, "name": "D"},
)


def tie(dependent, provider, *, by_dependent=False, by_provider=False):
    return {
        "dependent_id": dependent["id"],
        "provider_id": provider["id"],
        "dependent_confirmed": by_dependent,
        "provider_confirmed": by_provider,
    }


# The measures, on networks computed by hand


def test_an_empty_network_has_nothing_to_measure():
    figures_ = measures([A, B, C, D], [], [])

    assert figures_["ties"] == 0
    assert figures_["possible"] == 12
    assert figures_["density"] == 0
    assert figures_["centralization"] is None
    assert figures_["reciprocity"] is None
    assert figures_["answered"] == 0
    assert [(p["name"], p["out"], p["in"]) for p in figures_["each"]] == [
        ("A", 0, 0),
        ("B", 0, 0),
        ("C", 0, 0),
        ("D", 0, 0),
    ]


def test_a_star_hangs_entirely_on_its_centre():
    # A, C and D each depend on B: 3 of the 12 possible ties, all through B.
    figures_ = measures([A, B, C, D], [tie(A, B), tie(C, B), tie(D, B)], [])

    assert figures_["ties"] == 3
    assert figures_["density"] == 25
    assert figures_["centralization"] == 100
    each = {p["name"]: (p["out"], p["in"]) for p in figures_["each"]}
    assert each == {"A": (1, 0), "B": (0, 3), "C": (1, 0), "D": (1, 0)}


def test_a_complete_network_is_dense_and_centred_on_no_one():
    partners = [A, B, C]
    rows = [tie(x, y) for x in partners for y in partners if x != y]

    figures_ = measures(partners, rows, [])

    assert figures_["ties"] == 6
    assert figures_["density"] == 100
    assert figures_["centralization"] == 0


def test_a_line_is_between_a_star_and_a_complete_network():
    # A → B → C → D: degrees 1, 2, 2, 1; Freeman: ((2-1) + 0 + 0 + (2-1)) / (3 × 2) = 1/3.
    figures_ = measures([A, B, C, D], [tie(A, B), tie(B, C), tie(C, D)], [])

    assert figures_["centralization"] == 33
    assert centralization([1, 2, 2, 1]) == 33
    assert centralization([1, 1]) is None  # two partners: it means nothing


def test_several_dependencies_between_the_same_two_partners_are_one_tie():
    figures_ = measures([A, B], [tie(A, B), tie(A, B), tie(B, A)], [])

    assert figures_["ties"] == 2
    assert figures_["density"] == 100


def test_one_sided_ties_count_apart_from_those_both_partners_confirm():
    rows = [
        tie(A, B, by_dependent=True),  # only A says so
        tie(B, C, by_dependent=True, by_provider=True),  # both say so
        tie(C, A),  # nobody confirmed it
        tie(D, B, by_provider=True),  # only B says so
    ]

    figures_ = measures([A, B, C, D], rows, [])

    assert figures_["ties"] == 4
    assert figures_["confirmed"] == 1
    assert figures_["reciprocity"] == 25
    # A, B and C have confirmed a side of a tie; D has not said anything.
    assert figures_["answered"] == 3


def test_a_partner_who_leaves_takes_its_ties_and_essential_goals_with_it():
    goals = [
        {"statement": "Summer meals", "essential_ids": [2, 3]},
        {"statement": "One intake form", "essential_ids": [1]},
        {"statement": "A shared truck", "essential_ids": [2]},
    ]
    rows = [tie(A, B), tie(C, B), tie(C, D)]

    each = {p["name"]: p["leaving"] for p in measures([A, B, C, D], rows, goals)["each"]}

    assert each["B"] == {
        "goals": ["Summer meals", "A shared truck"],
        "ties": ["A → B", "C → B"],
        "alone": ["A"],  # C keeps its tie with D
    }
    assert each["D"] == {"goals": [], "ties": ["C → D"], "alone": []}
    assert each["A"] == {"goals": ["One intake form"], "ties": ["A → B"], "alone": []}


# How partners work together, and who confirms a tie


@pytest.fixture
def kitchen_needs_food_bank(alliance, kitchen, food_bank):
    return make_dependency(alliance, kitchen, food_bank, "cold storage")


@pytest.fixture
def meals(alliance, carol):
    return make_goal(alliance, "Every child can reach a free summer meal", author=carol)


def words(markup: str) -> str:
    """A part of a page as one line of words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def url(name, *args):
    return reverse(f"registers:{name}", args=["harvest-alliance", *args])


def test_adding_a_dependency_confirms_the_adders_side(
    client, alliance, mia, kitchen, food_bank, meals
):
    client.force_login(mia)  # a member for the kitchen

    response = client.post(
        url("dependency_create"),
        {
            "dependent": kitchen.pk,
            "provider": food_bank.pk,
            "what": "cold storage",
            "strength": "coordinating",
            "goal": meals.pk,
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    dependency = Dependency.objects.get()
    assert (dependency.strength, dependency.dependent_confirmed, dependency.provider_confirmed) == (
        "coordinating",
        True,
        False,
    )


def test_the_other_partner_confirms_its_side_and_it_is_in_the_history(
    client, alliance, carol, mia, kitchen_needs_food_bank
):
    client.force_login(carol)  # coordinates for the food bank, the side depended on
    response = client.post(url("dependency_confirm", kitchen_needs_food_bank.pk, "provider"))

    assert response.status_code == 302
    kitchen_needs_food_bank.refresh_from_db()
    assert kitchen_needs_food_bank.provider_confirmed
    assert not kitchen_needs_food_bank.dependent_confirmed
    revision = Revision.objects.filter(object_id=kitchen_needs_food_bank.pk).latest("pk")
    assert revision.author == carol
    assert "provider_confirmed" in revision.changes


def test_a_member_confirms_only_their_own_partners_side(
    client, alliance, mia, kitchen_needs_food_bank
):
    client.force_login(mia)  # the kitchen's member may not speak for the food bank

    refused = client.post(url("dependency_confirm", kitchen_needs_food_bank.pk, "provider"))
    allowed = client.post(url("dependency_confirm", kitchen_needs_food_bank.pk, "dependent"))

    assert refused.status_code == 403
    assert allowed.status_code == 302
    kitchen_needs_food_bank.refresh_from_db()
    assert (
        kitchen_needs_food_bank.dependent_confirmed,
        kitchen_needs_food_bank.provider_confirmed,
    ) == (
        True,
        False,
    )


def test_a_side_whose_partner_changed_since_the_page_was_drawn_is_not_confirmed(
    client, alliance, carol, fiona, food_bank, kitchen_needs_food_bank
):
    pantry = make_partner(alliance, "Pantry Network")
    client.force_login(carol)  # who may answer for any partner
    page = client.get(url("dependencies")).content.decode()
    assert f'name="partner" value="{food_bank.pk}"' in page
    # Meanwhile Fiona writes that the kitchen depends on the pantry instead.
    Dependency.objects.filter(pk=kitchen_needs_food_bank.pk).update(provider=pantry)

    response = client.post(
        url("dependency_confirm", kitchen_needs_food_bank.pk, "provider"),
        {"partner": food_bank.pk},
        follow=True,
    )

    assert "This dependency changed since the page was shown" in words(response.content.decode())
    kitchen_needs_food_bank.refresh_from_db()
    assert not kitchen_needs_food_bank.provider_confirmed


def test_an_unknown_side_is_not_found(client, alliance, carol, kitchen_needs_food_bank):
    client.force_login(carol)
    response = client.post(url("dependency_confirm", kitchen_needs_food_bank.pk, "both"))
    assert response.status_code == 404


def test_changing_who_is_depended_on_clears_that_sides_confirmation(
    client, alliance, carol, fiona, kitchen, food_bank, kitchen_needs_food_bank, meals
):
    pantry = make_partner(alliance, "Pantry Network")
    client.force_login(carol)
    client.post(url("dependency_confirm", kitchen_needs_food_bank.pk, "provider"))
    client.post(url("dependency_confirm", kitchen_needs_food_bank.pk, "dependent"))
    kitchen_needs_food_bank.refresh_from_db()
    client.force_login(fiona)

    response = client.post(
        url("dependency_edit", kitchen_needs_food_bank.pk),
        {
            "dependent": kitchen.pk,
            "provider": pantry.pk,
            "what": "cold storage",
            "strength": "",
            "goal": meals.pk,
            "base_version": str(kitchen_needs_food_bank.version),
        },
    )

    assert response.status_code == 302
    kitchen_needs_food_bank.refresh_from_db()
    assert kitchen_needs_food_bank.provider_id == pantry.pk
    assert (
        kitchen_needs_food_bank.dependent_confirmed,
        kitchen_needs_food_bank.provider_confirmed,
    ) == (
        True,
        False,
    )


# On the register's page


def test_the_register_says_what_the_network_says_in_words(
    client, alliance, carol, mia, kitchen, food_bank, meals
):
    pantry = make_partner(alliance, "Pantry Network")
    Alignment.objects.create(goal=meals, partner=food_bank, essential=True)
    make_dependency(alliance, kitchen, food_bank, "cold storage")
    make_dependency(alliance, pantry, food_bank, "deliveries")
    Dependency.objects.filter(what="cold storage").update(
        strength="integrated", dependent_confirmed=True, provider_confirmed=True
    )
    client.force_login(mia)

    response = client.get(url("dependencies"))

    said = text(response)
    # 3 partners, so 6 possible ties; 2 exist, both to the food bank: a star.
    assert (
        "33 %: 2 of the 6 ties there could be (each partner depending on each other one) exist."
        in said
    )
    assert "100 %: how much the network hangs on one partner." in said
    assert "50 %: 1 of the 2 ties are confirmed by both of their partners." in said
    assert "2 of 3 partners have confirmed their side of a tie." in said
    assert "How they work together: integrated." in said
    assert "How they work together: not said yet." in said
    assert "Confirmed by both Community Kitchen and Food Bank." in said
    assert "Not confirmed by Pantry Network yet. Not confirmed by Food Bank yet." in said
    table = re.search(
        r'<table class="network__partners">.*?</table>', response.content.decode(), re.S
    )
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>.*?</tr>", table.group(), re.S)[1:]
    ]
    assert rows == [  # in name order, never ranked
        "Community Kitchen 1 partner 0 partners 1 tie would break: Community Kitchen → Food Bank.",
        "Food Bank 0 partners 2 partners "
        f"A goal would lose an essential partner: {meals.statement}. "
        "2 ties would break: Community Kitchen → Food Bank; Pantry Network → Food Bank. "
        "Left with no tie: Community Kitchen, Pantry Network.",
        "Pantry Network 1 partner 0 partners 1 tie would break: Pantry Network → Food Bank.",
    ]
    # Mia, for the kitchen, may confirm nothing left on her side; the food bank's are not hers.
    assert "Confirm for" not in said


def test_the_lines_show_how_partners_work_together_by_pattern_and_width(
    client, alliance, mia, kitchen, food_bank
):
    make_dependency(alliance, kitchen, food_bank, "cold storage")
    make_dependency(alliance, food_bank, kitchen, "cooking")
    Dependency.objects.filter(what="cold storage").update(strength="aware")
    Dependency.objects.filter(what="cooking").update(strength="integrated")
    client.force_login(mia)

    content = client.get(url("dependencies")).content.decode()

    picture = re.search(r'<g class="network__edges".*?</g>', content, re.S).group()
    lines = re.findall(r"<line [^>]*>", picture)
    assert 'stroke-dasharray="2 4"' in lines[0] and 'stroke-width="2"' in lines[0]
    assert "stroke-dasharray" not in lines[1] and 'stroke-width="6"' in lines[1]
    legend = words(content.split('class="network__legend"')[1].split("</ul>")[0])
    for label in (
        "Aware of each other",
        "Cooperating",
        "Coordinating",
        "Integrated",
        "Not said yet",
    ):
        assert label in legend


@pytest.mark.parametrize("size", [10, 100])
def test_the_register_page_query_count_does_not_grow_with_dependencies(
    client, alliance, mia, kitchen, food_bank, size, django_assert_num_queries
):
    partners = [kitchen, food_bank, *(make_partner(alliance, f"Partner {n}") for n in range(8))]
    for n in range(size):
        provider = partners[(n + 1 + (n // 10) % 9) % 10]
        make_dependency(alliance, partners[n % 10], provider, f"thing {n}")
    client.force_login(mia)
    client.get(url("dependencies"))

    with django_assert_num_queries(DEPENDENCIES_PAGE_QUERIES):
        assert client.get(url("dependencies")).status_code == 200


# session, user, membership, alliance switcher, live meetings; the review chosen (reviews);
# partners, dependencies, essential partners, goals, impact answers
DEPENDENCIES_PAGE_QUERIES = 10


# Kept by a review, and compared between two


def test_a_review_keeps_the_networks_figures_and_the_comparison_shows_the_change(
    client, alliance, carol, fiona, review, kitchen, food_bank
):
    pantry = make_partner(alliance, "Pantry Network")
    make_dependency(alliance, kitchen, food_bank, "cold storage")
    make_dependency(alliance, pantry, food_bank, "deliveries")
    finish(review, fiona)  # records every component, in order
    record = ComponentRecord.objects.get(review=review, component_key="interdependence")
    assert record.snapshot["measures"]["ties"] == 2
    assert record.snapshot["measures"]["density"] == 33

    Dependency.objects.filter(what="deliveries").delete()
    make_dependency(alliance, food_bank, kitchen, "cooking")
    make_dependency(alliance, kitchen, pantry, "volunteers")
    later = make_review(alliance, carol, "Autumn 2027 review")
    client.force_login(carol)

    response = client.get(
        reverse("reviews:compare", args=[alliance.slug]),
        {"before": review.pk, "after": later.pk},
    )

    section = words(
        response.content.decode().split('<h2 id="network-title">')[1].split("</section>")[0]
    )
    assert "Ties 2 3" in section
    assert "Density 33 % 50 %" in section
    assert "Ties added Community Kitchen → Pantry Network Food Bank → Community Kitchen" in section
    assert "Ties lost Pantry Network → Food Bank" in section
    # What the review kept is what it shows, whatever happened to the register since.
    assert figures.register_for(record)["measures"]["ties"] == 2


def test_a_meeting_discussing_interdependence_shows_the_networks_figures(
    client, alliance, review, fiona, mia, kitchen, food_bank
):
    from meetings import live
    from meetings import services as meetings
    from meetings.models import Phase
    from reviews.services import open_component

    make_dependency(alliance, kitchen, food_bank, "cold storage")
    open_component(
        record=ComponentRecord.objects.get(review=review, component_key="interdependence"),
        author=fiona,
        reason="The partners asked to start with who depends on whom.",
    )
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["interdependence"],
        author=fiona,
        starts_at=timezone.now(),
        place="Town hall",
        facilitator=fiona,
    )
    meetings.start(meeting=meeting, actor=fiona)
    while live.load(meeting.pk).current.kind != Phase.Kind.DISCUSS:
        meetings.advance(meeting=live.load(meeting.pk), actor=fiona, confirmed=True)
    client.force_login(mia)

    page = text(client.get(reverse("meetings:detail", args=[alliance.slug, meeting.pk])))

    assert "What the network says" in page
    assert "1 of 3 partners" not in page  # two partners here
    assert "50 %: 1 of the 2 ties there could be" in page


def test_a_kept_network_missing_its_parts_compares_as_empty(
    client, alliance, carol, fiona, review, kitchen, food_bank
):
    """A snapshot imported from a document may lack its partners or its dependencies: the
    comparison counts them as none rather than failing."""
    finish(review, fiona)
    record = ComponentRecord.objects.get(review=review, component_key="interdependence")
    record.snapshot = {"tool": "dependencies"}
    record.save()
    make_dependency(alliance, kitchen, food_bank, "cold storage")
    later = make_review(alliance, carol, "Autumn 2027 review")
    client.force_login(carol)

    response = client.get(
        reverse("reviews:compare", args=[alliance.slug]),
        {"before": review.pk, "after": later.pk},
    )

    assert response.status_code == 200
    section = words(
        response.content.decode().split('<h2 id="network-title">')[1].split("</section>")[0]
    )
    assert "Ties 0 1" in section
