"""Help for a first-time facilitator, inside the product: a guide for every phase of every
component (what to do, what to say, about how long, what to watch for), shown to those who
facilitate on the meeting's plan and never to the other members; and "How a meeting
works", a page for participants that needs no sign-in and that the invitation links to.

As in test_meetings.py, fiona facilitates, mia is a member, otto observes, carol
coordinates and olga belongs to another alliance.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from alliances.models import Alliance
from meetings import calendar, services
from meetings.guide import (
    COMPONENT_KINDS,
    KINDS,
    agenda_plan_guide,
    guide_for,
    meeting_plan_guide,
)
from meetings.models import Meeting, Phase
from reviews.framework import framework
from reviews.services import start_review
from tests import pages

pytestmark = pytest.mark.usefixtures("fast_passwords")

STARTS = datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC)
KEYS = framework().keys()
HOW = "/help/meetings/"

# The default agenda (purpose and power): an opening of 10, then for each component
# introduce 5, reflect 7, reveal 8, discuss 20 and record 10, and a closing of 5.
DEFAULT_AGENDA_MINUTES = 10 + 2 * (5 + 7 + 8 + 20 + 10) + 5

# Each page: session, user, membership (with its alliance), the alliance switcher;
# + the meeting, its phases in one query, and the alliance's live meetings (the banner).
GUIDE_PAGE_QUERIES = 7
# Signed in: session, user, the alliance switcher; not signed in, none at all.
HOW_PAGE_QUERIES = 3


@pytest.fixture
def meeting(people, review):
    return services.plan_meeting(
        review=review,
        agenda=services.default_agenda(review),
        author=people["fiona"],
        starts_at=STARTS,
        facilitator=people["fiona"],
        recorder=people["mia"],
    )


def guide_url(meeting) -> str:
    return reverse("meetings:guide", args=[meeting.review.alliance.slug, meeting.pk])


def summaries(response) -> list[str]:
    """The text of each guide's summary on the page, in order."""
    found = re.findall(
        r'<summary class="guide__summary">(.*?)</summary>', response.content.decode(), re.S
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", s).split()) for s in found]


def lines(guide) -> list[str]:
    return [str(line) for line in (*guide.do, *guide.say)] + [
        str(part) for watch in guide.watch for part in (watch.sign, watch.response)
    ]


# The guides


EVERY_PHASE = [(Phase.Kind.OPENING, ""), (Phase.Kind.CLOSING, "")] + [
    (kind, key) for kind in COMPONENT_KINDS for key in KEYS
]


@pytest.mark.parametrize(("kind", "key"), EVERY_PHASE, ids=lambda v: str(v) or "none")
def test_every_phase_of_every_component_has_a_full_guide(kind, key):
    guide = guide_for(kind, key)

    assert guide.do and guide.say and guide.watch
    assert all(line.strip() for line in lines(guide))
    assert isinstance(guide.minutes, int) and 1 <= guide.minutes <= 60
    assert guide.kind == kind and guide.component_key == key


def test_the_kinds_and_the_framework_are_all_covered():
    assert set(KINDS) == set(Phase.Kind)
    assert len(KEYS) == 6


@pytest.mark.parametrize("kind", [Phase.Kind.INTRODUCE, Phase.Kind.REFLECT, Phase.Kind.DISCUSS])
@pytest.mark.parametrize("key", KEYS)
def test_introduce_reflect_and_discuss_have_advice_of_their_own_for_each_component(kind, key):
    general = set(lines(guide_for(kind, "")))

    own = [line for line in lines(guide_for(kind, key)) if line not in general]

    assert own, f"{kind} of {key} says nothing that its kind does not say everywhere"


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("power", "smaller partners"),
        ("interdependence", "dependency register"),
        ("indicators", "anecdotes"),
        ("purpose", "goals register"),
        ("trust", "ranking of partners"),
        ("control", "agreements register"),
    ],
)
def test_the_discussion_of_each_component_points_at_what_matters_for_it(key, words):
    assert words in " ".join(lines(guide_for(Phase.Kind.DISCUSS, key)))
    assert words not in " ".join(lines(guide_for(Phase.Kind.DISCUSS, "")))


