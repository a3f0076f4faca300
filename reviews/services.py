"""Workflows of a review that touch several rows: starting it, opening and recording
its components, its commitments. Each writes in one transaction and keeps the history."""

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from history.models import Revision
from history.services import change_with_history, create_with_history, log_change, save_edit
from registers import figures, live
from reviews.framework import framework, key_of
from reviews.models import Commitment, ComponentRecord, Question, Review

# Sent inside the transaction that records a component (`record`, `author`), for the apps
# above that act on it (webhooks, connected in its AppConfig.ready): the review app cannot
# import them.
component_recorded = Signal()


class ReviewRuleError(Exception):
    """An action the order of the review does not allow; the message says why."""


def sync_framework_questions(**kwargs) -> None:
    """Make the framework's questions rows: a changed wording retires the old row and adds
    a new version; an unchanged one is left alone. Runs after every `migrate`."""
    now = timezone.now()
    current = {
        (q.component_key, q.position): q
        for q in Question.objects.filter(
            origin=Question.Origin.FRAMEWORK, review=None, retired_at=None
        )
    }
    for component in framework():
        for position, text in enumerate(component.questions, 1):
            existing = current.pop((component.key, position), None)
            if existing and existing.text == text:
                continue
            version = 1
            if existing:
                existing.retired_at = now
                existing.save(update_fields=["retired_at"])
                version = existing.version + 1
            Question.objects.create(
                component_key=component.key, position=position, version=version, text=text
            )
    for leftover in current.values():
        leftover.retired_at = now
        leftover.save(update_fields=["retired_at"])


def _set_state(record, *, author, alliance, changes: dict, **fields) -> None:
    """Move a record from the state it was read in; refused if someone moved it meanwhile
    (two facilitators, a double click), so that a transition happens once."""
    moved = ComponentRecord.objects.filter(pk=record.pk, state=record.state).update(
        version=F("version") + 1, **fields
    )
    if not moved:
        raise ReviewRuleError(_("Someone changed this component meanwhile. Reload the page."))
    for name, value in fields.items():
        setattr(record, name, value)
    # Read back: the database counted it up, and the number in hand may be older.
    record.version = ComponentRecord.objects.values_list("version", flat=True).get(pk=record.pk)
    log_change(
        record, action=Revision.Action.CHANGED, alliance=alliance, author=author, changes=changes
    )


def _state_change(record, new_state) -> dict:
    return {
        "state": {
            "label": str(ComponentRecord._meta.get_field("state").verbose_name),
            "old": str(record.get_state_display()),
            "new": str(ComponentRecord.State(new_state).label),
        }
    }


def start_review(
    *,
    alliance,
    name: str,
    started_on,
    author,
    anonymous: bool = True,
    rating_threshold: int = 3,
    reflection_threshold: int = 5,
) -> Review:
    """Create a review with a record for each component; the first one opens at once."""
    # One transaction: a review missing some of its component records would fail on every
    # page that shows its components.
    with transaction.atomic():
        review = Review(
            alliance=alliance,
            name=name,
            started_on=started_on,
            created_by=author,
            anonymous=anonymous,
            rating_threshold=rating_threshold,
            reflection_threshold=reflection_threshold,
        )
        create_with_history(review, alliance=alliance, author=author)
        now = timezone.now()
        ComponentRecord.objects.bulk_create(
            ComponentRecord(
                review=review,
                component_key=component.key,
                number=component.number,
                state=(
                    ComponentRecord.State.IN_DISCUSSION
                    if component.number == 1
                    else ComponentRecord.State.NOT_STARTED
                ),
                opened_at=now if component.number == 1 else None,
                opened_by=author if component.number == 1 else None,
            )
            for component in framework()
        )
    return review


RULES = ("anonymous", "rating_threshold", "reflection_threshold")


def change_rules(*, review: Review, author, **rules) -> Review:
    """Set a review's rules of private answers (`RULES`), kept in its history; refused once
    they have been promised to the members (`Review.rules_locked`)."""
    assert set(rules) <= set(RULES), rules
    with transaction.atomic():
        # Locked with the review's row: two saves, or a save and the check, go one at a time.
        current = Review.objects.select_for_update().get(pk=review.pk)
        if current.rules_locked:
            raise ReviewRuleError(
                _("These rules are fixed: they have been shown to the members with a form.")
            )
        change_with_history(current, alliance=review.alliance, author=author, **rules)
    return current


