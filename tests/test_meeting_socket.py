"""The meeting socket: who may connect, what a connection receives, and that the server, not
the page, decides who moves the meeting. The consumers run in this process through Channels'
test communicator, on the database and channel layer of the settings (PostgreSQL and Redis
when DATABASE_URL and REDIS_URL are set).

Each scenario is a coroutine run to its end with `async_to_sync`, which also runs the
consumers' database work on this thread, inside the test's database.
"""

import copy
import datetime
import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accord.asgi import application
from meetings import live, services
from meetings.models import Attendance, Connection, Meeting

pytestmark = pytest.mark.usefixtures("transactional_db", "fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
ORIGIN = (b"origin", b"http://127.0.0.1")
TIMEOUT = 5  # seconds; a message normally arrives within milliseconds
QUIET = 0.3  # seconds of silence that show nothing more is coming
STEERERS_ONLY = "Only the facilitator or the co-facilitator can do this."


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


@pytest.fixture(autouse=True)
def channel_layer(settings):
    """A channel layer for this test alone: a fresh in-memory one, or on Redis a prefix
    nobody else uses, so that no event of another test or server process arrives here."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    if "redis" in layers["default"]["BACKEND"].lower():
        layers["default"]["CONFIG"]["prefix"] = f"accord-test-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = layers
    yield
    async_to_sync(get_channel_layer().flush)()


@pytest.fixture
def running(people, review):
    """Started by fiona, who facilitates; mia keeps the notes."""
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose", "power"],
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
        recorder=people["mia"],
    )
    services.start(meeting=meeting, actor=people["fiona"])
    return live.load(meeting.pk)  # with its alliance, for the socket's path


def signed_in(user) -> list[tuple[bytes, bytes]]:
    """The headers of a browser page of Accord where `user` is signed in."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return [ORIGIN, (b"cookie", f"{name}={client.cookies[name].value}".encode())]


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


def test_a_member_receives_the_state_on_connecting(running, mia):
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        state = await joined(communicator)
        connections = await sync_to_async(Connection.objects.count)()
        await leave(communicator)
        return state, connections

    state, connections = run(scenario)

    assert (state["seq"], state["status"], state["phase"], state["kind"]) == (
        1,
        "live",
        0,
        "opening",
    )
    assert state["steerers"] == [running.facilitator_id]
    assert "Did each of us do what we said we would do?" in state["html"]
    assert connections == 1
    assert not Connection.objects.exists()  # gone with the socket
    assert list(Attendance.objects.values_list("user__name", flat=True)) == ["Mia Member"]


def test_a_planned_meeting_shows_that_it_has_not_started(people, review, mia):
    meeting = services.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
    )
    meeting = live.load(meeting.pk)
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(meeting, headers)
        state = await joined(communicator)
        await leave(communicator)
        return state

    state = run(scenario)

    assert (state["seq"], state["status"], state["phase"]) == (0, "planned", None)
    assert "The meeting has not started yet." in state["html"]


@pytest.mark.parametrize("who", ["outsider", "anonymous", "member on another site"])
def test_a_connection_is_refused(running, people, who):
    headers = {
        "outsider": signed_in(people["olga"]),
        "anonymous": [ORIGIN],
        "member on another site": [
            (b"origin", b"https://elsewhere.example"),
            signed_in(people["mia"])[1],
        ],
    }[who]

    async def scenario():
        communicator = socket(running, headers)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await leave(communicator)
        return connected

    assert run(scenario) is False
    assert not Connection.objects.exists()
    assert not Attendance.objects.exists()


def test_a_connection_to_another_alliances_meeting_through_this_one_is_refused(
    running, people, olga
):
    """Olga coordinates Riverside: naming Harvest's meeting under her alliance finds nothing."""
    headers = signed_in(olga)
    path = f"/ws/a/riverside-alliance/meetings/{running.pk}/"

    async def scenario():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await leave(communicator)
        return connected

    assert run(scenario) is False


@pytest.mark.parametrize("role", ["mia", "otto", "carol"])
@pytest.mark.parametrize("command", ["advance", "back", "next_item", "timer"])
def test_a_command_from_a_participant_is_refused_and_changes_nothing(
    running, people, role, command
):
    headers = signed_in(people[role])
    before = (running.seq, running.current_id)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await communicator.send_json_to({"type": "command", "command": command, "minutes": 5})
        error = await next_of(communicator, "error")
        later = await drain(communicator)
        await leave(communicator)
        return error, later

    error, later = run(scenario)

    assert error == {"type": "error", "message": STEERERS_ONLY}
    assert [m for m in later if m["type"] == "state"] == []
    meeting = Meeting.objects.get(pk=running.pk)
    assert (meeting.seq, meeting.current_id) == before
    assert meeting.current.timer_ends_at is None
    assert list(meeting.log.values_list("action", flat=True)) == ["start"]


