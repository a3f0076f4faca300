"""Every change to a meeting goes through `_change`: it locks the meeting row, checks who
may act, writes, bumps the meeting's sequence number and, once the transaction commits,
broadcasts the new state to everyone in the meeting (HOUSE_STYLE rule 4)."""

import logging
import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accord import phrases
from accounts.language import chosen
from alliances import rules
from history.services import create_with_history, save_edit
from meetings import calendar
from meetings.live import answered_count, broadcast_state, close_projectors, eligible_count
from meetings.models import Attendance, CalendarFeed, LogEntry, Meeting, Phase, hash_token
from ratings.models import Round
from ratings.services import (
    CONFIDENCE_KEY,
    close_with_confidence,
    open_confidence_rounds,
    reopen_with_confidence,
    submit,
)
from reviews.framework import framework
from reviews.models import Commitment, ComponentRecord
from reviews.services import ReviewRuleError, open_component, record_component

logger = logging.getLogger(__name__)

COMPONENT_PHASES = [
    Phase.Kind.INTRODUCE,
    Phase.Kind.REFLECT,
    Phase.Kind.REVEAL,
    Phase.Kind.DISCUSS,
    Phase.Kind.RECORD,
]


# Sent inside the transaction that plans a meeting, changes its plan or cancels it
# (`meeting`, `change`: "planned", "changed" or "cancelled"), for the apps above that act
# on it (webhooks, connected in its AppConfig.ready): the meetings app cannot import them.
meeting_planned = Signal()


class MeetingError(Exception):
    """The action is refused; the message says why, and nothing changed."""


class NeedsConfirmation(MeetingError):
    """The action would surprise the room (answers still missing, the end of the
    meeting): it is done only when asked again with `confirmed=True`."""

    def __init__(self, command: str, message: str):
        super().__init__(message)
        self.command = command


# Planning


def default_agenda(review) -> list[str]:
    """The next two components not yet recorded, in order."""
    records = review.records.order_by("number")
    return [r.component_key for r in records if r.state != ComponentRecord.State.RECORDED][:2]


def agenda_problem(review, keys: list[str]) -> str:
    """Why this agenda breaks the review's order rule, or "" when it does not: each
    component must be open already, or come right after one that is recorded or earlier
    on the agenda."""
    states = {r.component_key: r.state for r in review.records.all()}
    order = framework().keys()
    for key in keys:
        number = order.index(key)
        before = order[number - 1] if number else None
        if (
            states.get(key) == ComponentRecord.State.NOT_STARTED
            and before
            and states.get(before) != ComponentRecord.State.RECORDED
            and before not in keys
        ):
            return _(
                "%(name)s cannot be on the agenda before %(before)s is recorded or discussed "
                "first. A facilitator can open it out of order from its page, giving a reason."
            ) % {"name": framework().get(key).name, "before": framework().get(before).name}
    return ""


def plan_meeting(*, review, agenda: list[str], author, invite: bool = False, **fields) -> Meeting:
    """Plan a meeting of the review on these components, in the framework's order; with
    `invite`, each member is emailed an invitation once the transaction commits (the demo
    and the tests plan without); the meeting stays planned when the mail server does not
    take one, and who it did not reach is kept in `Meeting.not_emailed`."""
    order = framework().keys()
    agenda = sorted(agenda, key=order.index)
    problem = agenda_problem(review, agenda)
    if problem:
        raise MeetingError(problem)
    with transaction.atomic():
        meeting = Meeting.objects.create(review=review, agenda=agenda, created_by=author, **fields)
        _build_phases(meeting)
        meeting_planned.send(sender=Meeting, meeting=meeting, change="planned")
        if invite:
            # On commit: an invitation sent before then could be for a meeting never saved.
            transaction.on_commit(lambda: _email_invitations(meeting))
    return meeting


