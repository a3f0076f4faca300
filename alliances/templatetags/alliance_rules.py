"""The rules of alliances/rules.py, for templates: a page offers only what its view allows."""

from django import template

from alliances import rules

register = template.Library()


@register.filter
def may_answer_for(membership, partner_id) -> bool:
    """`{% if membership|may_answer_for:partner.pk %}`: whether this person may record the
    answer of that partner."""
    return rules.ANSWER_FOR_PARTNER.allows(membership, partner_id)


@register.filter
def may_update_status(membership, commitment) -> bool:
    """`{% if membership|may_update_status:commitment %}`: whether this person may say
    where that commitment stands (anyone who writes, or the person responsible)."""
    return rules.UPDATE_STATUS.allows(membership, commitment)
