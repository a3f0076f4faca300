"""Every write of the webhooks app: the coordinators' webhooks, the events queued for them
(one Delivery row each, written in the transaction of the change that raised the event, so
that a change undone sends nothing), and their delivery by the scheduler
(upkeep.jobs.deliver_webhooks), never in a request: a slow or failing receiver never slows
a page.

A delivery is tried at once, then after 1, 2, 4, … minutes, MAX_ATTEMPTS times in all, and
then given up. Each attempt checks the address again (webhooks/addresses.py).
"""

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meetings.services import meeting_planned
from reviews.models import Commitment
from reviews.services import component_recorded
from webhooks import events, signing
from webhooks.addresses import Refused, check
from webhooks.models import Delivery, Webhook, new_secret
from webhooks.sending import ATTEMPT_TIMEOUTS, SendError, post

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
# A delivery taken by a run is left alone by other runs this long (its next attempt is
# pushed this far while it is being sent), longer than an attempt can last: two schedulers
# never send it twice.
CLAIM = timedelta(minutes=2)


def claim_time() -> timedelta:
    longest = timedelta(seconds=ATTEMPT_TIMEOUTS * settings.WEBHOOK_TIMEOUT)
    return max(CLAIM, longest + timedelta(minutes=1))


# A run stops taking deliveries after this long, or this many, so that it ends within its
# minute; the rest wait for the next run.
RUN_SECONDS = 40
RUN_DELIVERIES = 200
# What the daily clean-up keeps of deliveries.
KEEP_DELIVERIES = timedelta(days=30)
# An overdue commitment is announced once, on any of the first days after its date (the
# scheduler may have been down on the first): later, its delivery may have been cleaned up.
OVERDUE_WINDOW = timedelta(days=7)
USER_AGENT = "Accord-Webhooks"


# The coordinators' webhooks. No history: a webhook is a coordinator's setting, not a
# record the partners keep together.


def add_webhook(*, form, alliance, author) -> Webhook:
    """Save a valid WebhookForm as a new webhook of the alliance, with a fresh secret."""
    webhook = form.save(commit=False)
    webhook.alliance = alliance
    webhook.created_by = author
    webhook.save()
    return webhook


def edit_webhook(*, form) -> Webhook:
    """Save a valid WebhookEditForm (its events, whether it sends)."""
    return form.save()


def regenerate_secret(*, webhook: Webhook) -> str:
    """Give the webhook a new secret: deliveries from now on are signed with it."""
    webhook.secret = new_secret()
    Webhook.objects.filter(pk=webhook.pk).update(secret=webhook.secret)
    return webhook.secret


def delete_webhook(*, webhook: Webhook) -> None:
    """Delete the webhook and its deliveries (those not yet sent are not sent)."""
    webhook.delete()


def send_test_event(*, webhook: Webhook, author) -> Delivery:
    """Queue a `ping` for this webhook alone; the scheduler sends it within the minute."""
    data = {"message": "A test event from Accord.", "sent_by": author.name}
    return _queue(webhook, events.PING, f"{events.PING}:{uuid.uuid4()}", data, timezone.now())[0]


# Queueing events


def _queue(webhook, event: str, key: str, data: dict, now) -> list[Delivery]:
    return _queue_many([webhook], event, key, data, now)


def _queue_many(webhooks, event: str, key: str, data: dict, now) -> list[Delivery]:
    deliveries = []
    for webhook in webhooks:
        delivery = Delivery(
            webhook=webhook, event=event, event_key=key, created_at=now, next_attempt_at=now
        )
        body = events.envelope(
            event=event,
            delivery_id=delivery.uuid,
            created_at=now,
            alliance=webhook.alliance,
            data=data,
        )
        delivery.payload = json.dumps(body, ensure_ascii=False, sort_keys=True)
        deliveries.append(delivery)
    # A key already queued for a webhook (the daily job run again) is passed over.
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return deliveries


def queue_event(*, alliance_id: int, event: str, key: str, data) -> int:
    """Queue `event` for each of the alliance's sending webhooks that asked for it. `data`
    is a function making the event's own part of the payload, called only if one did (one
    query, then, for a change no webhook listens to). Called inside another app's change,
    whose transaction it joins: the event is written in a savepoint, so that a webhook's
    trouble never stops the change itself (a component recorded in a meeting)."""
    listening = [
        webhook
        for webhook in Webhook.objects.filter(alliance_id=alliance_id, active=True).select_related(
            "alliance"
        )
        if event in webhook.events
    ]
    if not listening:
        return 0
    try:
        with transaction.atomic():
            return len(_queue_many(listening, event, key, data(), timezone.now()))
    except Exception:
        logger.exception("The webhook event %s could not be queued.", key)
        return 0


