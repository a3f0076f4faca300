"""The live meeting: planning and invitations, the phase machine (through the services and
through the pages), who may do what in each phase, the summary at any time, and the
projector. Who may open each view at all is in test_access.py; the socket is in
test_meeting_socket.py.

In these meetings fiona facilitates, mia keeps the notes, carol (a coordinator) and mia
answer, and otto observes.
"""

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances.models import Role
from meetings import live, services
from meetings.models import Attendance, Meeting, Phase
from ratings.models import Participation, Reflection, Round, SealedAnswer
from ratings.services import AnswerError
from reviews.models import Commitment, ComponentRecord, Question
from reviews.services import open_component, record_component
from tests import pages
from tests.answering import answer
from tests.factories import add_member, add_members, make_user
from tests.meeting_forms import make_projector_link, plan_data

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
STEERERS_ONLY = "Only the facilitator or the co-facilitator can do this."
COMPONENT_KINDS = ["introduce", "reflect", "reveal", "discuss", "record"]


@pytest.fixture
def meeting(people, review):
    """Planned by fiona, who facilitates, with mia as recorder and the default agenda."""
    return services.plan_meeting(
        review=review,
        agenda=services.default_agenda(review),
        author=people["fiona"],
        starts_at=STARTS,
        place="Town hall",
        facilitator=people["fiona"],
        recorder=people["mia"],
    )


@pytest.fixture
def running(meeting, fiona):
    services.start(meeting=meeting, actor=fiona)
    return fresh(meeting)


@pytest.fixture
def max_member(alliance, kitchen):
    """Another member of the Community Kitchen, who keeps no notes and owns nothing."""
    user = make_user("Max Member", "max@example.org")
    add_member(alliance, user, Role.MEMBER, kitchen)
    return user


def fresh(meeting) -> Meeting:
    return live.load(meeting.pk)


def move_to(meeting, kind: str, key: str = "purpose") -> Meeting:
    """Advance, as the facilitator, to phase `kind` of component `key`."""
    if kind in (Phase.Kind.OPENING, Phase.Kind.CLOSING):
        key = ""
    target = meeting.phases.get(kind=kind, component_key=key)
    current = fresh(meeting)
    while current.current.position < target.position:
        services.advance(meeting=current, actor=current.facilitator, confirmed=True)
        current = fresh(meeting)
    return current


def url(name: str, meeting, *more) -> str:
    return reverse(f"meetings:{name}", args=[meeting.review.alliance.slug, meeting.pk, *more])


def stage(meeting) -> str:
    return live.state(fresh(meeting))["html"]


def where(meeting) -> tuple[int, int, str]:
    """The meeting's sequence number, current position and status."""
    meeting = fresh(meeting)
    return meeting.seq, meeting.current.position if meeting.current else None, meeting.status


def question(key: str = "purpose") -> Question:
    return Question.objects.filter(
        component_key=key, review=None, retired_at=None, origin=Question.Origin.FRAMEWORK
    ).first()


def checked(response, name: str) -> list[str]:
    """The values of the ticked checkboxes called `name`."""
    return re.findall(
        rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*\bchecked\b',
        response.content.decode(),
    )


def errors_beside(response, field: str) -> str:
    """The errors listed beside a field (also a group of checkboxes), as one line."""
    found = re.search(
        rf'<ul class="field__errors" id="id_{field}_error">(.*?)</ul>',
        response.content.decode(),
        re.S,
    )
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())) if found else ""


# Planning


def test_default_agenda_is_the_next_two_components_not_recorded(review, fiona):
    assert services.default_agenda(review) == ["purpose", "power"]

    record_component(record=review.records.get(component_key="purpose"), author=fiona)

    assert services.default_agenda(review) == ["power", "interdependence"]


def test_plan_builds_an_opening_five_phases_per_component_and_a_closing(meeting):
    phases = list(meeting.phases.values_list("position", "kind", "component_key"))

    assert phases == [
        (0, "opening", ""),
        *[(1 + n, kind, "purpose") for n, kind in enumerate(COMPONENT_KINDS)],
        *[(6 + n, kind, "power") for n, kind in enumerate(COMPONENT_KINDS)],
        (11, "closing", ""),
    ]
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.current is None
    assert meeting.seq == 0


def test_plan_takes_the_agenda_in_framework_order(review, fiona):
    meeting = services.plan_meeting(
        review=review,
        agenda=["power", "purpose"],
        author=fiona,
        starts_at=STARTS,
        facilitator=fiona,
    )

    assert meeting.agenda == ["purpose", "power"]


def test_plan_refuses_a_component_whose_predecessor_is_neither_recorded_nor_on_the_agenda(
    review, fiona
):
    with pytest.raises(services.MeetingError) as refused:
        services.plan_meeting(
            review=review,
            agenda=["purpose", "interdependence"],
            author=fiona,
            starts_at=STARTS,
            facilitator=fiona,
        )

    assert str(refused.value).startswith(
        "Shared view of interdependence cannot be on the agenda before Shared power is recorded"
    )
    assert not Meeting.objects.exists()


def test_plan_allows_a_component_after_one_earlier_on_the_agenda_or_already_open(review, fiona):
    services.plan_meeting(
        review=review,
        agenda=["purpose", "power", "interdependence"],
        author=fiona,
        starts_at=STARTS,
        facilitator=fiona,
    )
    trust = review.records.get(component_key="trust")
    open_component(record=trust, author=fiona, reason="The funder asks about trust first.")

    services.plan_meeting(
        review=review, agenda=["trust"], author=fiona, starts_at=STARTS, facilitator=fiona
    )

    assert Meeting.objects.count() == 2


def test_plan_page_proposes_the_default_agenda_and_the_planner_as_facilitator(
    client, people, review
):
    client.force_login(people["fiona"])

    response = client.get(reverse("meetings:plan", args=[review.alliance.slug, review.pk]))

    assert response.status_code == 200
    assert checked(response, "agenda") == ["purpose", "power"]
    assert pages.form_fields(response)["facilitator"].value == str(people["fiona"].pk)


