"""What any website may embed (accord.embedding): a published chart and its card are public
and may be framed anywhere; every other response keeps the site's rules."""

import pytest

from accord.embedding import FRAMED_POLICY, IMAGE_POLICY
from accord.middleware import POLICY
from tests.embedding_urls import SVG, TAG

pytestmark = [pytest.mark.urls("tests.embedding_urls"), pytest.mark.django_db]


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def test_an_embeddable_svg_is_public_and_needs_nothing(client):
    response = client.get("/chart.svg")

    assert response.status_code == 200
    assert response.content.decode() == SVG
    assert response["Content-Type"] == "image/svg+xml"
    assert (
        response["Content-Security-Policy"]
        == IMAGE_POLICY
        == ("default-src 'none'; frame-ancestors *")
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert directives(response) >= {"public", "max-age=300"}
    assert "private" not in directives(response)
    assert response["ETag"] == TAG


def test_an_embeddable_svg_answers_a_revalidation_with_304(client):
    response = client.get("/chart.svg", headers={"If-None-Match": TAG})

    assert response.status_code == 304
    assert response.content == b""
    assert directives(response) >= {"public", "max-age=300"}


def test_an_embeddable_card_may_be_framed_by_any_site(client):
    response = client.get("/card")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == FRAMED_POLICY
    assert "frame-ancestors *" in FRAMED_POLICY
    assert FRAMED_POLICY.replace("frame-ancestors *", "frame-ancestors 'none'") == POLICY
    assert directives(response) >= {"public", "max-age=60"}
    assert "private" not in directives(response)


def test_every_other_page_keeps_the_site_rules(client):
    response = client.get("/page")

    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == POLICY
    assert "private" in directives(response)
    assert "public" not in directives(response)


def test_a_refusal_of_an_embeddable_view_keeps_the_site_rules(client):
    response = client.get("/withdrawn")

    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == POLICY
    assert "private" in directives(response)
    assert "public" not in directives(response)


def test_an_embeddable_response_that_sets_a_cookie_stays_private(client):
    response = client.get("/with-cookie")

    assert "private" in directives(response)
    assert "public" not in directives(response)
