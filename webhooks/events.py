"""The events a webhook can be sent, and what each carries.

A payload carries what every member of the alliance may read: names, dates, links and
states. Never a rating, a written answer, a reflection, a confidence, nor who answered
what (ARCHITECTURE.md, "Private answers and anonymity"): nothing here reads the ratings
app, and tests/test_webhooks.py checks every event's payload against a round's answers.

Events raised in lower apps reach webhooks/services.py by their signals
(`reviews.services.component_recorded`, `meetings.services.meeting_planned`), connected
in WebhooksConfig.ready; commitments due or overdue are found each day by the scheduler
(`services.queue_commitment_events`).
"""

import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reviews.framework import framework
from reviews.models import ComponentRecord

REVIEW_RECORDED = "review.recorded"
MEETING_PLANNED = "meeting.planned"
COMMITMENT_DUE = "commitment.due"
COMMITMENT_OVERDUE = "commitment.overdue"
PING = "ping"

# The events a coordinator chooses from, in the order the form lists them.
CHOICES = [
    (REVIEW_RECORDED, _("A component of a review is recorded (and when all six are, the review)")),
    (MEETING_PLANNED, _("A meeting is planned, or its plan changes")),
    (COMMITMENT_DUE, _("A commitment is due today")),
    (COMMITMENT_OVERDUE, _("A commitment's date has passed and it is not done")),
]
LABELS = dict(CHOICES) | {PING: _("A test event")}


def link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def envelope(*, event: str, delivery_id: uuid.UUID, created_at, alliance, data: dict) -> dict:
    """The whole body of a delivery: what every event has, and its own `data`."""
    return {
        "event": event,
        "id": str(delivery_id),
        "created_at": created_at.isoformat(),
        "alliance": {
            "name": alliance.name,
            "slug": alliance.slug,
            "url": link("alliances:detail", alliance.slug),
        },
        "data": data,
    }


def review_recorded(record: ComponentRecord) -> dict:
    review = record.review
    alliance = review.alliance
    recorded = ComponentRecord.objects.filter(
        review_id=review.pk, state=ComponentRecord.State.RECORDED
    ).count()
    with translation.override(alliance.language or settings.LANGUAGE_CODE):
        name = str(record.component.name)
    return {
        "review": {
            "id": review.pk,
            "name": review.name,
            "started_on": review.started_on.isoformat(),
            "components_recorded": recorded,
            "components": len(framework().components),
            "finished": recorded == len(framework().components),
            "url": link("reviews:detail", alliance.slug, review.pk),
        },
        "component": {
            "key": record.component_key,
            "number": record.number,
            "name": name,
            "state": record.state,
            "recorded_at": record.recorded_at.isoformat() if record.recorded_at else None,
            "url": link("reviews:component", alliance.slug, review.pk, record.component_key),
        },
    }


def meeting_data(meeting, change: str) -> dict:
    review = meeting.review
    alliance = review.alliance
    with translation.override(alliance.language or settings.LANGUAGE_CODE):
        agenda = [{"key": key, "name": str(framework().get(key).name)} for key in meeting.agenda]
    return {
        "change": change,
        "meeting": {
            "id": meeting.pk,
            "review": review.name,
            "starts_at": meeting.starts_at.isoformat(),
            "duration_minutes": meeting.duration_minutes,
            "place": meeting.place,
            "agenda": agenda,
            "facilitator": meeting.facilitator.name,
            "status": meeting.status,
            "url": link("meetings:detail", alliance.slug, meeting.pk),
        },
    }


def commitment_data(commitment, today) -> dict:
    alliance = commitment.alliance
    review = commitment.review
    if review is not None and commitment.component_key:
        url = link("reviews:component", alliance.slug, review.pk, commitment.component_key)
    else:
        url = link("alliances:detail", alliance.slug)
    return {
        "commitment": {
            "id": commitment.pk,
            "description": commitment.description,
            "due_on": commitment.due_on.isoformat(),
            "days_overdue": max((today - commitment.due_on).days, 0),
            "status": commitment.status,
            "partner": commitment.partner.name if commitment.partner else None,
            "owner": commitment.owner.name if commitment.owner else None,
            "review": review.name if review else None,
            "url": url,
        }
    }
