"""A strict reader of iCalendar files (RFC 5545), for the tests: it refuses what a calendar
app could misread, then gives the calendar as components and properties.

Where the `icalendar` package is installed, each file is also read by it, and must read with
no error and the same events and texts. Without it, this checks the rules Accord's files rely on:
lines end in CRLF and are folded at 75 octets, each content line is `name *(;param) :
value` with no control character, BEGIN and END nest and match, a calendar has one PRODID
and VERSION:2.0, an event one UID and DTSTAMP, one DTSTART (and DTEND of the same value
type, after it, never with DURATION), every property allowed once appears at most once,
dates and times are well formed, a TEXT value escapes its commas, semicolons, backslashes
and line breaks, and SEQUENCE and STATUS hold what they may.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

try:
    import icalendar
except ImportError:  # not installed: the rules below are checked all the same
    icalendar = None

_NAME = re.compile(r"[A-Za-z0-9-]+")
_PARAM_TEXT = re.compile(r'[^";:,\x00-\x08\x0a-\x1f\x7f]*')
_QUOTED = re.compile(r'"[^"\x00-\x08\x0a-\x1f\x7f]*"')
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_DATE = re.compile(r"\d{8}")
_DATE_TIME = re.compile(r"\d{8}T\d{6}Z?")

# Properties an event may have once at most (RFC 5545, 3.6.1).
_EVENT_ONCE = {
    "DTSTAMP", "UID", "DTSTART", "CLASS", "CREATED", "DESCRIPTION", "GEO", "LAST-MODIFIED",
    "LOCATION", "ORGANIZER", "PRIORITY", "SEQUENCE", "STATUS", "SUMMARY", "TRANSP", "URL",
    "RECURRENCE-ID", "DTEND", "DURATION",
}  # fmt: skip
_CALENDAR_ONCE = {
    "PRODID", "VERSION", "CALSCALE", "METHOD", "NAME", "REFRESH-INTERVAL", "X-WR-CALNAME",
    "X-WR-CALDESC", "X-PUBLISHED-TTL",
}  # fmt: skip
# Properties whose value is one TEXT (3.3.11): no unescaped comma or semicolon.
_TEXT = {"SUMMARY", "DESCRIPTION", "LOCATION", "NAME", "X-WR-CALNAME", "X-WR-CALDESC"}
_EVENT_STATUS = {"TENTATIVE", "CONFIRMED", "CANCELLED"}


class Invalid(AssertionError):
    """The file breaks a rule of RFC 5545."""


@dataclass
class Property:
    name: str
    params: dict[str, str]
    value: str

    @property
    def text(self) -> str:
        """A TEXT value as it reads: its escapes undone."""
        return unescape(self.value)


@dataclass
class Component:
    name: str
    properties: list[Property] = field(default_factory=list)
    components: list["Component"] = field(default_factory=list)

    def all(self, name: str) -> list[Property]:
        return [p for p in self.properties if p.name == name]

    def get(self, name: str) -> Property | None:
        found = self.all(name)
        return found[0] if found else None

    def __getitem__(self, name: str) -> str:
        """The value of the property `name` (its text, for a TEXT property)."""
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found.text if name in _TEXT else found.value

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    @property
    def events(self) -> list["Component"]:
        return [c for c in self.components if c.name == "VEVENT"]

    def event(self, uid: str) -> "Component":
        (found,) = [e for e in self.events if e["UID"] == uid]
        return found


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            if following not in "\\;,nN":
                raise Invalid(f"a text value escapes {following!r}: {value!r}")
            out.append("\n" if following in "nN" else following)
        elif char in ",;":
            raise Invalid(f"an unescaped {char!r} in a text value: {value!r}")
        else:
            out.append(char)
    return "".join(out)


def _unfold(raw: bytes) -> list[str]:
    if not raw.endswith(b"\r\n"):
        raise Invalid("the file does not end with CRLF")
    physical = raw[:-2].split(b"\r\n")
    logical: list[bytes] = []
    for line in physical:
        if b"\r" in line or b"\n" in line:
            raise Invalid(f"a bare CR or LF: {line!r}")
        if len(line) > 75:
            raise Invalid(f"a line of {len(line)} octets: {line!r}")
        if line[:1] in (b" ", b"\t"):
            if not logical:
                raise Invalid("the file starts with a continuation line")
            logical[-1] += line[1:]
        else:
            logical.append(line)
    try:
        return [line.decode("utf-8") for line in logical]
    except UnicodeDecodeError as error:
        raise Invalid(f"not UTF-8 (a character split by folding?): {error}") from None


def _content_line(line: str) -> Property:
    match = _NAME.match(line)
    if not match:
        raise Invalid(f"no property name: {line!r}")
    name, rest = match.group().upper(), line[match.end() :]
    params = {}
    while rest.startswith(";"):
        param = _NAME.match(rest, 1)
        if not param or rest[param.end() : param.end() + 1] != "=":
            raise Invalid(f"a malformed parameter: {line!r}")
        at = param.end() + 1
        value = _QUOTED.match(rest, at) or _PARAM_TEXT.match(rest, at)
        params[param.group().upper()] = value.group().strip('"')
        rest = rest[value.end() :]
    if not rest.startswith(":"):
        raise Invalid(f"no colon after the name and parameters: {line!r}")
    value = rest[1:]
    if _CONTROL.search(value):
        raise Invalid(f"a control character in a value: {line!r}")
    return Property(name, params, value)


def parse(raw: bytes | str) -> Component:
    """The calendar in `raw`, checked; Invalid says the first rule it breaks."""
    if isinstance(raw, str):
        raw = raw.encode()
    stack: list[Component] = []
    calendar = None
    for line in _unfold(raw):
        prop = _content_line(line)
        if prop.name == "BEGIN":
            component = Component(prop.value.upper())
            if stack:
                stack[-1].components.append(component)
            elif calendar is not None or component.name != "VCALENDAR":
                raise Invalid("one VCALENDAR holds everything")
            stack.append(component)
        elif prop.name == "END":
            if not stack or stack[-1].name != prop.value.upper():
                raise Invalid(f"END:{prop.value} closes nothing open")
            done = stack.pop()
            if not stack:
                calendar = done
        elif not stack or calendar is not None:
            raise Invalid(f"a property outside the calendar: {line!r}")
        else:
            stack[-1].properties.append(prop)
    if stack or calendar is None:
        raise Invalid("the calendar is not closed")
    _check_calendar(calendar)
    if icalendar is not None:
        _read_by_icalendar(raw, calendar)
    return calendar


def _read_by_icalendar(raw: bytes, calendar: Component) -> None:
    """The same file as the `icalendar` package reads it: no error, the same events, the
    same texts."""
    theirs = icalendar.Calendar.from_ical(raw)
    for component in theirs.walk():
        if component.errors:
            raise Invalid(f"icalendar: {component.name}: {component.errors}")
    events = theirs.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [e["UID"] for e in calendar.events]
    for ours, read in zip(calendar.events, events, strict=True):
        for name in _TEXT & {p.name for p in ours.properties}:
            assert str(read[name]) == ours[name], (name, str(read[name]), ours[name])


def _once(component: Component, names: set[str]) -> None:
    for name in names:
        if len(component.all(name)) > 1:
            raise Invalid(f"{name} twice in {component.name}")


def _check_calendar(calendar: Component) -> None:
    _once(calendar, _CALENDAR_ONCE)
    if "PRODID" not in calendar or calendar.get("VERSION") is None:
        raise Invalid("a calendar needs PRODID and VERSION")
    if calendar["VERSION"] != "2.0":
        raise Invalid("VERSION is not 2.0")
    for prop in calendar.properties:
        if prop.name in _TEXT:
            prop.text  # noqa: B018 (checks its escapes)
    for event in calendar.events:
        _check_event(event)


def _moment(prop: Property) -> date:
    if prop.params.get("VALUE") == "DATE":
        if not _DATE.fullmatch(prop.value):
            raise Invalid(f"{prop.name} is not a DATE: {prop.value!r}")
        return datetime.strptime(prop.value, "%Y%m%d").date()
    if not _DATE_TIME.fullmatch(prop.value):
        raise Invalid(f"{prop.name} is not a DATE-TIME: {prop.value!r}")
    return datetime.strptime(prop.value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


def _check_event(event: Component) -> None:
    _once(event, _EVENT_ONCE)
    for name in ("UID", "DTSTAMP", "DTSTART"):
        if name not in event:
            raise Invalid(f"an event without {name}")
    if "DTEND" in event and "DURATION" in event:
        raise Invalid("an event with both DTEND and DURATION")
    for name in ("DTSTAMP", "LAST-MODIFIED", "CREATED"):
        if name in event and not event[name].endswith("Z"):
            raise Invalid(f"{name} must be in UTC")
        if name in event:
            _moment(event.get(name))
    start = _moment(event.get("DTSTART"))
    if "DTEND" in event:
        end = _moment(event.get("DTEND"))
        if type(end) is not type(start):
            raise Invalid("DTSTART and DTEND are of different value types")
        if end <= start:
            raise Invalid("an event that ends before it starts")
    if "SEQUENCE" in event and not event["SEQUENCE"].isdigit():
        raise Invalid("SEQUENCE is not a non-negative integer")
    if "STATUS" in event and event["STATUS"] not in _EVENT_STATUS:
        raise Invalid(f"an event's STATUS cannot be {event['STATUS']}")
    for prop in event.properties:
        if prop.name in _TEXT:
            prop.text  # noqa: B018 (checks its escapes)
