"""The meeting socket: who may connect, what a connection receives, and that the server, not
the page, decides who moves the meeting. The consumers run in this process through Channels'
test communicator, on the database and channel layer of the settings (PostgreSQL and Redis
when DATABASE_URL and REDIS_URL are set).

Each scenario is a coroutine run to its end with `async_to_sync`, which also runs the
consumers' database work on this thread, inside the test's database.
"""

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils.translation import get_language

from accord.asgi import application
from meetings import live, services
from meetings.models import Attendance, Connection, Meeting
from tests.factories import PASSWORD
from tests.sockets import (
    HOST,
    ORIGIN,
    QUIET,
    STARTS,
    TIMEOUT,
    WebsocketCommunicator,
    browser,
    drain,
    joined,
    leave,
    next_of,
    run,
    signed_in,
    socket,
)

# The facilitator moves on; past a reflect phase, without asking again.
ADVANCE = {"type": "command", "command": "advance", "confirmed": True}

pytestmark = pytest.mark.usefixtures("transactional_db", "fast_passwords", "channel_layer")

STEERERS_ONLY = "Only the facilitator or the co-facilitator can do this."


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
    # The time stands on its own: "5 p.m." at the end of a sentence gave "p.m.."
    assert "Planned for:" in state["html"]
    assert ".." not in state["html"]


@pytest.mark.parametrize("who", ["outsider", "anonymous", "member on another site"])
def test_a_connection_is_refused(running, people, who):
    headers = {
        "outsider": signed_in(people["olga"]),
        "anonymous": [ORIGIN, HOST],
        "member on another site": [
            (b"origin", b"https://elsewhere.example"),
            HOST,
            signed_in(people["mia"])[2],
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


def test_a_participants_commands_are_refused_without_locking_the_meeting(running, mia, monkeypatch):
    # The room's moves and answers each lock the meeting: commands sent by someone who may
    # not steer must not make them wait, however many are sent.
    locks = []
    lock = services._lock
    monkeypatch.setattr(services, "_lock", lambda *a, **k: locks.append(1) or lock(*a, **k))
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        for _ in range(20):
            await communicator.send_json_to(ADVANCE)
        errors = [m for m in await drain(communicator) if m["type"] == "error"]
        await leave(communicator)
        return errors

    errors = run(scenario)

    assert errors == [{"type": "error", "message": STEERERS_ONLY}] * 20
    assert locks == []
    assert Meeting.objects.get(pk=running.pk).seq == running.seq


def test_the_facilitators_advance_reaches_everyone(running, fiona, mia, otto):
    headers = [signed_in(person) for person in (fiona, mia, otto)]
    token = running.issue_projector_token()
    running.save(update_fields=["projector_token_hash"])

    async def scenario():
        communicators = [socket(running, h) for h in headers]
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN, HOST])
        everyone = [*communicators, projector]
        for communicator in everyone:
            await joined(communicator)
        for communicator in everyone:
            await drain(communicator)
        await communicators[0].send_json_to(ADVANCE)
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
        await communicator.send_json_to(ADVANCE)
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


ODD_MESSAGES = [
    "{not json",
    "[1, 2]",
    '"advance"',
    "null",
    '{"type": "command", "command": ["advance"]}',
    '{"type": "command", "command": {"advance": 1}}',
    '{"type": "command", "command": "timer", "minutes": 1e400}',
    '{"type": "command", "command": "advance", "confirmed": true, "pad": "%s"}' % ("x" * 5000),
]


