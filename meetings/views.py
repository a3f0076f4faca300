from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord import phrases
from alliances import access, rules
from history.services import EditConflict
from meetings import calendar, live, services
from meetings.forms import HandoverForm, MeetingForm, ProjectorForm
from meetings.guide import agenda_plan_guide, guide_for, meeting_plan_guide
from meetings.join import join_url, qr_svg
from meetings.models import Meeting, Phase, hash_token
from meetings.summary import summary_context
from ratings.forms import AnswerForm
from ratings.models import Participation
from ratings.services import AnswerError, RulesChanged, confidence_rounds_with
from reviews.forms import CommitmentForm, CommitmentStatusForm, ComponentRecordForm
from reviews.models import MIN_THRESHOLD, ComponentRecord, Question


def _context(membership, meeting, **extra):
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "review": meeting.review,
        "meeting": meeting,
        **extra,
    }


# Planning


@login_required
@require_http_methods(["GET", "POST"])
def plan(request, slug, review_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    review = access.get_review(membership, review_id)
    form = MeetingForm(
        request.POST or None,
        review=review,
        initial={"agenda": services.default_agenda(review), "facilitator": request.user},
    )
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "agenda"}
        try:
            meeting = services.plan_meeting(
                review=review,
                agenda=form.cleaned_data["agenda"],
                author=request.user,
                invite=True,
                **fields,
            )
        except services.MeetingError as error:
            form.add_error("agenda", str(error))
        else:
            messages.success(request, _("The meeting is planned; the members have an invitation."))
            return redirect(meeting)
    return render(
        request,
        "meetings/plan.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "review": review,
            "form": form,
            "plan": _form_plan(form),
        },
    )


def _form_plan(form, meeting=None):
    """The plan of the agenda on the form: as sent when the form comes back with an error,
    as saved (or proposed) otherwise."""
    if not form.is_bound and meeting is not None:
        return meeting_plan_guide(meeting)
    if form.is_bound:
        agenda = form.data.getlist("agenda")
        minutes = form.data.get("duration_minutes", "")
    else:
        agenda = form.initial.get("agenda") or []
        minutes = form["duration_minutes"].initial
    return agenda_plan_guide(agenda, int(minutes) if str(minutes).isdigit() else None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug, "facilitate")
    meeting = access.get_meeting(membership, meeting_id)
    if meeting.status != Meeting.Status.PLANNED:
        messages.error(request, _("Only a meeting that has not started can be changed."))
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting, review=meeting.review)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "agenda"}
        try:
            services.update_plan(meeting=meeting, agenda=form.cleaned_data["agenda"], **fields)
        except services.MeetingError as error:
            form.add_error("agenda", str(error))
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return render(
        request,
        "meetings/plan.html",
        _context(membership, meeting, form=form, plan=_form_plan(form, meeting)),
    )


@login_required
@require_GET
def guide(request, slug, meeting_id):
    """The meeting's plan, read-only, with the guide of every phase: for those who
    facilitate, before, during or after the meeting."""
    membership = access.get_membership(request.user, slug, "facilitate")
    meeting = access.get_meeting(membership, meeting_id)
    return render(
        request,
        "meetings/guide.html",
        _context(membership, meeting, plan=meeting_plan_guide(meeting)),
    )


@require_GET
def how(request):
    """How a meeting works, for anyone invited to one: no alliance, no sign-in needed."""
    return render(request, "meetings/how.html", {"min_threshold": MIN_THRESHOLD})


