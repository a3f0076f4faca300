"""What participants see of a meeting, and how it reaches them.

`state` renders the shared view of the current phase once per language, for everyone who
follows in it: it holds nothing private (answers appear only as `ratings.results` allows).
Per-person parts (the reflect form, the note editor, the facilitator's controls) are
fetched by each person's page.

One meeting, several languages: each socket listens in the group of its language
(`language_group`), the room's screen in the projector's (`projector_group`), and all of
them in the meeting's group for what has no words (presence, a revoked projector link).
A change is rendered once per language that someone follows in, never once per person.
"""

from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from alliances import rules
from alliances.models import Membership
from meetings.models import PRESENCE_SECONDS, Connection, Meeting, Phase
from ratings import confidence, results
from ratings.models import Participation
from ratings.services import confidence_rounds_with
from registers import figures
from reviews.models import Commitment, ComponentRecord
from reviews.questions import asked


def group_name(meeting_id: int) -> str:
    return f"meeting.{meeting_id}"


def language_group(meeting_id: int, code: str) -> str:
    return f"meeting.{meeting_id}.{code}"


def projector_group(meeting_id: int) -> str:
    return f"meeting.{meeting_id}.projector"


def load(meeting_id: int) -> Meeting:
    return Meeting.objects.select_related(
        "review", "review__alliance", "current", "facilitator", "co_facilitator", "recorder"
    ).get(pk=meeting_id)


def due_commitments(meeting: Meeting):
    """The alliance's commitments due since its previous meeting, up to this one."""
    day = timezone.localtime(meeting.starts_at).date()
    due = Commitment.objects.filter(alliance_id=meeting.review.alliance_id, due_on__lte=day)
    previous = (
        Meeting.objects.filter(
            review__alliance_id=meeting.review.alliance_id, starts_at__lt=meeting.starts_at
        )
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .first()
    )
    if previous:
        due = due.filter(due_on__gt=timezone.localtime(previous.starts_at).date())
    return list(due.select_related("partner", "owner").order_by("due_on", "id"))


def stage_context(meeting: Meeting, phase: Phase) -> dict:
    context = {"meeting": meeting, "phase": phase, "component": phase.component}
    kind = phase.kind
    if kind == Phase.Kind.OPENING:
        items = due_commitments(meeting)
        context["commitments"] = items
        context["item"] = min(phase.item, max(len(items) - 1, 0))
    if phase.component_key:
        context["record"] = ComponentRecord.objects.get(
            review_id=meeting.review_id, component_key=phase.component_key
        )
    if kind in (Phase.Kind.INTRODUCE, Phase.Kind.REFLECT, Phase.Kind.REVEAL):
        context["questions"] = asked(meeting.review, [phase.component_key])[phase.component_key]
    if kind == Phase.Kind.REFLECT:
        # Only how many answered while the round is open: this view is on the room's screen.
        context["answered"] = answered_count(phase)
        context["eligible"] = eligible_count(meeting)
        context["round_open"] = phase.round_id is not None and phase.round.is_open
    if kind == Phase.Kind.REVEAL and phase.round_id:
        round = phase.round
        round.review = meeting.review
        # Through `ratings.results`, which applies K: the stage is seen by everyone and on the
        # projector, so it may show no more than K allows.
        context["result"] = results.result(round, context["questions"])
        context["eligible"] = eligible_count(meeting)
        goal_rounds = confidence_rounds_with(round)  # none but for trust
        if goal_rounds:
            context["confidence"] = confidence.for_rounds(goal_rounds)
    if kind in (Phase.Kind.DISCUSS, Phase.Kind.RECORD):
        record = context["record"]
        record.review = meeting.review
        context["register"] = figures.register_for(record)
        context["readonly"] = True
    if kind == Phase.Kind.RECORD:
        context["commitments"] = Commitment.objects.filter(
            review_id=meeting.review_id, component_key=phase.component_key
        ).select_related("partner", "owner")
    if kind == Phase.Kind.CLOSING:
        context.update(closing_context(meeting))
    return context


def closing_context(meeting: Meeting) -> dict:
    return {
        "records": ComponentRecord.objects.filter(
            review_id=meeting.review_id, component_key__in=meeting.agenda
        ),
        "new_commitments": Commitment.objects.filter(
            review_id=meeting.review_id,
            created_at__gte=meeting.started_at or meeting.starts_at,
        ).select_related("partner", "owner"),
        "next_meeting": Meeting.objects.filter(
            review_id=meeting.review_id, status=Meeting.Status.PLANNED
        )
        .exclude(pk=meeting.pk)
        .order_by("starts_at")
        .first(),
    }


def eligible_count(meeting: Meeting) -> int:
    """How many people are asked to answer in this meeting (`rules.ANSWER_IN_MEETING`),
    counted by the database: loading every membership to ask each one cost 3 ms of every
    reflect and reveal render in a 300-person alliance."""
    return Membership.objects.filter(
        rules.answering_in(meeting), alliance_id=meeting.review.alliance_id
    ).count()


def answered_count(phase: Phase) -> int:
    return Participation.objects.filter(round_id=phase.round_id).count() if phase.round_id else 0


