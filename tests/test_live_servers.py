"""Accord as it runs in production: real uvicorn processes, joined by the real Redis,
sharing a PostgreSQL database, driven over real WebSockets.

The module makes its own database (created, migrated and seeded by subprocesses, dropped at
the end), so it runs in either CI pass, whenever PostgreSQL and Redis answer; it is skipped
only when one of them does not.
"""

import asyncio
import json
import os
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.protocol import State

from bench import harness

# The facilitator moves on; past a reflect phase, without asking again.
ADVANCE = {"type": "command", "command": "advance", "confirmed": True}


@pytest.fixture(scope="module")
def site():
    reason = harness.unreachable()
    if reason:
        pytest.skip(f"Live-server tests need PostgreSQL and Redis: {reason}")
    site = harness.Site(f"accord_live_test_{os.getpid()}", redis_db=13)
    try:
        site.create(participants=2)
        yield site
    finally:
        site.drop()


@pytest.fixture(scope="module")
def servers(site):
    """Start server processes on demand; every one is stopped at the end, whatever happens."""
    started = []

    def start(port=None):
        server = site.server(port)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.close()


@pytest.fixture(scope="module")
def two(servers):
    """Two server processes joined by Redis, as behind a load balancer."""
    return servers(), servers()


def run(scenario, *servers):
    """Run a scenario; if it fails, say what the server processes logged."""
    try:
        return asyncio.run(scenario())
    except Exception as error:
        logs = "\n".join(f"uvicorn on port {s.port}:\n{s.output()}" for s in servers)
        raise AssertionError(f"{error!r}\n{logs}") from error


