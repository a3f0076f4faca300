"""Shared indicators of progress: defining an indicator, entering and correcting its values,
and seeing its progress on its page and in the overview."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from history.models import Revision
from indicators import figures, values
from indicators.models import Breakdown, Indicator
from registers.models import Goal
from registers.views import common
from tests import pages
from tests.factories import add_values, make_indicator, make_partner

pytestmark = pytest.mark.usefixtures("fast_passwords")

TODAY = datetime.date.today()


def url(name, indicator, *more):
    return reverse(f"indicators:{name}", args=[indicator.alliance.slug, indicator.pk, *more])


def overview_url(alliance):
    return reverse("indicators:overview", args=[alliance.slug])


def create_url(alliance):
    return reverse("indicators:create", args=[alliance.slug])


def form_data(indicator=None, **changes):
    """What the indicator form posts, as it was loaded, with changes."""
    data = {"name": "Meals served", "direction": "up", "frequency": "monthly"}
    if indicator:
        data = {
            "name": indicator.name,
            "definition": indicator.definition,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "frequency": indicator.frequency,
            "goals": [g.pk for g in indicator.goals.all()],
            "baseline_value": indicator.baseline_value or "",
            "baseline_date": indicator.baseline_date or "",
            "target_value": indicator.target_value or "",
            "target_date": indicator.target_date or "",
            "breakdowns": "\n".join(b.name for b in indicator.breakdowns.all()),
            "base_version": indicator.version,
        }
    return {**data, **changes}


@pytest.fixture
def meals(alliance):
    return make_indicator(
        alliance,
        unit="children",
        baseline_value=Decimal(100),
        baseline_date=datetime.date(2027, 1, 1),
        target_value=Decimal(200),
        target_date=datetime.date(2029, 9, 27),
    )


# Defining an indicator


def test_a_member_defines_an_indicator_with_goals_and_breakdowns(client, alliance, mia, kitchen):
    goal = Goal.objects.create(alliance=alliance, statement="No child hungry in summer")
    client.force_login(mia)
    response = client.post(
        create_url(alliance),
        {
            "name": "Children eating at a summer meal site",
            "definition": "Children under 18 served a meal, counted at each site.",
            "source": "Site sign-in sheets",
            "unit": "children",
            "direction": "up",
            "goals": [goal.pk],
            "baseline_value": "1200",
            "baseline_date": "2027-01-01",
            "target_value": "2000",
            "target_date": "2028-09-30",
            "frequency": "monthly",
            "responsible": kitchen.pk,
            "breakdown_label": "county",
            "breakdowns": "North\n  South  \n\nEast",
        },
    )
    indicator = Indicator.objects.get()
    assert response.status_code == 302
    assert response.url == url("indicator", indicator)
    assert list(indicator.goals.all()) == [goal]
    assert [(b.name, b.position) for b in indicator.breakdowns.all()] == [
        ("North", 0),
        ("South", 1),
        ("East", 2),
    ]
    assert (indicator.created_by, indicator.responsible) == (mia, kitchen)
    revision = Revision.objects.for_object(indicator).get()
    assert revision.changes["goals"]["new"] == "No child hungry in summer"
    assert revision.changes["breakdowns"]["new"] == "North\nSouth\nEast"
    assert revision.changes["baseline_value"]["new"] == "1200"


def test_the_indicator_form_explains_each_problem_and_keeps_what_was_typed(client, alliance, mia):
    client.force_login(mia)
    response = client.post(
        create_url(alliance),
        {
            "name": "",
            "direction": "up",
            "frequency": "monthly",
            "baseline_value": "12O0",
            "target_value": "2000",
            "target_date": "2027-13-01",
            "breakdowns": "North\nnorth",
        },
    )
    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["name"].errors == ["Give the indicator a name."]
    assert fields["baseline_value"].errors == ["Enter a number, for example 45 or 1200.50."]
    assert fields["baseline_value"].value == "12O0"
    assert fields["target_date"].errors == [
        "Enter the date as year-month-day, for example 2027-09-30."
    ]
    assert fields["target_value"].value == "2000"
    assert fields["breakdowns"].errors == ["“north” is listed twice."]
    assert fields["breakdowns"].value == "North\nnorth"
    assert not Indicator.objects.exists()


def test_a_baseline_needs_both_its_value_and_its_date(client, alliance, mia):
    client.force_login(mia)
    response = client.post(
        create_url(alliance),
        form_data(baseline_value="100", target_date="2028-01-01"),
    )
    fields = pages.form_fields(response)
    assert fields["baseline_date"].errors == [
        "Give the date of the baseline too, or leave both empty."
    ]
    assert fields["target_value"].errors == ["Give the target value too, or leave both empty."]


def test_the_target_date_comes_after_the_baseline_date(client, alliance, mia):
    client.force_login(mia)
    response = client.post(
        create_url(alliance),
        form_data(
            baseline_value="100",
            baseline_date="2027-06-01",
            target_value="200",
            target_date="2027-06-01",
        ),
    )
    assert pages.form_fields(response)["target_date"].errors == [
        "The target date must come after the baseline date."
    ]


def test_goals_and_partners_of_another_alliance_are_refused(client, alliance, mia, olga):
    from alliances.models import Alliance

    riverside = Alliance.objects.get(slug="riverside-alliance")
    goal = Goal.objects.create(alliance=riverside, statement="Homes for all")
    partner = make_partner(riverside, "Riverside Housing")
    client.force_login(mia)
    response = client.post(create_url(alliance), form_data(goals=[goal.pk], responsible=partner.pk))
    fields = pages.form_fields(response)
    assert response.context["form"].errors["goals"] == [
        f"Select a valid choice. {goal.pk} is not one of the available choices."
    ]
    assert fields["responsible"].errors == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


def test_editing_adds_and_removes_breakdowns_without_values(client, alliance, mia):
    indicator = make_indicator(alliance)
    Breakdown.objects.create(indicator=indicator, name="North", position=0)
    Breakdown.objects.create(indicator=indicator, name="South", position=1)
    client.force_login(mia)
    response = client.post(url("edit", indicator), form_data(indicator, breakdowns="West\nNorth"))
    assert response.status_code == 302
    assert [b.name for b in indicator.breakdowns.all()] == ["West", "North"]
    indicator.refresh_from_db()
    assert indicator.version == 2
    change = Revision.objects.for_object(indicator).first().changes["breakdowns"]
    assert (change["old"], change["new"]) == ("North\nSouth", "West\nNorth")


def test_a_breakdown_with_values_cannot_be_removed(client, alliance, mia):
    indicator = make_indicator(alliance)
    north = Breakdown.objects.create(indicator=indicator, name="North")
    add_values(
        indicator, (datetime.date(2027, 1, 31), 5), (datetime.date(2027, 2, 28), 6), breakdown=north
    )
    client.force_login(mia)
    response = client.post(url("edit", indicator), form_data(indicator, breakdowns="South"))
    assert response.status_code == 200
    field = pages.form_fields(response)["breakdowns"]
    assert field.errors == [
        "“North” has 2 values, so it cannot be removed: keep its name in the list."
    ]
    assert field.value == "South"
    assert [b.name for b in indicator.breakdowns.all()] == ["North"]


def test_two_editors_of_an_indicator_see_a_conflict(client, alliance, mia, carol):
    indicator = make_indicator(alliance, name="Old name")
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(indicator)
    assert client.post(url("edit", indicator), {**loaded, "name": "Mia's"}).status_code == 302
    response = other.post(url("edit", indicator), {**loaded, "name": "Carol's"})
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("name", "Mia's", "Carol's")
    ]
    assert "Someone else saved this while you were editing" in pages.text(response)
    indicator.refresh_from_db()
    assert indicator.name == "Mia's"


def test_breakdowns_and_goals_added_meanwhile_by_someone_else_are_kept(
    client, alliance, mia, carol
):
    first = Goal.objects.create(alliance=alliance, statement="First")
    second = Goal.objects.create(alliance=alliance, statement="Second")
    indicator = make_indicator(alliance)
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = form_data(indicator)
    assert (
        client.post(
            url("edit", indicator), {**loaded, "breakdowns": "North", "goals": [first.pk]}
        ).status_code
        == 302
    )
    response = other.post(
        url("edit", indicator), {**loaded, "breakdowns": "South", "goals": [second.pk]}
    )
    assert response.status_code == 302
    assert [b.name for b in indicator.breakdowns.all()] == ["South", "North"]
    assert set(indicator.goals.all()) == {first, second}
    indicator.refresh_from_db()
    assert indicator.version == 3


# Values


def test_a_member_adds_a_value_through_the_one_way_values_are_added(client, meals, mia):
    client.force_login(mia)
    response = client.post(
        url("value_add", meals), {"date": "2027-03-31", "value": "1 250.5", "note": "All sites"}
    )
    assert response.status_code == 302
    assert response.url == url("indicator", meals)
    value = meals.values.get()
    assert (value.date, value.value, value.note, value.reported_by, value.origin) == (
        datetime.date(2027, 3, 31),
        Decimal("1250.5000"),
        "All sites",
        mia,
        "form",
    )
    assert Revision.objects.for_object(value).get().author == mia


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"date": "", "value": "12"}, "date"),
        ({"date": "31/03/2027", "value": "12"}, "date"),
        ({"date": "2027-03-31", "value": ""}, "value"),
        ({"date": "2027-03-31", "value": "twelve"}, "value"),
        ({"date": "2027-03-31", "value": "1e20"}, "value"),
        ({"date": "2027-03-31", "value": "12", "note": "x" * 301}, "note"),
    ],
)
def test_a_value_form_says_what_an_import_says(client, meals, mia, typed, field):
    expected = values.Checker(meals).check(typed).errors[field]
    client.force_login(mia)
    response = client.post(url("value_add", meals), typed)
    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields[field].errors == [expected]
    assert (fields["value"].value or "") == typed["value"]
    assert not meals.values.exists()


def test_a_second_value_on_the_same_date_is_refused(client, meals, mia):
    add_values(meals, (datetime.date(2027, 3, 31), 10))
    client.force_login(mia)
    response = client.post(url("value_add", meals), {"date": "2027-03-31", "value": "11"})
    assert pages.form_fields(response)["date"].errors == [
        "There is already a value on 2027-03-31; correct that one instead."
    ]
    assert meals.values.count() == 1


def test_a_value_before_the_baseline_is_kept_and_flagged(client, meals, mia):
    client.force_login(mia)
    response = client.post(
        url("value_add", meals), {"date": "2026-12-31", "value": "90"}, follow=True
    )
    assert pages.messages(response) == [
        "The value is added.",
        "Before the baseline date (2027-01-01).",
    ]
    assert meals.values.get().value == Decimal(90)
    assert "⚠ before the baseline" in pages.text(response)


def test_a_value_of_a_breakdown_is_chosen_from_its_breakdowns(client, alliance, mia):
    indicator = make_indicator(alliance, breakdown_label="county")
    north = Breakdown.objects.create(indicator=indicator, name="North")
    client.force_login(mia)
    page = client.get(url("value_add", indicator))
    assert "The whole, or one county." in pages.text(page)
    response = client.post(
        url("value_add", indicator), {"date": "2027-03-31", "value": "7", "breakdown": "North"}
    )
    assert response.status_code == 302
    assert indicator.values.get().breakdown == north
    refused = client.post(
        url("value_add", indicator), {"date": "2027-03-31", "value": "7", "breakdown": "South"}
    )
    assert pages.form_fields(refused)["breakdown"].errors == [
        "Select a valid choice. South is not one of the available choices."
    ]


def test_a_correction_keeps_the_value_before_in_its_history(client, meals, mia, carol):
    (value,) = add_values(meals, (datetime.date(2027, 3, 31), 10))
    client.force_login(carol)
    page = client.get(url("value_edit", meals, value.pk))
    assert pages.form_fields(page)["value"].value == "10"
    response = client.post(
        url("value_edit", meals, value.pk),
        {"date": "2027-03-31", "value": "12", "note": "Recounted", "base_version": "1"},
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.value, value.note, value.version) == (Decimal(12), "Recounted", 2)
    revision = Revision.objects.for_object(value).first()
    assert revision.author == carol
    assert revision.changes["value"]["old"] == "10.0000"
    assert revision.changes["value"]["new"] == "12.0000"
    history = client.get(
        reverse("alliances:history", args=[meals.alliance.slug, "indicators.value", value.pk])
    )
    assert "Before: 10.0000" in pages.text(history)


def test_a_correction_to_a_date_already_taken_is_refused(client, meals, mia):
    first, _second = add_values(
        meals, (datetime.date(2027, 3, 31), 10), (datetime.date(2027, 4, 30), 11)
    )
    client.force_login(mia)
    response = client.post(
        url("value_edit", meals, first.pk),
        {"date": "2027-04-30", "value": "10", "base_version": "1"},
    )
    assert pages.form_fields(response)["date"].errors == [
        "There is already a value on 2027-04-30; correct that one instead."
    ]
    # Its own date is not "taken".
    same = client.post(
        url("value_edit", meals, first.pk),
        {"date": "2027-03-31", "value": "9", "base_version": "1"},
    )
    assert same.status_code == 302


def test_two_people_correcting_a_value_see_a_conflict(client, meals, mia, carol):
    (value,) = add_values(meals, (datetime.date(2027, 3, 31), 10))
    other = Client()
    client.force_login(mia)
    other.force_login(carol)
    loaded = {"date": "2027-03-31", "value": "10", "note": "", "base_version": "1"}
    assert (
        client.post(url("value_edit", meals, value.pk), {**loaded, "value": "11"}).status_code
        == 302
    )
    response = other.post(url("value_edit", meals, value.pk), {**loaded, "value": "12"})
    assert response.status_code == 200
    assert [(f.label, f.theirs, f.yours) for f in response.context["conflict"].fields] == [
        ("value", "11.0000", "12.0000")
    ]
    value.refresh_from_db()
    assert value.value == Decimal(11)


def test_a_value_of_another_indicator_is_not_found(client, alliance, meals, mia):
    other = make_indicator(alliance, name="Other")
    (value,) = add_values(other, (datetime.date(2027, 3, 31), 10))
    client.force_login(mia)
    assert client.get(url("value_edit", meals, value.pk)).status_code == 404


def test_an_indicator_of_another_alliance_is_not_found(client, alliance, carol, olga):
    from alliances.models import Alliance

    theirs = make_indicator(Alliance.objects.get(slug="riverside-alliance"), name="Homes")
    client.force_login(carol)
    for name in ("indicator", "edit", "value_add"):
        path = reverse(f"indicators:{name}", args=[alliance.slug, theirs.pk])
        assert client.get(path).status_code == 404
        assert client.post(path, form_data(theirs)).status_code == 404 or name == "indicator"
    theirs.refresh_from_db()
    assert theirs.name == "Homes"


def test_observers_read_indicators_but_cannot_change_them(client, meals, otto):
    client.force_login(otto)
    page = client.get(url("indicator", meals))
    assert page.status_code == 200
    assert url("value_add", meals) not in pages.links(page)
    assert client.get(url("value_add", meals)).status_code == 403


# Seeing progress


def test_the_indicator_page_shows_status_changes_chart_and_the_rule(client, meals, otto):
    add_values(
        meals,
        (datetime.date(2027, 1, 1), 100),
        (datetime.date(2027, 4, 11), 110),
        (datetime.date(2027, 7, 20), 120),
        (datetime.date(2027, 10, 28), 130),
    )
    client.force_login(otto)
    response = client.get(url("indicator", meals))
    text = pages.text(response)
    register = response.context["register"]
    if meals.target_date >= TODAY:
        assert register["status"]["key"] == "on_track"
    assert "Up 30 since the baseline — the better way" in text
    assert "Up 10 since the previous value — the better way" in text
    assert "a straight line is drawn through the last 6 values" in text
    assert "Latest value: 130 children on" in text
    html = response.content.decode()
    assert 'role="img"' in html and "Baseline 100 (2027-01-01)" in html
    assert "Target 200 by 2029-09-27" in html
    assert len(register["chart"]["lines"][0]["markers"]) == 4
    json.dumps(register)


def test_the_values_table_pages_newest_first(client, meals, otto):
    add_values(
        meals, *[(datetime.date(2027, 1, 1) + datetime.timedelta(days=n), n) for n in range(120)]
    )
    client.force_login(otto)
    first = client.get(url("indicator", meals)).context["register"]["table"]
    assert (first["count"], first["pages"], len(first["rows"])) == (120, 3, 50)
    assert first["rows"][0]["date"] == "2027-04-30"
    last = client.get(url("indicator", meals) + "?page=3").context["register"]["table"]
    assert len(last["rows"]) == 20 and last["rows"][-1]["date"] == "2027-01-01"
    odd = client.get(url("indicator", meals) + "?page=nonsense")
    assert odd.context["register"]["table"]["page"] == 1


def test_a_poll_gets_nothing_new_when_nothing_changed(client, meals, otto):
    client.force_login(otto)
    page = client.get(url("indicator", meals))
    stamp = page.context["stamp"]
    poll = client.get(url("indicator", meals), {"stamp": stamp}, headers={"HX-Request": "true"})
    assert poll.status_code == 204
    add_values(meals, (datetime.date(2027, 2, 1), 5))
    changed = client.get(url("indicator", meals), {"stamp": stamp}, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert b"<html" not in changed.content


def test_the_overview_groups_indicators_by_goal(alliance):
    first = Goal.objects.create(alliance=alliance, statement="First goal")
    second = Goal.objects.create(alliance=alliance, statement="Second goal")
    both = make_indicator(alliance, name="Both", goals=[first, second])
    make_indicator(alliance, name="Loose")
    make_indicator(alliance, name="Only second", goals=[second])
    add_values(both, (datetime.date(2027, 1, 1), 1), (datetime.date(2027, 2, 1), 3))
    register = figures.overview(alliance)
    assert [(g["name"], [i["name"] for i in g["indicators"]]) for g in register["groups"]] == [
        ("First goal", ["Both"]),
        ("Second goal", ["Both", "Only second"]),
        ("Not tied to a goal", ["Loose"]),
    ]
    json.dumps(register)  # plain data only: it is hashed for polls and kept in snapshots
    item = register["groups"][0]["indicators"][0]
    assert (item["latest"], item["status"]["key"]) == ("3", "no_data")
    assert item["sparkline"]["points"].count(",") == 2


def test_the_overview_page_shows_each_indicator(client, meals, otto):
    client.force_login(otto)
    response = client.get(overview_url(meals.alliance))
    text = pages.text(response)
    assert "Not tied to a goal" in text
    assert "Children eating at a summer meal site" in text
    assert "Not enough data" in text


# Query counts: fixed however many indicators or values there are.

# session, user, membership, the alliance's latest revision and its live meetings (the
# cache's key; the banner reuses them), the alliance switcher; indicators, their goals,
# recent values
OVERVIEW_QUERIES = 9
# + the indicator; its breakdowns, goals, all values (3 columns), a page's count and rows
INDICATOR_QUERIES = 12
# Once the register is cached, until something changes: the frame without the register.
REGION_CACHED_QUERIES = 6
# Once this person's whole page is cached too: the access check, the latest revision and
# the live meetings (a meeting starting changes no revision, and the banner must show).
PAGE_CACHED_QUERIES = 5


@pytest.mark.parametrize("count", [5, 50])
def test_overview_query_count_is_fixed(client, alliance, otto, count, django_assert_num_queries):
    goals = [Goal.objects.create(alliance=alliance, statement=f"Goal {n}") for n in range(3)]
    for n in range(count):
        indicator = make_indicator(
            alliance,
            name=f"Indicator {n}",
            goals=goals[: n % 3],
            target_value=Decimal(100),
            target_date=datetime.date(2030, 1, 1),
        )
        add_values(indicator, *[(datetime.date(2027, m, 1), m * n) for m in range(1, 13)])
    client.force_login(otto)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(overview_url(alliance))
    assert response.status_code == 200
    assert response.context["register"]["count"] == count
    # The first page gave the browser its CSRF cookie: from now on the page is kept whole.
    with django_assert_num_queries(REGION_CACHED_QUERIES):
        again = client.get(overview_url(alliance))
    assert again.context["region"] == response.context["region"]
    with django_assert_num_queries(PAGE_CACHED_QUERIES):
        third = client.get(overview_url(alliance))
    assert third.content == again.content


@pytest.mark.parametrize("count", [10, 10_000])
def test_indicator_page_query_count_is_fixed(client, meals, otto, count, django_assert_num_queries):
    start = datetime.date(2000, 1, 1)
    add_values(meals, *[(start + datetime.timedelta(days=n), n % 365) for n in range(count)])
    client.force_login(otto)
    with django_assert_num_queries(INDICATOR_QUERIES):
        response = client.get(url("indicator", meals))
    assert response.status_code == 200
    register = response.context["register"]
    assert len(register["chart"]["lines"][0]["points"].split()) <= figures.CHART_POINTS
    assert len(register["table"]["rows"]) == min(count, figures.PAGE_SIZE)
    with django_assert_num_queries(REGION_CACHED_QUERIES + 1):  # + the indicator, for access
        again = client.get(url("indicator", meals))
    assert again.context["region"] == response.context["region"]
    with django_assert_num_queries(PAGE_CACHED_QUERIES + 1):
        third = client.get(url("indicator", meals))
    assert third.content == again.content


def _csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_a_cached_page_is_kept_per_session(client, meals, mia):
    """Each browser's page carries its own CSRF token and stays usable for its forms."""
    other = Client()
    for browser in (client, other):
        browser.force_login(mia)
        for _ in range(3):
            browser.get(url("indicator", meals))
    tokens = {_csrf_token(b.get(url("indicator", meals))) for b in (client, other)}
    assert len(tokens) == 2
    # A form posted from the cached page is accepted.
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(mia)
    for _ in range(3):
        page = checked.get(url("indicator", meals))
    token = _csrf_token(page)
    response = checked.post(
        url("value_add", meals),
        {"csrfmiddlewaretoken": token, "date": "2027-05-31", "value": "12", "note": ""},
    )
    assert response.status_code == 302


