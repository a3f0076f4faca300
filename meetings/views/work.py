"""What participants do inside a phase: answer, keep the notes, add a commitment, say
whether one was done. Each through `meetings.services`, then their `#work` part again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import access, rules
from history.services import EditConflict
from meetings import services
from meetings.models import Meeting, Phase
from meetings.views.page import done, mine_response
from ratings.forms import AnswerForm
from ratings.services import AnswerError, RulesChanged, confidence_rounds_with
from reviews.forms import CommitmentForm, CommitmentStatusForm, ComponentRecordForm
from reviews.models import ComponentRecord
from reviews.questions import asked


@login_required
@require_POST
def reflect(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug, "answer")
    meeting = access.get_meeting(membership, meeting_id)
    rules.ANSWER_IN_MEETING.require(membership, meeting)
    phase = meeting.current
    if meeting.status != Meeting.Status.LIVE or phase is None or phase.kind != Phase.Kind.REFLECT:
        messages.error(request, _("The meeting is not asking for answers now."))
        return done(request, meeting)
    round = phase.round
    round.review = meeting.review
    form = AnswerForm(
        request.POST,
        rounds=[round],
        questions_by_key=asked(meeting.review, [round.component_key]),
        goal_rounds=confidence_rounds_with(round),  # none but for trust
    )
    if not form.is_valid():
        return mine_response(request, membership, meeting, answer_form=form)
    answers, stated = form.answers(), form.cleaned_data["rules"]
    try:
        services.answer(meeting=meeting, membership=membership, answers=answers, rules=stated)
    except RulesChanged as error:
        meeting.review.refresh_from_db()
        form.rules_changed(str(error))
        return mine_response(request, membership, meeting, answer_form=form)
    except (AnswerError, services.MeetingError) as error:
        messages.error(request, str(error))
    return done(request, meeting)


@login_required
@require_POST
def notes(request, slug, meeting_id):
    """The note-takers write the record of the current component as the room talks."""
    membership = access.get_membership(request.user, slug, "write")
    meeting = access.get_meeting(membership, meeting_id)
    phase = meeting.current
    rules.TAKE_NOTES.require(membership, meeting)
    if meeting.status != Meeting.Status.LIVE or not (phase and phase.component_key):
        messages.error(request, _("There is no component to take notes on now."))
        return done(request, meeting)
    record = ComponentRecord.objects.select_related("review__alliance").get(
        review_id=meeting.review_id, component_key=phase.component_key
    )
    form = ComponentRecordForm(request.POST, instance=record)
    if not form.is_valid():
        return mine_response(request, membership, meeting, record_form=form)
    try:
        services.take_notes(meeting=meeting, form=form, actor=request.user)
    except EditConflict as conflict:
        return mine_response(
            request, membership, meeting, record_form=form, extra={"conflict": conflict}, status=409
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
        return done(request, meeting)
    messages.success(request, _("Saved, and shown to the room."))
    return done(request, meeting)


@login_required
@require_POST
def add_commitment(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug, "write")
    meeting = access.get_meeting(membership, meeting_id)
    phase = meeting.current
    rules.KEEP_RECORD.require(membership, meeting)
    if meeting.status != Meeting.Status.LIVE or not (phase and phase.kind == Phase.Kind.RECORD):
        messages.error(request, _("Commitments are recorded in a record phase."))
        return done(request, meeting)
    form = CommitmentForm(request.POST, alliance=membership.alliance)
    if not form.is_valid():
        return mine_response(request, membership, meeting, commitment_form=form)
    try:
        services.add_commitment(meeting=meeting, form=form, actor=request.user)
    except services.MeetingError as error:
        messages.error(request, str(error))
        return done(request, meeting)
    messages.success(request, _("The commitment is saved, and shown to the room."))
    return done(request, meeting)


@login_required
@require_POST
def commitment_status(request, slug, meeting_id, commitment_id):
    """In the opening, the owner (or the facilitator) says whether it was done."""
    membership = access.get_membership(request.user, slug, "write")
    meeting = access.get_meeting(membership, meeting_id)
    commitment = access.get_commitment(membership, commitment_id)
    rules.MARK_DONE.require(membership, meeting, commitment)
    phase = meeting.current
    if meeting.status != Meeting.Status.LIVE or not (phase and phase.kind == Phase.Kind.OPENING):
        messages.error(request, _("Commitments are reviewed in the opening."))
        return done(request, meeting)
    form = CommitmentStatusForm(request.POST, instance=commitment)
    if not form.is_valid():
        return mine_response(request, membership, meeting, status_form=form)
    try:
        services.mark_commitment(meeting=meeting, form=form, actor=request.user)
    except EditConflict as conflict:
        return mine_response(
            request, membership, meeting, status_form=form, extra={"conflict": conflict}, status=409
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
        return done(request, meeting)
    messages.success(request, _("Saved, and shown to the room."))
    return done(request, meeting)
