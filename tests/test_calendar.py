"""A meeting's calendar file (RFC 5545): whatever people typed into its fields, each field
stays one property on lines of at most 75 octets ending in CRLF, and reads back as typed
(line breaks as line breaks), so that no field can add a property such as an attendee."""

import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.calendar import ics

pytestmark = pytest.mark.usefixtures("fast_passwords")

INJECTED = "Room 2\r\nATTENDEE;CN=Mallory:mailto:mallory@example.org\r\nX-INJECTED:1"
HOSTILE = {
    "cr": "Hall A\rFloor 2",
    "lf": "Hall A\nFloor 2",
    "crlf": "Hall A\r\nFloor 2",
    "separators": "Hall A; Floor 2, left \\ right",
    "injected": INJECTED,
    "unicode-breaks": "Hall A\u2028Floor 2\x85Door 3\x0bend",
    "controls": "Hall\x01 A\x1b\x7f",
    "long": "Salle « Les Tilleuls », " * 6 + "\r\n" + "é" * 50,  # at most 200 characters
}


def _unfold(raw: bytes) -> list[str]:
    """The file's logical lines, as a calendar reads them."""
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, line
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode() for line in logical]


def _unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def _properties(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        name, _colon, value = line.partition(":")
        if name in {"BEGIN", "END"}:
            continue
        assert name not in found, f"{name} twice"
        found[name] = value
    return found


def _typed_back(text: str) -> str:
    """What a field reads back as: every line break one newline, no control character."""
    for brk in ("\r\n", "\r", "\u2028", "\x85", "\x0b"):
        text = text.replace(brk, "\n")
    return "".join(c for c in text if c == "\n" or c >= " " and c != "\x7f")


@pytest.fixture
def plan(review, people):
    def plan(**fields):
        return services.plan_meeting(
            review=review,
            agenda=["purpose"],
            author=people["fiona"],
            starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
            facilitator=people["fiona"],
            **fields,
        )

    return plan


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_place_with_line_breaks_or_separators_stays_one_property(plan, text):
    meeting = plan(place=text)

    properties = _properties(_unfold(ics(meeting).encode()))

    assert [name for name in properties if name.startswith(("ATTENDEE", "X-"))] == []
    assert _unescape(properties["LOCATION"]) == _typed_back(text)


def test_an_alliance_and_review_name_cannot_add_a_property(plan, review):
    review.name = INJECTED
    review.save(update_fields=["name"])
    review.alliance.name = "Harvest\rALARM:1"
    review.alliance.save(update_fields=["name"])

    properties = _properties(_unfold(ics(plan(place="")).encode()))

    assert "ALARM" not in properties and "X-INJECTED" not in properties
    assert _unescape(properties["SUMMARY"]) == "Harvest\nALARM:1: " + _typed_back(INJECTED)


def test_a_video_link_with_a_line_break_stays_in_the_description(plan):
    meeting = plan(video_link="https://meet.example.org/x\r\nATTENDEE:mailto:m@example.org")

    properties = _properties(_unfold(ics(meeting).encode()))

    assert "ATTENDEE" not in properties
    assert "https://meet.example.org/x\nATTENDEE:mailto:m@example.org" in _unescape(
        properties["DESCRIPTION"]
    )


def test_the_downloaded_file_is_the_same_calendar(client, plan, people):
    meeting = plan(place=INJECTED)
    client.force_login(people["otto"])

    response = client.get(reverse("meetings:ics", args=[meeting.review.alliance.slug, meeting.pk]))

    properties = _properties(_unfold(response.content))
    assert "ATTENDEE;CN=Mallory" not in properties
    assert _unescape(properties["LOCATION"]) == _typed_back(INJECTED)
