"""A person's calendar feed (`/calendar/<token>.ics`) and the cancelled meeting it marks:
the feed, read by a strict iCalendar reader (tests/icalendar_check.py), holds the meetings
of every alliance the person belongs to now and their open commitments' due dates, with
stable UIDs, a SEQUENCE that moves when a meeting moves and STATUS:CANCELLED when it is
called off; its address is a secret made, replaced and stopped from a signed-in page; and a
planned meeting is cancelled by whoever may facilitate, who emails the alliance why.

mia is a member of Harvest (for the kitchen) and, here, of Riverside, which olga
coordinates; fiona facilitates Harvest's meetings."""

import datetime
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances.models import Alliance, Membership, Role
from meetings import calendar, services
from meetings.models import CalendarFeed, LogEntry, Meeting
from meetings.services import MeetingError
from reviews.models import Commitment
from tests import pages
from tests.answering import answer, meeting_at_reflect
from tests.factories import (
    add_member,
    add_members,
    make_alliance,
    make_commitment,
    make_meeting,
    make_review,
)
from tests.icalendar_check import Invalid, parse
from tests.meeting_forms import plan_data

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2030, 5, 3, 17, tzinfo=datetime.UTC)
HOST = "accord.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = f"https://{HOST}"


@pytest.fixture
def riverside(olga, mia):
    """Riverside, which olga coordinates, with mia as a member and a planned meeting."""
    alliance = Alliance.objects.get(slug="riverside-alliance")
    add_member(alliance, mia, Role.MEMBER)
    review = make_review(alliance, olga, name="Riverside review")
    return make_meeting(review, olga, agenda=["purpose"], starts_at=STARTS, place="Library")


@pytest.fixture
def meeting(review, fiona):
    return make_meeting(review, fiona, starts_at=STARTS, place="Town hall")


def uid(meeting) -> str:
    return f"meeting-{meeting.pk}@{HOST}"


def feed_token(user) -> str:
    return services.start_calendar_feed(user=user)


def read_feed(token, client=None):
    return (client or Client()).get(reverse("meetings:calendar", args=[token]))


def feed_of(user, token=None):
    response = read_feed(token or feed_token(user))
    assert response.status_code == 200
    return parse(response.content)


# What the feed holds


def test_the_feed_holds_the_meetings_of_every_alliance_the_person_belongs_to(
    mia, meeting, riverside
):
    feed = feed_of(mia)

    assert sorted(e["UID"] for e in feed.events) == sorted([uid(meeting), uid(riverside)])
    harvest = feed.event(uid(meeting))
    assert harvest["SUMMARY"] == "Harvest Alliance: Spring 2027 review"
    assert harvest["DTSTART"] == "20300503T170000Z"
    assert harvest["DTEND"] == "20300503T190000Z"
    assert harvest["LOCATION"] == "Town hall"
    assert harvest["STATUS"] == "CONFIRMED"
    assert harvest["SEQUENCE"] == "0"
    assert harvest["URL"] == f"https://{HOST}{meeting.get_absolute_url()}"
    assert harvest["DESCRIPTION"] == (
        "Agenda: Shared purpose, Shared power\n"
        f"Join in Accord: https://{HOST}{meeting.get_absolute_url()}"
    )
    assert feed.event(uid(riverside))["SUMMARY"] == "Riverside Alliance: Riverside review"


def test_the_feed_names_itself_and_asks_to_be_read_again(mia, meeting):
    feed = feed_of(mia)

    assert feed["X-WR-CALNAME"] == "Accord: meetings and commitments"
    assert feed["NAME"] == "Accord: meetings and commitments"
    assert feed["REFRESH-INTERVAL"] == "PT1H"
    assert feed.get("REFRESH-INTERVAL").params == {"VALUE": "DURATION"}
    assert feed["X-PUBLISHED-TTL"] == "PT1H"
    assert feed["METHOD"] == "PUBLISH"


def test_a_person_who_leaves_an_alliance_stops_seeing_its_meetings_at_once(mia, meeting, riverside):
    token = feed_token(mia)
    assert uid(riverside) in [e["UID"] for e in feed_of(mia, token).events]

    Membership.objects.filter(alliance=riverside.review.alliance, user=mia).delete()

    assert [e["UID"] for e in feed_of(mia, token).events] == [uid(meeting)]


