"""Joining a meeting in seconds: its short address, the QR code the room scans, and the
live meetings a page of the alliance announces.

The address is `/m/<id>/` (meetings.views.projector.join): it names no alliance, so it is short
enough to read off a wall and type on a phone; the access check happens when it is
opened, like on any other page."""

from functools import lru_cache

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from meetings.models import Meeting


def join_path(meeting_id: int) -> str:
    return reverse("meetings:join", args=[meeting_id])


def join_url(meeting: Meeting) -> str:
    """The address people type or scan to open the meeting: the site's public address,
    since the room's phones are not on the facilitator's machine."""
    return settings.SITE_URL + join_path(meeting.pk)


def qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline SVG markup for an HTML page: no XML declaration, a
    <title> that names it for screen readers, a viewBox and no size (CSS sizes it), dark on
    white with the standard quiet zone of four modules so that a phone reads it on any
    background. Marked safe: segno draws it from `url` alone and escapes the title."""
    title = _("QR code to join the meeting: %(url)s") % {"url": url}
    return mark_safe(_qr_svg(url, title))  # noqa: S308 (segno's markup, not people's text)


# Drawing one takes about 3 ms here; the same address is drawn for every page of the
# projector and console, so each (address, title) is drawn once per process.
@lru_cache(maxsize=256)
def _qr_svg(url: str, title: str) -> str:
    # Never a Micro QR code (segno.make picks one for short data): few phone cameras read it.
    code = segno.make_qr(url, error="m")
    svg = code.svg_inline(
        dark="#000", light="#fff", border=4, title=title, omitsize=True, svgclass="join__code"
    )
    # An image to assistive technology, named by its <title>; square modules, no blur
    # between them when scaled.
    return svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)


def live_meetings(alliance) -> list[Meeting]:
    """The alliance's live meetings, asked once a request: kept on the alliance object the
    view loaded for this request (never across requests, so a banner is never staler than
    the page)."""
    try:
        return alliance._live_meetings
    except AttributeError:
        alliance._live_meetings = list(
            Meeting.objects.filter(review__alliance=alliance, status=Meeting.Status.LIVE)
            .select_related("review")
            .order_by("started_at", "pk")
        )
        return alliance._live_meetings