def email_invitations_again(*, meeting: Meeting) -> list:
    """Send the meeting's invitation again to those the mail server did not take it for
    (who are still in the alliance), while it is planned, or its cancellation once it is
    cancelled; the people it still did not reach."""
    if meeting.status == Meeting.Status.CANCELLED:
        entry = cancellation(meeting)
        return _email_cancellation(
            meeting, entry.detail if entry else "", only=meeting.not_emailed.all()
        )
    if meeting.status != Meeting.Status.PLANNED:
        return []
    return _email_invitations(meeting, only=meeting.not_emailed.all())


def _email_invitations(meeting: Meeting, only=None) -> list:
    """Email the invitations and keep who the mail server did not take one for
    (`Meeting.not_emailed`): the meeting stays planned whatever the mail server does, and
    whoever facilitates can send those again."""
    return _kept_unsent(meeting, "invitation to", calendar.email_invitations(meeting, only=only))


def _email_cancellation(meeting: Meeting, reason: str, only=None) -> list:
    """Email the cancellation, as `_email_invitations` does the invitation: the meeting stays
    cancelled whatever the mail server does, and who it did not reach is kept."""
    missed = calendar.email_cancellation(meeting, reason, only=only)
    return _kept_unsent(meeting, "cancellation of", missed)


def _kept_unsent(meeting: Meeting, what: str, missed: list) -> list:
    if missed:
        logger.error(
            "The %s meeting %s did not reach person(s) %s: the mail server did not take it.",
            what,
            meeting.pk,
            ", ".join(str(person.pk) for person in missed),
        )
    meeting.not_emailed.set(missed)
    return missed


def _build_phases(meeting: Meeting) -> None:
    kinds = [(Phase.Kind.OPENING, "")]
    for key in meeting.agenda:
        kinds += [(kind, key) for kind in COMPONENT_PHASES]
    kinds.append((Phase.Kind.CLOSING, ""))
    Phase.objects.bulk_create(
        Phase(meeting=meeting, position=n, kind=kind, component_key=key)
        for n, (kind, key) in enumerate(kinds)
    )


# What a calendar shows of a meeting: a change to one of these moves its SEQUENCE.
CALENDAR_FIELDS = ("starts_at", "duration_minutes", "place", "video_link")


def update_plan(*, meeting: Meeting, agenda: list[str], **fields) -> Meeting:
    """Change a meeting that has not started yet. A new time, length, place or video link
    moves its calendar SEQUENCE, so that calendars (the feeds) take the new one."""
    order = framework().keys()
    agenda = sorted(agenda, key=order.index)
    problem = agenda_problem(meeting.review, agenda)
    if problem:
        raise MeetingError(problem)
    with transaction.atomic():
        # Locked, and read again: a meeting started or cancelled meanwhile is not changed,
        # and two changes at once each move the sequence.
        saved = _lock(meeting.pk)
        if saved.status != Meeting.Status.PLANNED:
            raise MeetingError(_("Only a meeting that has not started can be changed."))
        moved = any(
            name in fields and fields[name] != getattr(saved, name) for name in CALENDAR_FIELDS
        )
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.agenda = agenda
        meeting.calendar_sequence = saved.calendar_sequence + (1 if moved else 0)
        meeting.calendar_changed_at = timezone.now() if moved else saved.calendar_changed_at
        # Only what the plan holds: the rest (the room's sequence, the projector link) may
        # have moved since the page was drawn.
        meeting.save(update_fields=[*fields, "agenda", "calendar_sequence", "calendar_changed_at"])
        meeting.phases.all().delete()
        _build_phases(meeting)
        meeting_planned.send(sender=Meeting, meeting=meeting, change="changed")
    return meeting


