"""Registers change while people look at them: a region of a page polls for a newer
version, and the change reaches a running meeting's discuss phase through its one door."""

import hashlib
import json

from django.http import HttpResponse

from meetings.models import Meeting, Phase


def stamp(register: dict) -> str:
    text = json.dumps(register, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unchanged(request, register: dict) -> HttpResponse | None:
    """204 to a poll that already has this version of the register."""
    if request.GET.get("stamp") == stamp(register):
        return HttpResponse(status=204)
    return None


def tell_meetings(alliance, component_key: str, actor) -> None:
    """A register changed: a live meeting of the alliance discussing its component shows it."""
    # imported here: meetings sits above registers (an ignore in the layer contract)
    from meetings.services import refresh

    # Through `refresh`, like any live change: under the meeting's lock, with a new sequence
    # number, and broadcast only once the register's change has committed.
    for meeting in Meeting.objects.filter(
        review__alliance=alliance,
        status=Meeting.Status.LIVE,
        current__component_key=component_key,
        current__kind__in=[Phase.Kind.DISCUSS, Phase.Kind.RECORD],
    ):
        refresh(meeting=meeting, actor=actor, action="register")
