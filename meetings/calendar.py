"""Calendar invitations (RFC 5545), written by hand: one event, a few fields."""

import re
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord import mail
from accounts.language import by_language
from alliances.models import Membership

# Every way a text can break a line: CRLF, a lone CR or LF, and Unicode's line breaks
# (which some readers split on).
_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# RFC 5545 allows no control character in a text but the tab.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")


def _escape(text: str) -> str:
    """A text value (RFC 5545, 3.3.11): a line break from a field can only ever be the
    two characters \\n, so that no field can end its line and start a property of its own."""
    text = _CONTROL.sub("", _LINE_BREAK.sub("\n", text))
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, start = [], 0
    while start < len(encoded):
        end = min(start + (75 if not parts else 74), len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # not mid-character
            end -= 1
        parts.append(encoded[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(meeting) -> str:
    review = meeting.review
    link = settings.SITE_URL + meeting.get_absolute_url()
    names = ", ".join(c.name for c in meeting.agenda_components())
    description = _("Agenda: %(agenda)s\nJoin in Accord: %(link)s") % {
        "agenda": names,
        "link": link,
    }
    if meeting.video_link:
        description += "\n" + _("Video: %(link)s") % {"link": meeting.video_link}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Accord//Meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + timedelta(minutes=meeting.duration_minutes))}",
        "SUMMARY:" + _escape(f"{review.alliance.name}: {review.name}"),
        "DESCRIPTION:" + _escape(description),
        "LOCATION:" + _escape(meeting.place or meeting.video_link or ""),
        f"URL:{link}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def email_invitations(meeting, only=None) -> list:
    """Email every person of the alliance (or those of them in `only`) the meeting, with
    its .ics attached, each in their own language: the subject and the .ics are written
    once per language, the body (which greets each person by name) once per person. The
    people the mail server did not take it for are returned."""
    review = meeting.review
    link = settings.SITE_URL + meeting.get_absolute_url()
    how_link = settings.SITE_URL + reverse("meetings:how")
    names = {"alliance": review.alliance.name, "review": review.name}
    memberships = Membership.objects.filter(alliance=review.alliance).select_related("user")
    if only is not None:
        memberships = memberships.filter(user__in=only)
    people = [m.user for m in memberships]
    messages = []
    for code, group in by_language(people).items():
        with translation.override(code):
            subject = _("Meeting of %(alliance)s: %(review)s") % names
            calendar_file = ics(meeting)
            for person in group:
                context = {"meeting": meeting, "person": person, "link": link, "how_link": how_link}
                messages.append(
                    (
                        person,
                        mail.message(
                            subject=subject,
                            body=render_to_string("meetings/email/invitation.txt", context),
                            to=[person.email],
                            # A question about the meeting goes to whoever planned it.
                            reply_to=mail.replies_to(meeting.created_by),
                            attachments=[
                                (
                                    f"accord-meeting-{meeting.pk}.ics",
                                    calendar_file,
                                    "text/calendar",
                                )
                            ],
                        ),
                    )
                )
    return mail.not_reached(messages)
