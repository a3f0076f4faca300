"""The meeting seen from outside the console: its summary, the projector's secret link
and screen, and the short join address `/m/<id>/`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliances import access, rules
from meetings import live, services
from meetings.join import join_url, qr_svg
from meetings.models import Meeting, hash_token
from meetings.summary import summary_context
from meetings.views.page import meeting_context


@login_required
@require_GET
def summary(request, slug, meeting_id):
    membership = access.get_membership(request.user, slug)
    meeting = access.get_meeting(membership, meeting_id)
    return render(
        request,
        "meetings/summary.html",
        meeting_context(membership, meeting, **summary_context(meeting)),
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
def join(request, meeting_id):
    """`/m/<id>/`, the address the room reads off the wall or scans: on to the meeting's
    page. Signing in first comes back here (login_required's ?next=)."""
    membership = access.get_membership_for_meeting(request.user, meeting_id)
    return redirect(access.get_meeting(membership, meeting_id))