def previous_record(record: ComponentRecord) -> ComponentRecord | None:
    return ComponentRecord.objects.filter(
        review_id=record.review_id, number=record.number - 1
    ).first()


def open_component(*, record: ComponentRecord, author, reason: str = "") -> None:
    """Open a component for discussion. In order, no reason is needed; out of order (the one
    before it is not yet recorded), the facilitator's reason is kept and shown."""
    if record.state != ComponentRecord.State.NOT_STARTED:
        raise ReviewRuleError(_("This component is already open."))
    before = previous_record(record)
    in_order = before is None or before.state == ComponentRecord.State.RECORDED
    reason = reason.strip()
    if not in_order and not reason:
        raise ReviewRuleError(
            _(
                "The component before this one is not recorded yet. To open this one out of "
                "order, give the reason."
            )
        )
    alliance = record.review.alliance
    changes = _state_change(record, ComponentRecord.State.IN_DISCUSSION)
    if reason:
        changes["out_of_order_reason"] = {
            "label": str(ComponentRecord._meta.get_field("out_of_order_reason").verbose_name),
            "old": "",
            "new": reason,
        }
    with transaction.atomic():
        _set_state(
            record,
            author=author,
            alliance=alliance,
            changes=changes,
            state=ComponentRecord.State.IN_DISCUSSION,
            opened_at=timezone.now(),
            opened_by=author,
            out_of_order_reason="" if in_order else reason,
        )


def record_component(*, record: ComponentRecord, author) -> ComponentRecord | None:
    """Mark a component recorded and open the next one if it has not started.
    Returns the record that opened, if any."""
    if record.state != ComponentRecord.State.IN_DISCUSSION:
        raise ReviewRuleError(_("Only a component in discussion can be recorded."))
    alliance = record.review.alliance
    # One transaction: recording and opening the next go together, or a refusal of the second
    # could leave the review with nothing in discussion.
    with transaction.atomic():
        _set_state(
            record,
            author=author,
            alliance=alliance,
            changes=_state_change(record, ComponentRecord.State.RECORDED),
            state=ComponentRecord.State.RECORDED,
            recorded_at=timezone.now(),
            recorded_by=author,
            snapshot=figures.snapshot(record),
        )
        component_recorded.send(sender=ComponentRecord, record=record, author=author)
        following = ComponentRecord.objects.filter(
            review_id=record.review_id,
            number=record.number + 1,
            state=ComponentRecord.State.NOT_STARTED,
        ).first()
        if following:
            following.review = record.review
            open_component(record=following, author=author)
    return following


def reopen_component(*, record: ComponentRecord, author) -> None:
    """Take a recorded component back into discussion, to correct or complete it."""
    if record.state != ComponentRecord.State.RECORDED:
        raise ReviewRuleError(_("Only a recorded component can be reopened."))
    with transaction.atomic():
        _set_state(
            record,
            author=author,
            alliance=record.review.alliance,
            changes=_state_change(record, ComponentRecord.State.IN_DISCUSSION),
            state=ComponentRecord.State.IN_DISCUSSION,
            recorded_at=None,
            recorded_by=None,
            snapshot=None,
        )


# Commitments. They are part of the trust component's register (what partners promised
# and did), so a running meeting that discusses trust is told of each change, inside the
# transaction: its broadcast waits for the commit (`meetings.services._change`).
COMMITMENTS_SHOWN_IN = key_of("trust")


def write_record(*, form, alliance, author) -> ComponentRecord:
    """Save the record of a component's conversation from its page (a valid
    ComponentRecordForm). Raises EditConflict when someone else changed the same field
    meanwhile. A live meeting's notes go through `meetings.services.take_notes`."""
    return save_edit(form, alliance=alliance, author=author)


def add_commitment(*, record: ComponentRecord, commitment, alliance, author) -> Commitment:
    """Add a commitment (a valid CommitmentForm's instance) to the record's component."""
    commitment.review = record.review
    commitment.component_key = record.component_key
    commitment.created_by = author
    with transaction.atomic():
        create_with_history(commitment, alliance=alliance, author=author)
        live.tell_meetings(alliance, COMMITMENTS_SHOWN_IN, author)
    return commitment


def save_commitment(*, form, alliance, author) -> Commitment:
    """Save a valid form of a commitment (its terms or where it stands). Raises
    EditConflict when someone else changed the same field meanwhile."""
    with transaction.atomic():
        commitment = save_edit(form, alliance=alliance, author=author)
        live.tell_meetings(alliance, COMMITMENTS_SHOWN_IN, author)
    return commitment