@pytest.mark.parametrize("text", ODD_MESSAGES)
def test_an_odd_message_is_answered_with_an_error_and_the_socket_stays_open(running, fiona, text):
    headers = signed_in(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        await communicator.send_input({"type": "websocket.receive", "text": text})
        answer = await communicator.receive_output(timeout=TIMEOUT)
        await communicator.send_json_to({"type": "hello", "seq": 0})
        still_open = await next_of(communicator, "state")
        await leave(communicator)
        return answer, still_open

    answer, still_open = run(scenario)

    assert answer["type"] == "websocket.send"
    assert json.loads(answer["text"])["type"] == "error"
    assert still_open["seq"] == running.seq
    meeting = Meeting.objects.get(pk=running.pk)
    assert (meeting.seq, meeting.current_id, meeting.projector_languages) == (
        running.seq,
        running.current_id,
        running.projector_languages,
    )


def test_a_binary_frame_is_refused_and_the_socket_stays_open(running, fiona):
    headers = signed_in(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        await communicator.send_input({"type": "websocket.receive", "bytes": b"\x00\xff"})
        answer = await next_of(communicator, "error")
        await communicator.send_json_to({"type": "hello", "seq": 0})
        still_open = await next_of(communicator, "state")
        await leave(communicator)
        return answer, still_open

    answer, still_open = run(scenario)

    assert answer == {"type": "error", "message": "Unknown message."}
    assert still_open["seq"] == running.seq


@pytest.mark.parametrize("text", ODD_MESSAGES[:4])
def test_a_projector_passes_over_an_odd_message_and_stays_open(running, text):
    token = running.issue_projector_token()
    running.save(update_fields=["projector_token_hash"])

    async def scenario():
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN, HOST])
        await joined(projector)
        await projector.send_input({"type": "websocket.receive", "text": text})
        nothing = await drain(projector)
        await projector.send_json_to({"type": "hello", "seq": 0})
        still_open = await next_of(projector, "state")
        await leave(projector)
        return nothing, still_open

    nothing, still_open = run(scenario)

    assert nothing == []
    assert still_open["seq"] == running.seq


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
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN, HOST])
        await joined(projector)
        await sync_to_async(client.post)(revoke_url, {"revoke": "1"})
        closed = await projector.receive_output(timeout=TIMEOUT)
        await leave(projector)
        refused = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN, HOST])
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
        projector = WebsocketCommunicator(application, f"/ws/projector/{token}/", [ORIGIN, HOST])
        await joined(projector)
        await projector.send_json_to(ADVANCE)
        later = await drain(projector)
        await leave(projector)
        return later

    assert [m for m in run(scenario) if m["type"] == "state"] == []
    assert Meeting.objects.get(pk=running.pk).seq == running.seq


# Access ends when the right ends: an open socket is closed, and stops receiving the
# meeting, as soon as its session or its membership ends.


async def closed_with(communicator) -> int:
    """The code the server closed the socket with, passing over what came before."""
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output["code"]


async def sent_after_close(communicator) -> list[dict]:
    """Whatever the server still sends once it has closed the socket: nothing."""
    later = []
    while not await communicator.receive_nothing(timeout=QUIET):
        later.append(await communicator.receive_output(timeout=TIMEOUT))
    return later


def demote_through_the_people_page(carol, person, role="observer"):
    from alliances.models import Membership

    membership = Membership.objects.get(alliance__slug="harvest-alliance", user=person)
    coordinator = Client()
    coordinator.force_login(carol)
    response = coordinator.post(
        reverse("alliances:member_edit", args=["harvest-alliance", membership.pk]),
        {"role": role, "partner": membership.partner_id or ""},
    )
    assert response.status_code == 302


@pytest.fixture
def messages_lost(monkeypatch):
    """The messages that tell sockets to check again never arrive (a layer that dropped
    them, a process that restarted): the sockets' own checks must still hold."""
    from meetings import revocation

    monkeypatch.setattr(revocation, "_tell", lambda user_id, message: None)


@pytest.fixture
def recheck_at_once(monkeypatch):
    from meetings import revocation

    monkeypatch.setattr(revocation, "RECHECK_SECONDS", 0)


