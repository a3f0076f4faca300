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
from accounts.language import each_in_their_language
from alliances.models import Membership

# Every way a text can break a line: CRLF, a lone CR or LF, and Unicode's line breaks
# (which some readers split on).
_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# RFC 5545 allows no control character in a text but the tab.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")


def escape(text: str) -> str:
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


def _param(text: str) -> str:
    """A parameter value (RFC 5545, 3.2), such as a CN: quoted, with nothing that could end
    it (a quote, a line break, a control character)."""
    text = _CONTROL.sub("", _LINE_BREAK.sub(" ", text)).replace('"', "")
    return f'"{text}"'


def _address(email: str) -> str:
    """A person's address as a CAL-ADDRESS (mailto:): a valid address may still hold a
    control character in a quoted part, which could end the line for some readers."""
    return "mailto:" + _CONTROL.sub("", _LINE_BREAK.sub("", email))


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname


def meeting_uid(meeting) -> str:
    """The event's UID, the same in every file and feed for the meeting's whole life, so that
    a calendar updates the event it has instead of adding another."""
    return f"meeting-{meeting.pk}@{_host()}"


def meeting_event(meeting, *, stamp, attendee=None) -> list[str]:
    """The meeting as one VEVENT (its lines), in the active language: the invitation, its
    cancellation and the personal feed all write it here. `meeting.review.alliance` should
    be loaded with it. `attendee` (a person) names who a cancellation is for."""
    review = meeting.review
    link = settings.SITE_URL + meeting.get_absolute_url()
    names = ", ".join(c.name for c in meeting.agenda_components())
    description = _("Agenda: %(agenda)s\nJoin in Accord: %(link)s") % {
        "agenda": names,
        "link": link,
    }
    if meeting.video_link:
        description += "\n" + _("Video: %(link)s") % {"link": meeting.video_link}
    summary = f"{review.alliance.name}: {review.name}"
    cancelled = meeting.status == meeting.Status.CANCELLED
    if cancelled:
        summary = _("Cancelled: %(meeting)s") % {"meeting": summary}
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting_uid(meeting)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"LAST-MODIFIED:{_utc(meeting.calendar_changed_at)}",
        f"SEQUENCE:{meeting.calendar_sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + timedelta(minutes=meeting.duration_minutes))}",
        "SUMMARY:" + escape(summary),
        "DESCRIPTION:" + escape(description),
        "LOCATION:" + escape(meeting.place or meeting.video_link or ""),
        f"URL:{link}",
    ]
    organizer = attendee and (meeting.created_by or meeting.facilitator)
    if organizer:
        # A cancellation (RFC 5546, 3.2.5) names who organised the event and who it is for.
        lines += [
            f"ORGANIZER;CN={_param(organizer.get_full_name())}:{_address(organizer.email)}",
            f"ATTENDEE;CN={_param(attendee.get_full_name())}:{_address(attendee.email)}",
        ]
    return [*lines, "END:VEVENT"]


def commitment_event(commitment, *, stamp) -> list[str]:
    """A commitment's due date as an all-day VEVENT (every calendar app shows those; not
    all show a VTODO), free time, in the active language. `commitment.alliance` should be
    loaded with it."""
    link = settings.SITE_URL + reverse(
        "reviews:commitment_status", args=[commitment.alliance.slug, commitment.pk]
    )
    description = _("%(alliance)s. Say where it stands: %(link)s") % {
        "alliance": commitment.alliance.name,
        "link": link,
    }
    return [
        "BEGIN:VEVENT",
        f"UID:commitment-{commitment.pk}@{_host()}",
        f"DTSTAMP:{_utc(stamp)}",
        # Its version moves with every edit (the due date's too): the calendar takes the newer.
        f"SEQUENCE:{commitment.version - 1}",
        f"DTSTART;VALUE=DATE:{commitment.due_on:%Y%m%d}",
        f"DTEND;VALUE=DATE:{commitment.due_on + timedelta(days=1):%Y%m%d}",
        "TRANSP:TRANSPARENT",
        "SUMMARY:" + escape(_("Due: %(what)s") % {"what": commitment.description}),
        "DESCRIPTION:" + escape(description),
        f"URL:{link}",
        "END:VEVENT",
    ]


def calendar(events: list[list[str]], *, method: str = "PUBLISH", header=()) -> str:
    """A whole iCalendar file around `events` (each a VEVENT's lines), every line folded and
    ended with CRLF. `header`: more properties of the calendar itself."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Accord//Meetings//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *header,
        *(line for event in events for line in event),
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics(meeting) -> str:
    """The meeting's own calendar file: the invitation's attachment and its download."""
    return calendar([meeting_event(meeting, stamp=timezone.now())])


def cancellation_ics(meeting, person) -> str:
    """The file that takes the cancelled meeting out of `person`'s calendar."""
    return calendar(
        [meeting_event(meeting, stamp=timezone.now(), attendee=person)], method="CANCEL"
    )


def email_invitations(meeting, only=None) -> list:
    """Email every person of the alliance (or those of them in `only`) the meeting, with
    its .ics attached, each in their own language: the subject and the .ics are written
    once per language, the body (which greets each person by name) once per person. The
    people the mail server did not take it for are returned."""
    return _email_everyone(
        meeting,
        only,
        subject=lambda names: _("Meeting of %(alliance)s: %(review)s") % names,
        template="meetings/email/invitation.txt",
        attachment=lambda person, shared: shared or ics(meeting),
    )


def email_cancellation(meeting, reason: str, only=None) -> list:
    """Tell every person of the alliance (or those of them in `only`) that the meeting is
    cancelled, and why, with the .ics (METHOD:CANCEL) that takes it out of their calendar,
    each in their own language. The people the mail server did not take it for are
    returned."""
    return _email_everyone(
        meeting,
        only,
        subject=lambda names: _("Cancelled: the meeting of %(alliance)s, %(review)s") % names,
        template="meetings/email/cancellation.txt",
        # Each file names its person as the attendee the cancellation is for.
        attachment=lambda person, shared: cancellation_ics(meeting, person),
        reason=reason,
    )


def _email_everyone(meeting, only, *, subject, template, attachment, **context) -> list:
    review = meeting.review
    link = settings.SITE_URL + meeting.get_absolute_url()
    how_link = settings.SITE_URL + reverse("meetings:how")
    names = {"alliance": review.alliance.name, "review": review.name}
    memberships = Membership.objects.filter(alliance=review.alliance).select_related("user")
    if only is not None:
        memberships = memberships.filter(user__in=only)
    files = {}  # language: a file the same for everyone who reads it, made once

    def write(person):
        language = translation.get_language()
        files[language] = calendar_file = attachment(person, files.get(language))
        return mail.message(
            subject=subject(names),
            body=render_to_string(
                template,
                {
                    **context,
                    "meeting": meeting,
                    "person": person,
                    "link": link,
                    "how_link": how_link,
                },
            ),
            to=[person.email],
            # A question about the meeting goes to whoever planned it.
            reply_to=mail.replies_to(meeting.created_by),
            attachments=[(f"accord-meeting-{meeting.pk}.ics", calendar_file, "text/calendar")],
        )

    return mail.not_reached(each_in_their_language([m.user for m in memberships], write))
