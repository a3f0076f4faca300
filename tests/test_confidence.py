"""Confidence in each agreed goal (mutual respect and trust): "How confident are you that we
will reach this goal?", asked privately with the trust component, one round per agreed goal,
in a check-in or a meeting's reflect phase; shown per goal only under the review's rules
(closed, and K answers), with its change since the previous review.

Harvest has agreed two goals (summer meals, northern pantries), proposes a third (a shared
truck) and has retired a fourth (the old warehouse). K is 3.
"""

import datetime
import json
import re

import pytest
from django.db import connection
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Membership
from meetings import live
from meetings import services as meetings
from meetings.models import Phase
from ratings import results
from ratings.confidence import confidence
from ratings.models import Participation, Rating, Reflection, Round
from ratings.services import (
    AnswerError,
    ComponentAnswer,
    close_check_in,
    confidence_rounds_with,
)
from registers.models import Goal
from reviews.models import Question
from reviews.services import open_component, start_review
from tests import pages
from tests.answering import answer, check_in_on, submit_shown
from tests.factories import add_members

pytestmark = pytest.mark.usefixtures("fast_passwords")

MEALS = "Every child in the county can reach a free summer meal"
PANTRIES = "Two new pantries open in the north of the county"
SECRETS = ("Median confidence", 'class="bars"', "Quite confident</td>")


@pytest.fixture
def goals(alliance):
    def goal(statement, status):
        return Goal.objects.create(alliance=alliance, statement=statement, status=status)

    return {
        "meals": goal(MEALS, Goal.Status.AGREED),
        "pantries": goal(PANTRIES, Goal.Status.AGREED),
        "truck": goal("A shared refrigerated truck", Goal.Status.PROPOSED),
        "warehouse": goal("Keep the old warehouse", Goal.Status.RETIRED),
    }


def membership_of(user) -> Membership:
    return Membership.objects.get(user=user)


def goal_round(rounds, goal) -> Round:
    return rounds.get(goal=goal)


def rate_goal(membership, round, value) -> None:
    submit_shown(membership=membership, answers=[ComponentAnswer(round, value)])


def page_url(check_in) -> str:
    return reverse("ratings:check_in", args=[check_in.review.alliance.slug, check_in.pk])


def answer_url(check_in) -> str:
    return reverse("ratings:check_in_answer", args=[check_in.review.alliance.slug, check_in.pk])


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def entry(review, goal) -> dict:
    return next(g for g in confidence(review)["goals"] if g["id"] == goal.pk)


def trust_check_in_answered(review, goals, values: list[int], close: bool = True):
    """A check-in on trust where each of len(values) members rates the meals goal."""
    members = add_members(review.alliance, len(values), start=len(Membership.objects.all()))
    check_in = check_in_on(review, ["trust"])
    meals = goal_round(check_in.rounds, goals["meals"])
    for membership, value in zip(members, values, strict=True):
        rate_goal(membership, meals, value)
    if close:
        close_check_in(check_in=check_in)
    return check_in


# Asking in a check-in


def test_a_check_in_on_trust_opens_one_confidence_round_per_agreed_goal(review, goals):
    check_in = check_in_on(review, ["purpose", "trust"])

    rounds = set(check_in.rounds.values_list("component_key", "goal_id", "check_in_id"))

    assert rounds == {
        ("purpose", None, check_in.pk),
        ("trust", None, check_in.pk),
        ("trust", goals["meals"].pk, check_in.pk),
        ("trust", goals["pantries"].pk, check_in.pk),
    }


def test_a_check_in_without_trust_asks_no_confidence(review, goals):
    check_in = check_in_on(review, ["purpose", "power"])

    assert not check_in.rounds.filter(goal__isnull=False).exists()


def test_the_component_results_ignore_the_confidence_rounds(review, goals):
    check_in_on(review, ["trust"])

    latest = results.latest_rounds(review)

    assert latest["trust"].goal_id is None
    assert set(results.latest_goal_rounds(review)) == {goals["meals"].pk, goals["pantries"].pk}


