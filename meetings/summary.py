"""A meeting's summary, its record: who came, what was covered, and for each component it
discussed what the room rated, what was recorded and what was promised; then the log in
plain words. A fixed number of queries, whatever the number of components or log entries.

Ratings are shown only as `ratings.results` allows (its `summarize`, which applies K to
every round at once); nothing here reads an answer.
"""

from dataclasses import dataclass

from django.utils import timezone

from alliances.models import Membership
from meetings import log
from meetings.models import Meeting, Phase
from ratings import confidence, results
from ratings.models import Round
from reviews.framework import framework
from reviews.models import Commitment, ComponentRecord


@dataclass
class Discussed:
    """One component the meeting reached."""

    component: object
    record: ComponentRecord | None
    result: results.RoundResult | None  # None when the meeting did not reach its reflect phase
    confidence: dict | None  # confidence in each goal, asked with the trust component
    commitments: list


def summary_context(meeting: Meeting) -> dict:
    phases = list(meeting.phases.all())
    reached = [p for p in phases if p.reached_at is not None]
    keys = [k for k in meeting.agenda if any(p.component_key == k for p in reached)]
    rounds, goal_rounds = _rounds(meeting, reached)
    summaries = results.summarize([*rounds.values(), *goal_rounds]) if rounds else {}
    records = {
        r.component_key: r
        for r in ComponentRecord.objects.filter(
            review_id=meeting.review_id, component_key__in=meeting.agenda
        )
    }
    commitments = _commitments(meeting)
    discussed = [
        Discussed(
            component=framework().get(key),
            record=records.get(key),
            result=summaries[rounds[key].pk] if key in rounds else None,
            confidence=_confidence(rounds.get(key), goal_rounds, summaries),
            commitments=[c for c in commitments if c.component_key == key],
        )
        for key in keys
    ]
    names = log.phase_names(phases)
    return {
        "attendance": _attendance(meeting),
        "reached": reached,
        "discussed": discussed,
        "not_reached": [records[k] for k in meeting.agenda if k not in keys and k in records],
        "other_commitments": [c for c in commitments if c.component_key not in keys],
        "next_meeting": Meeting.objects.filter(
            review_id=meeting.review_id, status=Meeting.Status.PLANNED
        )
        .exclude(pk=meeting.pk)
        .order_by("starts_at")
        .first(),
        "log": [
            (entry, log.describe(entry, names)) for entry in meeting.log.select_related("actor")
        ],
    }


def _rounds(meeting: Meeting, reached: list[Phase]) -> tuple[dict[str, Round], list[Round]]:
    """The round of each reflect phase reached, by component, and the confidence rounds
    asked with them (with trust), in two queries."""
    ids = {p.round_id: p.component_key for p in reached if p.kind == Phase.Kind.REFLECT}
    ids.pop(None, None)
    if not ids:
        return {}, []
    rounds = {}
    for round in Round.objects.filter(pk__in=ids, review_id=meeting.review_id):
        round.review = meeting.review
        rounds[ids[round.pk]] = round
    goal_rounds = list(
        Round.objects.filter(asked_with__in=list(rounds.values()), goal__isnull=False)
        .select_related("goal")
        .order_by("goal__created_at", "goal_id")
    )
    for round in goal_rounds:
        round.review = meeting.review
    return rounds, goal_rounds


def _confidence(round: Round | None, goal_rounds: list[Round], summaries: dict) -> dict | None:
    mine = [r for r in goal_rounds if round is not None and r.asked_with_id == round.pk]
    return confidence.for_rounds(mine, summaries) if mine else None


def _commitments(meeting: Meeting) -> list[Commitment]:
    """The commitments made while the meeting ran."""
    if meeting.started_at is None:
        return []
    made = Commitment.objects.filter(
        review_id=meeting.review_id,
        created_at__gte=meeting.started_at,
        created_at__lte=meeting.ended_at or timezone.now(),
    )
    return list(made.select_related("partner", "owner").order_by("created_at", "id"))


def _attendance(meeting: Meeting) -> list[tuple[object, object]]:
    """Who came, by name, each with the partner they belong to in this alliance (if any)."""
    people = [a.user for a in meeting.attendance.select_related("user").order_by("user__name")]
    partners = dict(
        Membership.objects.filter(
            alliance_id=meeting.review.alliance_id, user__in=people, partner__isnull=False
        ).values_list("user_id", "partner__name")
    )
    return [(person, partners.get(person.pk, "")) for person in people]