def test_a_component_guide_puts_its_own_signs_first_and_keeps_the_general_ones():
    general = guide_for(Phase.Kind.DISCUSS, "")
    power = guide_for(Phase.Kind.DISCUSS, "power")

    assert str(power.watch[0].sign) == "When the smaller partners stay quiet"
    assert power.watch[-len(general.watch) :] == general.watch
    assert power.do[: len(general.do)] == general.do


def test_the_reveal_says_what_to_do_when_ratings_are_spread_wide():
    signs = [str(w.sign) for w in guide_for(Phase.Kind.REVEAL, "trust").watch]

    assert "When ratings are spread wide" in signs


def test_the_opening_and_closing_take_no_component_advice():
    assert guide_for(Phase.Kind.OPENING, "purpose") == guide_for(Phase.Kind.OPENING, "")
    assert guide_for(Phase.Kind.CLOSING, "trust").component_key == ""


def test_a_component_the_guide_does_not_know_gets_its_kinds_advice():
    """A framework file that grew a seventh component must not break the meeting."""
    guide = guide_for(Phase.Kind.DISCUSS, "newcomer")

    assert guide.do == KINDS[Phase.Kind.DISCUSS].do
    assert guide.minutes == 20


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        guide_for("lunch", "")


def test_a_guide_is_titled_by_its_component_and_phase():
    assert guide_for("reflect", "purpose").title == "Shared purpose: Reflect"
    assert guide_for("opening").title == "Opening: commitments"


# The plan


def test_the_meetings_plan_lists_each_phase_with_its_guide_and_adds_up_the_time(meeting):
    plan = meeting_plan_guide(meeting)

    assert [(s.phase.kind, s.phase.component_key) for s in plan.steps] == list(
        meeting.phases.values_list("kind", "component_key")
    )
    assert [s.guide for s in plan.steps] == [
        guide_for(s.phase.kind, s.phase.component_key) for s in plan.steps
    ]
    assert plan.minutes == DEFAULT_AGENDA_MINUTES == 115
    assert (plan.planned_minutes, plan.spare, plan.over_by) == (120, 5, 0)


def test_a_plan_longer_than_the_meeting_says_by_how_much(meeting):
    meeting.duration_minutes = 90
    meeting.save()

    plan = meeting_plan_guide(meeting)

    assert (plan.over_by, plan.spare) == (25, 0)


def test_the_plan_of_an_agenda_not_saved_yet_follows_the_framework_order():
    plan = agenda_plan_guide(["power", "no-such-component", "purpose"], 120)

    assert [(s.guide.kind, s.guide.component_key) for s in plan.steps] == [
        ("opening", ""),
        *[(str(kind), "purpose") for kind in COMPONENT_KINDS],
        *[(str(kind), "power") for kind in COMPONENT_KINDS],
        ("closing", ""),
    ]
    assert plan.minutes == DEFAULT_AGENDA_MINUTES
    assert all(s.phase is None for s in plan.steps)


def test_the_plan_of_one_component_with_a_longer_discussion(review):
    plan = agenda_plan_guide(["indicators"], 60)

    assert plan.minutes == 10 + (5 + 8 + 8 + 25 + 10) + 5
    assert plan.over_by == 11


# The planning page and the edit page


