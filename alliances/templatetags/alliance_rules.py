"""The rules of alliances/rules.py, for templates: a page offers only what its view allows."""

from django import template

from alliances import rules

register = template.Library()


@register.filter
def may_answer_for(membership, partner_id) -> bool:
    """`{% if membership|may_answer_for:partner.pk %}`: whether this person may record the
    answer of that partner."""
    return rules.ANSWER_FOR_PARTNER.allows(membership, partner_id)
