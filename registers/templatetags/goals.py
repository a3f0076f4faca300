from django import template

register = template.Library()


@register.filter
def in_force(goals: list[dict]) -> list[dict]:
    """The goals still being worked on (proposed or agreed), from a register's list."""
    return [goal for goal in goals if goal["active"]]


@register.filter
def closed(goals: list[dict]) -> list[dict]:
    """The goals achieved or retired, from a register's list."""
    return [goal for goal in goals if not goal["active"]]
