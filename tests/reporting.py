"""A review as its report shows it: every component written and recorded, rated, with
commitments and a meeting held; and the same review grown `size` times, for the report's
page (tests/test_report.py) and its PDF (tests/test_report_pdf.py)."""

import datetime

from django.utils import timezone

from meetings.models import Attendance, Meeting
from ratings.services import close_check_in
from registers.models import Goal
from reviews.models import Commitment, ComponentRecord
from reviews.services import record_component
from tests.answering import answer, check_in_on
from tests.factories import add_members, add_values, make_commitment, make_indicator

KEYS = ["purpose", "power", "interdependence", "trust", "control", "indicators"]
SCALE_LABELS = [
    "Not at all true of our alliance",
    "A little true",
    "Partly true",
    "Mostly true",
    "Fully true of our alliance",
]
TODAY = timezone.localdate()


def texts(key: str) -> dict:
    """What the partners recorded about one component: words found nowhere else."""
    return {
        "agreements": f"Agreed on {key}: the alliance shares this.",
        "concerns": f"Concern about {key}: not everyone is sure.",
        "ideas": f"Idea for {key}: meet every month.",
        "notes": f"Notes on {key}: a long talk.",
    }


def write_record(record, **fields) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()


def rate(review, members, keys, values, reflections=None) -> None:
    """A closed check-in on `keys` in which each of `members` gave the matching value."""
    check_in = check_in_on(review, keys)
    for membership, value in zip(members, values, strict=True):
        for round in check_in.rounds.filter(goal=None):
            answer(membership, round, value, **(reflections or {}))
    close_check_in(check_in=check_in)


def finish(review, author) -> None:
    """Write and record every component in order, as the facilitator does."""
    for key in KEYS:
        record = ComponentRecord.objects.get(review=review, component_key=key)
        write_record(record, **texts(key))
        record.refresh_from_db()
        record_component(record=record, author=author)


def hold_meeting(review, facilitator, people, *, days_ago=10, agenda=("purpose",)):
    """A meeting of the review, ended, that `people` attended."""
    meeting = Meeting.objects.create(
        review=review,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        agenda=list(agenda),
        facilitator=facilitator,
        place="Town hall",
        status=Meeting.Status.ENDED,
    )
    Attendance.objects.bulk_create(Attendance(meeting=meeting, user=user) for user in people)
    return meeting


def finished_review(review, fiona, mia, raters):
    """Spring 2027, finished: every component recorded, rated by three people (median 4),
    two commitments (one done, one overdue) and a meeting Mia and Fiona attended."""
    rate(review, raters, KEYS, [4, 4, 5])
    finish(review, fiona)
    make_commitment(
        review, "Share the pantry schedule", TODAY, status=Commitment.Status.DONE, author=fiona
    )
    make_commitment(
        review, "Draft the intake form", TODAY - datetime.timedelta(days=3), author=fiona
    )
    hold_meeting(review, fiona, [mia, fiona])
    return review


# records (1); the ratings of this review (rounds, counts, values) and of the previous one
# (review, rounds, counts, values) (7); the live registers of the components not recorded
# yet, here trust (8), control (3) and indicators (4, and 3 for the charts); commitments,
# meetings and who came (3); the alliance switcher and the live meetings (the banner) (2);
# the review's own questions (1).
REPORT_QUERIES = 36


def fill(review, fiona, size: int) -> None:
    """`size` times more of everything in the review: commitments, meetings and who came,
    raters, goals, indicators and their values."""
    people = add_members(review.alliance, 3 * size, start=200)
    rate(review, people, ["purpose", "power", "trust"], [4] * len(people))
    for n in range(size):
        make_commitment(review, f"Commitment {n}", TODAY, author=fiona)
        hold_meeting(review, fiona, [m.user for m in people], days_ago=n + 1)
        Goal.objects.create(alliance=review.alliance, statement=f"Goal {n}", status="agreed")
        indicator = make_indicator(review.alliance, name=f"Indicator {n}")
        add_values(
            indicator, *[(TODAY - datetime.timedelta(days=d), d) for d in range(1, 4 * size)]
        )
    for key in ("purpose", "power", "interdependence"):
        record = ComponentRecord.objects.get(review=review, component_key=key)
        write_record(record, **texts(key))
        record.refresh_from_db()
        record_component(record=record, author=fiona)
