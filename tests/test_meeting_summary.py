"""A meeting's summary is its record: for each component discussed, what the room rated (as
`ratings.results` allows), what was recorded and promised; who came; and the log in plain
words. It costs the same queries however many components and log entries it has.

In these meetings fiona facilitates (she belongs to no partner and does not answer); carol
(Food Bank), mia (Community Kitchen) and two more members answer; otto observes.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from history.services import create_with_history
from meetings import live, services
from meetings.log import describe, phase_names
from meetings.models import Attendance, LogEntry, Phase
from ratings.services import ComponentAnswer, confidence_rounds_with
from registers.models import Goal
from reviews.models import Commitment
from reviews.services import open_component
from tests import pages
from tests.answering import answer, submit_shown
from tests.factories import add_members

pytestmark = pytest.mark.usefixtures("fast_passwords")

ALL_SIX = ["purpose", "power", "interdependence", "trust", "control", "indicators"]


@pytest.fixture
def room(alliance, food_bank, carol, mia, otto):
    """The four people who answer: carol, mia and two more members."""
    members = add_members(alliance, 2)
    own = {m.user_id: m for m in alliance.memberships.filter(user__in=[carol, mia])}
    return [own[carol.pk], own[mia.pk], *members]


def plan(review, fiona, agenda=("purpose", "power")):
    return services.plan_meeting(
        review=review,
        agenda=list(agenda),
        author=fiona,
        starts_at=timezone.now(),
        place="Town hall",
        facilitator=fiona,
    )


def step(meeting):
    meeting = live.load(meeting.pk)
    services.advance(meeting=meeting, actor=meeting.facilitator)
    return live.load(meeting.pk)


def to(meeting, kind, key="purpose"):
    """Advance to phase `kind` of component `key` (everyone has answered by then)."""
    target = meeting.phases.get(kind=kind, component_key=key)
    meeting = live.load(meeting.pk)
    while meeting.current.position < target.position:
        meeting = step(meeting)
    return meeting


def answered_by(room, meeting, ratings):
    round = live.load(meeting.pk).current.round
    for membership, rating in zip(room, ratings, strict=False):
        answer(membership, round, rating, q1=f"Private thought rated {rating}")


def summary_url(meeting):
    return reverse("meetings:summary", args=[meeting.review.alliance.slug, meeting.pk])


def summary(client, user, meeting) -> str:
    client.force_login(user)
    response = client.get(summary_url(meeting))
    assert response.status_code == 200
    return pages.text(response)


# What the room rated


def test_the_summary_shows_the_rooms_result_once_revealed(client, review, fiona, otto, room):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    meeting = to(meeting, Phase.Kind.REFLECT)
    answered_by(room, meeting, [4, 4, 5, 2])
    meeting = to(meeting, Phase.Kind.DISCUSS)

    text = summary(client, otto, meeting)

    assert (
        "Shared purpose in discussion What the room rated 4 people answered. "
        "Median rating: 4 out of 5."
    ) in text
    assert "What was recorded Notes Nothing written." in text
    # Written answers are not part of the summary, shown or not.
    assert "Private thought" not in text
    # The second component was not reached.
    assert "On the agenda, not reached Shared power not started" in text


def test_the_summary_says_how_many_more_answers_were_needed(client, review, fiona, otto, room):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    meeting = to(meeting, Phase.Kind.REFLECT)
    answered_by(room, meeting, [1, 5])
    services.end(meeting=live.load(meeting.pk), actor=fiona)

    text = summary(client, otto, meeting)

    assert (
        "What the room rated 2 people answered. 1 more answer needed before ratings are shown."
    ) in text
    assert "Median" not in text


def test_the_summary_of_a_round_still_open_shows_only_the_count(client, review, fiona, otto, room):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    meeting = to(meeting, Phase.Kind.REFLECT)
    answered_by(room, meeting, [3, 3, 3])

    text = summary(client, otto, meeting)

    assert (
        "What the room rated 3 people answered. "
        "The spread of ratings is shown once answers are closed."
    ) in text
    assert "Median" not in text


def test_the_summary_of_trust_shows_the_confidence_in_each_goal(client, review, fiona, otto, room):
    goal = Goal.objects.create(
        alliance=review.alliance, statement="Summer meals for every child", status="agreed"
    )
    open_component(record=review.records.get(component_key="trust"), author=fiona, reason="Now.")
    meeting = plan(review, fiona, ["trust"])
    services.start(meeting=meeting, actor=fiona)
    meeting = to(meeting, Phase.Kind.REFLECT, "trust")
    round = meeting.current.round
    (asked,) = confidence_rounds_with(round)
    for membership, value in zip(room, [2, 3, 3, 5], strict=True):
        submit_shown(
            membership=membership,
            answers=[ComponentAnswer(round, 4), ComponentAnswer(asked, value)],
        )
    meeting = to(meeting, Phase.Kind.REVEAL, "trust")

    text = summary(client, otto, meeting)

    assert asked.goal == goal
    assert ("What the room rated 4 people answered. Median rating: 4 out of 5.") in text
    assert (
        "Summer meals for every child Median confidence: 3 out of 5. 4 people answered."
    ) in text


def test_the_summary_of_a_component_introduced_only(client, review, fiona, otto, room):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    to(meeting, Phase.Kind.INTRODUCE)

    text = summary(client, otto, meeting)

    assert (
        "Shared purpose in discussion What the room rated "
        "The meeting did not reach the answers about this component."
    ) in text


def test_the_summary_lists_each_components_commitments_and_who_came(
    client, review, fiona, mia, otto, kitchen, room
):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    Attendance.objects.create(meeting=meeting, user=mia)
    Attendance.objects.create(meeting=meeting, user=fiona)
    promise(review, mia, kitchen, "purpose", "Count the meals served each week")
    promise(review, mia, None, "", "Write to the county")

    text = summary(client, otto, meeting)

    assert "Who attended Fiona Facilitator Mia Member (Community Kitchen) What was" in text
    # Neither was made for a component the meeting reached.
    assert (
        "Other commitments made in this meeting "
        "Count the meals served each week — Community Kitchen, Mia Member, by Sept. 1, 2027 "
        "Write to the county — no partner named, Mia Member, by Sept. 1, 2027"
    ) in text


def promise(review, owner, partner, key, description):
    commitment = Commitment(
        alliance=review.alliance,
        review=review,
        component_key=key,
        description=description,
        partner=partner,
        owner=owner,
        due_on=datetime.date(2027, 9, 1),
        created_by=owner,
    )
    create_with_history(commitment, alliance=review.alliance, author=owner)
    return commitment


def test_commitments_appear_under_the_component_they_were_made_for(
    client, review, fiona, mia, otto, kitchen, room
):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    meeting = to(meeting, Phase.Kind.REFLECT)
    answered_by(room, meeting, [4, 4, 4, 4])
    meeting = to(meeting, Phase.Kind.RECORD)
    promise(review, mia, kitchen, "purpose", "Count the meals served each week")

    text = summary(client, otto, meeting)

    assert (
        "Commitments made Count the meals served each week — Community Kitchen, Mia Member, "
        "by Sept. 1, 2027"
    ) in text


def test_a_commitment_made_after_the_meeting_is_not_in_its_summary(
    client, review, fiona, mia, otto, kitchen, room
):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    to(meeting, Phase.Kind.INTRODUCE)
    services.end(meeting=live.load(meeting.pk), actor=fiona)
    promise(review, mia, kitchen, "purpose", "Promised the day after")

    assert "Promised the day after" not in summary(client, otto, meeting)


# The log, in plain words


DANA = User(name="Dana", email="dana@example.org")


def entry(action, detail="", actor=None):
    return LogEntry(action=action, detail=detail, actor=actor)


@pytest.mark.parametrize(
    ("action", "detail", "said"),
    [
        ("start", "", "Dana started the meeting"),
        ("advance", "Shared purpose: Reveal", "Dana moved on to Shared purpose: Reveal"),
        ("back", "Shared purpose: Reflect", "Dana went back to Shared purpose: Reflect"),
        ("reopen", "Shared purpose: Reflect", "Dana reopened the answers to Shared purpose"),
        ("item", "", "Dana showed another commitment"),
        ("item", "next", "Dana showed the next commitment"),
        ("item", "previous", "Dana showed the previous commitment"),
        ("timer", "5 min", "Dana started a 5-minute timer"),
        ("timer", "1 min", "Dana started a 1-minute timer"),
        ("timer", "stopped", "Dana stopped the timer"),
        ("handover", "Dana → Marisol", "Dana handed facilitation from Dana to Marisol"),
        ("end", "ended", "Dana ended the meeting"),
        ("answering", "on", "Dana chose that people without a partner answer too"),
        ("answering", "off", "Dana chose that people without a partner do not answer"),
        ("projector", "en, es", "Dana chose English and Spanish, side by side, for the projector"),
        ("projector", "es", "Dana chose Spanish for the projector"),
        ("projector", "", "Dana chose the alliance's language for the projector"),
        ("dance", "twice", "Dana: dance (twice)"),
        ("timer", "soon", "Dana: timer (soon)"),
    ],
)
def test_each_log_entry_in_plain_words(review, fiona, action, detail, said):
    phases = phase_names(plan(review, fiona).phases.all())

    assert describe(entry(action, detail, DANA), phases) == said


# A detail each action is logged with (the services write it), where one is needed.
LOGGED_DETAILS = {"timer": "5 min", "handover": "Dana → Marisol", "answering": "on"}


def test_every_action_the_services_log_is_said_in_plain_words():
    """A new command that writes the log must say what it did in words, not in code."""
    source = Path(services.__file__).read_text(encoding="utf-8")
    actions = set(re.findall(r'_change\(\s*meeting\.pk,\s*actor,\s*"(\w+)"', source))
    assert {"start", "advance", "end", "projector"} <= actions

    for action in sorted(actions):
        said = describe(entry(action, LOGGED_DETAILS.get(action, ""), DANA))
        assert not said.startswith("Dana:"), (action, said)


def test_a_meeting_that_ended_by_itself_says_so():
    assert describe(entry("end", "idle")) == (
        "The meeting ended by itself after a long time without activity"
    )


def test_an_entry_without_a_person_is_accords():
    assert describe(entry("start")) == "Accord started the meeting"


def test_a_phase_logged_in_another_language_is_named_in_the_readers(review, fiona):
    phases = list(plan(review, fiona).phases.all())
    reveal = next(p for p in phases if p.kind == Phase.Kind.REVEAL)
    with translation.override("es"):
        spanish = str(reveal)
    assert spanish != str(reveal), "the kind of phase has a Spanish name"

    said = describe(entry("advance", spanish, fiona), phase_names(phases))

    assert said == "Fiona Facilitator moved on to Shared purpose: Reveal"


def test_the_summary_prints_the_log_in_plain_words(client, review, fiona, otto, room):
    meeting = plan(review, fiona)
    services.start(meeting=meeting, actor=fiona)
    step(meeting)
    services.set_timer(meeting=live.load(meeting.pk), actor=fiona, minutes=5)
    services.end(meeting=live.load(meeting.pk), actor=fiona)

    text = summary(client, otto, meeting)

    log = text[text.index("Log ") :]
    said = [
        "Fiona Facilitator started the meeting",
        "Fiona Facilitator moved on to Shared purpose: Introduce",
        "Fiona Facilitator started a 5-minute timer",
        "Fiona Facilitator ended the meeting",
    ]
    positions = [log.index(s) for s in said]
    assert positions == sorted(positions)
    for code in ("advance", "start (", "end (ended)", "5 min"):
        assert code not in log


# Printing, and the report's links


def test_the_summary_can_be_printed_without_inline_script(client, review, fiona, otto):
    meeting = plan(review, fiona)
    client.force_login(otto)

    page = client.get(summary_url(meeting)).content.decode()

    # The button is hidden until print.js shows it: without JavaScript it could do nothing.
    assert '<p class="meeting-summary__print" hidden><button type="button"' in page
    assert 'src="/static/accord/print.js"' in page
    assert "onclick" not in page
    assert "<script>" not in page


# Query counts

# session, user, membership, the meeting; its phases, the rounds of its reflect phases and
# the confidence rounds asked with them, their answers' counts and values, the records, the
# commitments made, who came and their partners, the next meeting, the log; and the
# alliance switcher; and the alliance's live meetings, for the banner.
SUMMARY_QUERIES = 17


@pytest.mark.parametrize(("agenda", "timers", "people"), [(ALL_SIX[:2], 2, 1), (ALL_SIX, 30, 5)])
def test_the_summary_costs_the_same_queries_however_long_the_meeting(
    client, review, fiona, otto, mia, kitchen, room, agenda, timers, people
):
    meeting = plan(review, fiona, agenda)
    services.start(meeting=meeting, actor=fiona)
    for key in agenda:
        meeting = to(meeting, Phase.Kind.REFLECT, key)
        answered_by(room, meeting, [4, 3, 5, 4])
        meeting = to(meeting, Phase.Kind.RECORD, key)
        promise(review, mia, kitchen, key, f"A promise about {key}")
    for _ in range(timers):
        services.set_timer(meeting=live.load(meeting.pk), actor=fiona, minutes=5)
    for membership in room[:people]:
        Attendance.objects.create(meeting=meeting, user=membership.user)
    services.end(meeting=live.load(meeting.pk), actor=fiona)
    client.force_login(otto)
    client.get(summary_url(meeting))  # the rounds are settled once, by the first reader

    with CaptureQueriesContext(connection) as queries:
        response = client.get(summary_url(meeting))

    assert response.status_code == 200
    assert len(queries) == SUMMARY_QUERIES, "\n".join(q["sql"] for q in queries)
    text = pages.text(response)
    assert text.count("4 people answered. Median rating: 4 out of 5.") == len(agenda)
    assert LogEntry.objects.filter(meeting=meeting).count() >= 5 * len(agenda) + timers
