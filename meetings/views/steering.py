"""The facilitator steering: every command of `services.COMMANDS` from the console's
forms (the socket sends the same), and handing the meeting over."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord import phrases
from alliances import access, rules
from meetings import services
from meetings.forms import HandoverForm
from meetings.models import Meeting
from meetings.views.page import done, meeting_context, part_response


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
            return part_response(
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
    return done(request, meeting, part="controls")


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
    return render(
        request, "meetings/handover.html", meeting_context(membership, meeting, form=form)
    )