def test_the_facilitators_advance_reaches_everyone(running, fiona, mia, otto):
    headers = [signed_in(person) for person in (fiona, mia, otto)]
    token = running.issue_projector_token()
    running.save(update_fields=["projector_token_hash"])

    async def scenario():
        communicators = [socket(running, h) for h in headers]
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN])
        everyone = [*communicators, projector]
        for communicator in everyone:
            await joined(communicator)
        for communicator in everyone:
            await drain(communicator)
        await communicators[0].send_json_to({"type": "command", "command": "advance"})
        states = [await next_of(communicator, "state") for communicator in everyone]
        await leave(*everyone)
        return states

    states = run(scenario)

    for state in states:
        assert (state["seq"], state["phase"], state["kind"]) == (2, 1, "introduce")
        assert "Shared purpose" in state["html"]
    assert len({state["html"] for state in states}) == 1  # everyone sees the same stage
    meeting = Meeting.objects.get(pk=running.pk)
    assert (meeting.seq, meeting.current.position) == (2, 1)
    assert meeting.log.last().actor == fiona


def test_the_co_facilitator_steers_over_the_socket(running, carol):
    Meeting.objects.filter(pk=running.pk).update(co_facilitator=carol)
    headers = signed_in(carol)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await communicator.send_json_to({"type": "command", "command": "advance"})
        state = await next_of(communicator, "state")
        await leave(communicator)
        return state

    assert run(scenario)["phase"] == 1


def test_a_timer_over_the_socket_takes_minutes_as_a_number_or_text(running, fiona):
    headers = signed_in(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await communicator.send_json_to({"type": "command", "command": "timer", "minutes": "5"})
        state = await next_of(communicator, "state")
        await communicator.send_json_to({"type": "command", "command": "timer", "minutes": "x"})
        error = await next_of(communicator, "error")
        await communicator.send_json_to({"type": "hello", "seq": 0})
        still_open = await next_of(communicator, "state")
        await leave(communicator)
        return state, error, still_open

    state, error, still_open = run(scenario)

    assert state["timer_ends_at"] is not None
    assert error == {"type": "error", "message": "A timer runs from 1 to 180 minutes."}
    assert still_open["seq"] == state["seq"]


def test_hello_with_a_stale_seq_gets_the_whole_state_and_a_current_one_nothing(running, fiona, mia):
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        first = await joined(communicator)
        await drain(communicator)
        await communicator.send_json_to({"type": "hello", "seq": first["seq"]})
        up_to_date = await drain(communicator)
        # The facilitator moves on while this participant's laptop sleeps.
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        await next_of(communicator, "state")
        await communicator.send_json_to({"type": "hello", "seq": first["seq"]})
        behind = await next_of(communicator, "state")
        await leave(communicator)
        return up_to_date, behind

    up_to_date, behind = run(scenario)

    assert [m for m in up_to_date if m["type"] == "state"] == []
    assert (behind["seq"], behind["phase"], behind["kind"]) == (2, 1, "introduce")
    assert "Shared purpose" in behind["html"]


def test_presence_lists_who_is_connected(running, fiona, mia):
    fiona_headers, mia_headers = signed_in(fiona), signed_in(mia)

    async def scenario():
        facilitator = socket(running, fiona_headers)
        await joined(facilitator)
        alone = await next_of(facilitator, "presence")
        participant = socket(running, mia_headers)
        await joined(participant)
        together = await next_of(facilitator, "presence")
        seen_by_participant = await next_of(participant, "presence")
        await leave(participant)
        after = await next_of(facilitator, "presence")
        await leave(facilitator)
        return alone, together, seen_by_participant, after

    alone, together, seen_by_participant, after = run(scenario)

    assert alone == {"type": "presence", "people": ["Fiona Facilitator"]}
    assert together == {"type": "presence", "people": ["Fiona Facilitator", "Mia Member"]}
    assert seen_by_participant == together
    assert after == alone


def test_the_facilitator_losing_the_connection_hands_nothing_over(running, fiona, carol):
    Meeting.objects.filter(pk=running.pk).update(co_facilitator=carol)
    headers = signed_in(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await leave(communicator)

    run(scenario)

    meeting = Meeting.objects.get(pk=running.pk)
    assert (meeting.facilitator, meeting.co_facilitator) == (fiona, carol)
    assert not meeting.log.filter(action="handover").exists()
    assert (meeting.seq, meeting.status) == (running.seq, "live")


def test_revoking_the_projector_link_closes_the_projectors_socket(client, running, fiona):
    client.force_login(fiona)
    token = running.issue_projector_token()
    running.save(update_fields=["projector_token_hash"])
    revoke_url = reverse("meetings:projector_link", args=[running.review.alliance.slug, running.pk])

    async def scenario():
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN])
        await joined(projector)
        await sync_to_async(client.post)(revoke_url, {"revoke": "1"})
        closed = await projector.receive_output(timeout=TIMEOUT)
        await leave(projector)
        refused = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN])
        connected, _ = await refused.connect(timeout=TIMEOUT)
        await leave(refused)
        return closed, connected

    closed, connected = run(scenario)

    assert closed == {"type": "websocket.close", "code": 4403}
    assert connected is False


def test_a_projector_sends_no_commands(running):
    token = running.issue_projector_token()
    running.save(update_fields=["projector_token_hash"])

    async def scenario():
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN])
        await joined(projector)
        await projector.send_json_to({"type": "command", "command": "advance"})
        later = await drain(projector)
        await leave(projector)
        return later

    assert [m for m in run(scenario) if m["type"] == "state"] == []
    assert Meeting.objects.get(pk=running.pk).seq == running.seq
