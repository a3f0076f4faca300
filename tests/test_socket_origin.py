"""Which pages may open a signed-in socket: only Accord's own, matched in scheme, host and
port (accord/origin.py). The attacker here runs a page elsewhere (another host, another
port of the same host, plain http beside the https site) that a member visits while signed
in: the browser sends the member's cookie with the socket, so the Origin decides."""

import pytest

from accord.asgi import application
from tests.sockets import (
    TIMEOUT,
    WebsocketCommunicator,
    leave,
    run,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("transactional_db", "fast_passwords", "channel_layer")


def connects(meeting, headers, scheme="ws") -> bool:
    path = f"/ws/a/{meeting.review.alliance.slug}/meetings/{meeting.pk}/"

    async def scenario():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        communicator.scope["scheme"] = scheme
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await leave(communicator)
        return connected

    return run(scenario)


def headers_of(mia, origin: str | None, host: str) -> list[tuple[bytes, bytes]]:
    cookie = signed_in(mia)[-1]
    headers = [(b"host", host.encode()), cookie]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return headers


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://accord.example.org"
    settings.ALLOWED_HOSTS = ["accord.example.org", "127.0.0.1", ".harvest.example"]


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        # SITE_URL itself, whatever Host the proxy passes on.
        ("https://accord.example.org", "accord.example.org", "ws"),
        ("https://accord.example.org", "10.0.0.5:8000", "ws"),
        ("https://accord.example.org:443", "accord.example.org", "wss"),
        # An allowed host, reached the way this request reached it.
        ("https://pantry.harvest.example", "pantry.harvest.example", "wss"),
        ("HTTPS://Pantry.Harvest.Example:443", "pantry.harvest.example", "wss"),
    ],
)
def test_a_page_of_accord_opens_the_socket(running, mia, origin, host, scheme):  # noqa: F811
    assert connects(running, headers_of(mia, origin, host), scheme) is True


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        # Wrong scheme: a plain-http page beside the https one, or the other way round.
        ("http://accord.example.org", "accord.example.org", "ws"),
        ("http://accord.example.org", "accord.example.org", "wss"),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "ws"),
        ("http://pantry.harvest.example", "pantry.harvest.example", "wss"),
        # Wrong port: another server on the same host.
        ("https://accord.example.org:8443", "accord.example.org", "wss"),
        # A foreign host, even one that names itself in the Host header.
        ("https://evil.example", "accord.example.org", "wss"),
        ("http://evil.example", "evil.example", "ws"),
        ("https://accord.example.org.evil.example", "accord.example.org.evil.example", "wss"),
        # No Origin, or one that is not a web page's.
        (None, "127.0.0.1:8000", "ws"),
        ("null", "127.0.0.1:8000", "ws"),
        ("", "127.0.0.1:8000", "ws"),
        ("file://", "127.0.0.1:8000", "ws"),
        ("http://127.0.0.1:8000/page", "127.0.0.1:8000", "ws"),
        ("http://mia@127.0.0.1:8000", "127.0.0.1:8000", "ws"),
    ],
)
def test_a_page_elsewhere_cannot_open_a_signed_in_socket(
    running,  # noqa: F811
    mia,
    origin,
    host,
    scheme,
):
    assert connects(running, headers_of(mia, origin, host), scheme) is False


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(settings, running, mia):  # noqa: F811
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    forwarded = (b"x-forwarded-proto", b"https")

    https_page = [*headers_of(mia, "https://127.0.0.1", "127.0.0.1"), forwarded]
    http_page = [*headers_of(mia, "http://127.0.0.1", "127.0.0.1"), forwarded]

    assert connects(running, https_page) is True
    assert connects(running, http_page) is False


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://127.0.0.1:8000", "10.0.0.5", True),  # SITE_URL
        ("http://127.0.0.1:8001", "127.0.0.1:8001", True),  # an allowed host, as reached
        ("http://127.0.0.1", "127.0.0.1", True),
        ("HTTP://127.0.0.1:8001", "127.0.0.1:8001", True),
        ("http://127.0.0.1:9999", "127.0.0.1:8001", False),  # another port
        ("http://127.0.0.1:8001", "127.0.0.1", False),
        ("https://127.0.0.1:8001", "127.0.0.1:8001", False),  # another scheme
        ("http://evil.example:8001", "127.0.0.1:8001", False),
    ],
)
def test_a_site_on_plain_http_takes_its_own_pages(
    settings,
    running,  # noqa: F811
    mia,
    origin,
    host,
    allowed,
):
    settings.SITE_URL = "http://127.0.0.1:8000"

    assert connects(running, headers_of(mia, origin, host)) is allowed


def test_the_projectors_socket_is_checked_too(settings, running):  # noqa: F811
    settings.SITE_URL = "http://127.0.0.1:8000"
    token = running.issue_projector_token()
    running.save(update_fields=["projector_token_hash"])

    async def scenario(origin):
        headers = [(b"host", b"127.0.0.1"), (b"origin", origin)]
        communicator = WebsocketCommunicator(application, f"/ws/projector/{token}/", headers)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await leave(communicator)
        return connected

    assert run(scenario, b"http://127.0.0.1") is True
    assert run(scenario, b"http://127.0.0.1:8080") is False