def test_a_facilitator_demoted_to_observer_has_her_open_socket_closed(running, carol, fiona):
    headers = signed_in(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await sync_to_async(demote_through_the_people_page)(carol, fiona)
        code = await closed_with(communicator)
        await communicator.send_json_to(ADVANCE)
        later = await sent_after_close(communicator)
        await leave(communicator)
        return code, later

    code, later = run(scenario)

    assert code == 4409  # still a member: the page reconnects, as an observer
    assert later == []
    assert Meeting.objects.get(pk=running.pk).seq == running.seq
    assert not Connection.objects.exists()


def test_a_demoted_facilitators_command_over_an_open_socket_is_refused(
    running, carol, fiona, messages_lost
):
    headers = signed_in(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await sync_to_async(demote_through_the_people_page)(carol, fiona)
        replies = []
        for command in ("advance", "timer", "start"):
            await communicator.send_json_to({"type": "command", "command": command, "minutes": 5})
            replies.append(await next_of(communicator, "error"))
        later = await drain(communicator)
        await leave(communicator)
        return replies, later

    replies, later = run(scenario)

    assert [reply["message"] for reply in replies] == [STEERERS_ONLY] * 3
    assert [m for m in later if m["type"] == "state"] == []
    meeting = Meeting.objects.get(pk=running.pk)
    assert (meeting.seq, meeting.current_id, meeting.current.timer_ends_at) == (
        running.seq,
        running.current_id,
        None,
    )


def test_signing_out_closes_the_socket_of_that_session_only(running, fiona, mia):
    laptop, laptop_headers = browser(mia)
    phone_headers = signed_in(mia)

    async def scenario():
        on_laptop, on_phone = socket(running, laptop_headers), socket(running, phone_headers)
        await joined(on_laptop)
        await joined(on_phone)
        await sync_to_async(laptop.post)(reverse("accounts:logout"))
        code = await closed_with(on_laptop)
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        on_laptop_later = await sent_after_close(on_laptop)
        phone_state = await next_of(on_phone, "state")
        await leave(on_laptop, on_phone)
        return code, on_laptop_later, phone_state

    code, on_laptop_later, phone_state = run(scenario)

    assert code == 4401
    assert on_laptop_later == []  # the meeting moved on without this socket
    assert phone_state["seq"] == running.seq + 1


def test_a_signed_out_facilitators_socket_cannot_steer_even_if_the_message_is_lost(
    running, fiona, messages_lost
):
    laptop, headers = browser(fiona)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await sync_to_async(laptop.post)(reverse("accounts:logout"))
        await communicator.send_json_to(ADVANCE)
        code = await closed_with(communicator)
        await leave(communicator)
        return code

    assert run(scenario) == 4401
    assert Meeting.objects.get(pk=running.pk).seq == running.seq


@pytest.mark.parametrize("how", ["deleted", "expired"])
def test_a_socket_whose_session_ended_without_a_message_stops_receiving(
    running, fiona, mia, recheck_at_once, how
):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client, headers = browser(mia)
    sessions = Session.objects.filter(session_key=client.session.session_key)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        if how == "deleted":
            await sync_to_async(sessions.delete)()
        else:
            await sync_to_async(sessions.update)(expire_date=timezone.now())
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        code = await closed_with(communicator)
        await leave(communicator)
        return code

    assert run(scenario) == 4401


def test_a_new_password_closes_the_sockets_of_the_other_sessions(running, mia):

    _laptop, laptop_headers = browser(mia)
    phone, _phone_headers = browser(mia)

    async def scenario():
        on_laptop = socket(running, laptop_headers)
        await joined(on_laptop)
        response = await sync_to_async(phone.post)(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a quite different passphrase",
                "new_password2": "a quite different passphrase",
            },
        )
        code = await closed_with(on_laptop)
        await leave(on_laptop)
        return response.status_code, code

    assert run(scenario) == (302, 4401)


def test_a_removed_member_has_the_socket_closed(running, fiona, mia):
    from alliances.models import Membership

    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await sync_to_async(Membership.objects.filter(user=mia).delete)()
        code = await closed_with(communicator)
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        later = await sent_after_close(communicator)
        await leave(communicator)
        return code, later

    code, later = run(scenario)

    assert code == 4403
    assert later == []


def test_a_removed_member_stops_receiving_even_if_the_message_is_lost(
    running, fiona, mia, messages_lost, recheck_at_once
):
    from alliances.models import Membership

    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        await sync_to_async(Membership.objects.filter(user=mia).delete)()
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        code = await closed_with(communicator)
        await leave(communicator)
        return code

    assert run(scenario) == 4403


def test_a_change_in_another_alliance_leaves_the_socket_open(running, fiona, mia, olga):
    from alliances.models import Alliance, Membership

    riverside = Alliance.objects.get(slug="riverside-alliance")
    elsewhere = Membership.objects.create(alliance=riverside, user=mia, role="member")
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await sync_to_async(elsewhere.delete)()
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        state = await next_of(communicator, "state")
        await leave(communicator)
        return state

    assert run(scenario)["seq"] == running.seq + 1


# Stale hellos: answered from the sequence number, rendered once, and limited per socket.


def test_fifty_stale_hellos_render_nothing_and_are_limited(running, mia, monkeypatch):
    from django.db import connection

    from meetings import consumers

    renders = []
    render_stage = live.render_stage
    monkeypatch.setattr(
        live, "render_stage", lambda *a, **k: renders.append(1) or render_stage(*a, **k)
    )
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        renders.clear()
        queries = []

        def count_queries():  # on this test's thread, where the consumers' queries run
            wrapper = connection.execute_wrapper(
                lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
            )
            wrapper.__enter__()
            return wrapper

        counting = await sync_to_async(count_queries)()
        for _ in range(50):
            await communicator.send_json_to({"type": "hello", "seq": 0})
        answers = await drain(communicator)
        await sync_to_async(counting.__exit__)(None, None, None)
        await leave(communicator)
        return answers, len(queries)

    answers, queries = run(scenario)

    states = [m for m in answers if m["type"] == "state"]
    assert 1 <= len(states) <= consumers.HELLO_BURST + 1
    assert {m["seq"] for m in states} == {running.seq}
    assert renders == []  # the stage rendered for this sequence number is reused
    # Per hello answered: its sequence number, then the meeting row for the kept stage.
    assert 1 <= queries <= 2 * consumers.HELLO_BURST


def test_the_stage_is_rendered_once_per_change_for_every_socket(
    running, fiona, mia, otto, monkeypatch
):
    renders = []
    render_stage = live.render_stage

    def counted(meeting, phase):
        renders.append((meeting.seq, get_language()))
        return render_stage(meeting, phase)

    monkeypatch.setattr(live, "render_stage", counted)
    headers = [signed_in(person) for person in (mia, otto)]

    async def scenario():
        sockets = [socket(running, h) for h in headers]
        for communicator in sockets:
            await joined(communicator)
        await sync_to_async(services.advance)(meeting=running, actor=fiona)
        for communicator in sockets:
            await next_of(communicator, "state")
        late = socket(running, signed_in_fiona)
        await joined(late)
        for communicator in sockets:
            await communicator.send_json_to({"type": "hello", "seq": 1})
            await next_of(communicator, "state")
        await leave(*sockets, late)

    signed_in_fiona = signed_in(fiona)
    run(scenario)

    # Nobody listened when the meeting started: the first to join renders seq 1, the
    # others reuse it; the advance renders once, for the one language listened to.
    assert renders == [(1, "en"), (2, "en")]


def test_a_socket_that_keeps_sending_hellos_gets_answers_again_after_a_pause(
    running, mia, monkeypatch
):
    from meetings import consumers

    clock = [1000.0]
    monkeypatch.setattr(consumers, "monotonic", lambda: clock[0])
    headers = signed_in(mia)

    async def scenario():
        communicator = socket(running, headers)
        await joined(communicator)
        await drain(communicator)
        for _ in range(consumers.HELLO_BURST + 3):
            await communicator.send_json_to({"type": "hello", "seq": 0})
        burst = [m for m in await drain(communicator) if m["type"] == "state"]
        clock[0] += 2 / consumers.HELLO_PER_SECOND
        await communicator.send_json_to({"type": "hello", "seq": 0})
        after_pause = [m for m in await drain(communicator) if m["type"] == "state"]
        await leave(communicator)
        return burst, after_pause

    burst, after_pause = run(scenario)

    assert len(burst) == consumers.HELLO_BURST
    assert len(after_pause) == 1


def test_a_room_polling_with_a_stale_seq_renders_the_stage_once(running, mia, otto, monkeypatch):
    """The polling fallback (sockets blocked) answers from the same rendered stage."""
    renders = []
    render_stage = live.render_stage
    monkeypatch.setattr(
        live, "render_stage", lambda *a, **k: renders.append(1) or render_stage(*a, **k)
    )
    from django.core.cache import cache

    cache.clear()
    browsers = [browser(person)[0] for person in (mia, otto) for _ in range(5)]
    state_url = reverse("meetings:state", args=[running.review.alliance.slug, running.pk])

    answers = [client.get(state_url, {"seq": "0"}) for client in browsers]

    assert {(r.status_code, r.json()["seq"]) for r in answers} == {(200, running.seq)}
    assert len({r.json()["html"] for r in answers}) == 1
    assert len(renders) == 1