def test_the_check_in_page_asks_confidence_in_each_agreed_goal_under_trust(
    client, review, goals, mia
):
    check_in = check_in_on(review, ["trust"])
    client.force_login(mia)

    response = client.get(page_url(check_in))
    page = response.content.decode()

    assert "How confident are you that we will reach this goal?" in page
    legends = [words(m) for m in re.findall(r"<legend>(.*?)</legend>", page, re.S)]
    assert legends[1:] == [f"{MEALS} (optional)", f"{PANTRIES} (optional)"]
    assert "A shared refrigerated truck" not in page
    assert "Keep the old warehouse" not in page
    for goal in (goals["meals"], goals["pantries"]):
        radios = re.findall(rf'<input type="radio" name="trust-goal{goal.pk}"[^>]*>', page)
        assert len(radios) == 5
        for radio in radios:
            radio_id = re.search(r'id="([^"]+)"', radio).group(1)
            assert f'<label class="scale__option" for="{radio_id}">' in page
    assert [words(m) for m in re.findall(r"<span>(\d: [^<]+)</span>", page)][-5:] == [
        "1: Not at all confident",
        "2: A little confident",
        "3: Somewhat confident",
        "4: Quite confident",
        "5: Fully confident",
    ]


def test_a_member_gives_confidence_and_may_skip_a_goal(client, review, goals, mia):
    check_in = check_in_on(review, ["trust"])
    client.force_login(mia)

    response = client.post(
        answer_url(check_in),
        {
            "rules": check_in.review.rules,
            "trust-rating": "4",
            f"trust-goal{goals['meals'].pk}": "5",
        },
    )

    assert response.status_code == 302
    meals = goal_round(check_in.rounds, goals["meals"])
    pantries = goal_round(check_in.rounds, goals["pantries"])
    close_check_in(check_in=check_in)  # answers are sealed until then
    assert list(Rating.objects.filter(round=meals).values_list("value", flat=True)) == [5]
    assert Participation.objects.filter(round=meals, user=mia).exists()
    assert not Rating.objects.filter(round=pantries).exists()
    assert not Participation.objects.filter(round=pantries).exists()
    assert not Reflection.objects.filter(round__goal__isnull=False).exists()


def test_confidence_answers_in_an_anonymous_review_carry_no_author(
    client, review, goals, mia, carol
):
    check_in = check_in_on(review, ["trust"])
    for person, value in ((mia, "5"), (carol, "2")):
        client.force_login(person)
        client.post(
            answer_url(check_in),
            {
                "rules": check_in.review.rules,
                "trust-rating": "4",
                f"trust-goal{goals['meals'].pk}": value,
            },
        )

    meals = goal_round(check_in.rounds, goals["meals"])
    assert client.get(page_url(check_in)).context["my_ratings"] is None
    close_check_in(check_in=check_in)  # answers are sealed until then
    assert sorted(Rating.objects.filter(round=meals).values_list("value", flat=True)) == [2, 5]
    assert not Rating.objects.filter(author__isnull=False).exists()
    assert client.get(page_url(check_in)).context["my_ratings"] is None


def test_a_named_review_shows_the_person_their_confidence(client, review, goals, mia):
    review.anonymous = False
    review.save()
    check_in = check_in_on(review, ["trust"])
    client.force_login(mia)

    client.post(
        answer_url(check_in),
        {
            "rules": check_in.review.rules,
            "trust-rating": "4",
            f"trust-goal{goals['meals'].pk}": "5",
        },
    )

    assert f"Confidence in “{MEALS}”: 5" in pages.text(client.get(page_url(check_in)))
    close_check_in(check_in=check_in)  # answers are sealed until then
    assert Rating.objects.get(round__goal=goals["meals"]).author == mia
    assert f"Confidence in “{MEALS}”: 5" in pages.text(client.get(page_url(check_in)))