@login_required
@require_GET
def ics(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    response = HttpResponse(calendar.ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="accord-meeting-{meeting.pk}.ics"'
    return response


# The live page


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
    if context["steering"] and meeting.status != Meeting.Status.ENDED:
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
        _context(membership, meeting, stage=live.render_stage(meeting, phase), phase=phase),
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
    return _part_response(request, membership, meeting, part)


def _mine_context(request, membership, meeting, part=None, **forms):
    phase = meeting.current
    context = _context(
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
                questions_by_key=_questions(round.component_key),
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
            # Offered by MARK_DONE's own test (a steerer or the owner), as it always was;
            # the POST asks the whole rule, which also needs WRITE.
            if rules.MARK_DONE.test(membership, meeting, current):
                context["status_form"] = forms.get("status_form") or CommitmentStatusForm(
                    instance=current
                )
                context["status_commitment"] = current
    context.update(forms.get("extra", {}))
    return context


def _questions(key):
    return {
        key: list(
            Question.objects.filter(
                component_key=key, origin=Question.Origin.FRAMEWORK, retired_at=None
            )
        )
    }


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


def _part_response(request, membership, meeting, part, status=200, **forms):
    context = _mine_context(request, membership, meeting, part=part, **forms)
    context["show_messages"] = True  # a whole page shows them at its top instead
    return render(request, PARTS[part], context, status=status)


def _done(request, meeting, part="work"):
    """After an action: htmx gets the person's refreshed part; a page without JavaScript
    goes back to the meeting."""
    membership = access.get_membership(request.user, meeting.review.alliance.slug)
    meeting.refresh_from_db()
    if request.htmx:
        return _part_response(request, membership, meeting, part)
    return redirect(meeting)


def _mine_response(request, membership, meeting, status=200, **forms):
    return _part_response(request, membership, meeting, "work", status=status, **forms)


# Steering


def _said(command: str, meeting: Meeting, post) -> str:
    """What the facilitator is told once a command was done."""
    meeting.refresh_from_db()
    phase = meeting.current
    if command == "start":
        return _("The meeting has started: everyone sees the opening.")
    if command in ("advance", "back"):
        return _("The room is now at: %(phase)s.") % {"phase": phase}
    if command == "reopen":
        return _("Answers are open again: the room is back at %(phase)s.") % {"phase": phase}
    if command in ("next_item", "previous_item"):
        return _("The room sees commitment %(n)d.") % {"n": phase.item + 1}
    if command == "timer":
        if phase.timer_ends_at:
            return _("The timer is running: %(n)s minutes.") % {"n": post.get("minutes")}
        return _("The timer is stopped.")
    if command == "projector":
        names = dict(settings.LANGUAGES)
        shown = " · ".join(str(names[code]) for code in meeting.projector_codes())
        return _("The projector shows: %(languages)s.") % {"languages": shown}
    if command == "answering":
        if meeting.unpartnered_answer:
            return _("People without a partner are asked to answer too.")
        return _("Only the partners' people are asked to answer.")
    return _("The meeting has ended. Everything recorded is kept.")


@login_required
@require_POST
def command(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    name = request.POST.get("command", "")
    handler = services.COMMANDS.get(name)
    if handler is None:
        raise Http404
    rules.STEER.require(membership, meeting)
    try:
        handler(meeting, request.user, request.POST)
    except services.NeedsConfirmation as question:
        if request.htmx:
            meeting.refresh_from_db()
            confirm = {"command": question.command, "message": str(question)}
            return _part_response(
                request, membership, meeting, "controls", extra={"confirm": confirm}
            )
        messages.warning(request, str(question))
        request.session[f"confirm-{meeting.pk}"] = question.command
    except services.MeetingError as error:
        messages.error(request, str(error))
    except ValueError:  # timer minutes that are not a number
        messages.error(request, phrases.TIMER_MINUTES)
    else:
        messages.success(request, _said(name, meeting, request.POST))
    return _done(request, meeting, part="controls")


@login_required
@require_http_methods(["GET", "POST"])
def handover(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    rules.HAND_OVER.require(membership, meeting)
    form = HandoverForm(request.POST or None, meeting=meeting)
    if form.is_valid():
        try:
            services.hand_over(
                meeting=meeting,
                actor=request.user,
                to=form.cleaned_data["to"],
                confirmed=form.cleaned_data["confirm"],
            )
        except services.MeetingError as error:
            form.add_error("to", str(error))
        else:
            messages.success(
                request, _("%(name)s leads the meeting now.") % {"name": form.cleaned_data["to"]}
            )
            return redirect(meeting)
    return render(request, "meetings/handover.html", _context(membership, meeting, form=form))


# What participants do in a phase


@login_required
@require_POST
def reflect(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug, "answer")
    meeting = access.get_meeting(membership, meeting_id)
    rules.ANSWER_IN_MEETING.require(membership, meeting)
    phase = meeting.current
    if meeting.status != Meeting.Status.LIVE or phase is None or phase.kind != Phase.Kind.REFLECT:
        messages.error(request, _("The meeting is not asking for answers now."))
        return _done(request, meeting)
    round = phase.round
    round.review = meeting.review
    form = AnswerForm(
        request.POST,
        rounds=[round],
        questions_by_key=_questions(round.component_key),
        goal_rounds=confidence_rounds_with(round),  # none but for trust
    )
    if not form.is_valid():
        return _mine_response(request, membership, meeting, answer_form=form)
    answers, stated = form.answers(), form.cleaned_data["rules"]
    try:
        services.answer(meeting=meeting, membership=membership, answers=answers, rules=stated)
    except RulesChanged as error:
        meeting.review.refresh_from_db()
        form.rules_changed(str(error))
        return _mine_response(request, membership, meeting, answer_form=form)
    except (AnswerError, services.MeetingError) as error:
        messages.error(request, str(error))
    return _done(request, meeting)


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
        return _done(request, meeting)
    record = ComponentRecord.objects.select_related("review__alliance").get(
        review_id=meeting.review_id, component_key=phase.component_key
    )
    form = ComponentRecordForm(request.POST, instance=record)
    if not form.is_valid():
        return _mine_response(request, membership, meeting, record_form=form)
    try:
        services.take_notes(meeting=meeting, form=form, actor=request.user)
    except EditConflict as conflict:
        return _mine_response(
            request, membership, meeting, record_form=form, extra={"conflict": conflict}, status=409
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
        return _done(request, meeting)
    messages.success(request, _("Saved, and shown to the room."))
    return _done(request, meeting)


@login_required
@require_POST
def add_commitment(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug, "write")
    meeting = access.get_meeting(membership, meeting_id)
    phase = meeting.current
    rules.KEEP_RECORD.require(membership, meeting)
    if meeting.status != Meeting.Status.LIVE or not (phase and phase.kind == Phase.Kind.RECORD):
        messages.error(request, _("Commitments are recorded in a record phase."))
        return _done(request, meeting)
    form = CommitmentForm(request.POST, alliance=membership.alliance)
    if not form.is_valid():
        return _mine_response(request, membership, meeting, commitment_form=form)
    try:
        services.add_commitment(meeting=meeting, form=form, actor=request.user)
    except services.MeetingError as error:
        messages.error(request, str(error))
        return _done(request, meeting)
    messages.success(request, _("The commitment is saved, and shown to the room."))
    return _done(request, meeting)


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
        return _done(request, meeting)
    form = CommitmentStatusForm(request.POST, instance=commitment)
    if not form.is_valid():
        return _mine_response(request, membership, meeting, status_form=form)
    try:
        services.mark_commitment(meeting=meeting, form=form, actor=request.user)
    except EditConflict as conflict:
        return _mine_response(
            request, membership, meeting, status_form=form, extra={"conflict": conflict}, status=409
        )
    except services.MeetingError as error:
        messages.error(request, str(error))
        return _done(request, meeting)
    messages.success(request, _("Saved, and shown to the room."))
    return _done(request, meeting)


# The summary and the projector


@login_required
@require_GET
def summary(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    return render(
        request, "meetings/summary.html", _context(membership, meeting, **summary_context(meeting))
    )


@login_required
@require_POST
def projector_link(request, slug, meeting_id):
    """Make a new secret link for the room's screen; any earlier link stops working."""
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    rules.PROJECTOR_LINK.require(membership, meeting)
    revoke = request.POST.get("revoke") == "1"
    try:
        token = services.make_projector_link(meeting=meeting, actor=request.user, revoke=revoke)
    except services.MeetingError as error:
        messages.error(request, str(error))
        return redirect(meeting)
    if token:
        request.session[f"projector-{meeting.pk}"] = request.build_absolute_uri(
            f"/projector/{token}/"
        )
        messages.success(request, _("A new projector link is ready; any earlier one is revoked."))
    else:
        messages.success(request, _("The projector link is revoked."))
    return redirect(meeting)


def _projector_meeting(token):
    meeting = (
        Meeting.objects.select_related("review", "review__alliance", "current")
        .filter(projector_token_hash=hash_token(token))
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


@require_GET
def projector(request, token):
    """The room's screen, in the projector's languages whatever the browser of the
    computer that shows it: its first language for the page, each one's stage beside the
    other's for a bilingual room."""
    meeting = _projector_meeting(token)
    codes = meeting.projector_codes()
    url = join_url(meeting)
    context = {"meeting": meeting, "state": live.projector_state(meeting), "token": token}
    with translation.override(codes[0]):
        response = render(
            request,
            "meetings/projector.html",
            {**context, "join_url": url, "join_qr": qr_svg(url), "languages": codes},
        )
    response.headers["Content-Language"] = ", ".join(codes)
    return response


@require_GET
def projector_state(request, token):
    meeting = _projector_meeting(token)
    if request.GET.get("seq") == str(meeting.seq):
        return HttpResponse(status=204)
    return JsonResponse(live.projector_state(meeting))  # rendered once per sequence number


@login_required
@require_GET
def meeting_list(request, slug, review_id):
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    return render(
        request,
        "meetings/list.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "review": review,
            "meetings": review.meetings.all(),
            "now": timezone.now(),
        },
    )


# The short join address


@login_required
@require_GET
def join(request, meeting_id):
    """`/m/<id>/`, the address the room reads off the wall or scans: on to the meeting's
    page. Signing in first comes back here (login_required's ?next=)."""
    membership = access.get_membership_for_meeting(request.user, meeting_id)
    return redirect(access.get_meeting(membership, meeting_id))
