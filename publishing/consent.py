"""Where each item of a publication stands: the one place the consent rule is applied.

An item is
- *objected* as soon as one partner objects to it (it is stopped; the reason is shown to
  the coordinator and the partners);
- *approved* when every partner asked has decided without objecting to it, or when the
  period the coordinator set has ended with no objection ("lazy consent": every partner was
  told, saw exactly what would be shown and had the whole period to object; requiring every
  partner to answer would let one absent partner block everything; docs/publishing.md);
- *waiting* otherwise.

A publication withdrawn before it was settled, or unpublished, shows nothing; one replaced
by an update that is settled shows nothing either. `published_items` gives what a shared or
public page shows, in a fixed number of queries.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from publishing.models import Audience, Consent, Item, Objection, Publication

WAITING, APPROVED, OBJECTED = "waiting", "approved", "objected"


def item_state(item: Item, publication: Publication, now=None) -> str:
    """`item`'s state (its objections and the publication's consents prefetched)."""
    now = now or timezone.now()
    if item.objections.all():
        return OBJECTED
    consents = publication.consents.all()
    everyone = bool(consents) and all(c.decided_at is not None for c in consents)
    if everyone or now >= publication.consent_until:
        return APPROVED
    return WAITING


def settled(publication: Publication, now=None) -> bool:
    """Every item is approved or objected: the partners have had their say."""
    return all(item_state(i, publication, now) != WAITING for i in publication.items.all())


def settled_at(publication: Publication):
    """When it was settled: the last partner's decision, or the end of the period."""
    decided = [c.decided_at for c in publication.consents.all()]
    if decided and all(decided):
        return min(max(decided), publication.consent_until)
    return publication.consent_until


@dataclass
class Shown:
    item: Item
    publication: Publication
    since: object  # when it became published
    embed: str = ""  # on the public page, an indicator's HTML to embed its chart elsewhere


def with_decisions(queryset):
    """Publications with what their states are computed from."""
    return queryset.select_related(
        "proposed_by", "withdrawn_by", "unpublished_by"
    ).prefetch_related(
        Prefetch("consents", queryset=Consent.objects.select_related("partner", "person")),
        Prefetch(
            "items",
            queryset=Item.objects.prefetch_related(
                Prefetch(
                    "objections", queryset=Objection.objects.select_related("partner", "person")
                )
            ),
        ),
    )


def _has_replaced(update: Publication, now=None) -> bool:
    """Whether `update` has replaced the publication it updates: it was settled before it
    was withdrawn or unpublished, if it was. Unpublishing an update later stops showing it
    and does not bring back the older version it replaced."""
    now = now or timezone.now()
    ended_at = update.withdrawn_at or update.unpublished_at
    return settled(update, min(now, ended_at) if ended_at else now)


def current(publications: list[Publication], now=None) -> list[Publication]:
    """Of an alliance's publications (newest first, with decisions), those whose approved
    items are shown now: not withdrawn, not unpublished, not replaced by a settled update."""
    now = now or timezone.now()
    replaced = {p.replaces_id for p in publications if p.replaces_id and _has_replaced(p, now)}
    return [p for p in publications if not p.ended and p.pk not in replaced]


def published_items(alliance, *, audiences=(Audience.SHARED, Audience.PUBLIC), now=None):
    """Every item of `alliance` shown now to `audiences`, newest publication first. A thing
    two publications show (the purpose, an indicator, a review's report) is shown once: as
    the newest of them shows it."""
    now = now or timezone.now()
    publications = list(with_decisions(Publication.objects.filter(alliance=alliance)))
    shown, seen = [], set()
    for publication in current(publications, now):
        if publication.audience not in audiences:
            continue
        for item in publication.items.all():
            if (item.kind, item.object_id) in seen:
                continue
            if item_state(item, publication, now) == APPROVED:
                seen.add((item.kind, item.object_id))
                shown.append(Shown(item, publication, settled_at(publication)))
    return shown