def test_a_confidence_of_seven_is_refused_beside_the_goal_and_nothing_is_taken(
    client, review, goals, mia
):
    check_in = check_in_on(review, ["trust"])
    client.force_login(mia)
    name = f"trust-goal{goals['meals'].pk}"

    response = client.post(
        answer_url(check_in), {"rules": check_in.review.rules, "trust-rating": "4", name: "7"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {name: ["Confidence goes from 1 to 5."]}
    errors = re.search(
        rf'<ul class="field__errors" id="id_{name}_errors">(.*?)</ul>',
        response.content.decode(),
        re.S,
    )
    assert words(errors.group(1)) == "Confidence goes from 1 to 5."
    assert not Participation.objects.exists()
    assert not Rating.objects.exists()


def test_the_service_refuses_a_confidence_of_seven(review, goals, mia):
    meals = goal_round(check_in_on(review, ["trust"]).rounds, goals["meals"])

    with pytest.raises(AnswerError, match="A rating goes from 1 to 5."):
        rate_goal(membership_of(mia), meals, 7)

    assert not Participation.objects.exists()


def test_the_service_refuses_writing_about_a_goal(review, goals, mia):
    meals = goal_round(check_in_on(review, ["trust"]).rounds, goals["meals"])
    question = Question.objects.filter(component_key="trust", review=None).first()

    with pytest.raises(AnswerError, match="Confidence in a goal is a rating only"):
        submit_shown(
            membership=membership_of(mia),
            answers=[ComponentAnswer(meals, 4, {question: "Hidden thoughts"})],
        )

    assert not Participation.objects.exists()


def test_a_second_confidence_answer_is_refused(review, goals, mia):
    check_in = check_in_on(review, ["trust"])
    meals = goal_round(check_in.rounds, goals["meals"])
    rate_goal(membership_of(mia), meals, 4)

    with pytest.raises(AnswerError, match="Each person answers once."):
        rate_goal(membership_of(mia), meals, 1)

    close_check_in(check_in=check_in)  # answers are sealed until then

    assert list(Rating.objects.filter(round=meals).values_list("value", flat=True)) == [4]


# What is shown: only closed, and from K answers


def test_confidence_lists_every_agreed_goal_and_those_not_asked_yet(review, goals):
    shown = confidence(review)

    assert shown["question"] == "How confident are you that we will reach this goal?"
    assert shown["open_round"] is False
    assert [(g["statement"], g["asked"], g["count"], g["shown"]) for g in shown["goals"]] == [
        (MEALS, False, 0, False),
        (PANTRIES, False, 0, False),
    ]
    html = render_to_string("registers/_confidence.html", {"confidence": shown})
    assert words(html).count("Not asked yet in this review.") == 2


def test_below_k_confidence_shows_a_count_and_never_a_spread(review, goals):
    trust_check_in_answered(review, goals, [1, 5])

    meals = entry(review, goals["meals"])

    assert meals == {
        "id": goals["meals"].pk,
        "statement": MEALS,
        "asked": True,
        "count": 2,
        "needed": 3,
        "more_needed": 1,
        "closed": True,
        "shown": False,
        "bars": [],
        "median": None,
        "change": None,
    }
    html = render_to_string("registers/_confidence.html", {"confidence": confidence(review)})
    assert "1 more answer needed before the spread shows." in words(html)
    for secret in SECRETS:
        assert secret not in html


def test_at_k_but_still_open_confidence_shows_no_spread(review, goals):
    trust_check_in_answered(review, goals, [1, 5, 3], close=False)

    meals = entry(review, goals["meals"])

    assert (meals["count"], meals["closed"], meals["shown"], meals["median"]) == (
        3,
        False,
        False,
        None,
    )
    assert confidence(review)["open_round"] is True
    html = render_to_string("registers/_confidence.html", {"confidence": confidence(review)})
    assert "The spread is shown once answers are closed." in words(html)
    for secret in SECRETS:
        assert secret not in html


def test_at_k_once_closed_the_spread_and_median_show(review, goals):
    trust_check_in_answered(review, goals, [4, 4, 5])

    meals = entry(review, goals["meals"])

    assert (meals["count"], meals["shown"], meals["median"]) == (3, True, 4.0)
    assert [(b["value"], b["label"], b["count"], b["percent"]) for b in meals["bars"]] == [
        (1, "Not at all confident", 0, 0),
        (2, "A little confident", 0, 0),
        (3, "Somewhat confident", 0, 0),
        (4, "Quite confident", 2, 67),
        (5, "Fully confident", 1, 33),
    ]
    text = words(render_to_string("registers/_confidence.html", {"confidence": confidence(review)}))
    assert "Median confidence: 4 out of 5. 3 people answered." in text
    assert "4: Quite confident 2" in text
    assert "Not asked yet" not in text  # the pantries goal was asked, and nobody answered
    assert "3 more answers needed before the spread shows." in text


def test_confidence_is_json_ready(review, goals):
    trust_check_in_answered(review, goals, [4, 4, 5])

    shown = confidence(review)

    assert json.loads(json.dumps(shown)) == shown


def test_the_check_in_results_show_confidence_only_from_k(client, review, goals, fiona):
    check_in = trust_check_in_answered(review, goals, [1, 5])
    client.force_login(fiona)

    below = client.get(page_url(check_in)).content.decode()

    assert "How confident are you that we will reach this goal?" in below
    assert "1 more answer needed before the spread shows." in words(below)
    for secret in SECRETS:
        assert secret not in below

    later = start_review(
        alliance=review.alliance, name="Autumn", started_on=datetime.date(2027, 9, 1), author=fiona
    )
    check_in = trust_check_in_answered(later, goals, [2, 3, 3])
    at_k = words(client.get(page_url(check_in)).content.decode())
    assert "Median confidence: 3 out of 5. 3 people answered." in at_k


def test_the_trust_component_page_shows_confidence_only_from_k(client, review, goals, fiona):
    try:
        get_template("registers/_trust.html")
    except TemplateDoesNotExist:
        pytest.skip("templates/registers/_trust.html (the trust register) is not written yet")
    trust_check_in_answered(review, goals, [1, 5])
    client.force_login(fiona)
    url = reverse("reviews:component", args=[review.alliance.slug, review.pk, "trust"])

    page = client.get(url).content.decode()

    assert "1 more answer needed before the spread shows." in words(page)
    for secret in SECRETS:
        assert secret not in page


def test_confidence_costs_the_same_queries_for_one_goal_or_ten(alliance, review, goals, fiona):
    earlier = start_review(
        alliance=alliance, name="2026", started_on=datetime.date(2026, 3, 1), author=fiona
    )
    trust_check_in_answered(earlier, goals, [3, 3, 3])
    trust_check_in_answered(review, goals, [4, 4, 4])
    with CaptureQueriesContext(connection) as few:
        confidence(review)
    for n in range(8):
        Goal.objects.create(alliance=alliance, statement=f"Goal {n}", status=Goal.Status.AGREED)
    trust_check_in_answered(earlier, goals, [2, 2, 2])
    trust_check_in_answered(review, goals, [5, 5, 5])

    with CaptureQueriesContext(connection) as many:
        shown = confidence(review)

    assert len(shown["goals"]) == 10
    assert len(many) == len(few)


# The change since the previous review


def test_the_change_since_the_previous_review_per_goal(alliance, review, goals, fiona):
    earlier = start_review(
        alliance=alliance, name="2026", started_on=datetime.date(2026, 3, 1), author=fiona
    )
    trust_check_in_answered(earlier, goals, [2, 2, 3])
    trust_check_in_answered(review, goals, [2, 3, 3])

    assert results.confidence_change_since(review, results.confidence_results(review)) == {
        goals["meals"].pk: 1
    }
    assert entry(review, goals["meals"])["change"] == 1.0
    assert entry(review, goals["pantries"])["change"] is None
    assert entry(earlier, goals["meals"])["change"] is None
    text = words(render_to_string("registers/_confidence.html", {"confidence": confidence(review)}))
    assert "Median confidence: 3 out of 5. 3 people answered. Up 1 since the last review." in text


def test_a_fall_in_confidence_is_said_in_words(alliance, review, goals, fiona):
    earlier = start_review(
        alliance=alliance, name="2026", started_on=datetime.date(2026, 3, 1), author=fiona
    )
    trust_check_in_answered(earlier, goals, [4, 4, 5, 5])
    trust_check_in_answered(review, goals, [4, 4, 4])

    text = words(render_to_string("registers/_confidence.html", {"confidence": confidence(review)}))

    assert entry(review, goals["meals"])["change"] == -0.5
    assert "Down 0.5 since the last review." in text


def test_no_change_is_given_when_the_previous_review_was_below_k(alliance, review, goals, fiona):
    earlier = start_review(
        alliance=alliance, name="2026", started_on=datetime.date(2026, 3, 1), author=fiona
    )
    trust_check_in_answered(earlier, goals, [1, 1])
    trust_check_in_answered(review, goals, [4, 4, 4])

    assert entry(review, goals["meals"])["change"] is None


# In the live meeting


@pytest.fixture
def trust_meeting(people, review, goals):
    """A running meeting on trust alone (opened out of order), facilitated by fiona."""
    fiona = people["fiona"]
    trust = review.records.get(component_key="trust")
    open_component(record=trust, author=fiona, reason="The funder asks about trust first.")
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["trust"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
    )
    meetings.start(meeting=meeting, actor=fiona)
    return live.load(meeting.pk)


def move_to(meeting, kind):
    target = meeting.phases.get(kind=kind)
    current = live.load(meeting.pk)
    while current.current.position < target.position:
        meetings.advance(meeting=current, actor=current.facilitator, confirmed=True)
        current = live.load(meeting.pk)
    return current


def meeting_url(name, meeting) -> str:
    return reverse(f"meetings:{name}", args=[meeting.review.alliance.slug, meeting.pk])


def test_reflecting_on_trust_opens_a_confidence_round_per_agreed_goal(trust_meeting, goals):
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    round = meeting.current.round

    asked = confidence_rounds_with(round)

    assert [(r.goal, r.component_key, r.check_in_id, r.closed_at) for r in asked] == [
        (goals["meals"], "trust", None, None),
        (goals["pantries"], "trust", None, None),
    ]
    assert Round.objects.filter(review=meeting.review).count() == 3


def test_reflecting_on_another_component_asks_no_confidence(people, review, goals):
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=people["fiona"],
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=people["fiona"],
    )
    meetings.start(meeting=meeting, actor=people["fiona"])

    meeting = move_to(live.load(meeting.pk), Phase.Kind.REFLECT)

    assert not Round.objects.filter(goal__isnull=False).exists()
    assert confidence_rounds_with(meeting.current.round) == []


def test_the_meeting_asks_only_its_own_confidence_rounds(trust_meeting, review, goals):
    check_in = check_in_on(review, ["trust"])
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)

    asked = confidence_rounds_with(meeting.current.round)

    assert len(asked) == 2
    assert not any(r.check_in_id for r in asked)
    assert len(confidence_rounds_with(check_in.rounds.get(goal=None))) == 2