def test_an_outsider_sees_no_meeting_of_an_alliance_they_are_not_in(olga, meeting, riverside):
    assert [e["UID"] for e in feed_of(olga).events] == [uid(riverside)]


def test_a_moved_meeting_keeps_its_uid_and_its_sequence_moves(mia, meeting, fiona):
    token = feed_token(mia)
    before = feed_of(mia, token).event(uid(meeting))

    services.update_plan(
        meeting=meeting, agenda=meeting.agenda, starts_at=STARTS + datetime.timedelta(days=7)
    )
    moved = feed_of(mia, token).event(uid(meeting))
    services.update_plan(meeting=meeting, agenda=["purpose"], duration_minutes=120)
    same_time = feed_of(mia, token).event(uid(meeting))
    services.update_plan(meeting=meeting, agenda=["purpose"], place="Library")
    elsewhere = feed_of(mia, token).event(uid(meeting))

    assert before["SEQUENCE"] == "0"
    assert moved["SEQUENCE"] == "1"
    assert moved["DTSTART"] == "20300510T170000Z"
    # Another agenda, the same length: what a calendar shows did not change.
    assert same_time["SEQUENCE"] == "1"
    assert elsewhere["SEQUENCE"] == "2"
    assert elsewhere["LOCATION"] == "Library"
    assert elsewhere["LAST-MODIFIED"] >= moved["LAST-MODIFIED"]


def test_moving_a_meeting_through_its_page_moves_its_sequence(client, people, meeting):
    client.force_login(people["fiona"])

    client.post(
        reverse("meetings:edit", args=[meeting.review.alliance.slug, meeting.pk]),
        plan_data(people, starts_at="2030-05-04T18:00", video_link="https://meet.example.org/a"),
    )

    meeting.refresh_from_db()
    assert meeting.calendar_sequence == 1
    event = feed_of(people["mia"]).event(uid(meeting))
    assert event["SEQUENCE"] == "1"
    assert "Video: https://meet.example.org/a" in event["DESCRIPTION"]


def test_a_cancelled_meeting_is_marked_cancelled_with_the_same_uid(mia, meeting, fiona):
    token = feed_token(mia)

    services.cancel(meeting=meeting, actor=fiona, reason="The hall is closed")

    event = feed_of(mia, token).event(uid(meeting))
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == "1"
    assert event["SUMMARY"] == "Cancelled: Harvest Alliance: Spring 2027 review"


def test_meetings_that_took_place_more_than_a_year_ago_leave_the_feed(mia, review, fiona):
    now = timezone.now()
    recent = make_meeting(review, fiona, starts_at=now - datetime.timedelta(days=300))
    old = make_meeting(review, fiona, starts_at=now - datetime.timedelta(days=400))
    old_but_planned = make_meeting(review, fiona, starts_at=now - datetime.timedelta(days=500))
    for held in (recent, old):
        services.start(meeting=held, actor=fiona)
        services.end(meeting=held, actor=fiona)

    feed = feed_of(mia)

    assert sorted(e["UID"] for e in feed.events) == sorted([uid(recent), uid(old_but_planned)])


def test_the_persons_open_commitments_are_all_day_events_with_a_link(
    mia, carol, review, kitchen, commitment, riverside
):
    make_commitment(review, "Already done", datetime.date(2027, 5, 1), owner=mia, status="done")
    make_commitment(review, "Carol's, not mia's", datetime.date(2027, 5, 2), owner=carol)
    elsewhere = make_commitment(
        riverside.review, "Lend the van", datetime.date(2027, 6, 1), owner=mia
    )

    feed = feed_of(mia)

    event = feed.event(f"commitment-{commitment.pk}@{HOST}")
    assert event["SUMMARY"] == "Due: Share the pantry schedule with every partner"
    assert event.get("DTSTART").params == {"VALUE": "DATE"}
    assert event["DTSTART"] == "20270430"
    assert event["DTEND"] == "20270501"
    assert event["TRANSP"] == "TRANSPARENT"
    link = f"https://{HOST}/a/harvest-alliance/commitments/{commitment.pk}/status/"
    assert event["URL"] == link
    assert event["DESCRIPTION"] == f"Harvest Alliance. Say where it stands: {link}"
    commitments = [e["UID"] for e in feed.events if e["UID"].startswith("commitment-")]
    assert commitments == [
        f"commitment-{commitment.pk}@{HOST}",
        f"commitment-{elsewhere.pk}@{HOST}",
    ]

    Membership.objects.filter(alliance=riverside.review.alliance, user=mia).delete()

    assert f"commitment-{elsewhere.pk}@{HOST}" not in [e["UID"] for e in feed_of(mia).events]


