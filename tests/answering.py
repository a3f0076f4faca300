"""Helpers for tests of private answers: open a check-in, answer as a form would, and bring a
meeting to its reflect phase (the members who answer are made by `factories.add_members`)."""

import datetime

from django.utils import timezone

from ratings.models import CheckIn, Round
from ratings.services import ComponentAnswer, open_check_in, submit
from reviews.models import Question


def check_in_on(review, keys=("purpose",), author=None) -> CheckIn:
    return open_check_in(
        review=review,
        component_keys=list(keys),
        closes_at=timezone.now() + datetime.timedelta(days=7),
        message="",
        author=author,
    )


def answer(membership, round: Round, rating: int, **texts_by_position) -> None:
    questions = {
        q.position: q
        for q in Question.objects.filter(
            component_key=round.component_key, review=None, retired_at=None
        )
    }
    reflections = {questions[int(p[1:])]: text for p, text in texts_by_position.items()}
    submit_shown(
        membership=membership,
        answers=[ComponentAnswer(round=round, rating=rating, reflections=reflections)],
    )


def submit_shown(*, membership, answers) -> None:
    """Submit as a form would: under the review's rules as they stand (see `Review.rules`)."""
    rules = Round.objects.select_related("review").get(pk=answers[0].round.pk).review.rules
    submit(membership=membership, answers=answers, rules=rules)


def meeting_at_reflect(review, facilitator, component_key="purpose"):
    """A live meeting of `review`, led by `facilitator`, at the reflect phase of a component."""
    from meetings import live
    from meetings import services as meetings
    from meetings.models import Phase

    meeting = meetings.plan_meeting(
        review=review,
        agenda=meetings.default_agenda(review),
        author=facilitator,
        starts_at=timezone.now(),
        place="Town hall",
        facilitator=facilitator,
    )
    meetings.start(meeting=meeting, actor=facilitator)
    reflect = meeting.phases.get(kind=Phase.Kind.REFLECT, component_key=component_key)
    while live.load(meeting.pk).current.position < reflect.position:
        meetings.advance(meeting=live.load(meeting.pk), actor=facilitator, confirmed=True)
    return live.load(meeting.pk)
