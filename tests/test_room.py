"""The room (issue 14), on the server: the facilitator cannot trip (a reveal before
everyone answered asks first, answers can be taken again until the discussion is over, and
a late answer can never be worked out by comparing two results), who is asked to answer,
the controls that can act in each phase, what every command says it did, the parts of the
page a command draws (never the notes being typed), and the screen after the end.

In these meetings fiona (an outside facilitator, no partner) leads; carol (a coordinator
of the Food Bank) and mia (a member of the Community Kitchen) answer; otto observes.
"""

import datetime

import pytest
from django.urls import reverse

from alliances.models import Membership
from meetings import live, services
from meetings.models import Meeting
from ratings import results
from ratings.models import Participation, Rating, Round
from reviews.models import Question
from tests import pages
from tests.answering import answer
from tests.factories import add_members

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)


@pytest.fixture
def running(people, review):
    meeting = services.plan_meeting(
        review=review,
        agenda=services.default_agenda(review),
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
        recorder=people["mia"],
    )
    services.start(meeting=meeting, actor=people["fiona"])
    return live.load(meeting.pk)


def fresh(meeting) -> Meeting:
    return live.load(meeting.pk)


def move_to(meeting, kind: str, key: str = "purpose") -> Meeting:
    target = meeting.phases.get(kind=kind, component_key="" if kind == "closing" else key)
    while fresh(meeting).current.position < target.position:
        services.advance(meeting=fresh(meeting), actor=meeting.facilitator, confirmed=True)
    return fresh(meeting)


