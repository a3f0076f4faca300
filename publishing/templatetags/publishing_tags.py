"""Reading a frozen snapshot in the reader's language: its ISO dates as dates, a component's
key as its name, a commitment's status as words. The snapshot keeps keys and ISO dates so
that one approved publication reads well in every language."""

import datetime

from django import template
from django.utils import timezone

from alliances import rules
from alliances.models import Membership
from publishing.models import Consent
from reviews.framework import framework
from reviews.models import Commitment

register = template.Library()


@register.filter
def iso_date(value):
    """An ISO date string as a date (for the `date` filter), or "" when there is none."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return ""


@register.filter
def component_name(key):
    component = framework().get(key)
    return component.name if component else key


@register.filter
def commitment_status(key):
    return dict(Commitment.Status.choices).get(key, key)


@register.inclusion_tag("publishing/_consent_notice.html", takes_context=True)
def consent_notice(context):
    """On the alliance's home, for a person who decides for a partner: each publication
    their partner has not decided on yet. One query; none for anyone else."""
    membership: Membership | None = context.get("membership")
    if membership is None or membership.partner_id is None:
        return {"waiting": []}
    if not rules.CONSENT.allows(membership):
        return {"waiting": []}
    waiting = (
        Consent.objects.filter(
            partner_id=membership.partner_id,
            decided_at__isnull=True,
            publication__alliance_id=membership.alliance_id,
            publication__withdrawn_at__isnull=True,
            publication__unpublished_at__isnull=True,
            publication__consent_until__gt=timezone.now(),
        )
        .select_related("publication")
        .order_by("publication__consent_until")
    )
    return {
        "alliance": membership.alliance,
        "partner": membership.partner,
        "waiting": [c.publication for c in waiting],
    }
