"""Which pages may open a WebSocket to Accord.

A browser sends the session cookie with any WebSocket, whatever page opens it, and says in
the Origin header which page that is. Channels' `AllowedHostsOriginValidator` compares the
Origin's host only, so that a page at http://accord.example.org:8080, or served over plain
http beside the https site, could still open a signed-in socket. Here an Origin must match
in scheme, host and port: either SITE_URL's own origin, or an allowed host (ALLOWED_HOSTS)
reached with the scheme and the host and port that this very request shows (its Host
header, as `request.is_secure()` would read the scheme behind a TLS proxy), and over https
whenever SITE_URL is. No Origin at all
is refused: every browser sends one, and Accord's sockets are for its own pages only.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin(scheme: str, netloc: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) with the port always spelled out, or None if not a web origin."""
    scheme = scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return None
    host, port = split_domain_port(netloc)
    if not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def parse_origin(value: str) -> tuple[str, str, str] | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return None  # an Origin is scheme://host[:port], nothing more
    return _origin(parts.scheme, parts.netloc)


def _request_scheme(scope: dict, headers: dict[bytes, bytes]) -> str:
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, secure = proxy
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin1")
        forwarded = headers.get(header, b"").decode("latin1").split(",")[0].strip()
        if forwarded:
            return "https" if forwarded == secure else "http"
    return "https" if scope.get("scheme") == "wss" else "http"


def origin_allowed(scope: dict) -> bool:
    headers = dict(scope.get("headers", []))
    origin = parse_origin(headers.get(b"origin", b"").decode("latin1"))
    if origin is None:
        return False
    site = urlsplit(settings.SITE_URL)
    if origin == _origin(site.scheme, site.netloc):  # SITE_URL's path, if any, aside
        return True
    if site.scheme == "https" and origin[0] != "https":
        return False  # a site served over https opens no socket to a plain-http page
    host = headers.get(b"host", b"").decode("latin1")
    seen = _origin(_request_scheme(scope, headers), host)
    return origin == seen and validate_host(origin[1], settings.ALLOWED_HOSTS)


class SameOriginValidator:
    """ASGI middleware: a WebSocket from any other origin is refused before it reaches
    the routes (the browser sees the handshake fail with 403)."""

    def __init__(self, application):
        self.application = application
        self.denier = WebsocketDenier.as_asgi()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await self.denier(scope, receive, send)
        return await self.application(scope, receive, send)