def test_planning_page_shows_the_facilitator_the_plan_of_the_proposed_agenda(client, fiona, review):
    client.force_login(fiona)

    response = client.get(reverse("meetings:plan", args=[review.alliance.slug, review.pk]))

    assert response.status_code == 200
    text = pages.text(response)
    assert "The plan: each phase, its time and your guide" in text
    assert "The agenda is likely to take about 115 minutes." in text
    assert "leaves about 5 minutes for arrivals and a break" in text
    assert summaries(response) == [
        "Opening: commitments — about 10 minutes",
        "Shared purpose: Introduce — about 5 minutes",
        "Shared purpose: Reflect — about 7 minutes",
        "Shared purpose: Reveal — about 8 minutes",
        "Shared purpose: Discuss — about 20 minutes",
        "Shared purpose: Record — about 10 minutes",
        "Shared power: Introduce — about 5 minutes",
        "Shared power: Reflect — about 7 minutes",
        "Shared power: Reveal — about 8 minutes",
        "Shared power: Discuss — about 20 minutes",
        "Shared power: Record — about 10 minutes",
        "Closing — about 5 minutes",
    ]
    # Collapsed until opened, and each with its three parts.
    html = response.content.decode()
    assert html.count('<details class="guide">') == 12
    assert html.count('<h3 class="guide__heading">What to do</h3>') == 12
    assert "Watch for" in text and "What to say, in your own words" in text
    assert HOW in pages.links(response)


def test_planning_page_sent_back_with_an_error_plans_the_agenda_that_was_sent(
    client, fiona, review
):
    client.force_login(fiona)

    response = client.post(
        reverse("meetings:plan", args=[review.alliance.slug, review.pk]),
        {"agenda": ["indicators"], "duration_minutes": "60", "facilitator": fiona.pk},
    )

    assert response.status_code == 200  # no date, and indicators out of order
    assert not Meeting.objects.exists()
    assert summaries(response)[1] == "Shared indicators of progress: Introduce — about 5 minutes"
    assert "The plan follows the agenda you sent." in pages.text(response)
    assert (
        "That is 11 minutes more than the 60 planned: take fewer components, or plan a "
        "longer meeting." in pages.text(response)
    )


def test_edit_page_shows_the_plan_as_saved(client, fiona, meeting):
    client.force_login(fiona)

    response = client.get(reverse("meetings:edit", args=[meeting.review.alliance.slug, meeting.pk]))

    assert response.status_code == 200
    assert len(summaries(response)) == meeting.phases.count() == 12
    assert "The plan follows the agenda as saved" in pages.text(response)
    assert guide_url(meeting) in pages.links(response)


@pytest.mark.parametrize(("who", "status"), [("mia", 403), ("otto", 403), ("olga", 404)])
def test_planning_and_edit_pages_and_their_guides_are_refused_to_others(
    client, people, meeting, who, status
):
    client.force_login(people[who])
    slug = meeting.review.alliance.slug

    for path in (
        reverse("meetings:plan", args=[slug, meeting.review.pk]),
        reverse("meetings:edit", args=[slug, meeting.pk]),
        guide_url(meeting),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert 'class="guide' not in response.content.decode()


# The plan, read-only


def test_guide_page_shows_the_facilitator_every_phase_and_its_guide(client, fiona, meeting):
    client.force_login(fiona)

    response = client.get(guide_url(meeting))

    assert response.status_code == 200
    text = pages.text(response)
    assert "The plan and your guide" in text
    assert "planned for 120 minutes" in text
    assert len(summaries(response)) == 12
    assert "When the smaller partners stay quiet" in text  # shared power's discussion
    assert reverse("meetings:edit", args=[meeting.review.alliance.slug, meeting.pk]) in (
        pages.links(response)
    )


def test_guide_page_of_a_live_meeting_offers_no_change_of_plan(client, fiona, meeting):
    services.start(meeting=meeting, actor=fiona)
    client.force_login(fiona)

    response = client.get(guide_url(meeting))

    assert response.status_code == 200
    assert "Go to the live meeting" in pages.text(response)
    assert "Change the plan" not in pages.text(response)


def test_guide_page_is_open_to_a_coordinator_who_does_not_lead_this_meeting(client, carol, meeting):
    client.force_login(carol)

    assert client.get(guide_url(meeting)).status_code == 200


def test_guide_page_of_another_alliances_meeting_is_not_found(client, fiona, olga, meeting):
    riverside = Alliance.objects.get(name="Riverside Alliance")
    theirs = services.plan_meeting(
        review=start_review(
            alliance=riverside, name="Housing review", started_on=STARTS.date(), author=olga
        ),
        agenda=["purpose"],
        author=olga,
        starts_at=STARTS,
        facilitator=olga,
    )
    client.force_login(fiona)

    path = reverse("meetings:guide", args=[meeting.review.alliance.slug, theirs.pk])
    assert client.get(path).status_code == 404


def test_guide_page_refuses_post(client, fiona, meeting):
    client.force_login(fiona)

    assert client.post(guide_url(meeting)).status_code == 405


@pytest.mark.parametrize("agenda", [["purpose"], ["purpose", "power", "interdependence"]])
def test_guide_page_query_count_does_not_grow_with_the_agenda(
    client, fiona, review, agenda, django_assert_num_queries
):
    meeting = services.plan_meeting(
        review=review, agenda=agenda, author=fiona, starts_at=STARTS, facilitator=fiona
    )
    client.force_login(fiona)
    client.get(guide_url(meeting))  # the session's first visit may write

    with django_assert_num_queries(GUIDE_PAGE_QUERIES):
        response = client.get(guide_url(meeting))

    assert len(summaries(response)) == 2 + 5 * len(agenda)


def test_meeting_list_links_each_meetings_guide_for_facilitators_only(client, people, meeting):
    path = reverse("meetings:list", args=[meeting.review.alliance.slug, meeting.review.pk])
    client.force_login(people["fiona"])
    assert guide_url(meeting) in pages.links(client.get(path))

    client.force_login(people["mia"])
    response = client.get(path)
    assert guide_url(meeting) not in pages.links(response)
    assert HOW in pages.links(response)


# The live console's include


def test_the_console_guide_names_its_phase_and_opens_on_demand():
    html = render_to_string("meetings/_guide.html", {"guide": guide_for("reflect", "trust")})

    assert html.count("<details") == 1
    assert '<details class="guide">' in html  # closed until the facilitator opens it
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", " ", summary).split()) == (
        "Guide for this phase (Mutual respect and trust: Reflect): what to do and say "
        "— about 10 minutes"
    )
    assert "confidence rating for each goal" in html