def test_plan_page_shows_the_order_rule_beside_the_agenda_and_keeps_the_input(
    client, people, review
):
    client.force_login(people["fiona"])

    response = client.post(
        reverse("meetings:plan", args=[review.alliance.slug, review.pk]),
        plan_data(people, agenda=["purpose", "interdependence"], place="Room 12"),
    )

    assert response.status_code == 200
    assert errors_beside(response, "agenda") == (
        "Shared view of interdependence cannot be on the agenda before Shared power is "
        "recorded or discussed first. A facilitator can open it out of order from its page, "
        "giving a reason."
    )
    assert checked(response, "agenda") == ["purpose", "interdependence"]
    assert pages.form_fields(response)["place"].value == "Room 12"
    assert not Meeting.objects.exists()


def test_planning_emails_every_member_an_ics_invitation(
    client, people, review, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(people["fiona"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:plan", args=[review.alliance.slug, review.pk]), plan_data(people)
        )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "carol@example.org",
        "fiona@example.org",
        "mia@example.org",
        "otto@example.org",
    ]
    for message in mailoutbox:
        assert message.subject == "Meeting of Harvest Alliance: Spring 2027 review"
        assert meeting.get_absolute_url() in message.body
        ((name, content, mimetype),) = message.attachments
        assert name == f"accord-meeting-{meeting.pk}.ics"
        assert mimetype == "text/calendar"
        assert content.startswith("BEGIN:VCALENDAR\r\n")


def test_planning_a_meeting_that_breaks_the_order_rule_emails_nobody(
    client, people, review, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(people["fiona"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("meetings:plan", args=[review.alliance.slug, review.pk]),
            plan_data(people, agenda=["interdependence"]),
        )

    assert mailoutbox == []


def test_ics_download_is_a_calendar_in_utc_with_folded_crlf_lines(client, people, review, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    client.force_login(people["fiona"])
    place = "Salle des fêtes, Mairie de Saint-Étienne, 1er étage, salle « Les Tilleuls »"
    client.post(
        reverse("meetings:plan", args=[review.alliance.slug, review.pk]),
        plan_data(people, place=place),
    )
    meeting = Meeting.objects.get()
    client.force_login(people["otto"])

    response = client.get(url("ics", meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="accord-meeting-{meeting.pk}.ics"'
    )
    raw = response.content
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was long enough to fold
    unfolded = raw.decode().replace("\r\n ", "").split("\r\n")
    assert unfolded[0] == "BEGIN:VCALENDAR"
    assert unfolded[-2] == "END:VCALENDAR"
    # 18:00 in Berlin, in summer, is 16:00 UTC; the meeting lasts 90 minutes.
    assert "DTSTART:20270503T160000Z" in unfolded
    assert "DTEND:20270503T173000Z" in unfolded
    assert "LOCATION:" + place.replace(",", "\\,") in unfolded
    assert "SUMMARY:Harvest Alliance: Spring 2027 review" in unfolded


def test_editing_a_planned_meeting_rebuilds_its_phases(client, people, meeting):
    client.force_login(people["carol"])

    response = client.post(url("edit", meeting), plan_data(people, agenda=["purpose"]))

    assert response.status_code == 302
    meeting = fresh(meeting)
    assert meeting.agenda == ["purpose"]
    assert meeting.duration_minutes == 90
    assert meeting.phases.count() == 7


def test_a_started_meeting_cannot_be_edited(client, people, running):
    client.force_login(people["fiona"])

    response = client.post(url("edit", running), plan_data(people, agenda=["purpose"]), follow=True)

    assert "Only a meeting that has not started can be changed." in pages.messages(response)
    assert fresh(running).agenda == ["purpose", "power"]


# The phase machine, through the services


def test_start_enters_the_opening(meeting, fiona):
    services.start(meeting=meeting, actor=fiona)

    meeting = fresh(meeting)
    assert meeting.status == Meeting.Status.LIVE
    assert meeting.started_at is not None
    assert (meeting.current.position, meeting.current.kind) == (0, "opening")
    assert meeting.current.reached_at is not None
    assert meeting.seq == 1
    assert list(meeting.log.values_list("actor__name", "action")) == [
        ("Fiona Facilitator", "start")
    ]


def test_a_meeting_starts_once(running, fiona):
    with pytest.raises(services.MeetingError, match="already started"):
        services.start(meeting=running, actor=fiona)

    assert where(running) == (1, 0, "live")


def test_advance_and_back_move_one_phase_and_count_each_change(running, fiona):
    services.advance(meeting=running, actor=fiona, confirmed=True)
    services.advance(meeting=running, actor=fiona, confirmed=True)
    services.go_back(meeting=running, actor=fiona)

    assert where(running) == (4, 1, "live")
    assert list(running.log.values_list("action", "detail")) == [
        ("start", ""),
        ("advance", "Shared purpose: Introduce"),
        ("advance", "Shared purpose: Reflect"),
        ("back", "Shared purpose: Introduce"),
    ]


def test_back_from_the_first_phase_is_refused(running, fiona):
    with pytest.raises(services.MeetingError, match="This is the first phase."):
        services.go_back(meeting=running, actor=fiona)

    assert where(running) == (1, 0, "live")


def test_advance_from_the_last_phase_is_refused(running, fiona):
    running = move_to(running, Phase.Kind.CLOSING)
    before = where(running)

    with pytest.raises(services.MeetingError, match="This is the last phase"):
        services.advance(meeting=running, actor=fiona, confirmed=True)

    assert where(running) == before
    assert before[1:] == (11, "live")


def test_a_planned_meeting_cannot_be_moved(meeting, fiona):
    with pytest.raises(services.MeetingError, match="The meeting is not running."):
        services.advance(meeting=meeting, actor=fiona, confirmed=True)

    assert where(meeting) == (0, None, "planned")


def test_reflect_opens_a_ratings_round_and_reveal_closes_it(running):
    running = move_to(running, Phase.Kind.REFLECT)
    round = running.current.round

    assert (round.component_key, round.review_id, round.closed_at) == (
        "purpose",
        running.review_id,
        None,
    )

    running = move_to(running, Phase.Kind.REVEAL)

    assert running.current.round_id == round.pk
    assert Round.objects.get(pk=round.pk).closed_at is not None


def test_an_answer_after_the_reveal_is_refused(running, alliance, mia):
    running = move_to(running, Phase.Kind.REFLECT)
    round = running.current.round
    move_to(running, Phase.Kind.REVEAL)

    with pytest.raises(AnswerError, match="This round of answers is closed."):
        answer(alliance.memberships.get(user=mia), Round.objects.get(pk=round.pk), 4)

    assert not Participation.objects.filter(round=round).exists()


def test_going_back_to_reflect_keeps_the_round_and_opens_it_again(running, fiona):
    running = move_to(running, Phase.Kind.REVEAL)
    round_id = running.current.round_id

    services.go_back(meeting=running, actor=fiona)

    running = fresh(running)
    assert running.current.kind == "reflect"
    assert running.current.round_id == round_id
    assert Round.objects.filter(review=running.review).count() == 1
    assert Round.objects.get(pk=round_id).is_open  # until the record is reached


def test_leaving_record_records_the_component_and_opens_the_next(running, fiona):
    running = move_to(running, Phase.Kind.RECORD)
    records = running.review.records

    services.advance(meeting=running, actor=fiona, confirmed=True)

    assert records.get(component_key="purpose").state == ComponentRecord.State.RECORDED
    assert records.get(component_key="purpose").recorded_by == fiona
    assert records.get(component_key="power").state == ComponentRecord.State.IN_DISCUSSION
    assert fresh(running).current.kind == "introduce"


@pytest.mark.parametrize("role", ["carol", "mia", "otto", "olga"])
def test_nobody_but_the_steerers_moves_the_meeting(running, people, role):
    before = where(running)

    for move in (services.advance, services.go_back, services.next_item):
        with pytest.raises(services.MeetingError, match=STEERERS_ONLY):
            move(meeting=running, actor=people[role])
    with pytest.raises(services.MeetingError, match=STEERERS_ONLY):
        services.set_timer(meeting=running, actor=people[role], minutes=5)
    with pytest.raises(services.MeetingError, match=STEERERS_ONLY):
        services.end(meeting=running, actor=people[role])

    assert where(running) == before
    assert running.log.count() == 1


def test_the_co_facilitator_steers(running, carol):
    Meeting.objects.filter(pk=running.pk).update(co_facilitator=carol)

    services.advance(meeting=running, actor=carol, confirmed=True)
    services.set_timer(meeting=running, actor=carol, minutes=10)

    running = fresh(running)
    assert running.current.position == 1
    assert running.current.timer_ends_at > timezone.now() + datetime.timedelta(minutes=9)


def test_a_timer_runs_from_one_to_180_minutes(running, fiona):
    with pytest.raises(services.MeetingError, match="from 1 to 180 minutes"):
        services.set_timer(meeting=running, actor=fiona, minutes=0)

    services.set_timer(meeting=running, actor=fiona, minutes=5)
    services.set_timer(meeting=running, actor=fiona, minutes=None)

    assert fresh(running).current.timer_ends_at is None
    assert list(running.log.values_list("detail", flat=True))[1:] == ["5 min", "stopped"]


# Handing over facilitation


def test_a_handover_needs_confirmation(running, fiona, mia):
    with pytest.raises(services.MeetingError, match="Confirm the handover"):
        services.hand_over(meeting=running, actor=fiona, to=mia, confirmed=False)

    assert fresh(running).facilitator == fiona
    assert not running.log.filter(action="handover").exists()


def test_a_handover_is_logged_and_gives_the_meeting_to_the_new_facilitator(running, fiona, mia):
    services.hand_over(meeting=running, actor=fiona, to=mia, confirmed=True)

    running = fresh(running)
    assert running.facilitator == mia
    entry = running.log.get(action="handover")
    assert (entry.actor, entry.detail) == (fiona, "Fiona Facilitator → Mia Member")
    services.advance(meeting=running, actor=mia, confirmed=True)
    with pytest.raises(services.MeetingError, match=STEERERS_ONLY):
        services.advance(meeting=running, actor=fiona, confirmed=True)


def test_handing_over_to_the_co_facilitator_swaps_their_roles(running, fiona, carol):
    Meeting.objects.filter(pk=running.pk).update(co_facilitator=carol)

    services.hand_over(meeting=running, actor=fiona, to=carol, confirmed=True)

    running = fresh(running)
    assert (running.facilitator, running.co_facilitator) == (carol, fiona)


def test_a_coordinator_can_take_over_a_meeting_whose_facilitator_has_gone(running, carol):
    services.hand_over(meeting=running, actor=carol, to=carol, confirmed=True)

    running = fresh(running)
    assert running.facilitator == carol
    assert running.log.get(action="handover").actor == carol


@pytest.mark.parametrize("role", ["mia", "otto"])
def test_nobody_else_hands_over(running, people, role):
    with pytest.raises(services.MeetingError, match="Only the facilitator, the co-facilitator"):
        services.hand_over(meeting=running, actor=people[role], to=people[role], confirmed=True)

    assert fresh(running).facilitator == people["fiona"]


@pytest.mark.parametrize("role", ["otto", "olga"])
def test_facilitation_goes_only_to_someone_of_the_alliance_who_is_not_an_observer(
    running, people, role
):
    with pytest.raises(services.MeetingError, match="only go to someone in the alliance"):
        services.hand_over(meeting=running, actor=people["fiona"], to=people[role], confirmed=True)

    assert fresh(running).facilitator == people["fiona"]


def test_handover_page_refuses_an_unconfirmed_handover_beside_the_box(client, people, running):
    client.force_login(people["fiona"])

    response = client.post(url("handover", running), {"to": people["mia"].pk})

    assert response.status_code == 200
    assert pages.form_fields(response)["confirm"].errors == [
        "Tick the box to confirm the handover."
    ]
    assert pages.form_fields(response)["to"].value == str(people["mia"].pk)
    assert fresh(running).facilitator == people["fiona"]
    assert not running.log.filter(action="handover").exists()


def test_handover_page_hands_over_when_confirmed(client, people, running):
    client.force_login(people["fiona"])

    response = client.post(
        url("handover", running), {"to": people["mia"].pk, "confirm": "on"}, follow=True
    )

    assert pages.messages(response) == ["Mia Member leads the meeting now."]
    assert fresh(running).facilitator == people["mia"]
    assert running.log.filter(action="handover", actor=people["fiona"]).count() == 1


# Ending


def test_end_ends_the_meeting_and_keeps_it(running, fiona):
    running = move_to(running, Phase.Kind.REFLECT)
    round_id = running.current.round_id

    services.end(meeting=running, actor=fiona)

    running = fresh(running)
    assert (running.status, running.ended_reason) == ("ended", "ended")
    assert running.ended_at is not None
    assert running.current.kind == "reflect"
    assert not Round.objects.get(pk=round_id).is_open
    with pytest.raises(services.MeetingError, match="The meeting is not running."):
        services.advance(meeting=running, actor=fiona, confirmed=True)
    with pytest.raises(services.MeetingError, match="already ended"):
        services.end(meeting=running, actor=fiona)


def test_ending_the_meeting_closes_a_round_left_open_by_going_back(
    running, fiona, carol, alliance, mia
):
    running = move_to(running, Phase.Kind.REFLECT)
    round_id = running.current.round_id
    answer(alliance.memberships.get(user=mia), Round.objects.get(pk=round_id), 4)
    services.go_back(meeting=running, actor=fiona)  # to the introduction: answers stay open

    services.end(meeting=fresh(running), actor=fiona)

    round = Round.objects.select_related("check_in").get(pk=round_id)
    assert not round.is_open
    assert round.settled
    with pytest.raises(AnswerError, match="This round of answers is closed."):
        answer(alliance.memberships.get(user=carol), round, 2)


def _idle(meeting, hours: float) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(hours=hours)
    )


def test_a_meeting_left_open_ends_after_the_idle_time_and_keeps_everything(
    running, review, fiona, mia, settings
):
    settings.MEETING_IDLE_HOURS = 2
    running = move_to(running, Phase.Kind.DISCUSS)
    review.records.filter(component_key="purpose").update(notes="Fewer hungry families.")
    busy = services.plan_meeting(
        review=review, agenda=["purpose"], author=fiona, starts_at=STARTS, facilitator=fiona
    )
    services.start(meeting=busy, actor=fiona)
    not_started = services.plan_meeting(
        review=review, agenda=["purpose"], author=fiona, starts_at=STARTS, facilitator=fiona
    )
    _idle(running, 3)
    _idle(busy, 1)
    _idle(not_started, 30)

    assert services.end_idle_meetings() == 1

    idle = fresh(running)
    assert (idle.status, idle.ended_reason) == ("ended", "idle")
    assert idle.current.kind == "discuss"
    assert idle.phases.filter(reached_at__isnull=False).count() == 5
    assert review.records.get(component_key="purpose").notes == "Fewer hungry families."
    last = idle.log.last()
    assert (last.actor, last.action, last.detail) == (None, "end", "idle")
    assert fresh(busy).status == "live"
    assert fresh(not_started).status == "planned"


def test_opening_an_idle_meeting_ends_it(client, running, mia, settings):
    settings.MEETING_IDLE_HOURS = 2
    _idle(running, 3)
    client.force_login(mia)

    response = client.get(url("detail", running))

    assert response.status_code == 200
    assert fresh(running).status == "ended"
    response = client.get(url("summary", running))
    assert "It ended by itself after a long time without activity" in pages.text(response)


# The phase machine, through the pages


def command(client, meeting, name: str, **data):
    return client.post(url("command", meeting), {"command": name, **data})


def test_the_facilitator_runs_the_meeting_through_the_command_view(client, fiona, meeting):
    client.force_login(fiona)

    for name in ("start", "advance", "advance", "back"):
        response = command(client, meeting, name)
        assert response.status_code == 302
        assert response.url == meeting.get_absolute_url()

    assert where(meeting) == (4, 1, "live")
    assert list(meeting.log.values_list("action", flat=True)) == [
        "start",
        "advance",
        "advance",
        "back",
    ]


def test_a_command_from_htmx_answers_with_the_persons_part(client, fiona, running):
    client.force_login(fiona)

    response = client.post(
        url("command", running), {"command": "advance"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Move the meeting" in response.content.decode()
    assert where(running)[:2] == (2, 1)


def test_two_facilitators_pressing_next_at_once_move_the_room_once(client, fiona, carol, running):
    Meeting.objects.filter(pk=running.pk).update(co_facilitator=carol)
    both = []
    for person in (fiona, carol):
        browser = Client()
        browser.force_login(person)
        page = browser.get(running.get_absolute_url()).content.decode()
        drawn_at = re.search(
            r'name="command" value="advance">\s*<input type="hidden" name="at" value="(\d+)"', page
        )
        both.append((browser, drawn_at.group(1)))

    for browser, at in both:
        response = browser.post(
            url("command", running), {"command": "advance", "at": at}, follow=True
        )

    assert pages.messages(response) == [
        "The meeting moved meanwhile: the room is now at Shared purpose: Introduce. "
        "Nothing was changed."
    ]
    assert where(running) == (2, 1, "live")
    assert list(running.log.values_list("action", flat=True)) == ["start", "advance"]


def test_a_second_record_and_continue_opens_no_answers_of_the_next_component(
    client, fiona, running
):
    running = move_to(running, Phase.Kind.RECORD)
    client.force_login(fiona)
    at = str(running.current.position)

    command(client, running, "advance", at=at)
    command(client, running, "advance", at=at, confirmed="1")  # the same button, twice
    command(client, running, "back", at=at)  # a Back drawn before the move

    assert fresh(running).current.kind == "introduce"
    assert not Round.objects.filter(component_key="power").exists()


def test_a_refused_command_says_why_and_changes_nothing(client, fiona, running):
    client.force_login(fiona)

    response = client.post(url("command", running), {"command": "back"}, follow=True)

    assert pages.messages(response) == ["This is the first phase."]
    assert where(running) == (1, 0, "live")


def test_a_bad_timer_says_why(client, fiona, running):
    client.force_login(fiona)

    response = client.post(
        url("command", running), {"command": "timer", "minutes": "soon"}, follow=True
    )

    assert pages.messages(response) == ["A timer runs from 1 to 180 minutes."]
    assert where(running) == (1, 0, "live")
    assert fresh(running).current.timer_ends_at is None


def test_an_unknown_command_is_not_found(client, fiona, running):
    client.force_login(fiona)

    assert command(client, running, "jump").status_code == 404
    assert where(running) == (1, 0, "live")


@pytest.mark.parametrize("role", ["carol", "mia", "otto"])
@pytest.mark.parametrize("name", ["advance", "back", "timer", "end", "next_item"])
def test_a_command_from_anyone_but_a_steerer_is_forbidden_and_changes_nothing(
    client, people, running, role, name
):
    client.force_login(people[role])

    response = command(client, running, name, minutes="5")

    assert response.status_code == 403
    assert STEERERS_ONLY in pages.text(response)
    assert where(running) == (1, 0, "live")
    assert fresh(running).current.timer_ends_at is None


def test_the_co_facilitator_steers_through_the_command_view(client, carol, running):
    Meeting.objects.filter(pk=running.pk).update(co_facilitator=carol)
    client.force_login(carol)

    assert command(client, running, "advance").status_code == 302
    assert command(client, running, "end", confirmed="1").status_code == 302

    assert where(running) == (3, 1, "ended")


def test_a_meeting_that_ended_takes_no_more_commands(client, fiona, running):
    client.force_login(fiona)
    client.get(command(client, running, "end", confirmed="1").url)  # reads "it has ended"

    response = client.post(url("command", running), {"command": "advance"}, follow=True)

    assert pages.messages(response) == ["The meeting is not running."]
    assert where(running) == (2, 0, "ended")


# Following the meeting


def test_looking_back_at_a_phase_already_reached(client, mia, running):
    running = move_to(running, Phase.Kind.REFLECT)
    client.force_login(mia)

    response = client.get(url("phase", running, 1))

    assert response.status_code == 200
    assert "Looking back: Shared purpose: Introduce" in pages.text(response)


def test_never_looking_ahead_of_the_meeting(client, fiona, mia, running):
    running = move_to(running, Phase.Kind.REFLECT)
    services.go_back(meeting=running, actor=fiona)
    client.force_login(mia)

    for position in (2, 3, 11):  # reached but ahead now, ahead, the last
        response = client.get(url("phase", running, position))
        assert response.status_code == 403
        assert "The meeting has not reached this phase yet." in pages.text(response)


def test_a_planned_meeting_has_no_phase_to_look_back_at(client, mia, meeting):
    client.force_login(mia)

    assert client.get(url("phase", meeting, 0)).status_code == 403


def test_state_is_204_when_the_client_is_up_to_date(client, mia, running):
    client.force_login(mia)

    response = client.get(url("state", running), {"seq": str(running.seq)})

    assert response.status_code == 204
    assert response.content == b""


def test_polling_an_unchanged_meeting_costs_four_queries(
    client, mia, running, django_assert_num_queries
):
    """Polling is the fallback for a whole room when sockets are blocked: session, user,
    membership (with its alliance), meeting."""
    client.force_login(mia)

    with django_assert_num_queries(4):
        response = client.get(url("state", running), {"seq": str(running.seq)})

    assert response.status_code == 204


def test_state_is_the_whole_state_when_the_client_is_behind(client, mia, running):
    running = move_to(running, Phase.Kind.INTRODUCE)
    client.force_login(mia)

    response = client.get(url("state", running), {"seq": "1"})

    assert response.status_code == 200
    state = response.json()
    assert (state["seq"], state["status"], state["phase"], state["kind"]) == (
        2,
        "live",
        1,
        "introduce",
    )
    assert state["steerers"] == [running.facilitator_id]
    assert "Shared purpose" in state["html"]
    assert client.get(url("state", running)).status_code == 200


def test_opening_the_live_meeting_counts_as_attending(client, mia, running):
    """Whoever follows by polling (sockets blocked) attended too, not only socket users."""
    client.force_login(mia)

    client.get(url("detail", running))
    client.get(url("detail", running))

    assert list(Attendance.objects.values_list("user__name", flat=True)) == ["Mia Member"]


def test_opening_a_planned_meeting_is_not_attending(client, mia, meeting):
    client.force_login(mia)

    client.get(url("detail", meeting))

    assert not Attendance.objects.exists()


# Reflecting in the meeting


def reflect(client, meeting, rating: str, text: str = "", **extra):
    data = {
        "purpose-rating": rating,
        f"purpose-q{question().pk}": text,
        "rules": meeting.review.rules,
    }
    return client.post(url("reflect", meeting), data, **extra)


def test_an_answer_in_the_meeting_is_counted_on_the_stage(client, carol, mia, running):
    running = move_to(running, Phase.Kind.REFLECT)
    assert "0 of 2 have answered" in stage(running)
    client.force_login(mia)

    response = reflect(client, running, "4", "We cook together on Fridays.")

    assert response.status_code == 302
    assert Participation.objects.filter(round=running.current.round, user=mia).count() == 1
    assert where(running)[0] == running.seq + 1
    assert "1 of 2 has answered" in stage(running)
    client.force_login(carol)
    reflect(client, running, "2")
    assert "2 of 2 have answered" in stage(running)


def test_a_second_answer_is_refused(client, mia, running):
    running = move_to(running, Phase.Kind.REFLECT)
    client.force_login(mia)
    reflect(client, running, "4")
    seq = fresh(running).seq

    response = reflect(client, running, "1", follow=True)

    assert pages.messages(response) == ["You have answered already. Each person answers once."]
    assert fresh(running).seq == seq
    assert SealedAnswer.objects.filter(round=running.current.round).count() == 1


def test_the_reflect_form_says_what_is_missing(client, mia, running):
    running = move_to(running, Phase.Kind.REFLECT)
    client.force_login(mia)

    response = reflect(client, running, "")

    assert response.status_code == 200
    assert "Choose a rating from 1 to 5." in pages.text(response)
    assert not Participation.objects.exists()


def test_answers_are_taken_only_in_the_reflect_phase(client, fiona, mia, running):
    client.force_login(mia)

    response = reflect(client, running, "4", follow=True)

    assert pages.messages(response) == ["The meeting is not asking for answers now."]
    running = move_to(running, Phase.Kind.RECORD)
    for _step in range(3):  # back to reflect, once past the discussion: answers stay closed
        services.go_back(meeting=fresh(running), actor=fiona)
    response = reflect(client, running, "4", follow=True)
    assert pages.messages(response) == ["This round of answers is closed."]
    assert not Participation.objects.exists()


def test_the_reflect_form_is_offered_to_those_who_answer(client, people, running):
    running = move_to(running, Phase.Kind.REFLECT)

    offered = {}
    for role in ("carol", "fiona", "mia", "otto"):
        client.force_login(people[role])
        offered[role] = "Your private answer" in client.get(url("mine", running)).content.decode()

    assert offered == {"carol": True, "fiona": False, "mia": True, "otto": False}


def test_a_draft_kept_on_a_shared_device_is_offered_back_only_to_its_author(
    client, carol, mia, running
):
    # The answer form keeps what is typed in the browser's storage under this key, and
    # fills it in again from there: someone who answers next on the same device must not
    # find the previous person's rating and words in their own form.
    running = move_to(running, Phase.Kind.REFLECT)

    keys = []
    for person in (carol, mia):
        client.force_login(person)
        page = client.get(url("mine", running)).content.decode()
        keys.append(re.search(r'data-drafts="([^"]+)"', page).group(1))

    assert keys[0] != keys[1]


@pytest.fixture
def revealed_below_k(running, alliance, carol, mia):
    """Two answers, written and rated, with K = 3 for ratings and 5 for reflections."""
    running = move_to(running, Phase.Kind.REFLECT)
    round = running.current.round
    answer(alliance.memberships.get(user=carol), round, 1, q1="Nobody listens to the kitchen.")
    answer(alliance.memberships.get(user=mia), round, 5, q1="We share everything already.")
    return move_to(running, Phase.Kind.REVEAL)


SECRETS = ("Nobody listens to the kitchen.", "We share everything already.", "Median rating")


def test_the_reveal_never_shows_answers_below_the_thresholds(client, mia, revealed_below_k):
    meeting = revealed_below_k
    client.force_login(mia)
    shown = [
        stage(meeting),
        client.get(url("detail", meeting)).content.decode(),
        client.get(url("state", meeting)).json()["html"],
        client.get(url("phase", meeting, 3)).content.decode(),
    ]

    assert Reflection.objects.filter(round=meeting.current.round_id).count() == 2
    for page in shown:
        assert "2 of 2 answered" in page
        assert "1 more answer is needed before the ratings can be shown." in page
        assert "3 more needed before they are shown." in page
        for secret in SECRETS:
            assert secret not in page


def test_the_reveal_shows_the_spread_from_k_answers(running, alliance, carol, mia):
    """The other side of the test above: from three answers, the spread shows."""
    (third,) = add_members(alliance, 1)
    running = move_to(running, Phase.Kind.REFLECT)
    round = running.current.round
    for user, rating in ((carol, 1), (mia, 5)):
        answer(alliance.memberships.get(user=user), round, rating, q1="Getting better.")
    answer(third, round, 3, q1="Getting better.")

    text = " ".join(re.sub(r"<[^>]+>", " ", stage(move_to(running, Phase.Kind.REVEAL))).split())

    assert "3 of 3 answered" in text
    assert "Median: 3 out of 5" in text
    assert "Getting better." not in text  # five written answers are needed


# Notes and the record


def test_notes_saved_by_the_recorder_appear_on_the_stage(client, mia, running):
    running = move_to(running, Phase.Kind.DISCUSS)
    client.force_login(mia)

    response = client.post(url("notes", running), {"notes": "We feed 300 families a week."})

    assert response.status_code == 302
    assert "We feed 300 families a week." in stage(running)
    assert running.review.records.get(component_key="purpose").notes == (
        "We feed 300 families a week."
    )
    assert where(running)[0] == running.seq + 1


def test_a_member_who_is_not_the_recorder_cannot_take_notes(client, max_member, running):
    running = move_to(running, Phase.Kind.DISCUSS)
    client.force_login(max_member)

    response = client.post(url("notes", running), {"notes": "Max was here."})

    assert response.status_code == 403
    assert "Only the facilitator, the co-facilitator or the recorder keeps the notes." in (
        pages.text(response)
    )
    assert running.review.records.get(component_key="purpose").notes == ""
    assert fresh(running).seq == running.seq


def test_notes_need_a_component_phase(client, mia, running):
    client.force_login(mia)

    response = client.post(url("notes", running), {"notes": "Too early."}, follow=True)

    assert pages.messages(response) == ["There is no component to take notes on now."]
    assert running.review.records.get(component_key="purpose").notes == ""


def commitment_data(people, kitchen, **changes) -> dict:
    return {
        "description": "Count the meals served each week",
        "partner": kitchen.pk,
        "owner": people["mia"].pk,
        "due_on": "2027-06-30",
        "status": "open",
        **changes,
    }


def test_commitments_are_added_in_the_record_phase(client, people, kitchen, running):
    running = move_to(running, Phase.Kind.RECORD)
    client.force_login(people["mia"])

    response = client.post(url("add_commitment", running), commitment_data(people, kitchen))

    assert response.status_code == 302
    commitment = Commitment.objects.get(description="Count the meals served each week")
    assert (commitment.review, commitment.component_key, commitment.created_by) == (
        running.review,
        "purpose",
        people["mia"],
    )
    assert "Count the meals served each week" in stage(running)
    closing = move_to(running, Phase.Kind.CLOSING)
    assert "Count the meals served each week" in stage(closing)


def test_commitments_are_not_added_outside_the_record_phase(client, people, kitchen, running):
    running = move_to(running, Phase.Kind.DISCUSS)
    client.force_login(people["mia"])

    response = client.post(
        url("add_commitment", running), commitment_data(people, kitchen), follow=True
    )

    assert pages.messages(response) == ["Commitments are recorded in a record phase."]
    assert not Commitment.objects.exists()


def test_a_commitment_form_error_is_shown_beside_its_field(client, people, kitchen, running):
    running = move_to(running, Phase.Kind.RECORD)
    client.force_login(people["mia"])

    response = client.post(
        url("add_commitment", running), commitment_data(people, kitchen, due_on="soon")
    )

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["due_on"].errors == ["Enter the date as year-month-day, for example 2027-03-31."]
    assert fields["description"].value == "Count the meals served each week"
    assert not Commitment.objects.exists()


# The opening: was each commitment done?


def test_the_owner_is_asked_whether_a_due_commitment_was_done(client, commitment, mia, running):
    client.force_login(mia)

    response = client.get(url("mine", running))

    assert "Was it done? “Share the pantry schedule with every partner”" in pages.text(response)
    assert "Share the pantry schedule with every partner" in stage(running)


def test_an_observer_who_owns_a_commitment_is_not_offered_a_form_that_would_refuse_them(
    client, commitment, otto, running
):
    Commitment.objects.filter(pk=commitment.pk).update(owner=otto)
    client.force_login(otto)

    response = client.get(url("mine", running))

    assert "Share the pantry schedule with every partner" in stage(running)
    assert "Was it done?" not in pages.text(response)
    refused = client.post(url("commitment_status", running, commitment.pk), {"status": "done"})
    assert refused.status_code == 403


def test_the_owner_marks_a_due_commitment_done(client, commitment, mia, running):
    client.force_login(mia)

    response = client.post(url("commitment_status", running, commitment.pk), {"status": "done"})

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE
    assert where(running)[0] == running.seq + 1


def test_not_done_needs_a_reason_beside_the_field(client, commitment, mia, running):
    client.force_login(mia)
    status_url = url("commitment_status", running, commitment.pk)

    response = client.post(status_url, {"status": "not_done", "status_reason": " "})

    assert response.status_code == 200
    fields = pages.form_fields(response)
    assert fields["status_reason"].errors == ["Say why it was not done."]
    assert fields["status"].value == "not_done"
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN

    client.post(status_url, {"status": "not_done", "status_reason": "The printer broke."})

    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_reason) == ("not_done", "The printer broke.")
    assert "The printer broke." in stage(running)


def test_the_facilitator_may_mark_a_commitment(client, commitment, fiona, running):
    client.force_login(fiona)

    client.post(url("commitment_status", running, commitment.pk), {"status": "partly"})

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.PARTLY


def test_another_member_may_not_mark_someone_elses_commitment(
    client, commitment, max_member, running
):
    client.force_login(max_member)

    response = client.post(url("commitment_status", running, commitment.pk), {"status": "done"})

    assert response.status_code == 403
    assert "Only the person responsible or the facilitator can say." in pages.text(response)
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN


def test_commitments_are_marked_only_in_the_opening(client, commitment, mia, meeting):
    client.force_login(mia)
    status_url = url("commitment_status", meeting, commitment.pk)

    before_start = client.post(status_url, {"status": "done"}, follow=True)
    services.start(meeting=meeting, actor=meeting.facilitator)
    move_to(meeting, Phase.Kind.INTRODUCE)
    later = client.post(status_url, {"status": "done"}, follow=True)

    for response in (before_start, later):
        assert pages.messages(response) == ["Commitments are reviewed in the opening."]
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN


# The summary, at any time


def test_the_summary_exists_before_the_meeting_starts(client, otto, meeting):
    client.force_login(otto)

    response = client.get(url("summary", meeting))

    assert response.status_code == 200
    text = pages.text(response)
    assert "Nobody has joined yet." in text
    assert "The meeting has not started." in text
    assert "Shared purpose in discussion" in text
    assert "Nothing yet." in text


def test_the_summary_mid_meeting_shows_what_was_done_so_far(client, mia, otto, running):
    client.force_login(mia)
    client.get(url("detail", running))
    running = move_to(running, Phase.Kind.DISCUSS)
    client.post(url("notes", running), {"notes": "Fewer hungry families, together."})
    client.force_login(otto)

    text = pages.text(client.get(url("summary", running)))

    assert "The meeting is still running: this is what it has done so far." in text
    assert "Who attended Mia Member (Community Kitchen) What was covered" in text
    assert (
        "Opening: commitments Shared purpose: Introduce Shared purpose: Reflect "
        "Shared purpose: Reveal Shared purpose: Discuss Shared purpose in discussion"
    ) in text
    assert "Fewer hungry families, together." in text
    assert "Fiona Facilitator started the meeting" in text
    assert "Fiona Facilitator moved on to Shared purpose: Discuss" in text


def test_the_summary_after_an_early_end_keeps_everything(
    client, people, kitchen, mia, otto, running
):
    running = move_to(running, Phase.Kind.RECORD)
    client.force_login(mia)
    client.get(url("detail", running))
    client.post(url("notes", running), {"agreements": "Meals for every child."})
    client.post(url("add_commitment", running), commitment_data(people, kitchen))
    services.end(meeting=running, actor=running.facilitator)
    client.force_login(otto)

    text = pages.text(client.get(url("summary", running)))

    assert "ended" in text
    assert "Mia Member" in text
    assert "Shared purpose: Record" in text
    assert "Shared power: Introduce" not in text
    assert "Meals for every child." in text
    assert "Commitments made Count the meals served each week" in text
    assert "Fiona Facilitator ended the meeting" in text


# The projector


def test_the_projector_link_is_shown_once(client, fiona, meeting):
    client.force_login(fiona)

    token = make_projector_link(client, meeting)

    assert token not in client.get(url("detail", meeting)).content.decode()
    assert fresh(meeting).projector_token_hash != token  # only its hash is kept


def test_the_projector_shows_the_stage_signed_out(client, fiona, running):
    client.force_login(fiona)
    token = make_projector_link(client, running)
    running = move_to(running, Phase.Kind.INTRODUCE)
    client.logout()

    response = client.get(reverse("meetings:projector", args=[token]))

    assert response.status_code == 200
    assert "Harvest Alliance — Spring 2027 review" in pages.text(response)
    assert "Shared purpose · Introduce" in pages.text(response)
    state_url = reverse("meetings:projector_state", args=[token])
    assert client.get(state_url, {"seq": str(running.seq)}).status_code == 204
    assert client.get(state_url, {"seq": "0"}).json()["kind"] == "introduce"


def test_the_projector_shows_no_private_answer(client, alliance, carol, fiona, mia, running):
    client.force_login(fiona)
    token = make_projector_link(client, running)
    running = move_to(running, Phase.Kind.REFLECT)
    round = running.current.round
    answer(alliance.memberships.get(user=carol), round, 2, q1="Nobody listens to the kitchen.")
    answer(alliance.memberships.get(user=mia), round, 5)
    client.logout()
    projector = reverse("meetings:projector", args=[token])

    during = client.get(projector).content.decode()
    move_to(running, Phase.Kind.REVEAL)
    after = client.get(projector).content.decode()

    assert "2 of 2 have answered" in during
    for page in (during, after):
        for private in ("Nobody listens to the kitchen.", "Carol Coordinator", "Mia Member"):
            assert private not in page
    assert "Median rating" not in after


def test_a_revoked_projector_link_is_not_found(client, fiona, meeting):
    client.force_login(fiona)
    token = make_projector_link(client, meeting)

    response = client.post(url("projector_link", meeting), {"revoke": "1"}, follow=True)

    assert pages.messages(response) == ["The projector link is revoked."]
    assert fresh(meeting).projector_token_hash == ""
    client.logout()
    assert client.get(reverse("meetings:projector", args=[token])).status_code == 404
    assert client.get(reverse("meetings:projector_state", args=[token])).status_code == 404


def test_a_new_projector_link_revokes_the_old_one(client, fiona, meeting):
    client.force_login(fiona)
    old = make_projector_link(client, meeting)

    new = make_projector_link(client, meeting)

    assert client.get(reverse("meetings:projector", args=[old])).status_code == 404
    assert client.get(reverse("meetings:projector", args=[new])).status_code == 200


def test_a_made_up_projector_link_is_not_found(client, meeting):
    assert client.get(reverse("meetings:projector", args=["guess"])).status_code == 404


# Another alliance's commitment, named in a URL of this meeting.


def test_a_commitment_of_another_alliance_is_not_found(client, fiona, olga, running):
    riverside = olga.memberships.get().alliance
    foreign = Commitment.objects.create(
        alliance=riverside,
        description="Map the empty flats",
        due_on=datetime.date(2027, 4, 1),
        owner=olga,
    )
    client.force_login(fiona)

    response = client.post(url("commitment_status", running, foreign.pk), {"status": "done"})

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Commitment.Status.OPEN


def test_who_may_lead_is_read_from_this_alliances_membership_only(running, people, olga):
    # Mia observes another alliance: that says nothing of her role in this one.
    from alliances.models import Alliance
    from meetings.forms import HandoverForm, MeetingForm

    riverside = Alliance.objects.get(name="Riverside Alliance")
    add_member(riverside, people["mia"], Role.OBSERVER)

    leaders = MeetingForm(review=running.review).fields["recorder"].queryset
    takers = HandoverForm(meeting=running).fields["to"].queryset

    assert people["mia"] in leaders and people["mia"] in takers
    assert people["otto"] not in leaders and people["otto"] not in takers


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "9999-12-31T20:00", "0001-01-01T00:00"])
def test_a_moment_at_the_calendars_ends_is_refused_beside_its_field(
    client, people, review, settings, moment
):
    """West of UTC the last minutes of the year 9999 are in the year 10000 where the
    database keeps them, east of it the first of the year 1 are before it, and a meeting's
    end and calendar file add hours to its start: such a moment is refused, never a 500."""
    settings.TIME_ZONE = "America/New_York"
    client.force_login(people["fiona"])

    response = client.post(
        reverse("meetings:plan", args=[review.alliance.slug, review.pk]),
        plan_data(people, starts_at=moment, place="Room 12"),
    )

    assert response.status_code == 200
    assert pages.form_fields(response)["starts_at"].errors == [
        "Enter a date and time, for example 2027-03-01 17:00."
    ]
    assert pages.form_fields(response)["place"].value == "Room 12"
    assert not Meeting.objects.exists()