def command(client, meeting, name, htmx=True, **data):
    url = reverse("meetings:command", args=[meeting.review.alliance.slug, meeting.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, {"command": name, **data}, headers=headers)


def membership(user, meeting):
    return Membership.objects.get(user=user, alliance_id=meeting.review.alliance_id)


def reflect_round(meeting) -> Round:
    return meeting.phases.get(kind="reflect", component_key="purpose").round


# Reveal before everyone has answered


def test_a_reveal_before_everyone_answered_asks_first_and_changes_nothing(people, running):
    meeting = move_to(running, "reflect")
    answer(membership(people["mia"], meeting), reflect_round(meeting), 4)

    with pytest.raises(services.NeedsConfirmation) as asked:
        services.advance(meeting=meeting, actor=people["fiona"])

    assert str(asked.value) == "1 of 2 have answered: reveal now? Answers close then."
    assert fresh(meeting).current.kind == "reflect"
    assert reflect_round(meeting).is_open


def test_once_everyone_has_answered_the_reveal_asks_nothing(people, running):
    meeting = move_to(running, "reflect")
    for person in ("mia", "carol"):
        answer(membership(people[person], meeting), reflect_round(meeting), 4)

    services.advance(meeting=meeting, actor=people["fiona"])

    assert fresh(meeting).current.kind == "reveal"


def test_the_console_asks_with_the_count_and_focuses_the_answer(client, people, running):
    meeting = move_to(running, "reflect")
    client.force_login(people["fiona"])

    response = command(client, meeting, "advance")

    text = pages.text(response)
    assert "0 of 2 have answered: reveal now?" in text
    assert 'id="cmd-confirm" data-focus' in response.content.decode()
    assert fresh(meeting).current.kind == "reflect"
    command(client, meeting, "advance", confirmed="1")
    assert fresh(meeting).current.kind == "reveal"


def test_without_javascript_the_reveal_asks_on_the_page(client, people, running):
    meeting = move_to(running, "reflect")
    client.force_login(people["fiona"])

    response = command(client, meeting, "advance", htmx=False)
    page = client.get(response.url)

    assert "0 of 2 have answered: reveal now?" in pages.messages(page)[0]
    assert "Reveal now" in pages.text(page)
    assert fresh(meeting).current.kind == "reflect"


def test_ending_the_meeting_asks_first(client, people, running):
    client.force_login(people["fiona"])

    response = command(client, running, "end")

    assert "End the meeting for everyone?" in pages.text(response)
    assert fresh(running).status == "live"
    command(client, running, "end", confirmed="1")
    assert fresh(running).status == "ended"


# Taking answers again


def test_a_person_whose_answer_came_too_late_is_told_so(client, people, running):
    meeting = move_to(running, "reflect")
    answer(membership(people["mia"], meeting), reflect_round(meeting), 4)
    meeting = move_to(meeting, "reveal")

    client.force_login(people["carol"])
    carol = pages.text(client.get(meeting.get_absolute_url()))
    client.force_login(people["mia"])
    mia = pages.text(client.get(meeting.get_absolute_url()))

    assert "Answers closed before yours was sent." in carol
    assert "Answers closed before yours was sent." not in mia


def test_going_back_from_the_reveal_takes_answers_again(people, running):
    meeting = move_to(running, "reflect")
    answer(membership(people["mia"], meeting), reflect_round(meeting), 4)
    meeting = move_to(meeting, "reveal")
    assert not reflect_round(meeting).is_open

    services.go_back(meeting=meeting, actor=people["fiona"])

    assert fresh(meeting).current.kind == "reflect"
    assert reflect_round(meeting).is_open
    answer(membership(people["carol"], meeting), reflect_round(meeting), 2)
    assert Participation.objects.filter(round=reflect_round(meeting)).count() == 2
    assert meeting.log.last().action == "reopen"
    # An answer given before stays, and is written out with the new ones at the close.
    services.advance(meeting=fresh(meeting), actor=people["fiona"])
    ratings = Rating.objects.filter(round=reflect_round(meeting))
    assert sorted(ratings.values_list("value", flat=True)) == [2, 4]


def test_answers_can_be_taken_again_from_the_discussion(people, running):
    meeting = move_to(running, "discuss")

    services.reopen(meeting=meeting, actor=people["fiona"])

    assert fresh(meeting).current.kind == "reflect"
    assert reflect_round(meeting).is_open


def test_once_the_record_was_reached_answers_stay_closed(people, running):
    meeting = move_to(running, "record")
    services.go_back(meeting=meeting, actor=people["fiona"])  # to discuss

    with pytest.raises(services.MeetingError, match="only until the meeting moves past"):
        services.reopen(meeting=fresh(meeting), actor=people["fiona"])
    services.go_back(meeting=fresh(meeting), actor=people["fiona"])  # reveal
    services.go_back(meeting=fresh(meeting), actor=people["fiona"])  # reflect

    assert fresh(meeting).current.kind == "reflect"
    assert not reflect_round(meeting).is_open


def test_a_late_answer_cannot_be_worked_out_by_comparing_two_results(alliance, people, running):
    """The room saw 3 answers; a fourth alone must not move the spread it sees."""
    meeting = move_to(running, "reflect")
    members = add_members(alliance, 3)
    for m in members[:3]:
        answer(m, reflect_round(meeting), 4)
    meeting = move_to(meeting, "reveal")
    questions = list(Question.objects.filter(component_key="purpose", review=None))
    assert results.result(reflect_round(meeting), questions).shown

    services.go_back(meeting=meeting, actor=people["fiona"])
    answer(membership(people["mia"], meeting), reflect_round(meeting), 1)
    services.advance(meeting=fresh(meeting), actor=people["fiona"], confirmed=True)

    late = results.result(reflect_round(meeting), questions)
    assert late.count == 4
    assert not late.shown
    assert late.more_needed == 2  # 3 more than the 3 the room saw
    assert "2 more answers are needed" in live.state(fresh(meeting))["html"]


def test_a_result_seen_and_reopened_without_new_answers_shows_again(alliance, people, running):
    meeting = move_to(running, "reflect")
    for m in add_members(alliance, 3):
        answer(m, reflect_round(meeting), 3)
    meeting = move_to(meeting, "reveal")
    services.go_back(meeting=meeting, actor=people["fiona"])
    services.advance(meeting=fresh(meeting), actor=people["fiona"], confirmed=True)

    assert results.result(reflect_round(meeting)).shown


# Who is asked to answer


def test_people_without_a_partner_are_not_counted_unless_asked(people, running, alliance):
    Membership.objects.filter(user=people["carol"]).update(partner=None)
    meeting = move_to(running, "reflect")

    assert live.eligible_count(meeting) == 1  # mia; not carol (no partner), fiona, otto
    assert "0 of 1 have answered" in live.state(meeting)["html"]
    services.choose_who_answers(meeting=meeting, actor=people["fiona"], unpartnered=True)
    assert live.eligible_count(fresh(meeting)) == 3  # and carol and fiona; never otto
    assert "0 of 3 have answered" in live.state(fresh(meeting))["html"]


def test_a_coordinator_without_a_partner_gets_no_form_and_cannot_answer(client, people, running):
    Membership.objects.filter(user=people["carol"]).update(partner=None)
    meeting = move_to(running, "reflect")
    client.force_login(people["carol"])
    detail = client.get(meeting.get_absolute_url())
    assert "Your private answer" not in pages.text(detail)

    url = reverse("meetings:reflect", args=[meeting.review.alliance.slug, meeting.pk])
    response = client.post(url, {"rules": meeting.review.rules, "purpose-rating": "4"})

    assert response.status_code == 403
    assert Participation.objects.filter(round=reflect_round(meeting)).count() == 0


def test_the_facilitator_is_told_who_answers_and_can_change_it(client, people, running):
    client.force_login(people["fiona"])

    response = command(client, running, "answering", unpartnered="1")

    assert "People without a partner are asked to answer too." in pages.text(response)
    assert fresh(running).unpartnered_answer
    assert running.log.last().action == "answering"


# The controls that can act, and what each command says


def controls(client, meeting) -> str:
    url = reverse("meetings:mine", args=[meeting.review.alliance.slug, meeting.pk])
    return client.get(url, {"part": "controls"}).content.decode()


def test_only_the_controls_that_can_act_are_offered(client, people, running):
    client.force_login(people["fiona"])

    opening = controls(client, running)
    assert 'id="cmd-back"' not in opening  # the first phase
    assert 'id="cmd-next-item"' not in opening  # no commitment is due
    closing = controls(client, move_to(running, "closing"))
    assert 'id="cmd-end" data-primary' in closing
    assert 'id="cmd-advance"' not in closing


def test_the_next_button_says_where_it_leads(client, people, running):
    client.force_login(people["fiona"])

    assert "then: Shared purpose: Introduce" in controls(client, running)


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("advance", {}, "The room is now at: Shared purpose: Introduce."),
        ("timer", {"minutes": "5"}, "The timer is running: 5 minutes."),
        ("answering", {"unpartnered": "1"}, "People without a partner are asked to answer too."),
    ],
)
def test_every_command_says_it_was_done(client, people, running, name, data, said):
    client.force_login(people["fiona"])

    response = command(client, running, name, **data)

    assert said in pages.text(response)