def test_an_edited_commitment_keeps_its_uid_and_its_sequence_moves(mia, commitment):
    Commitment.objects.filter(pk=commitment.pk).update(due_on=datetime.date(2027, 5, 15), version=3)

    event = feed_of(mia).event(f"commitment-{commitment.pk}@{HOST}")

    assert event["SEQUENCE"] == "2"
    assert event["DTSTART"] == "20270515"


def test_the_feed_shows_no_answer_and_nothing_an_observer_could_not_see(people, review, fiona):
    live = meeting_at_reflect(review, fiona)
    membership = Membership.objects.get(alliance=review.alliance, user=people["mia"])
    answer(membership, live.current.round, 2, q1="SECRET-ANSWER: we do not trust the board")
    token = feed_token(people["mia"])

    raw = read_feed(token).content
    observer, member = feed_of(people["otto"]), parse(raw)

    assert b"SECRET-ANSWER" not in raw
    # A meeting reads the same to an observer as to a member (but for when it was read).
    assert [_but_stamp(e) for e in observer.events] == [_but_stamp(e) for e in member.events]
    assert all("ATTENDEE" not in e and "ORGANIZER" not in e for e in member.events)


def _but_stamp(event):
    return [p for p in event.properties if p.name != "DTSTAMP"]


def test_a_spanish_readers_feed_is_in_spanish(mia, meeting):
    mia.language = "es"
    mia.save(update_fields=["language"])

    event = feed_of(mia).event(uid(meeting))

    # The framework's own translation names the agenda (the site's messages follow).
    assert "Propósito compartido" in event["DESCRIPTION"]


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_feed_reads_a_fixed_number_of_queries(
    django_assert_num_queries, mia, olga, review, fiona, commitment, size
):
    alliances = 1 if size == "small" else 4
    for n in range(alliances):
        alliance = make_alliance(olga, f"Alliance {n}")
        add_member(alliance, mia, Role.MEMBER)
        other = make_review(alliance, olga)
        for day in range(1 if size == "small" else 10):
            make_meeting(other, olga, agenda=["purpose"], starts_at=STARTS)
            make_commitment(other, f"Task {day}", datetime.date(2030, 1, 1 + day), owner=mia)
    token = feed_token(mia)
    client = Client()

    # The feed and its person, the meetings, the commitments.
    with django_assert_num_queries(3):
        response = read_feed(token, client)

    events = parse(response.content).events
    assert len(events) == (1 + 1 + 1 if size == "small" else 1 + 40 + 40)


# The feed's address


def test_the_feed_is_a_calendar_kept_only_by_whoever_asked_and_sets_no_cookie(mia, meeting):
    response = read_feed(feed_token(mia))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"private", "max-age=900"}
    assert response.cookies == {}
    assert not response.has_header("Set-Cookie")


def test_a_calendar_app_may_ask_for_the_headers_alone(mia):
    response = Client().head(reverse("meetings:calendar", args=[feed_token(mia)]))

    assert response.status_code == 200


@pytest.mark.parametrize("token", ["unknown", "x" * 43, "a" * 200])
def test_an_unknown_token_is_not_found_and_sets_no_cookie(mia, token):
    feed_token(mia)

    response = Client().get(f"/calendar/{token}.ics")

    assert response.status_code == 404
    assert response.cookies == {}


def test_a_new_address_works_and_the_old_one_is_not_found_at_once(mia, meeting):
    old = feed_token(mia)
    assert read_feed(old).status_code == 200

    new = feed_token(mia)

    assert read_feed(old).status_code == 404
    assert read_feed(new).status_code == 200
    assert CalendarFeed.objects.filter(user=mia).count() == 1


def test_a_stopped_feed_is_not_found(mia):
    token = feed_token(mia)

    assert services.stop_calendar_feed(user=mia) is True

    assert read_feed(token).status_code == 404
    assert services.stop_calendar_feed(user=mia) is False


def test_only_the_tokens_hash_is_kept(mia):
    token = feed_token(mia)

    kept = CalendarFeed.objects.get(user=mia).token_hash
    assert token not in kept
    assert len(token) >= 43  # 256 random bits
    assert kept == hashlib.sha256(token.encode()).hexdigest()


