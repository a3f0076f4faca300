"""Registers change while people look at them: a region of a page polls for a newer
version, and the change reaches a running meeting's discuss phase through its one door,
`tell_meetings`."""

import hashlib
import json

from django.dispatch import Signal
from django.http import HttpResponse

from alliances.services import partners_changed
from reviews.framework import key_of

# Sent with `alliance`, `component_key` and `actor` when what a component's register shows
# has changed (the one door is `tell_meetings`).
register_changed = Signal()

# The components whose registers name the partners (the matrix of goals, who brings each
# resource, the network of dependencies, follow-through per partner, the pledges): a
# partner added or renamed changes what a meeting discussing them shows.
NAMING_PARTNERS = tuple(
    key_of(tool) for tool in ("goals", "resources", "dependencies", "trust", "control")
)


def stamp(register: dict) -> str:
    text = json.dumps(register, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unchanged(request, register: dict) -> HttpResponse | None:
    """204 to a poll that already has this version of the register."""
    if request.GET.get("stamp") == stamp(register):
        return HttpResponse(status=204)
    return None


def tell_meetings(alliance, component_key: str, actor) -> None:
    """A register changed: a live meeting of the alliance discussing its component shows it.
    The service that wrote calls it last, inside or after its transaction. The meetings app,
    above this one, listens (`register_changed`, connected in its AppConfig.ready) and
    refreshes each meeting discussing the component: under the meeting's lock, with a new
    sequence number, broadcast once the change has committed; a meeting that ended
    meanwhile is passed over, so the register's change stands."""
    register_changed.send(sender=None, alliance=alliance, component_key=component_key, actor=actor)


def tell_meetings_about_partners(sender, *, alliance, actor, **kwargs) -> None:
    """A partner was added or changed: every register that names the partners changed."""
    for component_key in NAMING_PARTNERS:
        tell_meetings(alliance, component_key, actor)


def connect() -> None:
    """Listen for the changes of the apps below, which cannot call a meeting themselves."""
    partners_changed.connect(tell_meetings_about_partners, dispatch_uid="registers.partners")
