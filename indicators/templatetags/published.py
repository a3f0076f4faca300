"""What the templates of a published indicator show of its snapshot (indicators.embed)."""

from django import template

from indicators import embed

register = template.Library()


@register.simple_tag
def published(snapshot: dict, alliance_name: str = "") -> dict:
    """`{% published indicator alliance_name as view %}`: `embed.card` of the snapshot."""
    return embed.card(snapshot, alliance_name=alliance_name)