def test_the_feed_of_a_deactivated_account_is_not_found(mia):
    token = feed_token(mia)
    mia.is_active = False
    mia.save(update_fields=["is_active"])

    assert read_feed(token).status_code == 404


# The page that manages it


def feed_page(client):
    return client.get(reverse("meetings:calendar_feed"))


def test_the_profile_links_to_the_calendar_feed(client, mia):
    client.force_login(mia)

    response = client.get(reverse("accounts:profile"))

    assert reverse("meetings:calendar_feed") in pages.links(response)


def test_the_meetings_list_points_to_the_calendar_feed(client, people, review):
    client.force_login(people["otto"])

    response = client.get(reverse("meetings:list", args=[review.alliance.slug, review.pk]))

    assert reverse("meetings:calendar_feed") in pages.links(response)


def test_the_address_is_shown_once_and_works(client, mia, meeting):
    client.force_login(mia)
    assert "You have no calendar feed." in pages.text(feed_page(client))

    made = client.post(reverse("meetings:calendar_feed"), {"action": "new"}, follow=True)

    text = pages.text(made)
    assert pages.messages(made) == [
        "Your calendar feed has a new address; any earlier one is dead."
    ]
    (url,) = re.findall(r'id="feed-url" value="([^"]+)"', made.content.decode())
    assert url.startswith(f"https://{HOST}/calendar/") and url.endswith(".ics")
    assert "Copy it now: it will not be shown again." in text
    # Nor is it kept by the browser, to be shown again from its history on a shared device.
    assert "no-store" in made["Cache-Control"]
    assert f'href="webcal://{url.removeprefix("https://")}"' in made.content.decode()
    assert Client().get(url.removeprefix(f"https://{HOST}")).status_code == 200
    again = feed_page(client)
    assert url not in again.content.decode()
    assert "Your feed is on" in pages.text(again)


def test_a_new_address_from_the_page_stops_the_old_one(client, mia):
    client.force_login(mia)
    old = feed_token(mia)

    client.post(reverse("meetings:calendar_feed"), {"action": "new"})

    assert read_feed(old).status_code == 404
    assert CalendarFeed.objects.filter(user=mia).exists()


def test_stopping_the_feed_from_the_page(client, mia):
    client.force_login(mia)
    token = feed_token(mia)

    response = client.post(reverse("meetings:calendar_feed"), {"action": "stop"}, follow=True)

    assert pages.messages(response) == ["Your calendar feed is stopped; its address is dead."]
    assert read_feed(token).status_code == 404
    assert "You have no calendar feed." in pages.text(response)


