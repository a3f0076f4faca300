"""Talking to the meeting socket from a test: a WebSocket client that drives the ASGI
application in this process, the headers of a signed-in browser, and the steps of a
scenario (join, wait for a message, leave). The fixtures that give each test its own
channel layer and a running meeting are in tests/conftest.py.

Each scenario is a coroutine run to its end with `run` (`async_to_sync`), which also runs the
consumers' database work on this thread, inside the test's database.
"""

import datetime
import json

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings as django_settings
from django.test import Client

from accord.asgi import application

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")  # a browser's page of Accord at http://127.0.0.1
TIMEOUT = 5  # seconds; a message normally arrives within milliseconds
QUIET = 0.3  # seconds of silence that show nothing more is coming


class WebsocketCommunicator(ApplicationCommunicator):
    """The part of `channels.testing.WebsocketCommunicator` these tests use: importing
    `channels.testing` needs daphne (for its live-server test case), which Accord does not
    use. A WebSocket client that drives the ASGI application in this process."""

    def __init__(self, application, path: str, headers):
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers}
        super().__init__(application, {**scope, "subprotocols": []})

    async def connect(self, timeout=TIMEOUT) -> tuple[bool, int | None]:
        """(True, None) when accepted, (False, the close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, None

    async def send_json_to(self, data) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout=TIMEOUT) -> dict:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code=1000, timeout=TIMEOUT) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def signed_in(user) -> list[tuple[bytes, bytes]]:
    """The headers of a browser page of Accord where `user` is signed in."""
    return browser(user)[1]


def browser(user) -> tuple[Client, list[tuple[bytes, bytes]]]:
    """A browser where `user` is signed in, and the headers of its page's socket."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return client, [ORIGIN, HOST, (b"cookie", f"{name}={client.cookies[name].value}".encode())]


def socket(meeting, headers) -> WebsocketCommunicator:
    path = f"/ws/a/{meeting.review.alliance.slug}/meetings/{meeting.pk}/"
    return WebsocketCommunicator(application, path, headers=headers)


def run(scenario, *args):
    return async_to_sync(scenario)(*args)


async def joined(communicator) -> dict:
    """Connect, and return the state the socket sends first."""
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    assert message["type"] == "state"
    return message


async def next_of(communicator, kind: str) -> dict:
    """The next message of `kind`, passing over others (presence comes and goes)."""
    while True:
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        if message["type"] == kind:
            return message


async def drain(communicator) -> list[dict]:
    """Whatever arrives until the socket falls quiet."""
    messages = []
    while not await communicator.receive_nothing(timeout=QUIET):
        messages.append(await communicator.receive_json_from(timeout=TIMEOUT))
    return messages


async def leave(*communicators) -> None:
    for communicator in communicators:
        await communicator.disconnect(timeout=TIMEOUT)