def test_the_reflect_form_in_the_meeting_asks_confidence_and_takes_it(
    client, trust_meeting, goals, mia
):
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    client.force_login(mia)

    mine = client.get(meeting_url("mine", meeting)).content.decode()
    response = client.post(
        meeting_url("reflect", meeting),
        {
            "rules": meeting.review.rules,
            "trust-rating": "3",
            f"trust-goal{goals['pantries'].pk}": "2",
        },
    )

    assert "How confident are you that we will reach this goal?" in mine
    assert f"{MEALS} <span" in mine and f"{PANTRIES} <span" in mine
    assert response.status_code == 302
    asked = {r.goal_id: r for r in confidence_rounds_with(meeting.current.round)}
    move_to(meeting, Phase.Kind.REVEAL)  # revealing closes the rounds: sealed until then
    assert list(
        Rating.objects.filter(round=asked[goals["pantries"].pk]).values_list("value", "author")
    ) == [(2, None)]
    assert not Participation.objects.filter(round=asked[goals["meals"].pk]).exists()


def test_a_bad_confidence_in_the_meeting_is_refused_beside_the_goal(
    client, trust_meeting, goals, mia
):
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    client.force_login(mia)

    response = client.post(
        meeting_url("reflect", meeting),
        {"rules": meeting.review.rules, "trust-rating": "3", f"trust-goal{goals['meals'].pk}": "7"},
    )

    assert response.status_code == 200
    assert "Confidence goes from 1 to 5." in pages.text(response)
    assert not Participation.objects.exists()