def test_a_person_stops_only_their_own_feed(client, mia, carol):
    carols = feed_token(carol)
    feed_token(mia)
    client.force_login(mia)

    client.post(reverse("meetings:calendar_feed"), {"action": "stop"})
    client.post(reverse("meetings:calendar_feed"), {"action": "new", "user": carol.pk})

    assert read_feed(carols).status_code == 200
    assert CalendarFeed.objects.filter(user=carol).count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(mia):
    token = feed_token(mia)
    visitor = Client()

    for response in (
        visitor.get(reverse("meetings:calendar_feed")),
        visitor.post(reverse("meetings:calendar_feed"), {"action": "stop"}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert read_feed(token).status_code == 200


def test_the_page_refuses_a_post_without_its_csrf_token(mia):
    token = feed_token(mia)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(mia)

    for action in ("stop", "new"):
        response = browser.post(reverse("meetings:calendar_feed"), {"action": action})
        assert response.status_code == 403
    assert read_feed(token).status_code == 200


# Cancelling a meeting


@pytest.mark.parametrize("role", ["fiona", "carol"])
def test_whoever_may_facilitate_cancels_a_planned_meeting_and_the_log_says_who_and_why(
    people, meeting, role
):
    services.cancel(meeting=meeting, actor=people[role], reason="The hall is closed")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.get_status_display() == "cancelled"
    entry = LogEntry.objects.get(meeting=meeting, action="cancel")
    assert (entry.actor, entry.detail) == (people[role], "The hall is closed")


@pytest.mark.parametrize("role", ["mia", "otto", "olga"])
def test_nobody_else_cancels_a_meeting(people, meeting, role):
    with pytest.raises(MeetingError, match="Only a coordinator or a facilitator"):
        services.cancel(meeting=meeting, actor=people[role], reason="No")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.calendar_sequence == 0


def test_a_facilitator_demoted_since_the_page_was_drawn_cannot_cancel(people, meeting, alliance):
    Membership.objects.filter(alliance=alliance, user=people["fiona"]).update(role=Role.MEMBER)

    with pytest.raises(MeetingError):
        services.cancel(meeting=meeting, actor=people["fiona"], reason="No")


@pytest.mark.parametrize("state", ["live", "ended", "cancelled"])
def test_only_a_planned_meeting_can_be_cancelled(fiona, meeting, state):
    if state == "cancelled":
        services.cancel(meeting=meeting, actor=fiona, reason="First")
    else:
        services.start(meeting=meeting, actor=fiona)
    if state == "ended":
        services.end(meeting=meeting, actor=fiona)

    with pytest.raises(MeetingError, match="Only a meeting that has not started can be cancelled"):
        services.cancel(meeting=meeting, actor=fiona, reason="Again")

    assert Meeting.objects.get(pk=meeting.pk).status == state


def test_a_cancelled_meeting_cannot_be_started_changed_or_shown_on_a_projector(fiona, meeting):
    services.cancel(meeting=meeting, actor=fiona, reason="The hall is closed")

    with pytest.raises(MeetingError, match="This meeting is cancelled."):
        services.start(meeting=meeting, actor=fiona)
    with pytest.raises(MeetingError, match="Only a meeting that has not started can be changed"):
        services.update_plan(meeting=meeting, agenda=["purpose"], place="Library")
    with pytest.raises(MeetingError, match="This meeting is cancelled."):
        services.make_projector_link(meeting=meeting, actor=fiona)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED


def test_cancelling_stops_the_projector_link(client, fiona, meeting):
    token = services.make_projector_link(meeting=meeting, actor=fiona)
    assert client.get(reverse("meetings:projector", args=[token])).status_code == 200

    services.cancel(meeting=meeting, actor=fiona, reason="The hall is closed")

    assert client.get(reverse("meetings:projector", args=[token])).status_code == 404


def test_the_facilitator_cancels_from_the_meetings_page_after_saying_why(client, people, meeting):
    client.force_login(people["fiona"])
    page = client.get(meeting.get_absolute_url())
    cancel_url = reverse("meetings:cancel", args=[meeting.review.alliance.slug, meeting.pk])
    assert cancel_url in pages.links(page)

    empty = client.post(cancel_url, {"reason": "  "})
    assert empty.status_code == 200
    assert "Say why, in a few words: the people invited read it." in pages.text(empty)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED

    done = client.post(cancel_url, {"reason": "The hall is closed"}, follow=True)

    assert pages.messages(done) == ["The meeting is cancelled; everyone invited is told by email."]
    text = pages.text(done)
    assert "The meeting is cancelled." in text
    assert "Fiona Facilitator cancelled this meeting on " in text
    assert ": The hall is closed" in text
    assert "Start the meeting" not in text
    assert cancel_url not in pages.links(done)


def test_a_member_is_not_offered_the_cancellation(client, people, meeting):
    client.force_login(people["mia"])

    page = client.get(meeting.get_absolute_url())

    assert reverse("meetings:cancel", args=[meeting.review.alliance.slug, meeting.pk]) not in (
        pages.links(page)
    )


def test_the_meetings_list_says_cancelled_in_words(client, people, meeting, review):
    services.cancel(meeting=meeting, actor=people["fiona"], reason="The hall is closed")
    client.force_login(people["otto"])

    response = client.get(reverse("meetings:list", args=[review.alliance.slug, review.pk]))

    assert "cancelled" in pages.text(response)


def test_the_summary_log_says_who_cancelled_and_why(client, people, meeting):
    services.cancel(meeting=meeting, actor=people["fiona"], reason="The hall is closed")
    client.force_login(people["otto"])

    response = client.get(
        reverse("meetings:summary", args=[meeting.review.alliance.slug, meeting.pk])
    )

    assert "Fiona Facilitator cancelled the meeting: The hall is closed" in pages.text(response)


def test_everyone_in_the_alliance_is_emailed_the_cancellation_with_a_cancelling_ics(
    people, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = parse(calendar.ics(meeting)).event(uid(meeting))

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(meeting=meeting, actor=people["fiona"], reason="The hall is closed")

    assert sorted(to for email in mailoutbox for to in email.to) == [
        "carol@example.org",
        "fiona@example.org",
        "mia@example.org",
        "otto@example.org",
    ]
    email = next(e for e in mailoutbox if e.to == ["mia@example.org"])
    assert email.subject == "Cancelled: the meeting of Harvest Alliance, Spring 2027 review"
    assert "is cancelled." in email.body
    assert "Why: The hall is closed" in email.body
    ((filename, content, mimetype),) = email.attachments
    assert (filename, mimetype) == (f"accord-meeting-{meeting.pk}.ics", "text/calendar")
    cancelling = parse(content)
    assert cancelling["METHOD"] == "CANCEL"
    event = cancelling.event(uid(meeting))
    assert event["UID"] == invitation["UID"]
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(invitation["SEQUENCE"])
    assert event["ATTENDEE"] == "mailto:mia@example.org"
    assert event["ORGANIZER"] == "mailto:fiona@example.org"
    assert not Meeting.objects.get(pk=meeting.pk).not_emailed.exists()


def test_an_address_with_a_control_character_cannot_break_the_cancelling_file(people, meeting):
    # A quoted local part may hold a vertical tab or a form feed and still be a valid
    # address (RFC 5322), which some calendar readers take for the end of a line.
    fiona = people["fiona"]
    fiona.email = '"fiona\x0bEND:VEVENT"@example.org'
    fiona.save(update_fields=["email"])
    meeting.status = Meeting.Status.CANCELLED

    event = parse(calendar.cancellation_ics(meeting, people["mia"])).event(uid(meeting))

    assert event["ORGANIZER"] == 'mailto:"fionaEND:VEVENT"@example.org'
    assert event["ATTENDEE"] == "mailto:mia@example.org"


def test_a_spanish_reader_gets_the_cancellation_in_spanish(
    people, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    mia = people["mia"]
    mia.language = "es"
    mia.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(meeting=meeting, actor=people["fiona"], reason="Cerrado")

    email = next(e for e in mailoutbox if e.to == ["mia@example.org"])
    assert '<html lang="es"' in email.alternatives[0][0]
    ((_name, content, _type),) = email.attachments
    assert "Propósito compartido" in parse(content).event(uid(meeting))["DESCRIPTION"]


def test_a_meeting_cancelled_meanwhile_is_not_changed(people, meeting):
    stale = Meeting.objects.get(pk=meeting.pk)
    services.cancel(meeting=meeting, actor=people["fiona"], reason="The hall is closed")

    with pytest.raises(MeetingError):
        services.update_plan(meeting=stale, agenda=["purpose"], place="Library")

    assert Meeting.objects.get(pk=meeting.pk).place == "Town hall"


# The invitation's own file


def test_the_invitation_file_is_a_valid_calendar_with_its_sequence_and_status(meeting):
    event = parse(calendar.ics(meeting)).event(uid(meeting))

    assert (event["SEQUENCE"], event["STATUS"]) == ("0", "CONFIRMED")
    assert "ATTENDEE" not in event


def test_the_reader_refuses_what_a_calendar_could_misread():
    good = calendar.calendar([])
    parse(good)
    broken = {
        "bare LF": good.replace("\r\n", "\n"),
        "no version": good.replace("VERSION:2.0\r\n", ""),
        "long line": good.replace("CALSCALE:GREGORIAN", "X-LONG:" + "a" * 80),
        "unescaped comma": good.replace("CALSCALE:GREGORIAN", "NAME:a,b"),
        "unclosed": good.replace("END:VCALENDAR\r\n", ""),
        "event without uid": good.replace(
            "END:VCALENDAR",
            "BEGIN:VEVENT\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T000000Z\r\n"
            "END:VEVENT\r\nEND:VCALENDAR",
        ),
    }
    for name, text in broken.items():
        with pytest.raises(Invalid):
            parse(text)
            pytest.fail(name)


def test_many_members_each_get_their_own_cancelling_file(
    alliance, people, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    add_members(alliance, 5)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(meeting=meeting, actor=people["fiona"], reason="Closed")

    for email in mailoutbox:
        ((_name, content, _type),) = email.attachments
        assert parse(content).event(uid(meeting))["ATTENDEE"] == f"mailto:{email.to[0]}"
