"""The component registry: every component of framework.toml has a whole entry."""

import pytest
from django.template.loader import get_template
from django.urls import reverse
from django.utils.module_loading import import_string

from alliances.models import Alliance
from reviews import components
from reviews.framework import framework, key_of
from reviews.models import Review


@pytest.mark.parametrize("component", framework().components, ids=lambda c: c.key)
def test_every_component_has_a_whole_registry_entry(component):
    tool = components.tool(component.tool)
    assert tool is not None
    assert tool.name == component.tool
    assert key_of(tool.name) == component.key
    assert callable(import_string(tool.builder))
    assert get_template(tool.template)
    assert str(tool.title)
    assert tool.poll_url(Alliance(slug="harbour"), Review(pk=7)).startswith("/")


def test_poll_addresses_name_the_review_where_the_register_depends_on_it():
    alliance, review = Alliance(slug="harbour"), Review(pk=7)
    goals = reverse("registers:goals", args=["harbour"])
    dependencies = reverse("registers:dependencies", args=["harbour"])
    indicators = reverse("indicators:register", args=["harbour", 7])
    assert components.tool("goals").poll_url(alliance, review) == goals
    assert components.tool("dependencies").poll_url(alliance, review) == f"{dependencies}?review=7"
    assert components.tool("indicators").poll_url(alliance, review) == indicators
