from django import template

from meetings.join import live_meetings

register = template.Library()


@register.inclusion_tag("meetings/_live_banner.html", takes_context=True)
def live_banner(context):
    """On a page of an alliance, for its members: the alliance's live meetings, each with a
    link to join it. A page about a meeting does not announce that meeting: it is in it.
    One query a page (`meetings.join.live_meetings`); none where the page has no
    membership (signed out, or not an alliance's page)."""
    alliance, membership = context.get("alliance"), context.get("membership")
    if not (alliance and membership) or membership.alliance_id != alliance.pk:
        return {"live": []}
    here = context.get("meeting")
    live = [m for m in live_meetings(alliance) if here is None or m.pk != here.pk]
    return {"alliance": alliance, "live": live}
