"""Every page and file is for the person who asked: `Cache-Control: private` on every view
of the access matrix (so on every page of an alliance and everything per person), and
`no-store` as well on every download, so that no proxy or CDN keeps one for the next
visitor and a shared device does not keep an export."""

import pytest
from django.test import Client

from tests.access_matrix import EVERYONE, GET, MAY, VIEWS, send_request
from tests.meeting_forms import make_projector_link

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def harvest(ctx):
    """The access matrix's alliance, with a row of every kind its views show."""
    return ctx


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def _allowed(view) -> str:
    return next(role for role in EVERYONE if role in MAY[view.ability])


@pytest.mark.parametrize("view", [v for v in VIEWS if GET in v.methods], ids=lambda v: v.name)
def test_every_page_and_file_is_private(client, harvest, view):
    if view.prepare:
        view.prepare(harvest)
    client.force_login(harvest.people[_allowed(view)])

    response = send_request(client, GET, view.path(harvest))

    assert response.status_code == view.get_status
    assert "private" in directives(response)
    assert "public" not in directives(response)
    if response.has_header("Content-Disposition"):
        assert "no-store" in directives(response)


@pytest.mark.parametrize("view", [v for v in VIEWS if GET in v.methods], ids=lambda v: v.name)
def test_a_refusal_is_private_too(client, harvest, view):
    # An outsider's 404 (or, for views of no alliance, a visitor sent to sign in).
    client.force_login(harvest.people["olga"])
    if view.ability == "signed_in":
        client = Client()

    response = send_request(client, GET, view.path(harvest))

    assert response.status_code in {302, 404}
    assert "private" in directives(response)


def test_the_projector_screen_is_private(client, harvest):
    client.force_login(harvest.people["fiona"])
    token = make_projector_link(client, harvest.live)

    response = Client().get(f"/projector/{token}/")

    assert response.status_code == 200
    assert "private" in directives(response)


def test_an_indicator_page_served_from_its_cache_is_private(client, harvest):
    client.force_login(harvest.people["mia"])
    url = f"/a/{harvest.alliance.slug}/indicators/"
    client.get(url)  # the CSRF cookie the whole-page cache needs

    first, second = client.get(url), client.get(url)

    assert second.content == first.content
    assert "private" in directives(second)


def test_static_files_stay_cacheable_by_anyone(client):
    response = client.get("/static/accord/accord.css")

    assert response.status_code == 200
    assert "private" not in directives(response)
