"""Joining in seconds: the short join address (`/m/<id>/`), signing in on the way to it, its
QR code, and the banner that announces a live meeting on every page of its alliance.

Fiona facilitates the meeting; carol, mia and otto are members of Harvest (otto observes);
olga belongs to Riverside only."""

import datetime
import html
import re

import pytest
import segno
from django.template.loader import render_to_string
from django.urls import reverse

from meetings import join, services
from meetings.models import Meeting
from tests import pages
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
BANNER = "A meeting is live now:"


@pytest.fixture
def meeting(people, review):
    return services.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
    )


@pytest.fixture
def running(meeting, fiona):
    services.start(meeting=meeting, actor=fiona)
    return Meeting.objects.get(pk=meeting.pk)


def join_path(meeting) -> str:
    return reverse("meetings:join", args=[meeting.pk])


def meeting_url(meeting) -> str:
    return reverse("meetings:detail", args=[meeting.review.alliance.slug, meeting.pk])


# The short address


def test_join_address_is_short_and_names_no_alliance(meeting):
    assert join_path(meeting) == f"/m/{meeting.pk}/"


@pytest.mark.parametrize("name", ["carol", "fiona", "mia", "otto"])
def test_join_address_sends_a_member_to_the_meeting(client, people, running, name):
    client.force_login(people[name])

    response = client.get(join_path(running))

    assert response.status_code == 302
    assert response.url == meeting_url(running)


def test_join_address_works_before_and_after_the_meeting(client, mia, meeting, fiona):
    client.force_login(mia)
    assert client.get(join_path(meeting)).url == meeting_url(meeting)
    services.start(meeting=meeting, actor=fiona)
    services.end(meeting=Meeting.objects.get(pk=meeting.pk), actor=fiona)
    assert client.get(join_path(meeting)).url == meeting_url(meeting)


def test_join_address_sends_a_signed_out_person_to_sign_in_and_on_to_the_meeting(
    client, mia, running
):
    path = join_path(running)

    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/accounts/sign-in/?next={path}"
    sign_in = client.get(response.url)
    assert f'name="next" value="{path}"' in sign_in.content.decode()

    signed_in = client.post(
        response.url,
        {"username": "mia@example.org", "password": PASSWORD, "next": path},
        follow=True,
    )

    assert signed_in.redirect_chain == [(path, 302), (meeting_url(running), 302)]
    assert signed_in.status_code == 200
    assert signed_in.context["meeting"] == running


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/m/1/", "//evil.example/m/1/", "http://testserver.evil.example/"],
)
def test_sign_in_never_follows_next_to_another_site(client, mia, elsewhere):
    sign_in = reverse("accounts:login")
    page = client.get(sign_in, {"next": elsewhere})
    assert 'name="next" value=""' in page.content.decode()

    response = client.post(
        sign_in, {"username": "mia@example.org", "password": PASSWORD, "next": elsewhere}
    )

    assert response.status_code == 302
    assert response.url == reverse("alliances:home")


def test_join_address_is_not_found_for_an_outsider(client, olga, running):
    client.force_login(olga)

    response = client.get(join_path(running))

    assert response.status_code == 404
    assert "This page does not exist" in pages.text(response)


def test_join_address_of_no_meeting_is_not_found(client, mia, running):
    client.force_login(mia)

    assert client.get(f"/m/{running.pk + 1000}/").status_code == 404


def test_join_address_refuses_other_methods(client, mia, running):
    client.force_login(mia)

    assert client.post(join_path(running)).status_code == 405


def test_join_url_is_the_public_address_of_the_short_path(settings, meeting):
    settings.SITE_URL = "https://accord.example.org"

    assert join.join_url(meeting) == f"https://accord.example.org/m/{meeting.pk}/"


# The QR code

URL = "https://accord.example.org/m/42/"


def _dark_path(svg: str) -> str:
    return re.search(r'<path class="qrline" stroke="#000" d="([^"]+)"', svg)[1]


def test_qr_code_draws_the_join_url():
    svg = join.qr_svg(URL)

    # What segno draws for the address, as a full QR code (never a Micro QR code, which
    # few phones read) with the standard quiet zone of four modules.
    expected = segno.make_qr(URL, error="m")
    assert not expected.is_micro
    assert _dark_path(svg) == _dark_path(expected.svg_inline(dark="#000", border=4))
    size = expected.symbol_size(border=4)[0]
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>' in svg  # white behind


def test_qr_code_is_inline_svg_that_scales_and_is_named():
    svg = join.qr_svg(URL)

    assert svg.startswith('<svg role="img" ')
    assert "<?xml" not in svg
    assert "xmlns" not in svg
    assert not re.search(r"<svg[^>]* (width|height)=", svg)
    assert f"<title>QR code to join the meeting: {URL}</title>" in svg