def test_a_page_with_a_message_waiting_is_never_served_from_the_cache(client, meals, mia):
    client.force_login(mia)
    client.get(url("indicator", meals))  # the CSRF cookie
    request = RequestFactory().get(url("indicator", meals))
    request.session = client.session
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    request.htmx = HtmxDetails(request)
    request._messages = FallbackStorage(request)
    assert common.page_key(request, "indicators/indicator", (), None) is not None
    messages.success(request, "Saved.")
    assert common.page_key(request, "indicators/indicator", (), None) is None


def test_a_page_is_not_kept_whole_before_the_browser_has_a_csrf_cookie(client, meals, mia):
    client.force_login(mia)
    request = RequestFactory().get(url("indicator", meals))
    request.session = client.session
    request.COOKIES = {}
    request.htmx = HtmxDetails(request)
    request._messages = FallbackStorage(request)
    assert common.page_key(request, "indicators/indicator", (), None) is None


def test_a_cached_page_changes_as_soon_as_a_value_is_added(client, meals, mia):
    client.force_login(mia)
    before = client.get(url("indicator", meals)).content.decode()
    client.post(url("value_add", meals), {"date": "2027-05-31", "value": "4321", "note": ""})
    after = client.get(url("indicator", meals)).content.decode()
    assert "4,321" in after or "4321" in after
    assert after != before
    overview = client.get(overview_url(meals.alliance)).content.decode()
    assert "4,321" in overview or "4321" in overview


def test_a_cached_page_is_not_shared_between_roles(client, meals, mia, otto):
    client.force_login(mia)
    assert "Add a value" in client.get(url("indicator", meals)).content.decode()
    client.force_login(otto)
    page = client.get(url("indicator", meals)).content.decode()
    assert "Add a value" not in page