def cancel(*, meeting: Meeting, actor, reason: str) -> None:
    """Call off a planned meeting: it can no longer start, its page and every list say it
    is cancelled, its log keeps who cancelled it and why, calendars (the feeds, and the
    email each person of the alliance is sent once this commits, with its .ics) mark it
    cancelled, and its projector link stops working."""
    with _change(meeting.pk, actor, "cancel", steer=False, live=False) as (m, detail):
        if not rules.FACILITATE.allows(_membership(m, actor)):
            raise MeetingError(str(rules.FACILITATE.message))
        if m.status != Meeting.Status.PLANNED:
            raise MeetingError(_("Only a meeting that has not started can be cancelled."))
        m.status = Meeting.Status.CANCELLED
        m.calendar_sequence += 1
        m.calendar_changed_at = timezone.now()
        detail["text"] = reason
        projector = m.projector_token_hash
        m.projector_token_hash = ""
        if projector:
            transaction.on_commit(lambda: close_projectors(m.pk, projector))
        # On commit: a cancellation sent before then could be for a meeting still planned.
        transaction.on_commit(lambda: _email_cancellation(m, detail["text"][:300]))
        # Other systems told of its plan are told it is off (webhooks).
        meeting_planned.send(sender=Meeting, meeting=m, change="cancelled")
    meeting.status = m.status


def cancellation(meeting: Meeting) -> LogEntry | None:
    """The log entry of the meeting's cancellation (who, when, and why in its detail)."""
    return meeting.log.filter(action="cancel").select_related("actor").last()


# The one door for live changes


@contextmanager
def _change(
    meeting_id: int, actor, action: str, *, steer: bool = True, live: bool = True, log=True
):
    """Lock the meeting, check the actor, let the caller change it, then log, bump the
    sequence and broadcast after commit."""
    with transaction.atomic():
        # Locked: two facilitators pressing at once would otherwise both move the meeting on from
        # the same phase.
        meeting = _lock(meeting_id)
        # The role is read again here, under the lock: a facilitator demoted (or removed)
        # a second ago, on another page or another server process, is refused now.
        if steer and not rules.STEER.allows(_membership(meeting, actor), meeting):
            raise MeetingError(str(rules.STEER.message))
        if live and meeting.status != Meeting.Status.LIVE:
            raise MeetingError(_("The meeting is not running."))
        detail = {"text": ""}
        yield meeting, detail
        now = timezone.now()
        # Every change bumps the number: the cached stage and the clients' hellos go by it, so a
        # change without it would never reach them.
        meeting.seq += 1
        meeting.last_activity_at = now
        meeting.save()
        if log:
            LogEntry.objects.create(
                meeting=meeting,
                actor=actor,
                action=detail.get("action", action),
                detail=detail["text"][:300],
                at=now,
            )
        # On commit: a client told before the commit could read the old row, and a change rolled
        # back must not be shown.
        transaction.on_commit(lambda: broadcast_state(meeting.pk))


def _lock(meeting_id: int) -> Meeting:
    """The meeting, locked until the transaction ends. Call it inside one."""
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("review", "review__alliance", "current")
        .get(pk=meeting_id)
    )


def _require(rule, meeting: Meeting, actor, *objects) -> None:
    """Refuse the actor whose role, read again under the meeting's lock, no longer allows
    `rule` (demoted or removed since the page was drawn)."""
    if not rule.allows(_membership(meeting, actor), meeting, *objects):
        raise MeetingError(str(rule.message))


def _membership(meeting: Meeting, user):
    return rules.current_membership(user, meeting.review.alliance_id)


def start(*, meeting: Meeting, actor) -> None:
    with _change(meeting.pk, actor, "start", live=False) as (m, _detail):
        if m.status == Meeting.Status.CANCELLED:
            raise MeetingError(_("This meeting is cancelled."))
        if m.status != Meeting.Status.PLANNED:
            raise MeetingError(_("This meeting has already started."))
        m.status = Meeting.Status.LIVE
        m.started_at = timezone.now()
        _enter(m, m.phases.get(position=0), actor)


def advance(*, meeting: Meeting, actor, confirmed: bool = False, at: int | None = None) -> None:
    """Move the room to the next phase; `at`, the phase the facilitator's button was drawn
    for, refuses the move once the meeting has left it (see `_refuse_if_moved`)."""
    with _change(meeting.pk, actor, "advance") as (m, detail):
        _refuse_if_moved(m, at)
        following = m.phases.filter(position=m.current.position + 1).first()
        if following is None:
            raise MeetingError(_("This is the last phase: end the meeting instead."))
        if m.current.kind == Phase.Kind.REFLECT and not confirmed:
            _confirm_early_reveal(m)
        _leave_forward(m, m.current, actor)
        _enter(m, following, actor)
        detail["text"] = str(following)