def queue_commitment_events(today: date) -> int:
    """Queue `commitment.due` for the open commitments due `today`, and
    `commitment.overdue` for those whose date passed in the last OVERDUE_WINDOW, each once
    for its date (a commitment given a new date is announced again)."""
    hooks = Webhook.objects.filter(active=True).select_related("alliance")
    by_alliance: dict[int, list[Webhook]] = {}
    for webhook in hooks:
        by_alliance.setdefault(webhook.alliance_id, []).append(webhook)
    if not by_alliance:
        return 0
    commitments = (
        Commitment.objects.filter(
            alliance_id__in=by_alliance,
            status=Commitment.Status.OPEN,
            due_on__gte=today - OVERDUE_WINDOW,
            due_on__lte=today,
        )
        .select_related("alliance", "review", "partner", "owner")
        .order_by("due_on", "pk")
    )
    now = timezone.now()
    found = []
    for commitment in commitments:
        event = events.COMMITMENT_DUE if commitment.due_on == today else events.COMMITMENT_OVERDUE
        listening = [w for w in by_alliance[commitment.alliance_id] if event in w.events]
        if listening:
            key = f"{event}:{commitment.pk}:{commitment.due_on.isoformat()}"
            found.append((commitment, event, key, listening))
    # What an earlier run of the day (or of an earlier day, for an overdue one) queued.
    sent = set(
        Delivery.objects.filter(event_key__in=[key for _, _, key, _ in found]).values_list(
            "webhook_id", "event_key"
        )
    )
    queued = 0
    for commitment, event, key, listening in found:
        new = [w for w in listening if (w.pk, key) not in sent]
        if new:
            data = events.commitment_data(commitment, today)
            queued += len(_queue_many(new, event, key, data, now))
    return queued


def _on_component_recorded(sender, *, record, author, **kwargs) -> None:
    queue_event(
        alliance_id=record.review.alliance_id,
        event=events.REVIEW_RECORDED,
        key=f"{events.REVIEW_RECORDED}:{record.pk}:{record.version}",
        data=lambda: events.review_recorded(record),
    )


def _on_meeting_planned(sender, *, meeting, change, **kwargs) -> None:
    # Planning is sent once; each change of plan is sent too.
    key = f"{events.MEETING_PLANNED}:{meeting.pk}"
    if change != "planned":
        key += f":{uuid.uuid4()}"
    queue_event(
        alliance_id=meeting.review.alliance_id,
        event=events.MEETING_PLANNED,
        key=key,
        data=lambda: events.meeting_data(meeting, change),
    )


def connect() -> None:
    component_recorded.connect(_on_component_recorded, dispatch_uid="webhooks.recorded")
    meeting_planned.connect(_on_meeting_planned, dispatch_uid="webhooks.planned")


# Delivering


@dataclass
class Outcome:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0

    def __str__(self):
        return (
            f"{self.delivered} webhook delivery(ies) delivered, {self.retrying} to try again, "
            f"{self.given_up} given up."
        )


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    return FIRST_RETRY * 2 ** (attempts - 1)


def _claim(delivery: Delivery, now: datetime) -> bool:
    """Take the delivery for this run, unless another run took it since it was read."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk,
            status=Delivery.Status.PENDING,
            next_attempt_at=delivery.next_attempt_at,
        ).update(next_attempt_at=now + claim_time())
    )


def headers_for(delivery: Delivery, body: bytes, timestamp: int | None = None) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Accord-Event": delivery.event,
        "Accord-Delivery": str(delivery.uuid),
        "Accord-Signature": signing.header(delivery.webhook.secret, body, timestamp),
    }


def attempt(delivery: Delivery, now: datetime) -> str:
    """Send the delivery once and keep how it went; its new status."""
    body = delivery.payload.encode()
    code, excerpt, error = None, "", ""
    try:
        target = check(delivery.webhook.url)
        answer = post(target, body, headers_for(delivery, body))
    except Refused as refusal:
        error = str(refusal)
    except SendError as failure:
        error = str(failure)
    else:
        code, excerpt = answer.status, answer.excerpt
        if not answer.ok:
            error = f"The receiver answered {answer.status}."
    attempts = delivery.attempts + 1
    fields = {
        "attempts": attempts,
        "last_attempt_at": now,
        "response_code": code,
        "response_excerpt": excerpt,
        "error": error,
    }
    if not error:
        fields |= {"status": Delivery.Status.DELIVERED, "delivered_at": now}
        fields["next_attempt_at"] = None
    elif attempts >= MAX_ATTEMPTS:
        fields |= {"status": Delivery.Status.FAILED, "next_attempt_at": None}
    else:
        fields["next_attempt_at"] = now + retry_delay(attempts)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    logger.info(
        "Webhook %s, delivery %s (%s), attempt %s: %s",
        delivery.webhook_id,
        delivery.uuid,
        delivery.event,
        attempts,
        f"answered {code}" if code else error,
    )
    return delivery.status


def deliver_due(now: datetime | None = None) -> Outcome:
    """Send each pending delivery whose time has come, of a webhook still sending, oldest
    first, until RUN_SECONDS or RUN_DELIVERIES."""
    now = now or timezone.now()
    started = time.monotonic()
    outcome = Outcome()
    due = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, webhook__active=True
        )
        .select_related("webhook")
        .order_by("next_attempt_at", "pk")[:RUN_DELIVERIES]
    )
    for delivery in due:
        if time.monotonic() - started > RUN_SECONDS:
            break
        if not _claim(delivery, now):
            continue
        status = attempt(delivery, now + timedelta(seconds=time.monotonic() - started))
        if status == Delivery.Status.DELIVERED:
            outcome.delivered += 1
        elif status == Delivery.Status.FAILED:
            outcome.given_up += 1
        else:
            outcome.retrying += 1
    return outcome


def prune_deliveries(*, before: datetime) -> int:
    """Delete the deliveries made before `before` (KEEP_DELIVERIES ago, by the clean-up)."""
    deleted, _ = Delivery.objects.filter(created_at__lt=before).delete()
    return deleted
