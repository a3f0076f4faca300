"""One way to make each kind of row in a test: `make_<model>` (or `add_<people>` for
memberships), with keyword defaults, through the application's own services, so a test's
data has the revisions and side rows the pages would have written (one exception is said
where it is made).

The named personas (Carol, Fiona, Mia, Otto, Olga) and the Harvest alliance are fixtures in
tests/conftest.py; this module is for the rows a test adds around them. Import it freely;
never import a test module or a conftest (pytest loads those itself).

Partners, goals, agreements and accomplishments are added by their services (which also
tell a live meeting discussing them). Rows whose service takes a person's form (a
commitment, a pledge, an indicator), and a dependency (said where), are saved with
`history.services.create_with_history`, the same first revision the service writes; a
resource is made bare (said where).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from alliances import services as alliance_services
from alliances.models import Alliance, Invitation, Membership, Partner, Role
from alliances.services import create_alliance
from history.services import create_with_history
from indicators import values
from indicators.models import Breakdown, Indicator, Story, Value
from meetings import services as meetings
from meetings.models import Meeting
from publishing import services as publishing
from registers import services as registers
from registers.models import (
    Accomplishment,
    Agreement,
    Contribution,
    Dependency,
    Goal,
    Pledge,
    Resource,
)
from reviews.models import Commitment, Review
from reviews.services import start_review
from upkeep import services as upkeep
from upkeep.jobs import BY_NAME
from upkeep.models import JobRun
from webhooks import events as webhook_events
from webhooks.forms import WebhookForm
from webhooks.models import Webhook
from webhooks.services import add_webhook

PASSWORD = "correct horse battery staple"


def make_user(name: str, email: str) -> User:
    """Someone who signs in with `email` and PASSWORD."""
    return User.objects.create_user(email, PASSWORD, name=name)


def make_alliance(creator: User, name="Harvest Alliance", **fields) -> Alliance:
    """An alliance that `creator` coordinates, as the sign-up for a new alliance makes it."""
    fields.setdefault("community", "Families in Harvest County")
    fields.setdefault("purpose", "End hunger in Harvest County.")
    return create_alliance(name=name, creator=creator, **fields)


def make_partner(alliance: Alliance, name: str, **fields) -> Partner:
    partner = Partner(alliance=alliance, name=name, **fields)
    return alliance_services.add_partner(partner=partner, alliance=alliance, author=None)


def add_member(alliance: Alliance, user: User, role: str, partner: Partner | None = None):
    """`user`'s membership of `alliance`, as accepting an invitation leaves it."""
    return Membership.objects.create(alliance=alliance, user=user, role=role, partner=partner)


def add_members(alliance, count: int, start: int = 0) -> list[Membership]:
    """`count` members of one partner (Member <start>, Member <start+1>, ...), to answer."""
    partner, _ = Partner.objects.get_or_create(alliance=alliance, name="Answering Partner")
    return [
        # No password: hashing thirty Argon2 passwords would only slow the tests down.
        add_member(
            alliance,
            User.objects.create_user(f"member{n}@example.org", None, name=f"Member {n}"),
            Role.MEMBER,
            partner,
        )
        for n in range(start, start + count)
    ]


def add_named_members(alliance, partner, names) -> list[Membership]:
    """Members of `partner` who sign in with PASSWORD at <first name>@example.org."""
    return [
        add_member(
            alliance,
            make_user(name, f"{name.split()[0].lower()}@example.org"),
            Role.MEMBER,
            partner,
        )
        for name in names
    ]


def make_invitation(alliance: Alliance, email: str, role: str, partner=None, invited_by=None):
    """An invitation and its token (the link's secret), as `alliances.services.invite` makes
    them, without the email."""
    invitation = Invitation(
        alliance=alliance, email=email, role=role, partner=partner, invited_by=invited_by
    )
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


def make_review(alliance, author, name="Spring 2027 review", **fields) -> Review:
    fields.setdefault("started_on", datetime.date(2027, 3, 1))
    return start_review(alliance=alliance, name=name, author=author, **fields)


def make_commitment(review, description, due_on, *, status="open", author=None, **fields):
    """A commitment on the review's purpose, written down by `author`."""
    commitment = Commitment(
        alliance=review.alliance,
        review=review,
        component_key=fields.pop("component_key", "purpose"),
        description=description,
        due_on=due_on,
        status=status,
        created_by=author,
        **fields,
    )
    create_with_history(commitment, alliance=review.alliance, author=author)
    return commitment


def make_meeting(review, facilitator, agenda=("purpose", "power"), **fields) -> Meeting:
    """A meeting of `review` planned by its facilitator (not started)."""
    fields.setdefault("starts_at", timezone.now())
    return meetings.plan_meeting(
        review=review, agenda=list(agenda), author=facilitator, facilitator=facilitator, **fields
    )


def make_goal(alliance, statement="A goal", *, author=None, **fields) -> Goal:
    author = author or fields.pop("created_by", None)
    goal = Goal(alliance=alliance, statement=statement, **fields)
    return registers.add_goal(goal=goal, alliance=alliance, author=author)


