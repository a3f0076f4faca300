"""A publication's story, told from its rows: who proposed it, which partner decided what
and who for it, which objection stopped which item and why, when it was published (every
partner decided, or the period ended), withdrawn or unpublished. Oldest first; read from
the prefetched rows of `consent.with_decisions`, no query of its own."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from publishing import consent


@dataclass(frozen=True)
class Event:
    at: datetime
    text: str


def _name(person) -> str:
    return (person.name or person.email) if person else _("someone no longer here")


def events(publication, now) -> list[Event]:
    told = [
        Event(
            publication.proposed_at,
            _("Proposed by %(person)s, to be shown %(audience)s.")
            % {
                "person": _name(publication.proposed_by),
                "audience": publication.get_audience_display(),
            },
        )
    ]
    objections = [o for item in publication.items.all() for o in item.objections.all()]
    titles = {item.pk: item.title for item in publication.items.all()}
    for c in publication.consents.all():
        if c.decided_at is None:
            continue
        objected = [o for o in objections if o.partner_id == c.partner_id]
        if objected:
            text = _("%(partner)s objected (decided by %(person)s).")
        else:
            text = _("%(partner)s approved (decided by %(person)s).")
        told.append(
            Event(c.decided_at, text % {"partner": c.partner.name, "person": _name(c.person)})
        )
    for o in objections:
        told.append(
            Event(
                o.at,
                _("%(partner)s objected to “%(item)s”: %(reason)s")
                % {"partner": o.partner.name, "item": titles[o.item_id], "reason": o.reason},
            )
        )
    ended_at = publication.withdrawn_at or publication.unpublished_at
    if consent.settled(publication, now):
        at = consent.settled_at(publication)
        if ended_at is None or at < ended_at:
            approved = sum(
                consent.item_state(i, publication, now) == consent.APPROVED
                for i in publication.items.all()
            )
            if approved:
                told.append(Event(at, _("Published: what no partner objected to is shown.")))
    if publication.withdrawn_at:
        told.append(
            Event(
                publication.withdrawn_at,
                _("Withdrawn by %(person)s.") % {"person": _name(publication.withdrawn_by)},
            )
        )
    if publication.unpublished_at:
        told.append(
            Event(
                publication.unpublished_at,
                _("Unpublished by %(person)s.") % {"person": _name(publication.unpublished_by)},
            )
        )
    return sorted(told, key=lambda e: e.at)
