"""The live meeting's page: what each person sees, its state for a client that polls, a
phase looked back at, and a person's own parts (`#controls`, `#work`) drawn again alone;
the helpers every meeting page shares."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliances import access, rules
from meetings import live, services
from meetings.forms import ProjectorForm
from meetings.guide import guide_for
from meetings.join import join_url, qr_svg
from meetings.models import Meeting, Phase
from ratings.forms import AnswerForm
from ratings.models import Participation
from ratings.services import confidence_rounds_with
from reviews.forms import CommitmentForm, CommitmentStatusForm, ComponentRecordForm
from reviews.models import ComponentRecord
from reviews.questions import asked


def meeting_context(membership, meeting, **extra):
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "review": meeting.review,
        "meeting": meeting,
        **extra,
    }


@login_required
@require_GET
def detail(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    if meeting.status == Meeting.Status.LIVE:
        services.end_idle_meetings()
        meeting.refresh_from_db()
    if meeting.status == Meeting.Status.LIVE:
        # Whoever follows by polling (sockets blocked) attends too, not only socket users.
        services.attend(meeting_id=meeting.pk, user=request.user)
    confirm = request.session.pop(f"confirm-{meeting.pk}", None)
    context = _mine_context(
        request,
        membership,
        meeting,
        extra={"confirm": {"command": confirm, "message": ""}} if confirm else {},
    )
    context.update(
        state=live.state(meeting),
        projector_url=request.session.pop(f"projector-{meeting.pk}", None),
    )
    unsent = (Meeting.Status.PLANNED, Meeting.Status.CANCELLED)
    if membership.can_facilitate and meeting.status in unsent:
        # Who the mail server did not take the invitation (or the cancellation) for: whoever
        # plans sends it again.
        context["not_emailed"] = [str(person) for person in meeting.not_emailed.order_by("name")]
    if meeting.status == Meeting.Status.CANCELLED:
        context["cancellation"] = services.cancellation(meeting)
    over = (Meeting.Status.ENDED, Meeting.Status.CANCELLED)
    if context["steering"] and meeting.status not in over:
        context["join_url"] = join_url(meeting)
        context["join_qr"] = qr_svg(context["join_url"])
        context["projector_form"] = ProjectorForm(meeting=meeting, auto_id="projector-%s")
    return render(request, "meetings/detail.html", context)


@login_required
@require_GET
def state(request, slug, meeting_id):
    """The polling fallback when WebSockets are blocked: the state, or 204 if unchanged."""
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    if request.GET.get("seq") == str(meeting.seq):
        return HttpResponse(status=204)
    return JsonResponse(live.shared_state(meeting))  # rendered once per sequence number


@login_required
@require_GET
def phase(request, slug, meeting_id, position):
    """Looking back at a phase already reached; never ahead of the meeting."""
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    phase = meeting.phases.filter(position=position, reached_at__isnull=False).first()
    if phase is None or (meeting.current and position > meeting.current.position):
        raise PermissionDenied(_("The meeting has not reached this phase yet."))
    return render(
        request,
        "meetings/phase.html",
        meeting_context(membership, meeting, stage=live.render_stage(meeting, phase), phase=phase),
    )


@login_required
@require_GET
def mine(request, slug, meeting_id):
    """The person's own part of the current phase, drawn again when the meeting moved:
    `?part=controls` the facilitator's controls, else their work (the answer form, the
    note editor, a commitment's status). Two parts, so that a command redraws the
    controls and never the note someone is typing."""
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    part = "controls" if request.GET.get("part") == "controls" else "work"
    return part_response(request, membership, meeting, part)


def _mine_context(request, membership, meeting, part=None, **forms):
    phase = meeting.current
    context = meeting_context(
        membership,
        meeting,
        phase=phase,
        steering=rules.STEER.allows(membership, meeting),
        taking_notes=rules.TAKE_NOTES.allows(membership, meeting),
        answers_here=rules.ANSWER_IN_MEETING.allows(membership, meeting),
    )
    if phase is None or meeting.status != Meeting.Status.LIVE:
        return context
    if context["steering"]:
        context.update(_controls_context(meeting, phase))
        context["guide"] = guide_for(phase.kind, phase.component_key)
    if part == "controls":
        context.update(forms.get("extra", {}))
        return context
    if phase.kind == Phase.Kind.REFLECT and phase.round_id and context["answers_here"]:
        round = phase.round
        round.review = meeting.review
        context["answered"] = Participation.objects.filter(round=round, user=request.user).exists()
        context["round_open"] = round.is_open
        if not context["answered"] and round.is_open:
            context["answer_form"] = forms.get("answer_form") or AnswerForm(
                rounds=[round],
                questions_by_key=asked(meeting.review, [round.component_key]),
                goal_rounds=confidence_rounds_with(round),  # none but for trust
            )
    if phase.kind == Phase.Kind.REVEAL and phase.round_id and context["answers_here"]:
        # Someone asked who had not answered when the round closed is told so, not left
        # wondering where their form went.
        context["missed"] = not Participation.objects.filter(
            round_id=phase.round_id, user=request.user
        ).exists()
    if phase.component_key and context["taking_notes"]:
        record = ComponentRecord.objects.get(
            review_id=meeting.review_id, component_key=phase.component_key
        )
        context["record"] = record
        context["record_form"] = forms.get("record_form") or ComponentRecordForm(instance=record)
        if phase.kind == Phase.Kind.RECORD:
            context["commitment_form"] = forms.get("commitment_form") or CommitmentForm(
                alliance=membership.alliance
            )
    if phase.kind == Phase.Kind.OPENING:
        items = live.due_commitments(meeting)
        if items:
            current = items[min(phase.item, len(items) - 1)]
            # Offered only to whom the POST would accept (the whole rule, WRITE included):
            # an observer who owns the commitment is not shown a form that would refuse them.
            if rules.MARK_DONE.allows(membership, meeting, current):
                context["status_form"] = forms.get("status_form") or CommitmentStatusForm(
                    instance=current
                )
                context["status_commitment"] = current
    context.update(forms.get("extra", {}))
    return context


def _controls_context(meeting, phase) -> dict:
    """What the facilitator's controls need: where a move leads, and which moves can act."""
    following = meeting.phases.filter(position=phase.position + 1).first()
    context = {"following": following, "first": phase.position == 0}
    if phase.kind == Phase.Kind.OPENING:
        context["items"] = len(live.due_commitments(meeting))
    if phase.kind == Phase.Kind.REFLECT:
        context["reopenable"] = False
    elif phase.kind in (Phase.Kind.REVEAL, Phase.Kind.DISCUSS):
        reflect = meeting.phases.get(component_key=phase.component_key, kind=Phase.Kind.REFLECT)
        context["reopenable"] = services.can_reopen(meeting=meeting, phase=reflect)
    return context


PARTS = {"controls": "meetings/_controls.html", "work": "meetings/_work.html"}


def part_response(request, membership, meeting, part, status=200, **forms):
    context = _mine_context(request, membership, meeting, part=part, **forms)
    context["show_messages"] = True  # a whole page shows them at its top instead
    return render(request, PARTS[part], context, status=status)


def done(request, meeting, part="work"):
    """After an action: htmx gets the person's refreshed part; a page without JavaScript
    goes back to the meeting."""
    membership = access.get_membership(request.user, meeting.review.alliance.slug)
    meeting.refresh_from_db()
    if request.htmx:
        return part_response(request, membership, meeting, part)
    return redirect(meeting)


def mine_response(request, membership, meeting, status=200, **forms):
    return part_response(request, membership, meeting, "work", status=status, **forms)