def _confirm_early_reveal(meeting: Meeting) -> None:
    answered, eligible = answered_count(meeting.current), eligible_count(meeting)
    if answered < eligible:
        raise NeedsConfirmation(
            "advance",
            _("%(answered)d of %(eligible)d have answered: reveal now? Answers close then.")
            % {"answered": answered, "eligible": eligible},
        )


def _refuse_if_moved(meeting: Meeting, at: int | None) -> None:
    """Two facilitators pressing Next at once, or one pressing twice, would otherwise move
    the room twice: past a reveal, or past a record and into the next component's answers.
    A move says from where it was asked; from anywhere else it is refused."""
    if at is not None and meeting.current.position != at:
        raise MeetingError(
            _("The meeting moved meanwhile: the room is now at %(phase)s. Nothing was changed.")
            % {"phase": meeting.current}
        )


def go_back(*, meeting: Meeting, actor, at: int | None = None) -> None:
    with _change(meeting.pk, actor, "back") as (m, detail):
        _refuse_if_moved(m, at)
        before = m.phases.filter(position=m.current.position - 1).first()
        if before is None:
            raise MeetingError(_("This is the first phase."))
        _enter(m, before, actor)
        detail["text"] = str(before)
        if can_reopen(meeting=m, phase=before):
            _reopen_round(before)
            detail["action"] = "reopen"


def can_reopen(*, meeting: Meeting, phase: Phase) -> bool:
    """Answers to a component can be taken again until the meeting moved past its
    discussion (its record phase reached): what was recorded rests on them."""
    if phase.kind != Phase.Kind.REFLECT or phase.round_id is None:
        return False
    record = meeting.phases.filter(position=phase.position + 3, kind=Phase.Kind.RECORD).first()
    return record is not None and record.reached_at is None


def reopen(*, meeting: Meeting, actor) -> None:
    """Take answers again to the component being discussed: the meeting goes back to its
    reflect phase and the round opens again (never once the record was reached)."""
    with _change(meeting.pk, actor, "reopen") as (m, detail):
        phase = m.current
        if phase.component_key and phase.kind in (Phase.Kind.REVEAL, Phase.Kind.DISCUSS):
            phase = m.phases.get(component_key=phase.component_key, kind=Phase.Kind.REFLECT)
        if not can_reopen(meeting=m, phase=phase):
            raise MeetingError(
                _("Answers can be taken again only until the meeting moves past discussion.")
            )
        _reopen_round(phase)
        if m.current_id != phase.pk:
            _enter(m, phase, actor)
        detail["text"] = str(phase)


def _reopen_round(phase: Phase) -> None:
    round = Round.objects.select_related("review").get(pk=phase.round_id)
    if not round.is_open:
        reopen_with_confidence(round)


def choose_who_answers(*, meeting: Meeting, actor, unpartnered: bool) -> None:
    """Whether people who belong to no partner (coordinators, facilitators) answer too."""
    with _change(meeting.pk, actor, "answering", live=False) as (m, detail):
        _refuse_if_over(m)
        m.unpartnered_answer = unpartnered
        detail["text"] = "on" if unpartnered else "off"


def choose_projector_languages(*, meeting: Meeting, actor, codes: list[str]) -> None:
    """The room's screen shows these languages side by side; none: the alliance's."""
    codes = [code for code in dict.fromkeys(map(chosen, codes)) if code][:2]
    with _change(meeting.pk, actor, "projector", live=False) as (meeting, detail):
        _refuse_if_over(meeting)
        meeting.projector_languages = codes
        detail["text"] = ", ".join(codes)