def test_qr_code_title_is_escaped():
    svg = join.qr_svg("https://accord.example.org/m/1/?a=<b>&c")

    assert "<b>" not in svg
    assert "&lt;b&gt;&amp;c</title>" in svg


def test_qr_code_is_drawn_once_per_address():
    join._qr_svg.cache_clear()
    join.qr_svg(URL)
    join.qr_svg(URL)

    assert join._qr_svg.cache_info().hits == 1
    assert join._qr_svg.cache_info().misses == 1


def test_join_include_shows_the_address_and_the_code():
    rendered = render_to_string(
        "meetings/_join.html", {"join_url": URL, "join_qr": join.qr_svg(URL)}
    )

    assert "Join on your phone" in rendered
    assert '<svg role="img"' in rendered  # the markup itself, not escaped
    # The address is read off the wall without its scheme; the link keeps it.
    assert f'<a class="join__url" href="{URL}">accord.example.org/m/42/</a>' in rendered


def test_join_include_takes_a_class_for_a_smaller_panel():
    context = {"join_url": URL, "join_qr": "", "join_class": "join--small"}

    rendered = render_to_string("meetings/_join.html", context)

    assert '<section class="join join--small" aria-labelledby="join-title">' in rendered


def test_join_include_keeps_a_plain_http_scheme_visible():
    url = "http://127.0.0.1:18801/m/42/"

    rendered = render_to_string("meetings/_join.html", {"join_url": url, "join_qr": ""})

    assert f">{url}</a>" in rendered


# The banner on the alliance's pages


def alliance_pages(review):
    slug = review.alliance.slug
    return [
        reverse("alliances:detail", args=[slug]),
        reverse("reviews:detail", args=[slug, review.pk]),
        reverse("reviews:component", args=[slug, review.pk, "purpose"]),
        reverse("registers:goals", args=[slug]),
        reverse("registers:trust", args=[slug]),
        reverse("indicators:overview", args=[slug]),
        reverse("alliances:people", args=[slug]),
    ]


def banner(response) -> str | None:
    """The banner's text, with the address it links to, or None when there is none."""
    found = re.search(
        r'<div class="live-banner" role="status" hx-disable>(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    if found is None:
        return None
    link = re.search(r'href="([^"]+)"', found[1])[1]
    return f"{' '.join(html.unescape(re.sub(r'<[^>]+>', ' ', found[1])).split())} -> {link}"


@pytest.mark.parametrize("name", ["carol", "fiona", "mia", "otto"])
def test_banner_announces_a_live_meeting_on_every_page_of_the_alliance(
    client, people, running, name
):
    client.force_login(people[name])

    for path in alliance_pages(running.review):
        response = client.get(path)
        assert response.status_code == 200, path
        assert banner(response) == (
            f"{BANNER} Join the meeting Spring 2027 review -> {meeting_url(running)}"
        ), path


def test_banner_is_not_shown_before_the_meeting_starts(client, mia, meeting):
    client.force_login(mia)

    for path in alliance_pages(meeting.review):
        assert banner(client.get(path)) is None, path


def test_banner_is_not_shown_once_the_meeting_has_ended(client, mia, running, fiona):
    services.end(meeting=running, actor=fiona)
    client.force_login(mia)

    for path in alliance_pages(running.review):
        assert banner(client.get(path)) is None, path


def test_banner_is_not_shown_to_an_outsider(client, olga, running):
    client.force_login(olga)

    response = client.get(reverse("alliances:detail", args=["riverside-alliance"]))

    assert response.status_code == 200
    assert banner(response) is None
    assert BANNER not in response.content.decode()


def test_banner_is_not_shown_on_the_meeting_page_itself(client, mia, running):
    client.force_login(mia)

    response = client.get(meeting_url(running))

    assert response.status_code == 200
    assert BANNER not in response.content.decode()


def test_banner_is_not_shown_when_signed_out(client, running):
    response = client.get(reverse("accounts:login"))

    assert BANNER not in response.content.decode()


def test_banner_follows_a_cached_page_of_indicators(client, mia, meeting, fiona):
    """The indicators' pages are kept whole per session: a meeting that starts or ends
    changes no revision, and still shows on the next load."""
    client.force_login(mia)
    path = reverse("indicators:overview", args=[meeting.review.alliance.slug])
    for _ in range(3):  # the third is served from the cache
        assert banner(client.get(path)) is None

    services.start(meeting=meeting, actor=fiona)
    assert banner(client.get(path)) is not None
    assert banner(client.get(path)) is not None

    services.end(meeting=Meeting.objects.get(pk=meeting.pk), actor=fiona)
    assert banner(client.get(path)) is None