async def state_after(ws, seq=None, timeout=5.0) -> dict:
    """The next state message (with sequence number `seq`, if given), skipping presence."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if message["type"] == "state" and (seq is None or message["seq"] == seq):
            return message


async def quiet(ws, seconds=0.3) -> list[dict]:
    """Whatever arrives in the next `seconds`."""
    received = []
    try:
        while True:
            received.append(json.loads(await asyncio.wait_for(ws.recv(), seconds)))
    except TimeoutError:
        return received


async def advance(facilitator) -> None:
    await facilitator.send(json.dumps(ADVANCE))


def test_a_participant_on_one_process_follows_the_facilitator_on_the_other(site, two):
    a, b = two

    async def scenario():
        participant = await harness.connect(a, site.ws_path, site.data["participants"][0])
        facilitator = await harness.connect(b, site.ws_path, site.data["facilitator"])
        before = await state_after(participant)
        await state_after(facilitator)
        await quiet(participant)

        sent = time.monotonic()
        await advance(facilitator)
        after = await state_after(participant, seq=before["seq"] + 1, timeout=1)
        waited = time.monotonic() - sent

        await participant.close()
        await facilitator.close()
        return before, after, waited

    before, after, waited = run(scenario, a, b)
    assert waited < 1
    assert after["phase"] == before["phase"] + 1
    assert site.meeting_row() == (after["seq"], after["phase"])


def test_a_restarted_server_resumes_the_meeting_where_it_was(site, servers):
    server = servers()

    async def scenario():
        participant = await harness.connect(server, site.ws_path, site.data["participants"][1])
        facilitator = await harness.connect(server, site.ws_path, site.data["facilitator"])
        first = await state_after(participant)
        await advance(facilitator)
        seen = await state_after(participant, seq=first["seq"] + 1)

        server.stop()
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(participant.recv(), 10)
        server.start()

        # Like meeting.js: reconnect, then say the last sequence number seen.
        participant = await harness.connect(server, site.ws_path, site.data["participants"][1])
        await participant.send(json.dumps({"type": "hello", "seq": seen["seq"]}))
        resumed = await state_after(participant)
        extra = [m for m in await quiet(participant) if m["type"] == "state"]

        facilitator = await harness.connect(server, site.ws_path, site.data["facilitator"])
        await advance(facilitator)
        moved = await state_after(participant, seq=seen["seq"] + 1)

        await participant.close()
        await facilitator.close()
        return seen, resumed, extra, moved

    seen, resumed, extra, moved = run(scenario, server)
    assert (resumed["seq"], resumed["phase"], resumed["kind"], resumed["status"]) == (
        seen["seq"],
        seen["phase"],
        seen["kind"],
        "live",
    )
    assert extra == [], "a client that is up to date gets no second copy of the state"
    assert moved["phase"] == seen["phase"] + 1


def test_an_idle_socket_stays_open_and_still_receives(site, two):
    """redis-py 8 drops sockets idle for 5 s unless the layer turns the timeout off."""
    a, b = two

    async def scenario():
        # No client pings either: the connection is entirely idle.
        participant = await harness.connect(
            a, site.ws_path, site.data["participants"][0], ping_interval=None
        )
        before = await state_after(participant)
        await quiet(participant)
        await asyncio.sleep(11)
        still_open = participant.state is State.OPEN

        facilitator = await harness.connect(b, site.ws_path, site.data["facilitator"])
        await state_after(facilitator)
        await advance(facilitator)
        after = await state_after(participant, seq=before["seq"] + 1, timeout=1)

        await participant.close()
        await facilitator.close()
        return still_open, before, after

    still_open, before, after = run(scenario, a, b)
    assert still_open
    assert after["phase"] == before["phase"] + 1


def test_a_participant_cannot_steer_and_an_outsider_cannot_connect(site, two):
    a, _b = two
    before = site.meeting_row()

    async def scenario():
        participant = await harness.connect(a, site.ws_path, site.data["participants"][0])
        first = await state_after(participant)
        await quiet(participant)
        replies = []
        for command in ("advance", "back", "timer"):
            await participant.send(
                json.dumps({"type": "command", "command": command, "minutes": 5})
            )
            replies.append(json.loads(await asyncio.wait_for(participant.recv(), 5)))
        later = await quiet(participant, 0.5)

        refused = None
        try:
            outsider = await harness.connect(a, site.ws_path, site.data["outsider"])
        except InvalidStatus as error:
            refused = error.response.status_code
        else:
            await outsider.close()
        await participant.close()
        return first, replies, later, refused

    first, replies, later, refused = run(scenario, a)
    assert [reply["type"] for reply in replies] == ["error"] * 3
    assert all("facilitator" in reply["message"] for reply in replies)
    assert [m for m in later if m["type"] == "state"] == []
    assert site.meeting_row() == before == (first["seq"], first["phase"])
    assert refused == 403


def _sign_out(server, session_key: str) -> int:
    """Sign out as a browser does: read the page's CSRF token, then post the sign-out form."""
    import re
    import urllib.request
    from http.cookiejar import Cookie, CookieJar

    jar = CookieJar()
    jar.set_cookie(
        Cookie(
            0,
            "sessionid",
            session_key,
            None,
            False,
            "127.0.0.1",
            False,
            False,
            "/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )  # fmt: skip
    )
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    with opener.open(f"{server.url}/accounts/profile/", timeout=10) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    request = urllib.request.Request(
        f"{server.url}/accounts/sign-out/",
        data=f"csrfmiddlewaretoken={token[1]}".encode(),
        headers={"Origin": server.url},
    )
    with opener.open(request, timeout=10) as response:
        return response.status


def test_signing_out_on_one_process_closes_the_socket_on_the_other(site, two):
    """The message that ends access crosses processes through Redis, like the meeting's."""
    a, b = two
    participant = site.data["participants"][0]
    laptop = f"laptop{os.getpid()}x{time.monotonic_ns()}"[:40]
    # A second browser of the same person: a copy of the session under another key.
    site.sql(
        "INSERT INTO django_session (session_key, session_data, expire_date) "
        "SELECT %s, session_data, expire_date FROM django_session WHERE session_key = %s",
        [laptop, participant],
    )
    before = site.meeting_row()

    async def scenario():
        on_laptop = await harness.connect(a, site.ws_path, laptop)
        on_phone = await harness.connect(a, site.ws_path, participant)
        facilitator = await harness.connect(b, site.ws_path, site.data["facilitator"])
        first = await state_after(on_laptop)
        await state_after(on_phone)
        await state_after(facilitator)

        status = await asyncio.to_thread(_sign_out, b, laptop)
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(on_laptop.recv(), 5)
        code = on_laptop.close_code

        await advance(facilitator)
        moved = await state_after(on_phone, seq=first["seq"] + 1)
        await on_phone.close()
        await facilitator.close()
        return status, code, moved

    status, code, moved = run(scenario, a, b)
    assert status == 200  # the signed-out page, after the redirect
    assert code == 4401
    assert moved["phase"] == before[1] + 1
    assert site.sql("SELECT count(*) FROM django_session WHERE session_key = %s", [laptop]) == [
        (0,)
    ]