def render_stage(meeting: Meeting, phase: Phase | None) -> str:
    if phase is None:
        return render_to_string("meetings/_stage_waiting.html", {"meeting": meeting})
    if meeting.status == Meeting.Status.ENDED and phase == meeting.current:
        context = {"meeting": meeting, "phase": phase, **closing_context(meeting)}
        return render_to_string("meetings/_stage_ended.html", context)
    return render_to_string("meetings/_stage.html", stage_context(meeting, phase))


# How long a rendered stage is kept for the sockets and polls that ask for it again.
# Once the room has the new number nobody asks for the old one: the time only bounds memory.
STAGE_SECONDS = 600


def state(meeting: Meeting) -> dict:
    return _state(meeting, render_stage(meeting, meeting.current))


def shared_state(meeting: Meeting) -> dict:
    """The state, with the stage rendered once per (meeting, sequence number, language)
    however many sockets or polls ask for it: everything the stage shows changes only
    through `services._change`, which bumps the sequence. A client that sends the same
    stale number over and over costs a cache read, not a render."""
    phase = meeting.current
    if phase is None:  # a planned meeting changes without a new number; its page is small
        return state(meeting)
    key = f"meeting-stage:{meeting.pk}:{meeting.seq}:{phase.pk}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_stage(meeting, phase)
        cache.set(key, html, STAGE_SECONDS)
    return _state(meeting, html)


def _state(meeting: Meeting, html: str) -> dict:
    phase = meeting.current
    return {
        "seq": meeting.seq,
        "status": meeting.status,
        "status_display": str(meeting.get_status_display()),
        "phase": phase.position if phase else None,
        "kind": phase.kind if phase else None,
        # In the opening, which commitment is being reviewed: its owner's page shows the form.
        "item": phase.item if phase and phase.kind == Phase.Kind.OPENING else None,
        "steerers": [pk for pk in (meeting.facilitator_id, meeting.co_facilitator_id) if pk],
        "recorder": meeting.recorder_id,
        "note_takers": [
            pk
            for pk in (meeting.facilitator_id, meeting.co_facilitator_id, meeting.recorder_id)
            if pk
        ],
        # Who answers changed: the person's own part may gain or lose its form.
        "answering": meeting.unpartnered_answer,
        "timer_ends_at": phase.timer_ends_at.isoformat() if phase and phase.timer_ends_at else None,
        "server_now": timezone.now().isoformat(),
        "html": html,
    }


def state_in(meeting: Meeting, code: str) -> dict:
    """`shared_state` as a person who follows in `code` sees it."""
    with translation.override(code):
        return shared_state(meeting)


def projector_state(meeting: Meeting) -> dict:
    """The room's screen: the state in the projector's language, or, for a bilingual room,
    the stage of each of its languages side by side, each marked with its `lang` (the
    same cached renders the phones get: no render of its own)."""
    codes = meeting.projector_codes()
    states = [state_in(meeting, code) for code in codes]
    if len(codes) > 1:
        columns = format_html_join(
            "",
            '<div class="projector__language" lang="{}">{}</div>',
            ((code, state["html"]) for code, state in zip(codes, states, strict=True)),
        )
        html = format_html('<div class="projector__languages">{}</div>', columns)
        return {**states[0], "html": html, "languages": codes}
    return {**states[0], "languages": codes}


def listening_languages(meeting: Meeting) -> list[str]:
    """The languages someone follows this meeting in now: its sockets', and the
    projector's when it has a link."""
    codes = set(Connection.objects.filter(meeting_id=meeting.pk).values_list("language", flat=True))
    if meeting.projector_token_hash:
        codes.update(meeting.projector_codes())
    return sorted(code for code in codes if code)


def _send(meeting_id: int, message: dict, group: str | None = None) -> None:
    group = group or group_name(meeting_id)
    async_to_sync(get_channel_layer().group_send)(group, message)


def broadcast_state(meeting_id: int) -> None:
    """Send the new state to each language's group, rendered once per language listened
    to (the projector's states reuse those renders)."""
    # Read again: this runs after the commit, and the caller's copy may be older than what
    # another change committed since.
    meeting = load(meeting_id)
    for code in listening_languages(meeting):
        message = {"type": "meeting.state", "state": state_in(meeting, code)}
        _send(meeting_id, message, language_group(meeting_id, code))
    if meeting.projector_token_hash:
        message = {"type": "meeting.state", "state": projector_state(meeting)}
        _send(meeting_id, message, projector_group(meeting_id))


def present(meeting_id: int) -> list[str]:
    since = timezone.now() - timedelta(seconds=PRESENCE_SECONDS)
    names = (
        Connection.objects.filter(meeting_id=meeting_id, last_seen__gte=since)
        .values_list("user__name", flat=True)
        .distinct()
    )
    return sorted(set(names))


def broadcast_presence(meeting_id: int) -> None:
    _send(meeting_id, {"type": "meeting.presence", "people": present(meeting_id)})


def close_projectors(meeting_id: int, token_hash: str) -> None:
    """Disconnect the screens that opened the meeting through a revoked link."""
    _send(meeting_id, {"type": "meeting.projector", "revoked": token_hash})
