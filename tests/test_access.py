"""Who may use each view, in one matrix.

Every view of an alliance is listed once with how to reach it, the methods it accepts and
the ability it needs. From that one list the tests check, for each view: an anonymous
visitor is sent to sign in, an outsider gets 404, each role without the ability gets 403
naming the role that would have it, a wrong method gets 405, and each role with the
ability is served. A test also checks that the list covers every view, so that a new view
cannot be added without saying who may use it.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import URLResolver, get_resolver, reverse

from alliances import rules
from alliances.access import ABILITIES
from alliances.models import Alliance, Invitation, Membership, Partner, Role
from history.services import create_with_history
from meetings import services as meetings
from meetings.models import Meeting
from reviews.models import Commitment, ComponentRecord
from reviews.services import start_review
from tests import pages
from tests.access_matrix import (
    EVERYONE,
    GET,
    MAY,
    MEMBERS,
    POST,
    VIEWS,
    refusal,
    send_request,
)
from tests.factories import make_invitation, make_partner

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _cases(select):
    """One pytest parameter per (view, extra...) that `select` yields for each view."""
    return [
        pytest.param(view, *extra, id="-".join([view.name, *map(str, extra)]))
        for view in VIEWS
        for extra in select(view)
    ]


# Views anyone may open: signing in, resetting a password, an invitation link, health.
PUBLIC = {
    "healthz",
    "invitation",
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:signup_finish",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "set_language",
    # The digest's stop link: its signature is the key (tests/test_digest.py).
    "accounts:digest_stop",
    # The room's screen: its secret link is the key (tests/test_meetings.py).
    "meetings:projector",
    "meetings:projector_state",
    # A person's calendar feed: its secret address is the key, as a calendar app has no
    # session (tests/test_calendar_feed.py).
    "meetings:calendar",
    # How a meeting works: the same for everyone, linked from the invitation email.
    "meetings:how",
    # The indicators API: a token, not a session, is its key, and its schema is for anyone
    # (tests/test_api.py checks who may call it).
    "indicators:api_indicators",
    "indicators:api_values",
    "indicators:openapi",
    # What an alliance published with its partners' consent: a secret link, or the public
    # page and its embeds when the coordinator turned it on (tests/test_publishing.py).
    "publishing:shared",
    "publishing:public",
    "publishing:embed_svg",
    "publishing:embed_card",
}


def _view_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _view_names(pattern, inner)
        elif pattern.name:
            yield namespace + pattern.name


def test_matrix_covers_every_view():
    names = {name for name in _view_names(get_resolver()) if not name.startswith("admin:")}
    listed = [view.name for view in VIEWS]
    # A view missing here has nobody saying who may use it: add it to VIEWS.
    assert sorted(names - PUBLIC - set(listed)) == []
    # A row for a view that no longer exists, or a view listed twice.
    assert sorted(set(listed) - names) == []
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize(
    "ability",
    ["coordinate", "facilitate", "write", "answer", "consent", "steer", "hand_over", "take_notes"],
)
def test_rules_allow_whom_the_matrix_says(ctx, ability):
    """The rules themselves (alliances/rules.py) agree with the matrix, role by role."""
    rule = rules.RULES[ability]
    meeting = Meeting.objects.select_related("review").get(pk=ctx.live.pk)
    objects = () if ability in ABILITIES else (meeting,)

    allowed = {
        role
        for role in MEMBERS
        if rule.allows(
            Membership.objects.get(alliance=ctx.alliance, user=ctx.people[role]), *objects
        )
    }

    assert allowed == MAY[ability]
    assert rule.allows(None, *objects) is False  # no membership, no right


@pytest.mark.parametrize(("view", "method"), _cases(lambda view: [(m,) for m in view.methods]))
def test_view_sends_anonymous_visitor_to_sign_in(client, ctx, view, method):
    path = view.path(ctx)

    response = send_request(client, method, path)

    assert response.status_code == 302
    assert response.url == f"/accounts/sign-in/?next={path}"


@pytest.mark.parametrize(
    ("view", "method"),
    _cases(lambda view: [(m,) for m in view.methods] if view.ability != "signed_in" else []),
)
def test_view_is_not_found_for_outsider(client, ctx, view, method):
    client.force_login(ctx.people["olga"])

    response = send_request(client, method, view.path(ctx), view.post(ctx) if view.post else None)

    assert response.status_code == 404
    assert "This page does not exist" in pages.text(response)


@pytest.mark.parametrize(
    ("view", "role", "method"),
    _cases(
        lambda view: [
            (role, method)
            for role in MEMBERS
            if role not in MAY[view.ability]
            for method in view.methods
        ]
    ),
)
def test_view_refuses_role_without_the_ability(client, ctx, view, role, method):
    if view.prepare:
        view.prepare(ctx)
    client.force_login(ctx.people[role])

    response = send_request(client, method, view.path(ctx), view.post(ctx) if view.post else None)

    assert response.status_code == 403
    page = pages.text(response)
    assert "Your role does not allow this" in page
    assert refusal(view.ability, role) in page


@pytest.mark.parametrize(
    ("view", "method"),
    _cases(
        lambda view: [
            (m,) for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m not in view.methods
        ]
    ),
)
def test_view_refuses_wrong_method(client, ctx, view, method):
    client.force_login(ctx.people["carol"])

    response = send_request(client, method, view.path(ctx))

    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == sorted(view.methods)


@pytest.mark.parametrize(
    ("view", "role", "method"),
    _cases(
        lambda view: [
            (role, method)
            for role in EVERYONE
            if role in MAY[view.ability]
            for method in view.methods
        ]
    ),
)
def test_view_serves_role_with_the_ability(client, ctx, view, role, method):
    if view.prepare:
        view.prepare(ctx)
    client.force_login(ctx.people[role])

    response = send_request(client, method, view.path(ctx), view.post(ctx) if view.post else None)

    if method == GET:
        assert response.status_code == view.get_status
    else:
        assert response.status_code == 302
        assert response.url == view.done(ctx)


# Another alliance's objects, named inside a URL of the alliance carol coordinates.


@pytest.fixture
def riverside(olga):
    alliance = Alliance.objects.get(slug="riverside-alliance")
    partner = make_partner(alliance, "Riverside Housing")
    review = start_review(
        alliance=alliance,
        name="Riverside review",
        started_on=datetime.date(2027, 2, 1),
        author=olga,
    )
    commitment = Commitment(
        alliance=alliance,
        review=review,
        component_key="purpose",
        description="Map the empty flats",
        partner=partner,
        owner=olga,
        due_on=datetime.date(2027, 5, 1),
        created_by=olga,
    )
    create_with_history(commitment, alliance=alliance, author=olga)
    invitation, _ = make_invitation(alliance, "rita@example.org", Role.MEMBER, partner, olga)
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=olga,
        starts_at=datetime.datetime(2027, 5, 1, 17, tzinfo=datetime.UTC),
        facilitator=olga,
    )
    meetings.start(meeting=meeting, actor=olga)
    return SimpleNamespace(
        meeting=meeting,
        alliance=alliance,
        partner=partner,
        review=review,
        commitment=commitment,
        invitation=invitation,
        membership=Membership.objects.get(alliance=alliance, user=olga),
    )


def _riverside_state(riverside) -> dict:
    """Everything a wrongly scoped request could change in Riverside."""
    return {
        "partner": Partner.objects.get(pk=riverside.partner.pk).name,
        "membership": Membership.objects.get(pk=riverside.membership.pk).role,
        "invitation": Invitation.objects.get(pk=riverside.invitation.pk).state,
        "commitment": Commitment.objects.get(pk=riverside.commitment.pk).description,
        "records": list(
            ComponentRecord.objects.filter(review=riverside.review).values_list(
                "component_key", "state", "notes"
            )
        ),
        "commitments": Commitment.objects.filter(alliance=riverside.alliance).count(),
        "meeting": Meeting.objects.filter(pk=riverside.meeting.pk).values().get(),
    }


HARVEST = "harvest-alliance"

FOREIGN = [
    ("alliances:partner_edit", GET, lambda r: [HARVEST, r.partner.pk]),
    ("alliances:partner_edit", POST, lambda r: [HARVEST, r.partner.pk]),
    ("alliances:member_edit", GET, lambda r: [HARVEST, r.membership.pk]),
    ("alliances:member_edit", POST, lambda r: [HARVEST, r.membership.pk]),
    ("alliances:revoke", POST, lambda r: [HARVEST, r.invitation.pk]),
    ("alliances:history", GET, lambda r: [HARVEST, "alliances.alliance", r.alliance.pk]),
    ("alliances:history", GET, lambda r: [HARVEST, "alliances.partner", r.partner.pk]),
    ("alliances:history", GET, lambda r: [HARVEST, "reviews.review", r.review.pk]),
    ("reviews:detail", GET, lambda r: [HARVEST, r.review.pk]),
    ("reviews:report", GET, lambda r: [HARVEST, r.review.pk]),
    ("reviews:report_pdf", GET, lambda r: [HARVEST, r.review.pk]),
    ("reviews:export_json", GET, lambda r: [HARVEST, r.review.pk]),
    ("reviews:export_csv", GET, lambda r: [HARVEST, r.review.pk]),
    ("reviews:component", GET, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:record_edit", GET, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:record_edit", POST, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:open", POST, lambda r: [HARVEST, r.review.pk, "power"]),
    ("reviews:record", POST, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:reopen", POST, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:commitment_create", GET, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:commitment_create", POST, lambda r: [HARVEST, r.review.pk, "purpose"]),
    ("reviews:commitment_edit", GET, lambda r: [HARVEST, r.commitment.pk]),
    ("reviews:commitment_edit", POST, lambda r: [HARVEST, r.commitment.pk]),
    ("reviews:commitment_status", GET, lambda r: [HARVEST, r.commitment.pk]),
    ("reviews:commitment_status", POST, lambda r: [HARVEST, r.commitment.pk]),
    ("meetings:list", GET, lambda r: [HARVEST, r.review.pk]),
    ("meetings:plan", POST, lambda r: [HARVEST, r.review.pk]),
    ("meetings:detail", GET, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:state", GET, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:summary", GET, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:command", POST, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:notes", POST, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:projector_link", POST, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:cancel", GET, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:cancel", POST, lambda r: [HARVEST, r.meeting.pk]),
    ("meetings:commitment_status", POST, lambda r: [HARVEST, r.meeting.pk, r.commitment.pk]),
]

FOREIGN_POST = {
    "description": "Changed from Harvest",
    "due_on": "2027-06-30",
    "status": "done",
    "notes": "Changed from Harvest",
    "name": "Changed from Harvest",
    "role": "observer",
    "reason": "Changed from Harvest",
    "command": "advance",
    "starts_at": "2027-05-03T17:00",
    "duration_minutes": "60",
    "agenda": ["purpose"],
}


@pytest.mark.parametrize(
    ("name", "method", "args"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{n}") for n, case in enumerate(FOREIGN)],
)
def test_view_hides_object_of_another_alliance(client, ctx, riverside, name, method, args):
    client.force_login(ctx.people["carol"])
    before = _riverside_state(riverside)

    response = send_request(client, method, reverse(name, args=args(riverside)), FOREIGN_POST)

    assert response.status_code == 404
    assert _riverside_state(riverside) == before


@pytest.mark.parametrize(
    "path",
    [
        f"/a/{HARVEST}/reviews/{{review}}/budget/",
        f"/a/{HARVEST}/history/alliances.nothing/{{alliance}}/",
        f"/a/{HARVEST}/history/nonsense/{{alliance}}/",
        f"/a/{HARVEST}/reviews/999999/",
        "/a/no-such-alliance/",
    ],
)
def test_view_of_unknown_object_is_not_found(client, ctx, path):
    client.force_login(ctx.people["carol"])

    response = client.get(path.format(review=ctx.review.pk, alliance=ctx.alliance.pk))

    assert response.status_code == 404
