"""The alliance's timeline (issue 8): reviews started and finished, meetings held, goals
added, achieved or dropped, and accomplishments, newest first and grouped by month, each
with a link to its page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliances.models import Membership
from meetings import services as meetings
from meetings.models import Meeting
from records import timeline
from reviews.services import start_review
from tests.backdating import add_goal, at, record_all, set_status
from tests.factories import make_accomplishment

D = datetime.date


def hold_meeting(review, fiona, day, *, end=True):
    """A meeting of `review` on shared purpose, started (and ended) on `day`."""
    meeting = meetings.plan_meeting(
        review=review, agenda=["purpose"], author=fiona, starts_at=at(day, 18), facilitator=fiona
    )
    meetings.start(meeting=meeting, actor=fiona)
    if end:
        meetings.end(meeting=meeting, actor=fiona)
    Meeting.objects.filter(pk=meeting.pk).update(started_at=at(day, 18))
    return meeting


@pytest.fixture
def story(alliance, fiona):
    """Spring 2026, finished on 20 May with one meeting held; Autumn 2026 started on
    15 September, with a meeting held, one still live and one only planned; goals added,
    achieved and dropped; two accomplishments."""
    spring = start_review(
        alliance=alliance, name="Spring 2026 review", started_on=D(2026, 3, 2), author=fiona
    )
    hold_meeting(spring, fiona, D(2026, 3, 2))
    record_all(
        spring,
        fiona,
        [
            D(2026, 3, 2),
            D(2026, 3, 16),
            D(2026, 4, 6),
            D(2026, 4, 20),
            D(2026, 5, 4),
            D(2026, 5, 20),
        ],
    )
    autumn = start_review(
        alliance=alliance, name="Autumn 2026 review", started_on=D(2026, 9, 15), author=fiona
    )
    held = hold_meeting(autumn, fiona, D(2026, 9, 15))
    live = hold_meeting(autumn, fiona, D(2026, 10, 13), end=False)
    meetings.plan_meeting(
        review=autumn,
        agenda=["purpose"],
        author=fiona,
        starts_at=at(D(2026, 12, 1), 18),
        facilitator=fiona,
    )
    helpline = add_goal(alliance, "One helpline number", "agreed", D(2026, 1, 10))
    set_status(helpline, "achieved", D(2026, 8, 17))
    drive = add_goal(alliance, "A holiday food drive", "agreed", D(2026, 1, 10))
    set_status(drive, "retired", D(2026, 9, 15))
    make_accomplishment(alliance, "Helpline on every flyer", D(2026, 8, 17), helpline)
    make_accomplishment(alliance, "Thursday pantry opened", D(2026, 10, 1))
    return {"spring": spring, "autumn": autumn, "held": held, "live": live}


def said(found):
    return [(e["day"], e["kind"], e["what"], e["title"]) for e in found]


def test_timeline_lists_everything_newest_first(story, alliance):
    assert said(timeline.events(alliance)) == [
        (D(2026, 10, 13), "meeting", "Live now", "Autumn 2026 review"),
        (D(2026, 10, 1), "accomplishment", "", "Thursday pantry opened"),
        (D(2026, 9, 15), "goal", "Dropped", "A holiday food drive"),
        (D(2026, 9, 15), "meeting", "Held", "Autumn 2026 review"),
        (D(2026, 9, 15), "review", "Started", "Autumn 2026 review"),
        (D(2026, 8, 17), "accomplishment", "", "Helpline on every flyer"),
        (D(2026, 8, 17), "goal", "Achieved", "One helpline number"),
        (
            D(2026, 5, 20),
            "review",
            "Finished, every component recorded",
            "Spring 2026 review",
        ),
        (D(2026, 3, 2), "meeting", "Held", "Spring 2026 review"),
        (D(2026, 3, 2), "review", "Started", "Spring 2026 review"),
        (D(2026, 1, 10), "goal", "Added", "One helpline number"),
        (D(2026, 1, 10), "goal", "Added", "A holiday food drive"),
    ]


def test_timeline_links_each_thing_to_its_page(story, alliance):
    slug = alliance.slug
    links = {(e["what"], e["title"]): e["url"] for e in timeline.events(alliance)}
    assert links[("Started", "Spring 2026 review")] == story["spring"].get_absolute_url()
    assert links[("Held", "Autumn 2026 review")] == reverse(
        "meetings:summary", args=[slug, story["held"].pk]
    )
    assert links[("Live now", "Autumn 2026 review")] == reverse(
        "meetings:detail", args=[slug, story["live"].pk]
    )
    assert links[("Achieved", "One helpline number")] == reverse("registers:goals", args=[slug])
    assert links[("", "Thursday pantry opened")] == reverse("registers:trust", args=[slug])


def test_timeline_groups_by_month(story, alliance):
    months = timeline.by_month(timeline.events(alliance))
    assert [(m["month"], len(m["events"])) for m in months] == [
        (D(2026, 10, 1), 2),
        (D(2026, 9, 1), 3),
        (D(2026, 8, 1), 2),
        (D(2026, 5, 1), 1),
        (D(2026, 3, 1), 2),
        (D(2026, 1, 1), 2),
    ]


def test_goal_history_reads_statuses_saved_in_any_language(alliance):
    goal = add_goal(alliance, "Summer meals", "agreed", D(2026, 1, 10))
    with translation.override("es"):
        set_status(goal, "retired", D(2026, 6, 1))
    (history,) = timeline.goal_histories(alliance)
    assert history.statuses == ((D(2026, 1, 10), "agreed"), (D(2026, 6, 1), "retired"))
    assert history.status_on(D(2026, 1, 9)) is None
    assert history.status_on(D(2026, 5, 31)) == "agreed"
    assert history.status_on(D(2026, 6, 1)) == "retired"


def test_goal_without_history_is_read_as_it_is(alliance):
    from registers.models import Goal

    goal = Goal.objects.create(
        alliance=alliance, statement="Old goal", status="achieved", created_at=at(D(2025, 1, 1))
    )
    (history,) = timeline.goal_histories(alliance)
    assert history.goal == goal
    assert history.status_on(D(2026, 1, 1)) == "achieved"
    # Without history, when it was achieved is unknown: only its adding is on the timeline.
    assert said(timeline.events(alliance)) == [(D(2025, 1, 1), "goal", "Added", "Old goal")]


def test_timeline_page(client, story, alliance, otto):
    client.force_login(otto)
    response = client.get(reverse("reviews:timeline", args=[alliance.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="month-2026-10">October 2026</h2>' in html
    assert '<time datetime="2026-09-15">Sept. 15, 2026</time>' in html
    assert '<span class="timeline__kind">Goal</span>' in html
    assert f'<a href="{story["spring"].get_absolute_url()}">Spring 2026 review</a>' in html
    assert "Finished, every component recorded" in html
    # The meeting planned for December was not held: it is not on the timeline.
    assert html.count('<span class="timeline__kind">Meeting</span>') == 3


def test_timeline_page_of_a_new_alliance(client, alliance, carol):
    client.force_login(carol)
    response = client.get(reverse("reviews:timeline", args=[alliance.slug]))
    assert response.status_code == 200
    assert "Nothing yet." in response.content.decode()


def test_timeline_outsider_gets_404(client, story, alliance, olga):
    client.force_login(olga)
    assert client.get(reverse("reviews:timeline", args=[alliance.slug])).status_code == 404


def test_timeline_anonymous_is_sent_to_sign_in(client, alliance):
    response = client.get(reverse("reviews:timeline", args=[alliance.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_timeline_refuses_post(client, alliance, carol):
    client.force_login(carol)
    assert client.post(reverse("reviews:timeline", args=[alliance.slug])).status_code == 405


def test_timeline_never_shows_another_alliance(client, story, alliance, carol, olga):
    riverside = Membership.objects.get(user=olga).alliance
    add_goal(riverside, "Their goal", "agreed", D(2026, 2, 1))
    make_accomplishment(riverside, "Their accomplishment", D(2026, 2, 1))
    start_review(alliance=riverside, name="Their review", started_on=D(2026, 2, 1), author=olga)
    titles = {e["title"] for e in timeline.events(alliance)}
    assert not titles & {"Their goal", "Their accomplishment", "Their review"}


# Query count: the same for a short history and a long one

# session, user, membership, alliance switcher, live meetings (the banner); reviews,
# meetings, goals, goals' history, accomplishments
TIMELINE_QUERIES = 10


@pytest.fixture(params=[1, 10], ids=["small", "ten-times"])
def long_story(request, story, alliance, fiona):
    for n in range(request.param):
        review = start_review(
            alliance=alliance,
            name=f"Review {n}",
            started_on=D(2020, 1, 1) + datetime.timedelta(days=n),
            author=fiona,
        )
        hold_meeting(review, fiona, D(2020, 1, 1) + datetime.timedelta(days=n))
        record_all(review, fiona, [D(2020, 2, 1)] * 6)
        goal = add_goal(alliance, f"Goal {n}", "agreed", D(2020, 1, 1))
        set_status(goal, "achieved", D(2021, 1, 1))
        make_accomplishment(alliance, f"Accomplishment {n}", D(2021, 1, 1), goal)
    return request.param


def test_timeline_query_count_is_fixed(
    client, long_story, alliance, carol, django_assert_num_queries
):
    client.force_login(carol)
    with django_assert_num_queries(TIMELINE_QUERIES):
        response = client.get(reverse("reviews:timeline", args=[alliance.slug]))
    assert response.status_code == 200
    # Each older review: started, a meeting, finished, a goal added and achieved, and an
    # accomplishment; on top of the twelve events of the story.
    assert sum(len(m["events"]) for m in response.context["months"]) == 12 + 6 * long_story


def test_timeline_uses_the_sites_time_zone(settings, alliance, fiona):
    """A meeting that started late in the evening in the alliance's time zone is on that
    day, not on the next day in UTC."""
    settings.TIME_ZONE = "America/Chicago"
    review = start_review(alliance=alliance, name="Review", started_on=D(2026, 3, 2), author=fiona)
    meeting = hold_meeting(review, fiona, D(2026, 3, 2))
    with timezone.override("America/Chicago"):
        Meeting.objects.filter(pk=meeting.pk).update(started_at=at(D(2026, 3, 2), 21))
        events = timeline.events(alliance)
    assert (D(2026, 3, 2), "meeting") in [(e["day"], e["kind"]) for e in events]