def make_resource(alliance, description="A resource", kind="knowledge", brought_by=(), **fields):
    """A resource, and a contribution of each partner in `brought_by`.

    Saved without a first revision, unlike the page's: tests/test_resources.py counts the
    revisions its edits write (`Revision.objects.for_object(resource)`), so the register's
    service can take over here once those counts leave the creation out."""
    resource = Resource.objects.create(
        alliance=alliance, description=description, kind=kind, **fields
    )
    Contribution.objects.bulk_create(Contribution(resource=resource, partner=p) for p in brought_by)
    return resource


def make_pledge(alliance, partner, resource=None, amount="Two drivers", **fields) -> Pledge:
    """A pledge of `partner` (of volunteer drivers unless `resource` is given), due on the
    `due_on` the caller gives."""
    fields.setdefault("pledged_on", min(datetime.date(2027, 3, 1), fields["due_on"]))
    pledge = Pledge(
        alliance=alliance,
        partner=partner,
        resource=resource or make_resource(alliance, "Volunteer drivers", "staff"),
        amount=amount,
        **fields,
    )
    create_with_history(pledge, alliance=alliance, author=None)
    return pledge


def make_agreement(alliance, title="Work plan 2027", kind="work_plan", **fields) -> Agreement:
    agreement = Agreement(alliance=alliance, title=title, kind=kind, **fields)
    author = fields.get("created_by")
    return registers.add_agreement(
        agreement=agreement, upload=None, alliance=alliance, author=author
    )


def make_accomplishment(alliance, statement, achieved_on, goal=None) -> Accomplishment:
    accomplishment = Accomplishment(
        alliance=alliance, statement=statement, achieved_on=achieved_on, goal=goal
    )
    return registers.add_accomplishment(
        accomplishment=accomplishment, alliance=alliance, author=None
    )


def make_dependency(alliance, dependent, provider, what, goal=None, resource=None) -> Dependency:
    dependency = Dependency(
        alliance=alliance,
        dependent=dependent,
        provider=provider,
        what=what,
        goal=goal,
        resource=resource,
    )
    # Saved as add_dependency saves it, without telling a meeting: tests of that telling
    # (a `told` fixture) make their dependency first and count only what the page tells.
    create_with_history(dependency, alliance=alliance, author=None)
    return dependency


def make_indicator(alliance, name="Children eating at a summer meal site", goals=(), **fields):
    indicator = Indicator(alliance=alliance, name=name, **fields)
    create_with_history(indicator, alliance=alliance, author=None)
    indicator.goals.set(goals)
    return indicator


def make_breakdown(indicator, name, position=0) -> Breakdown:
    """A part of an indicator, made bare (the indicator's form makes them with the
    indicator, `services._replace_breakdowns`)."""
    return Breakdown.objects.create(indicator=indicator, name=name, position=position)


def make_story(indicator, review, *, helping="", hindering="", actions="") -> Story:
    """The story behind an indicator's curve told in `review`, with its first revision."""
    story = Story(
        indicator=indicator, review=review, helping=helping, hindering=hindering, actions=actions
    )
    create_with_history(story, alliance=indicator.alliance, author=None)
    return story


def add_values(indicator, *pairs, breakdown=None):
    """Values of (date, number) through the one way values are added."""
    rows = [values.Row(date, Decimal(str(v)), breakdown) for date, v in pairs]
    return values.add(indicator, rows, origin=Value.Origin.FORM, author=None)


def make_job_run(name: str, at: datetime.datetime, *, error: str = "") -> JobRun:
    """A scheduled job's run for the period of `at`, claimed and finished at `at` as the
    scheduler records it: done, or failed with `error`."""
    job = BY_NAME[name]
    run = upkeep.claim_run(job=job, period=job.period_of(at), now=at)
    assert run is not None, f"{name} has already run for the period of {at}"
    upkeep.finish_run(run=run, now=at, error=error, summary="" if error else "Done.")
    run.refresh_from_db()
    return run


# A public address (example.com's), never reached: the tests that deliver use the loopback
# receiver (the `webhook_receiver` fixture), which the site's staff allow.
PUBLIC_WEBHOOK_URL = "https://93.184.215.14/hooks/accord"


def make_webhook(
    alliance, url=PUBLIC_WEBHOOK_URL, events=None, *, author=None, active=True
) -> Webhook:
    """A webhook of the alliance, through the coordinator's form (so its address is checked:
    a loopback one needs the `webhook_receiver` fixture's allowance), for every event by
    default."""
    chosen = [key for key, _ in webhook_events.CHOICES] if events is None else list(events)
    form = WebhookForm({"url": url, "events": chosen})
    assert form.is_valid(), form.errors
    webhook = add_webhook(form=form, alliance=alliance, author=author)
    if not active:
        Webhook.objects.filter(pk=webhook.pk).update(active=False)
        webhook.active = False
    return webhook


def make_publication(alliance, author, choices=None, *, audience="shared", days=7, **fields):
    """A proposed publication (by default the alliance's purpose), through the service."""
    return publishing.propose(
        alliance=alliance,
        author=author,
        audience=audience,
        consent_until=timezone.now() + datetime.timedelta(days=days),
        choices=choices or [publishing.Choice("purpose")],
        **fields,
    )


def make_share_link(alliance, author, label="For the Hill Foundation", **fields):
    """A shared link and its token (the address's secret part)."""
    return publishing.create_share_link(alliance=alliance, author=author, label=label, **fields)