def test_a_command_draws_the_controls_and_never_the_notes(client, people, running):
    """The facilitator typing in the notes keeps what they typed: a command's answer is
    the controls alone, and the notes are drawn again only when the meeting moves on."""
    meeting = move_to(running, "discuss")
    client.force_login(people["fiona"])

    response = command(client, meeting, "timer", minutes="5")

    body = response.content.decode()
    assert "Move the meeting" in body
    assert "Notes and record" not in body


def test_a_state_that_changes_nothing_of_a_part_leaves_it_alone(people, running):
    """The state carries what each part was drawn for; an answer counted in the room
    changes only the sequence number, never what the parts were drawn for."""
    meeting = move_to(running, "reflect")
    before = live.state(fresh(meeting))
    answer(membership(people["mia"], meeting), reflect_round(meeting), 4)
    services.refresh(meeting=fresh(meeting), actor=None, action="answer")
    after = live.state(fresh(meeting))

    keys = ("phase", "status", "item", "steerers", "recorder", "answering")
    assert {k: before[k] for k in keys} == {k: after[k] for k in keys}
    assert after["seq"] == before["seq"] + 1


def test_saving_the_notes_says_so(client, people, running):
    meeting = move_to(running, "discuss")
    client.force_login(people["mia"])
    url = reverse("meetings:notes", args=[meeting.review.alliance.slug, meeting.pk])
    record = meeting.review.records.get(component_key="purpose")

    response = client.post(
        url,
        {"notes": "We agree.", "agreements": "", "concerns": "", "ideas": "",
         "version": record.version},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert "Saved, and shown to the room." in pages.text(response)


# The end


def test_after_the_end_every_screen_says_the_meeting_has_ended(people, running):
    meeting = move_to(running, "closing")
    services.end(meeting=meeting, actor=people["fiona"])

    state = live.shared_state(fresh(meeting))

    assert state["status"] == "ended"
    assert "Thank you. The meeting has ended." in state["html"]
    assert "Move the meeting" not in state["html"]


def test_the_phone_sees_the_phase_and_the_meeting_view_hides_the_alliance_menu(
    client, people, running
):
    meeting = move_to(running, "reflect")
    client.force_login(people["mia"])

    page = client.get(meeting.get_absolute_url()).content.decode()

    assert 'id="now"' in page and "Shared purpose: Reflect" in page
    assert 'class="alliance-nav"' not in page
    assert page.index('id="work"') < page.index('id="stage"')
    assert "Your private answer" in page


# What a page costs does not grow with the room


@pytest.mark.parametrize("answers", [3, 30])
def test_the_meeting_page_and_its_parts_cost_the_same_however_many_answered(
    client, alliance, people, running, answers, django_assert_num_queries
):
    meeting = move_to(running, "reflect")
    for m in add_members(alliance, answers):
        answer(m, reflect_round(meeting), 3)
    client.force_login(people["mia"])
    # The whole page: the person and their membership, the meeting, its stage rendered
    # (phases, record, questions, counts), the person's own part (their round, whether
    # they answered, the form's questions), the rules, the header's alliances.
    with django_assert_num_queries(26):
        assert client.get(meeting.get_absolute_url()).status_code == 200
    client.force_login(people["fiona"])
    url = reverse("meetings:mine", args=[meeting.review.alliance.slug, meeting.pk])
    # The controls: session, user, membership, the meeting and the phase after this one.
    with django_assert_num_queries(5):
        assert client.get(url, {"part": "controls"}).status_code == 200