def _refuse_if_over(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.ENDED:
        raise MeetingError(_("The meeting has ended."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("This meeting is cancelled."))


def next_item(*, meeting: Meeting, actor, step: int = 1) -> None:
    """In the opening, move to the next (or previous) commitment."""
    with _change(meeting.pk, actor, "item") as (m, detail):
        detail["text"] = "next" if step > 0 else "previous"
        phase = m.current
        if phase.kind != Phase.Kind.OPENING:
            raise MeetingError(_("Commitments are reviewed in the opening."))
        phase.item = max(phase.item + step, 0)
        phase.save(update_fields=["item"])


def set_timer(*, meeting: Meeting, actor, minutes: int | None) -> None:
    """Start a countdown for the current phase (its deadline is the server's), or stop it."""
    if minutes is not None and not 1 <= minutes <= 180:
        raise MeetingError(str(phrases.TIMER_MINUTES))
    with _change(meeting.pk, actor, "timer") as (m, detail):
        phase = m.current
        phase.timer_ends_at = (
            timezone.now() + timedelta(minutes=minutes) if minutes is not None else None
        )
        phase.save(update_fields=["timer_ends_at"])
        detail["text"] = f"{minutes} min" if minutes else "stopped"


def hand_over(*, meeting: Meeting, actor, to, confirmed: bool) -> None:
    """Give facilitation to another person of the alliance, on purpose and on the record."""
    if not confirmed:
        raise MeetingError(_("Confirm the handover: facilitation never moves by accident."))
    with _change(meeting.pk, actor, "handover", steer=False, live=False) as (m, detail):
        if not rules.HAND_OVER.allows(_membership(m, actor), m):
            raise MeetingError(str(rules.HAND_OVER.message))
        if not rules.LEAD.allows(_membership(m, to), m):
            raise MeetingError(str(rules.LEAD.message))
        previous = m.facilitator
        if m.co_facilitator_id == to.pk:
            m.co_facilitator = previous
        m.facilitator = to
        detail["text"] = f"{previous} → {to}"


def end(*, meeting: Meeting, actor, reason: str = "ended", confirmed: bool = True) -> None:
    with _change(meeting.pk, actor, "end", steer=reason != "idle", live=False) as (m, detail):
        if m.status == Meeting.Status.ENDED:
            raise MeetingError(_("The meeting has already ended."))
        if not confirmed:
            raise NeedsConfirmation(
                "end", _("End the meeting for everyone? Everything recorded is kept.")
            )
        m.status = Meeting.Status.ENDED
        m.ended_at = timezone.now()
        m.ended_reason = reason
        # Every round of the meeting still open closes, not only the current phase's: the
        # facilitator may have gone back from a reflect phase, which leaves its round open.
        for round in Round.objects.filter(
            pk__in=m.phases.exclude(round=None).values("round_id"), closed_at=None
        ).select_related("review"):
            close_with_confidence(round, m.ended_at)
        detail["text"] = reason


def end_idle_meetings(now=None) -> int:
    """End live meetings nobody has touched for MEETING_IDLE_HOURS. Everything is kept."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.MEETING_IDLE_HOURS)
    ended = 0
    for meeting in Meeting.objects.filter(status=Meeting.Status.LIVE, last_activity_at__lt=cutoff):
        end(meeting=meeting, actor=None, reason="idle")
        ended += 1
    return ended


def _shown(meeting_id: int, actor, action: str):
    """`_change` for what people write inside a running phase (an answer, a note, a
    record): anyone may (the caller checks who), and it is not logged: the content keeps
    its own history, and an answer must leave no trace of who gave it or when."""
    return _change(meeting_id, actor, action, steer=False, log=False)


def refresh_discussing(sender, *, alliance, component_key: str, actor, **kwargs) -> None:
    """A register changed (`registers.live.register_changed`): each live meeting of the
    alliance discussing or recording its component shows it."""
    for meeting in Meeting.objects.filter(
        review__alliance=alliance,
        status=Meeting.Status.LIVE,
        current__component_key=component_key,
        current__kind__in=[Phase.Kind.DISCUSS, Phase.Kind.RECORD],
    ):
        refresh(meeting=meeting, actor=actor, action="register")


def refresh(*, meeting: Meeting, actor, action: str) -> None:
    """Something everyone must see changed inside a phase (a register, from another page):
    bump the sequence and broadcast. A meeting that has ended since the caller found it has
    nothing to show and is passed over."""
    try:
        with _shown(meeting.pk, actor, action):
            pass
    except MeetingError:
        pass


# What people write in a phase (answers, notes, commitments): not logged, since the content
# keeps its own history (or, for an answer, must keep none), but the room sees it, so the
# sequence moves. Who may keep the notes or the record is asked again under the lock, as for
# steering.


def answer(*, meeting: Meeting, membership, answers: list, rules: str) -> None:
    """Take a person's answers in the reflect phase (`ratings.services.submit`, which says
    why it may refuse them) and show the room how many answered. No actor: an answer must
    leave no trace of who gave it or when."""
    with _shown(meeting.pk, None, "answer"):
        submit(membership=membership, answers=answers, rules=rules)


def take_notes(*, meeting: Meeting, form, actor) -> None:
    """Save the record of the component being discussed (a valid ComponentRecordForm on its
    ComponentRecord) and show it to the room. Raises EditConflict when someone else changed
    the same field meanwhile."""
    with _shown(meeting.pk, actor, "notes") as (m, _detail):
        _require(rules.TAKE_NOTES, m, actor)
        if not (m.current and m.current.component_key == form.instance.component_key):
            raise MeetingError(_("There is no component to take notes on now."))
        save_edit(form, alliance=m.review.alliance, author=actor)


def add_commitment(*, meeting: Meeting, form, actor) -> Commitment:
    """Save a valid CommitmentForm as a commitment of the component being recorded, and show
    it to the room."""
    with _shown(meeting.pk, actor, "commitment") as (m, _detail):
        _require(rules.KEEP_RECORD, m, actor)
        if not (m.current and m.current.kind == Phase.Kind.RECORD):
            raise MeetingError(_("Commitments are recorded in a record phase."))
        commitment = form.instance
        commitment.review = m.review
        commitment.component_key = m.current.component_key
        commitment.created_by = actor
        create_with_history(commitment, alliance=m.review.alliance, author=actor)
    return commitment


def mark_commitment(*, meeting: Meeting, form, actor) -> None:
    """In the opening, save whether a commitment was done (a valid CommitmentStatusForm) and
    show it to the room. Raises EditConflict when someone else changed it meanwhile."""
    with _shown(meeting.pk, actor, "commitment status") as (m, _detail):
        _require(rules.MARK_DONE, m, actor, form.instance)
        if not (m.current and m.current.kind == Phase.Kind.OPENING):
            raise MeetingError(_("Commitments are reviewed in the opening."))
        save_edit(form, alliance=m.review.alliance, author=actor)


def make_projector_link(*, meeting: Meeting, actor, revoke: bool = False) -> str | None:
    """A new secret link for the room's screen (its token), or none when `revoke`; any
    earlier link stops working, and the screens that opened it are disconnected once this
    commits.

    Not through `_change`: the link is no part of what the room sees, so the sequence does
    not move (a new number would only make every client fetch a state that did not change)
    and nothing is logged. The meeting is locked all the same: two links made at once would
    otherwise both read the same earlier one, and the first new link would stay open."""
    with transaction.atomic():
        m = _lock(meeting.pk)
        _require(rules.PROJECTOR_LINK, m, actor)
        if m.status == Meeting.Status.CANCELLED and not revoke:
            raise MeetingError(_("This meeting is cancelled."))
        old = m.projector_token_hash
        token = None if revoke else m.issue_projector_token()
        if revoke:
            m.projector_token_hash = ""
        m.save(update_fields=["projector_token_hash"])
        if old:
            # On commit: a screen told before then could come back while the old link holds.
            transaction.on_commit(lambda: close_projectors(m.pk, old))
    meeting.projector_token_hash = m.projector_token_hash
    return token


def attend(*, meeting_id: int, user) -> None:
    """Note that the person came to the running meeting (the summary lists who came), from
    its page or its socket. Not through `_change`: who came is no part of what the room
    sees, so the sequence does not move, and a page drawn for each person must not lock the
    meeting that everyone's commands wait on."""
    Attendance.objects.get_or_create(meeting_id=meeting_id, user=user)


# Commands, as the console's buttons and the socket send them: a name and its data.


def _confirmed(data) -> bool:
    return data.get("confirmed") in ("1", True)


def _languages(data) -> list[str]:
    """From a form (one value, comma-separated) or a socket (a list)."""
    value = data.get("languages") or []
    return value.split(",") if isinstance(value, str) else [str(code) for code in value]


def _at(data) -> int | None:
    """The position of the phase a move was asked from, when the form or message says it."""
    value = str(data.get("at", ""))
    return int(value) if value.isdecimal() and len(value) < 10 else None


def _minutes(data):
    return int(data["minutes"]) if data.get("minutes") else None


COMMANDS = {
    "start": lambda m, u, d: start(meeting=m, actor=u),
    "advance": lambda m, u, d: advance(meeting=m, actor=u, confirmed=_confirmed(d), at=_at(d)),
    "back": lambda m, u, d: go_back(meeting=m, actor=u, at=_at(d)),
    "reopen": lambda m, u, d: reopen(meeting=m, actor=u),
    "next_item": lambda m, u, d: next_item(meeting=m, actor=u),
    "previous_item": lambda m, u, d: next_item(meeting=m, actor=u, step=-1),
    "timer": lambda m, u, d: set_timer(meeting=m, actor=u, minutes=_minutes(d)),
    "answering": lambda m, u, d: choose_who_answers(
        meeting=m, actor=u, unpartnered=d.get("unpartnered") in ("1", True)
    ),
    "end": lambda m, u, d: end(meeting=m, actor=u, confirmed=_confirmed(d)),
    "projector": lambda m, u, d: choose_projector_languages(
        meeting=m, actor=u, codes=_languages(d)
    ),
}


# Entering and leaving phases


def _enter(meeting: Meeting, phase: Phase, actor) -> None:
    if phase.kind == Phase.Kind.INTRODUCE:
        # Only introducing a component needs its record (one query less on every other move).
        record = ComponentRecord.objects.select_related("review").get(
            review_id=meeting.review_id, component_key=phase.component_key
        )
        if record.state == ComponentRecord.State.NOT_STARTED:
            try:
                open_component(record=record, author=actor)
            except ReviewRuleError as error:
                raise MeetingError(str(error)) from None
    if phase.kind == Phase.Kind.REFLECT and phase.round_id is None:
        phase.round = Round.objects.create(
            review_id=meeting.review_id, component_key=phase.component_key
        )
        if phase.component_key == CONFIDENCE_KEY:
            # With trust, each person is also asked their confidence in each agreed goal.
            open_confidence_rounds(phase.round)
    if phase.kind == Phase.Kind.REVEAL:
        reflect = meeting.phases.select_related("round").get(position=phase.position - 1)
        phase.round_id = reflect.round_id
        # Revealing closes the round (and the confidence rounds asked with it): answers
        # given after the room has seen the spread would let anyone work out who gave them.
        if reflect.round is not None:
            close_with_confidence(reflect.round, timezone.now())
    if phase.reached_at is None:
        phase.reached_at = timezone.now()
    phase.save()
    meeting.current = phase


def _leave_forward(meeting: Meeting, phase: Phase, actor) -> None:
    if phase.kind == Phase.Kind.RECORD:
        record = ComponentRecord.objects.select_related("review").get(
            review_id=meeting.review_id, component_key=phase.component_key
        )
        if record.state == ComponentRecord.State.IN_DISCUSSION:
            record_component(record=record, author=actor)


# A person's calendar feed (meetings/feed.py)


def start_calendar_feed(*, user) -> str:
    """A new secret address for the person's calendar feed: its token, which is shown once
    (only its hash is kept). Any earlier address stops working at once."""
    token = secrets.token_urlsafe(32)
    # update_or_create locks the person's row, and takes the row another request just
    # made: two at once leave one feed, the later token.
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": hash_token(token), "created_at": timezone.now()}
    )
    return token


def stop_calendar_feed(*, user) -> bool:
    """Stop the person's calendar feed: its address answers 404 from now on. Whether there
    was one."""
    deleted, _kinds = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
