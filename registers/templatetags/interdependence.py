from django import template

register = template.Library()


@register.filter
def answer_of(answers: list[dict], partner_id: int) -> dict | None:
    """The impact answer a partner gave, from a register's list of answers."""
    return next((a for a in answers if a["partner_id"] == partner_id), None)
