"""Where the framework's words come from: quoted in English, or translated from it with the
original wording one click away."""

from django import template

from reviews.framework import Component, framework

register = template.Library()


@register.inclusion_tag("reviews/_framework_attribution.html")
def framework_attribution() -> dict:
    return {"framework": framework()}


@register.inclusion_tag("reviews/_original_wording.html")
def original_wording(component: Component | None) -> dict:
    return {"framework": framework(), "component": component}