def test_the_guides_text_is_escaped():
    """The guide is our own text, but a translation is text too: it must not become markup."""
    from meetings.guide import Guide, Watch

    guide = Guide("reveal", "", ("<b>do</b>",), ("say",), (Watch("<i>sign</i>", "then"),), 3)

    html = render_to_string("meetings/_guide.html", {"guide": guide})

    assert "&lt;b&gt;do&lt;/b&gt;" in html and "<b>" not in html
    assert "&lt;i&gt;sign&lt;/i&gt;" in html


# How a meeting works


def test_how_page_needs_no_sign_in_and_explains_the_meeting(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(HOW)

    assert response.status_code == 200
    text = pages.text(response)
    for heading in (
        "How a meeting works",
        "Joining from your phone",
        "The phases",
        "Private answers",
        "What the room's screen shows",
        "If the network drops",
    ):
        assert f"{heading}" in text
    for kind in Phase.Kind:
        assert str(kind.label) in text
    assert "never fewer than 3" in text
    assert "sent when the connection returns" in text


def test_how_page_signed_in_keeps_its_query_count(client, mia, django_assert_num_queries):
    client.force_login(mia)
    client.get(HOW)

    with django_assert_num_queries(HOW_PAGE_QUERIES):
        assert client.get(HOW).status_code == 200


def test_how_page_refuses_post(client, db):
    assert client.post(HOW).status_code == 405


def test_how_page_is_linked_from_every_pages_footer(client, db):
    response = client.get(reverse("accounts:login"))

    assert HOW in pages.links(response)


def test_the_invitation_email_links_how_a_meeting_works_and_the_link_opens(
    client, people, meeting, mailoutbox
):
    calendar.email_invitations(meeting)

    assert len(mailoutbox) == 4  # carol, fiona, mia, otto
    link = settings.SITE_URL + HOW
    for message in mailoutbox:
        assert f"How a meeting works, in two minutes:\n{link}\n" in message.body
        assert message.body.index(meeting.get_absolute_url()) < message.body.index(link)
    client.logout()
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
