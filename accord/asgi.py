"""ASGI entry point: pages over HTTP and, later, live meetings over WebSocket at /ws/."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
# Under ASGI each request runs in a new thread: persistent database connections would never
# be reused, only left open (see accord/env.py).
os.environ.setdefault("CONN_MAX_AGE", "0")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accord.origin import SameOriginValidator  # noqa: E402
from accord.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin must match SITE_URL, or the request's own scheme, host and port.
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
