"""Planning a meeting: the plan and its changes, the facilitator's guide, how a meeting
works, the invitation's .ics and a review's meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import access
from meetings import calendar, services
from meetings.forms import CancelForm, MeetingForm
from meetings.guide import agenda_plan_guide, meeting_plan_guide
from meetings.models import Meeting
from meetings.views.page import meeting_context
from reviews.models import MIN_THRESHOLD


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
            if meeting.not_emailed.exists():
                messages.warning(
                    request,
                    _(
                        "The meeting is planned, but the mail server did not take every "
                        "invitation: see below who did not get it, and send it again."
                    ),
                )
            else:
                messages.success(
                    request, _("The meeting is planned; the members have an invitation.")
                )
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
        meeting_context(membership, meeting, form=form, plan=_form_plan(form, meeting)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, slug, meeting_id):
    """Call off a planned meeting: the page asks first, and why."""
    membership = access.get_membership(request.user, slug, "facilitate")
    meeting = access.get_meeting(membership, meeting_id)
    if meeting.status != Meeting.Status.PLANNED:
        messages.error(request, _("Only a meeting that has not started can be cancelled."))
        return redirect(meeting)
    form = CancelForm(request.POST or None)
    if form.is_valid():
        try:
            services.cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except services.MeetingError as error:
            form.add_error("reason", str(error))  # what was typed stays
        else:
            meeting.refresh_from_db()
            if meeting.not_emailed.exists():
                messages.warning(
                    request,
                    _(
                        "The meeting is cancelled, but the mail server did not take every "
                        "email: see below who did not get it, and send it again."
                    ),
                )
            else:
                messages.success(
                    request, _("The meeting is cancelled; everyone invited is told by email.")
                )
            return redirect(meeting)
    return render(request, "meetings/cancel.html", meeting_context(membership, meeting, form=form))


@login_required
@require_POST
def email_again(request, slug, meeting_id):
    """Send the meeting's invitation again to those the mail server did not take it for."""
    membership = access.get_membership(request.user, slug, "facilitate")
    meeting = access.get_meeting(membership, meeting_id)
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CANCELLED):
        messages.error(request, _("Only a meeting that has not started can be changed."))
    elif services.email_invitations_again(meeting=meeting):
        messages.warning(
            request, _("The mail server still did not take every email; try again later.")
        )
    else:
        messages.success(request, _("The email is sent again; everyone has the link."))
    return redirect(meeting)


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
        meeting_context(membership, meeting, plan=meeting_plan_guide(meeting)),
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