def test_the_reveal_closes_the_confidence_rounds_and_shows_them_under_k(
    trust_meeting, alliance, goals, carol, mia
):
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    asked = {r.goal_id: r for r in confidence_rounds_with(meeting.current.round)}
    for user, value in ((carol, 1), (mia, 5)):
        rate_goal(membership_of(user), asked[goals["meals"].pk], value)

    meeting = move_to(meeting, Phase.Kind.REVEAL)

    assert not Round.objects.filter(pk__in=[r.pk for r in asked.values()], closed_at=None)
    html = live.state(meeting)["html"]
    assert "1 more answer needed before the spread shows." in words(html)
    for secret in SECRETS:
        assert secret not in html
    with pytest.raises(AnswerError, match="This round of answers is closed."):
        rate_goal(add_members(alliance, 1)[0], asked[goals["pantries"].pk], 3)


def test_the_reveal_shows_the_confidence_spread_from_k(trust_meeting, alliance, goals, carol, mia):
    (third,) = add_members(alliance, 1)
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    asked = {r.goal_id: r for r in confidence_rounds_with(meeting.current.round)}
    for membership, value in ((membership_of(carol), 3), (membership_of(mia), 5), (third, 4)):
        rate_goal(membership, asked[goals["meals"].pk], value)

    text = words(live.state(move_to(meeting, Phase.Kind.REVEAL))["html"])

    assert "Median confidence: 4 out of 5. 3 people answered." in text
    assert "0 people answered. 3 more answers needed before the spread shows." in text


def test_ending_the_meeting_while_reflecting_closes_the_confidence_rounds(trust_meeting, fiona):
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    asked = confidence_rounds_with(meeting.current.round)

    meetings.end(meeting=meeting, actor=fiona)

    assert not Round.objects.filter(closed_at=None).exists()
    assert len(asked) == 2


def test_answers_to_trust_in_the_meeting_still_count_for_the_component(
    trust_meeting, alliance, goals, carol
):
    meeting = move_to(trust_meeting, Phase.Kind.REFLECT)
    answer(membership_of(carol), meeting.current.round, 4)

    move_to(meeting, Phase.Kind.REVEAL)

    assert results.review_results(meeting.review)["trust"].count == 1
