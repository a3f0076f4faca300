"""Comparing two reviews (issue 8): a hand-built pair of reviews of the Harvest alliance with
known differences. Spring 2026 is finished (its last component recorded on 20 May 2026);
Autumn 2026 is in progress, so it stands for today.

- Ratings: shared purpose median 4 from 3 answers in spring, 3 from 3 in autumn (down 1);
  shared control only 2 answers in spring (below K = 3: never shown); shared power answered
  in autumn but still open (not shown).
- Goals: one added, one achieved, one dropped, one added and achieved in between; one
  proposed then and agreed now; one achieved before spring (in no list).
- Indicators: up the better way, down the better way, up the worse way, no change, a new one
  with no value then, a breakdown with a value only now, and a value after today (ignored).
- Commitments: spring has one kept, one not kept and one dropped; autumn one kept partly and
  one not due yet.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances.models import Membership, Partner, Role
from alliances.services import create_alliance
from history.models import Revision
from history.services import create_with_history
from indicators import values
from indicators.models import Breakdown, Indicator
from ratings.services import close_check_in
from records import compare
from reviews.models import Review
from reviews.services import start_review
from tests.answering import answer, check_in_on
from tests.backdating import add_goal, record_all, set_status
from tests.factories import add_members, make_commitment, make_user

D = datetime.date
SPRING_DONE = D(2026, 5, 20)
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def rate(review, people, ratings: dict[str, list[int]], close=True):
    """A check-in on the components of `ratings`, each answered by as many people as it has
    ratings, then closed (or left open)."""
    check_in = check_in_on(review, list(ratings))
    rounds = {r.component_key: r for r in check_in.rounds.filter(goal=None)}
    for key, given in ratings.items():
        for membership, value in zip(people, given, strict=False):
            answer(membership, rounds[key], value)
    if close:
        close_check_in(check_in=check_in)


def add_indicator(alliance, name, direction, points, parts=None):
    indicator = Indicator(alliance=alliance, name=name, direction=direction, unit="%")
    create_with_history(indicator, alliance=alliance, author=None)
    rows = [values.Row(day, Decimal(v)) for day, v in points]
    for part, part_points in (parts or {}).items():
        breakdown = Breakdown.objects.create(indicator=indicator, name=part)
        rows += [values.Row(day, Decimal(v), breakdown) for day, v in part_points]
    values.add(indicator, rows, origin="form", author=None)
    return indicator


@pytest.fixture
def pair(alliance, fiona, kitchen):
    """Spring 2026 (finished) and Autumn 2026 (in progress), with known differences."""
    spring = start_review(
        alliance=alliance, name="Spring 2026 review", started_on=D(2026, 3, 2), author=fiona
    )
    record_all(
        spring,
        fiona,
        [D(2026, 3, 2), D(2026, 3, 16), D(2026, 4, 6), D(2026, 4, 20), D(2026, 5, 4), SPRING_DONE],
        {
            "purpose": {
                "agreements": "Four goals for the year.",
                "concerns": "Grace Street worries about forms.",
                "ideas": "Read the goals aloud.",
            }
        },
    )
    autumn = start_review(
        alliance=alliance, name="Autumn 2026 review", started_on=D(2026, 9, 15), author=fiona
    )
    record_all(
        autumn,
        fiona,
        [D(2026, 9, 15)],
        {"purpose": {"agreements": "Three goals to September 2027.", "concerns": ""}},
    )
    people = add_members(alliance, 3)
    rate(spring, people, {"purpose": [4, 4, 5], "control": [1, 5]})
    rate(autumn, people, {"purpose": [2, 3, 3]})
    rate(autumn, people, {"power": [1, 2, 5]}, close=False)

    add_goal(alliance, "Summer meals for every child", "agreed", D(2026, 1, 10))
    helpline = add_goal(alliance, "One helpline number", "agreed", D(2026, 1, 10))
    set_status(helpline, "achieved", D(2026, 8, 17))
    drive = add_goal(alliance, "A holiday food drive", "agreed", D(2026, 1, 10))
    set_status(drive, "retired", D(2026, 9, 15))
    intake = add_goal(alliance, "One shared intake form", "proposed", D(2026, 3, 2))
    set_status(intake, "agreed", D(2026, 9, 15))
    add_goal(alliance, "Fresh produce at fair prices", "proposed", D(2026, 9, 15))
    old = add_goal(alliance, "A list of every pantry", "agreed", D(2026, 1, 10))
    set_status(old, "achieved", D(2026, 2, 1))
    quick = add_goal(alliance, "A Thursday evening pantry", "agreed", D(2026, 6, 1))
    set_status(quick, "achieved", D(2026, 7, 1))

    add_indicator(
        alliance,
        "Children at summer meal sites",
        "up",
        [(D(2025, 8, 31), 18), (D(2026, 6, 30), 22), (D(2026, 8, 31), 31), (TODAY + 30 * DAY, 99)],
        {"North": [(D(2026, 8, 31), 38)]},
    )
    add_indicator(
        alliance,
        "Families repeating their story",
        "down",
        [(D(2026, 4, 30), 66), (D(2026, 10, 1), 63)],
    )
    add_indicator(
        alliance, "Days waiting for a food box", "down", [(D(2026, 5, 1), 10), (D(2026, 10, 1), 12)]
    )
    add_indicator(
        alliance, "Pantries open at weekends", "up", [(D(2026, 5, 1), 5), (D(2026, 10, 1), 5)]
    )
    add_indicator(alliance, "Meals delivered at home", "up", [(D(2026, 10, 1), 120)])

    make_commitment(
        spring, "Print the helpline number", D(2026, 6, 30), status="done", partner=kitchen
    )
    make_commitment(spring, "Bring a grower to each pantry", D(2026, 7, 31), status="not_done")
    make_commitment(
        spring, "Ask families which pantries they use", D(2026, 5, 31), status="dropped"
    )
    make_commitment(autumn, "Run a Thursday pantry", D(2026, 10, 30), status="partly")
    make_commitment(autumn, "Map sites against bus routes", TODAY + 200 * DAY, status="open")
    return spring, autumn


def page(client, user, alliance, **params):
    client.force_login(user)
    return client.get(reverse("reviews:compare", args=[alliance.slug]), params)


def component(result, key):
    return next(row for row in result["components"] if row["key"] == key)


# The comparison itself


def test_dates_are_the_last_recording_and_today_while_in_progress(pair):
    spring, autumn = pair
    result = compare.compare(spring.alliance, spring, autumn, today=D(2026, 11, 27))
    assert (result["before"]["day"], result["before"]["reason"]) == (SPRING_DONE, "recorded")
    assert (result["after"]["day"], result["after"]["reason"]) == (D(2026, 11, 27), "today")


def test_review_date_without_anything_recorded_is_its_start(alliance, fiona):
    review = start_review(alliance=alliance, name="New", started_on=D(2026, 2, 1), author=fiona)
    records = list(review.records.all())
    assert compare.review_date(review, records, later=False, today=D(2026, 11, 27)) == (
        compare.ReviewDate(D(2026, 2, 1), "started")
    )


def test_a_finished_later_review_stands_for_its_last_recording(pair, fiona):
    spring, _autumn = pair
    records = list(spring.records.all())
    assert compare.review_date(spring, records, later=True, today=D(2026, 11, 27)) == (
        compare.ReviewDate(SPRING_DONE, "recorded")
    )


def test_ratings_then_and_now_with_nothing_below_the_threshold(pair):
    spring, autumn = pair
    result = compare.compare(spring.alliance, spring, autumn)

    purpose = component(result, "purpose")
    assert purpose["before"]["rating"]["median"] == 4
    assert purpose["before"]["rating"]["words"] == "median 4, 3 answers"
    assert [b["count"] for b in purpose["before"]["rating"]["bars"]] == [0, 0, 0, 2, 1]
    assert purpose["after"]["rating"]["words"] == "median 3, 3 answers"
    assert purpose["change"] == {"difference": -1, "words": "down 1"}

    control = component(result, "control")["before"]["rating"]
    assert control["count"] == 2
    assert control["needed"] == 3
    assert control["median"] is None
    assert control["bars"] == []
    assert control["words"] == "2 answers; 1 more needed before ratings are shown"
    assert component(result, "control")["change"] is None

    power = component(result, "power")
    assert power["before"]["rating"] is None
    assert power["after"]["rating"]["median"] is None
    assert power["after"]["rating"]["bars"] == []
    assert power["after"]["rating"]["words"] == "3 answers; shown once the answers are closed"


def test_records_then_and_now(pair):
    spring, autumn = pair
    purpose = component(compare.compare(spring.alliance, spring, autumn), "purpose")
    assert purpose["before"]["record"]["agreements"] == "Four goals for the year."
    assert purpose["before"]["record"]["concerns"] == "Grace Street worries about forms."
    assert purpose["after"]["record"]["agreements"] == "Three goals to September 2027."
    assert purpose["after"]["record"]["concerns"] == ""
    trust = component(compare.compare(spring.alliance, spring, autumn), "trust")
    assert trust["before"]["record"]["state"] == "recorded"
    assert trust["after"]["record"]["state"] == "not_started"


def test_goals_added_achieved_dropped_and_carried(pair):
    spring, autumn = pair
    goals = compare.compare(spring.alliance, spring, autumn)["goals"]
    said = {
        kind: [(g["statement"], g["status"], g["day"]) for g in goals[kind]]
        for kind in ("added", "achieved", "dropped")
    }
    assert said == {
        "added": [
            ("A Thursday evening pantry", "achieved", D(2026, 6, 1)),
            ("Fresh produce at fair prices", "proposed", D(2026, 9, 15)),
        ],
        "achieved": [
            ("One helpline number", "achieved", D(2026, 8, 17)),
            ("A Thursday evening pantry", "achieved", D(2026, 7, 1)),
        ],
        "dropped": [("A holiday food drive", "retired", D(2026, 9, 15))],
    }
    assert [(g["statement"], g["then_display"], g["status_display"]) for g in goals["carried"]] == [
        ("Summer meals for every child", "agreed", "agreed"),
        ("One shared intake form", "proposed", "agreed"),
    ]


def test_goal_status_changed_in_spanish_is_read_back(alliance, carol):
    from django.utils import translation

    goal = add_goal(alliance, "Summer meals", "agreed", D(2026, 1, 10))
    with translation.override("es"):
        set_status(goal, "achieved", D(2026, 8, 1))
    assert Revision.objects.for_object(goal).first().changes["status"]["new"] == "alcanzada"
    changes = compare.goal_changes(alliance, D(2026, 5, 1), D(2026, 11, 1))
    assert [(g["statement"], g["day"]) for g in changes["achieved"]] == [
        ("Summer meals", D(2026, 8, 1))
    ]


def test_indicators_value_in_force_at_each_date_and_movement(pair):
    spring, autumn = pair
    rows = {r["name"]: r for r in compare.compare(spring.alliance, spring, autumn)["indicators"]}

    meals = rows["Children at summer meal sites"]
    assert (meals["before"]["display"], meals["before"]["date"]) == ("18", D(2025, 8, 31))
    # The value dated after today is not yet in force.
    assert (meals["after"]["display"], meals["after"]["date"]) == ("31", D(2026, 8, 31))
    assert meals["movement"]["words"] == "up 13 — the better way"
    (north,) = meals["breakdowns"]
    assert north["name"] == "North"
    assert north["before"] is None
    assert north["after"]["display"] == "38"
    assert north["movement"] is None

    assert rows["Families repeating their story"]["movement"]["words"] == (
        "down 3 — the better way"
    )
    assert rows["Days waiting for a food box"]["movement"]["words"] == "up 2 — the worse way"
    assert rows["Days waiting for a food box"]["movement"]["better"] is False
    assert rows["Pantries open at weekends"]["movement"]["words"] == "no change"
    new = rows["Meals delivered at home"]
    assert new["before"] is None
    assert new["after"]["display"] == "120"
    assert new["movement"] is None


def test_follow_through_in_each_review(pair):
    spring, autumn = pair
    follow = compare.compare(spring.alliance, spring, autumn)["follow_through"]
    table = {row["key"]: (row["before"], row["after"]) for row in follow["rows"]}
    assert table == {
        "due": (2, 1),
        "kept": (1, 0),
        "partly": (0, 1),
        "not_kept": (1, 0),
        "unreported": (0, 0),
        "dropped": (1, 0),
        "upcoming": (0, 1),
    }
    assert follow["percents"] == [50, 0]


# The page


def test_compare_page_defaults_to_the_latest_review_and_the_one_before(client, pair, carol, fiona):
    spring, autumn = pair
    start_review(
        alliance=spring.alliance, name="Winter 2025", started_on=D(2025, 12, 1), author=fiona
    )
    response = page(client, carol, spring.alliance)
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison["before"]["id"], comparison["after"]["id"]) == (spring.pk, autumn.pk)
    html = response.content.decode()
    assert "as of today, " in html
    assert "the day its last component was recorded" in html
    assert "How the dates are chosen" in html
    assert "median 4, 3 answers" in html
    assert "2 answers; 1 more needed before ratings are shown" in html
    assert "up 13 — the better way" in html
    assert "Four goals for the year." in html
    assert "Fresh produce at fair prices" in html
    assert '<label for="id_before">Earlier review:</label>' in html
    assert '<label for="id_after">Later review:</label>' in html


def test_compare_page_with_chosen_reviews(client, pair, fiona, otto):
    spring, autumn = pair
    winter = start_review(
        alliance=spring.alliance, name="Winter 2025", started_on=D(2025, 12, 1), author=fiona
    )
    response = page(client, otto, spring.alliance, before=winter.pk, after=spring.pk)
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison["before"]["name"], comparison["after"]["name"]) == (
        "Winter 2025",
        "Spring 2026 review",
    )
    # Spring is finished: it stands for the day of its last recording, even as the later one.
    assert comparison["after"]["day"] == SPRING_DONE
    assert comparison["before"]["reason"] == "started"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # From a review's page: that review and the one before it.
        ({"after": "{autumn}"}, ("Spring 2026 review", "Autumn 2026 review")),
        ({"after": "{spring}"}, ("Winter 2025", "Spring 2026 review")),
        ({"before": "{winter}"}, ("Winter 2025", "Spring 2026 review")),
        ({"before": "{spring}", "after": ""}, ("Spring 2026 review", "Autumn 2026 review")),
        ({"before": "", "after": ""}, ("Spring 2026 review", "Autumn 2026 review")),
    ],
)
def test_compare_page_with_one_review_chosen_takes_the_one_next_to_it(
    client, pair, fiona, mia, params, expected
):
    spring, autumn = pair
    winter = start_review(
        alliance=spring.alliance, name="Winter 2025", started_on=D(2025, 12, 1), author=fiona
    )
    ids = {"spring": spring.pk, "autumn": autumn.pk, "winter": winter.pk}
    params = {k: v.format(**ids) for k, v in params.items()}
    response = page(client, mia, spring.alliance, **params)
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison["before"]["name"], comparison["after"]["name"]) == expected


def test_compare_page_with_fewer_than_two_reviews(client, alliance, review, mia):
    response = page(client, mia, alliance)
    assert response.status_code == 200
    assert "form" not in response.context
    assert "Comparing needs two reviews of the alliance; it has 1 so far." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "field", "error"),
    [
        ({"before": "abc"}, "before", "Choose a review from the list."),
        ({"before": "1.5", "after": ""}, "before", "Choose a review from the list."),
        ({"after": "x"}, "before", "Choose a review."),
        ({"after": "x"}, "after", "Choose a review from the list."),
        # Nothing started before spring, nothing after autumn: the form asks.
        ({"after": "{spring}"}, "before", "Choose a review."),
        ({"before": "{autumn}"}, "after", "Choose a review."),
        ({"before": "{spring}", "after": "{spring}"}, "after", "Choose a review other than"),
        ({"before": "{autumn}", "after": "{spring}"}, "before", "Choose a review that started"),
    ],
)
def test_compare_page_bad_parameters_show_the_form_with_the_error(
    client, pair, carol, params, field, error
):
    spring, autumn = pair
    params = {k: v.format(spring=spring.pk, autumn=autumn.pk) for k, v in params.items()}
    response = page(client, carol, spring.alliance, **params)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message.startswith(error) for message in form.errors[field])
    assert "comparison" not in response.context
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html


def test_compare_page_review_of_another_alliance_is_404(client, pair, carol, olga):
    spring, _autumn = pair
    riverside = Membership.objects.get(user=olga).alliance
    theirs = start_review(alliance=riverside, name="Theirs", started_on=D(2026, 1, 1), author=olga)
    assert (
        page(client, carol, spring.alliance, before=theirs.pk, after=spring.pk).status_code == 404
    )
    assert (
        page(client, carol, spring.alliance, before=spring.pk, after=theirs.pk).status_code == 404
    )
    assert page(client, carol, spring.alliance, before=spring.pk, after=999999).status_code == 404


def test_compare_page_outsider_gets_404(client, pair, olga):
    spring, _autumn = pair
    assert page(client, olga, spring.alliance).status_code == 404


def test_compare_page_anonymous_is_sent_to_sign_in(client, pair):
    spring, _autumn = pair
    response = client.get(reverse("reviews:compare", args=[spring.alliance.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_compare_page_refuses_post(client, pair, carol):
    spring, _autumn = pair
    client.force_login(carol)
    assert client.post(reverse("reviews:compare", args=[spring.alliance.slug])).status_code == 405


# Query count: the same for a short history and a long one


def grow(alliance, author, times: int):
    """`times` more of everything: older reviews (recorded and rated), goals changing status,
    indicators with values and breakdowns, commitments."""
    raters = add_members(alliance, 3, start=100 + 10 * times)
    for n in range(times):
        review = start_review(
            alliance=alliance, name=f"Review {n}", started_on=D(2020, 1, 1) + n * DAY, author=author
        )
        record_all(review, author, [D(2020, 2, 1) + n * DAY])
        rate(review, raters, {"purpose": [3, 4, 5], "power": [1, 2]})
        make_commitment(review, f"Commitment {n}", D(2020, 6, 1), status="done")
        goal = add_goal(alliance, f"Goal {n}", "agreed", D(2020, 1, 1))
        set_status(goal, "achieved", D(2026, 7, 1))
        add_indicator(
            alliance,
            f"Indicator {n}",
            "up",
            [(D(2020, 1, 1) + k * DAY, k) for k in range(20)],
            {"East": [(D(2026, 1, 1), 3)], "West": [(D(2026, 2, 1), 4)]},
        )
        partner = Partner.objects.create(alliance=alliance, name=f"Partner {n}")
        person = make_user(f"Person {n}", f"person{n}@example.org")
        Membership.objects.create(alliance=alliance, user=person, role=Role.MEMBER, partner=partner)


# session, user, membership, alliance switcher, live meetings (the banner); reviews, the
# two reviews; records; ratings: rounds, counts and values of each review (3 + 3); goals and
# their history (2); indicators: values at both dates, breakdowns, indicators (4);
# follow-through: reviews and commitments for each review (4); the network of the later
# review, which has not recorded interdependence: partners, dependencies, essential
# partners, goals and impact answers (5); the alliance's own questions of both reviews (1,
# and 1 more for their answers when some were asked in both)
COMPARE_QUERIES = 31


@pytest.fixture(params=[1, 10], ids=["small", "ten-times"])
def grown(request, pair, fiona):
    spring, autumn = pair
    grow(spring.alliance, fiona, request.param)
    rate(spring, add_members(spring.alliance, 3, start=900), {"power": [2, 3, 4]})
    return spring, autumn


def test_compare_page_query_count_is_fixed(client, grown, fiona, django_assert_num_queries):
    spring, autumn = grown
    client.force_login(fiona)
    url = reverse("reviews:compare", args=[spring.alliance.slug])
    with django_assert_num_queries(COMPARE_QUERIES):
        response = client.get(url, {"before": spring.pk, "after": autumn.pk})
    assert response.status_code == 200


def test_compare_between_alliances_never_mixes(pair, olga):
    """Another alliance's goals, indicators and commitments never reach the comparison."""
    spring, autumn = pair
    riverside = create_alliance(name="Lakeside", community="Lakeside", purpose="x.", creator=olga)
    add_goal(riverside, "Their goal", "proposed", D(2026, 9, 1))
    add_indicator(riverside, "Their indicator", "up", [(D(2026, 4, 1), 1), (D(2026, 10, 1), 2)])
    theirs = start_review(alliance=riverside, name="Theirs", started_on=D(2026, 3, 1), author=olga)
    make_commitment(theirs, "Their commitment", D(2026, 6, 1), status="done")
    result = compare.compare(spring.alliance, spring, autumn)
    assert "Their goal" not in [g["statement"] for g in result["goals"]["added"]]
    assert "Their indicator" not in [r["name"] for r in result["indicators"]]
    assert result["follow_through"]["rows"][0] == {
        "key": "due",
        "label": "Due or reported",
        "before": 2,
        "after": 1,
    }
    assert Review.objects.filter(alliance=spring.alliance).count() == 2
