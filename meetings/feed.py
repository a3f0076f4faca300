"""Each person's private calendar feed, `/calendar/<token>.ics`, which a calendar app
(Google Calendar, Outlook, Apple Calendar) subscribes to and reads again every few hours:
the meetings of every alliance the person belongs to now, and the due dates of their own
open commitments.

It sits in `meetings` because it reads meetings and, below them, commitments and
memberships. The token is the only key (a calendar app has no session): only its SHA-256
is stored (`CalendarFeed`), it is checked on every request, and so is every membership, so
that a person who leaves an alliance stops seeing its meetings at the next refresh. The
feed holds only what an observer of each alliance sees on its pages (the meeting's time,
place, video link, agenda; a commitment's words and date), never an answer. Three queries,
whatever the number of alliances, meetings and commitments."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.language import speaking
from meetings import calendar
from meetings.models import CalendarFeed, Meeting, hash_token
from reviews.models import Commitment

# Meetings that took place (or were cancelled) stay in the feed this long.
KEPT = timedelta(days=365)
# How often a calendar app is asked to read the feed again (most choose for themselves:
# Google Calendar every few hours to a day, whatever is asked).
REFRESH = "PT1H"
# How long a response may be reused by the app that asked (never by a shared cache).
MAX_AGE = 15 * 60


def feed_url(token: str) -> str:
    """The address a calendar app subscribes to: the site's public one, since the app
    reads it from Google's, Microsoft's or Apple's servers, not from this browser."""
    return settings.SITE_URL + reverse("meetings:calendar", args=[token])


def find(token: str) -> CalendarFeed | None:
    """The feed of this token, while its person's account is active, or None."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )


def meetings_of(user, now) -> list[Meeting]:
    """Every meeting of every alliance the person belongs to now: planned and live ones,
    and those that took place or were cancelled in the last year."""
    return list(
        Meeting.objects.filter(review__alliance__memberships__user=user)
        .filter(
            Q(status__in=[Meeting.Status.PLANNED, Meeting.Status.LIVE])
            | Q(starts_at__gte=now - KEPT)
        )
        .select_related("review__alliance")
        .order_by("starts_at", "pk")
    )


def commitments_of(user) -> list[Commitment]:
    """The person's own open commitments, in the alliances they still belong to."""
    return list(
        Commitment.objects.filter(
            owner=user, status=Commitment.Status.OPEN, alliance__memberships__user=user
        )
        .select_related("alliance")
        .order_by("due_on", "pk")
    )


def feed_text(user, now=None) -> str:
    """The person's feed, as an iCalendar file in their language."""
    now = now or timezone.now()
    meetings, commitments = meetings_of(user, now), commitments_of(user)
    with speaking(user):
        name = _("Accord: meetings and commitments")
        events = [calendar.meeting_event(meeting, stamp=now) for meeting in meetings]
        events += [calendar.commitment_event(item, stamp=now) for item in commitments]
        header = [
            "NAME:" + calendar.escape(name),
            "X-WR-CALNAME:" + calendar.escape(name),
            "X-WR-CALDESC:"
            + calendar.escape(
                _("The meetings of your alliances and your commitments' due dates, from Accord.")
            ),
            f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
            f"X-PUBLISHED-TTL:{REFRESH}",
        ]
        return calendar.calendar(events, header=header)
