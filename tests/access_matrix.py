"""The access matrix: every view of an alliance, listed once with how to reach it, the
methods it accepts and the ability it needs (`VIEWS`), and who has each ability in Harvest
(`MAY`). tests/test_access.py checks every view against it; the markup sweep and the
cache-control tests render every view from it.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from alliances import rules
from alliances.models import Membership, Role
from history.services import create_with_history
from meetings import services as meetings
from meetings.models import Meeting
from ratings.models import CheckIn
from ratings.services import add_question
from registers.models import Accomplishment, Agreement, Dependency, Goal, Pledge, Resource
from reviews.models import Review
from reviews.services import record_component
from tests.answering import check_in_on
from tests.factories import (
    PASSWORD,
    make_invitation,
    make_meeting,
    make_publication,
    make_share_link,
    make_webhook,
)
from tests.filled_alliance import small_document

MEMBERS = ("carol", "fiona", "mia", "otto")
EVERYONE = (*MEMBERS, "olga")

# Who has each ability in Harvest: carol coordinates, fiona facilitates, mia is a member
# and otto observes. "signed_in" views belong to no alliance: anyone signed in may use them.
MAY = {
    "coordinate": {"carol"},
    "facilitate": {"carol", "fiona"},
    "write": {"carol", "fiona", "mia"},
    # Answering belongs to the partners' people: not observers, not outside facilitators.
    "answer": {"carol", "mia"},
    "read": set(MEMBERS),
    "signed_in": set(EVERYONE),
    # In the meetings of `ctx`, fiona facilitates (with no co-facilitator) and mia records.
    "steer": {"fiona"},
    "hand_over": {"carol", "fiona"},  # the steerers, or a coordinator of the alliance
    "take_notes": {"fiona", "mia"},
    "keep_record": {"fiona", "mia"},
    # Whether a commitment was done: the steerers, or its owner (mia).
    "mark_done": {"fiona", "mia"},
    # A commitment's status page: whoever may write, and its owner even as an observer (the
    # owner here is mia, who writes anyway; tests/test_digest.py covers an observer owner).
    "update_status": {"carol", "fiona", "mia"},
    # Deciding whether the alliance may publish: the partners' people (carol for the food
    # bank, mia for the kitchen), not observers, not the outside facilitator.
    "consent": {"carol", "mia"},
}


def refusal(ability: str, role: str) -> str:
    """The message a refused `role` reads: the rule's own (alliances/rules.py), or that of
    the rule it needs first (notes need the right to write) when `role` fails that one."""
    rule = rules.RULES[ability]
    if rule.needs and role not in MAY[rule.needs.name]:
        return str(rule.needs.message)
    return str(rule.message)


GET, POST = "GET", "POST"

# The rules of private answers, as the review form sends them by default.
RULES = {"anonymous": "True", "rating_threshold": "3", "reflection_threshold": "5"}


@dataclass(frozen=True)
class View:
    name: str
    path: Callable[[SimpleNamespace], str]
    methods: tuple[str, ...]
    ability: str
    # The data of a POST that succeeds, and where it then leads.
    post: Callable[[SimpleNamespace], dict] | None = None
    done: Callable[[SimpleNamespace], str] | None = None
    # What a GET by an allowed person answers: a page, or (home) a redirect.
    get_status: int = 200
    # State the view needs before it can succeed.
    prepare: Callable[[SimpleNamespace], None] | None = None


def _url(name, *args):
    return lambda c: reverse(name, args=[arg(c) if callable(arg) else arg for arg in args])


def _slug(c):
    return c.alliance.slug


def _review(c):
    return c.review.pk


def _component_url(key):
    return _url("reviews:component", _slug, _review, key)


def _record_purpose(c):
    record_component(record=c.records["purpose"], author=c.people["fiona"])


def _new_review_url(c):
    return Review.objects.get(name="Autumn 2027 review").get_absolute_url()


def _check_in_url(check_in):
    return reverse("ratings:check_in", args=[check_in.review.alliance.slug, check_in.pk])


def _commitment_data(c):
    return {
        "description": "Count the meals served each week",
        "partner": c.kitchen.pk,
        "owner": c.people["mia"].pk,
        "due_on": "2027-06-30",
        "status": "open",
        "base_version": "1",
    }


def _planned(c):
    return c.meeting.pk


def _live(c):
    return c.live.pk


def _before_any_round(c):
    """The rules of a review change only before a check-in or a meeting has stated them."""
    c.check_in.delete()


def _at(kind):
    """Move the live meeting on to its first phase of `kind`."""

    def prepare(c):
        while Meeting.objects.get(pk=c.live.pk).current.kind != kind:
            meetings.advance(meeting=c.live, actor=c.people["fiona"], confirmed=True)

    return prepare


def _meeting_data(c):
    return {
        "starts_at": "2027-05-03T17:00",
        "duration_minutes": "120",
        "place": "Town hall",
        "agenda": ["purpose", "power"],
        "facilitator": c.people["fiona"].pk,
    }


def _live_url(c):
    return c.live.get_absolute_url()


def _pledge_data(c):
    return {
        "partner": c.kitchen.pk,
        "resource": c.resource.pk,
        "amount": "Two drivers",
        "pledged_on": "2027-03-01",
        "due_on": "2027-04-01",
        "delivery": "pending",
    }


def _agreement(alliance):
    """An agreement with a PDF attached, stored in the test's own media folder."""
    from django.core.files.base import ContentFile

    agreement = Agreement(
        alliance=alliance,
        title="Memorandum of understanding",
        kind="mou",
        file=ContentFile(b"%PDF-1.7\n%%EOF\n", name="mou.pdf"),
        file_name="mou.pdf",
    )
    create_with_history(agreement, alliance=alliance, author=None)
    return agreement


def _api_token(c):
    """Harvest's API token, made the first time a row needs it."""
    if not hasattr(c, "api_token"):
        from indicators.models import ApiToken

        c.api_token = ApiToken(alliance=c.alliance, name="County data hub")
        c.api_token.issue()
        c.api_token.save()
    return c.api_token.pk


def _new_token_url(c):
    from indicators.models import ApiToken

    token = ApiToken.objects.get(name="State nutrition database")
    return reverse("indicators:api_token_created", args=[c.alliance.slug, token.pk])


def _import_indicator(c):
    """Harvest's indicator that values are imported into, made the first time a row needs it."""
    if not hasattr(c, "import_indicator"):
        from indicators.models import Indicator

        c.import_indicator = Indicator.objects.create(alliance=c.alliance, name="Meals served")
    return c.import_indicator.pk


def _import_file(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("values.csv", b"date,value\n2027-01-31,120\n")}


class _Matching:
    """A location with a random part (an import id), equal to any path that fits `pattern`."""

    def __init__(self, pattern):
        self.pattern = pattern

    def __eq__(self, other):
        import re

        return isinstance(other, str) and re.fullmatch(self.pattern, other) is not None

    def __repr__(self):
        return f"<a path like {self.pattern}>"


def _import_preview_url(c):
    return _Matching(
        rf"/a/{c.alliance.slug}/indicators/{_import_indicator(c)}/import/[0-9a-f]{{32}}/"
    )


def _indicator(c):
    """Harvest's indicator with one value, made the first time a row needs it."""
    if not hasattr(c, "indicator"):
        from indicators import values
        from indicators.models import Indicator

        c.indicator = Indicator(alliance=c.alliance, name="Children fed")
        create_with_history(c.indicator, alliance=c.alliance, author=None)
        row = values.Row(datetime.date(2027, 1, 31), 120)
        (c.value,) = values.add(c.indicator, [row], origin="form", author=None)
    return c.indicator.pk


def _value(c):
    _indicator(c)
    return c.value.pk


def _new_indicator_url(c):
    from indicators.models import Indicator

    indicator = Indicator.objects.get(name="Families fed")
    return reverse("indicators:indicator", args=[c.alliance.slug, indicator.pk])


def _alliance_file(c):
    """A small alliance's file naming everyone of `ctx` its coordinator."""
    document = small_document("harvest-youth", list(c.people.values()))
    return SimpleUploadedFile("alliance.json", json.dumps(document).encode())


def _make_everyone_staff(c):
    # A file naming people who have accounts here is imported by the site's staff only
    # (tests/test_transfer.py covers the refusal for anyone else).
    User.objects.filter(pk__in=[p.pk for p in c.people.values()]).update(is_staff=True)


def _publication(c):
    """Harvest's proposal to publish its purpose, made the first time a row needs it."""
    if not hasattr(c, "publication"):
        c.publication = make_publication(c.alliance, c.people["carol"])
    return c.publication.pk


def _new_publication_url(c):
    from publishing.models import Publication

    publication = Publication.objects.filter(alliance=c.alliance).latest("pk")
    return reverse("publishing:publication", args=[c.alliance.slug, publication.pk])


def _share_link(c):
    if not hasattr(c, "share_link"):
        c.share_link, _token = make_share_link(c.alliance, c.people["carol"])
    return c.share_link.pk


def _proposal_data(c):
    until = datetime.datetime.now() + datetime.timedelta(days=3)
    return {
        "audience": "shared",
        "consent_until": until.strftime("%Y-%m-%dT%H:%M"),
        "purpose": "on",
    }


VIEWS = [
    View("alliances:home", _url("alliances:home"), (GET,), "signed_in", get_status=302),
    View("alliances:list", _url("alliances:list"), (GET,), "signed_in"),
    View(
        "alliances:import",
        _url("alliances:import"),
        (GET, POST),
        "signed_in",
        post=lambda c: {"file": _alliance_file(c)},
        done=lambda c: "/a/harvest-youth/",
        prepare=_make_everyone_staff,
    ),
    View(
        "alliances:create",
        _url("alliances:create"),
        (GET, POST),
        "signed_in",
        post=lambda c: {
            "name": "Harvest Youth Alliance",
            "community": "Young people in Harvest County",
            "purpose": "Summer meals for every child.",
        },
        done=lambda c: "/a/harvest-youth-alliance/partners/",
    ),
    View("alliances:detail", _url("alliances:detail", _slug), (GET,), "read"),
    View("alliances:export", _url("alliances:export", _slug), (GET,), "coordinate"),
    View(
        "alliances:edit",
        _url("alliances:edit", _slug),
        (GET, POST),
        "coordinate",
        post=lambda c: {
            "name": "Harvest Alliance",
            "community": "Families in Harvest County",
            "purpose": "End hunger in Harvest County, together.",
            "base_version": "1",
        },
        done=_url("alliances:detail", _slug),
    ),
    View("alliances:partners", _url("alliances:partners", _slug), (GET,), "read"),
    View(
        "alliances:partner_create",
        _url("alliances:partner_create", _slug),
        (GET, POST),
        "coordinate",
        post=lambda c: {"name": "Shelter House"},
        done=_url("alliances:partners", _slug),
    ),
    View(
        "alliances:partner_edit",
        _url("alliances:partner_edit", _slug, lambda c: c.food_bank.pk),
        (GET, POST),
        "coordinate",
        post=lambda c: {"name": "Harvest Food Bank", "base_version": "1"},
        done=_url("alliances:partners", _slug),
    ),
    View("alliances:people", _url("alliances:people", _slug), (GET,), "read"),
    View(
        "alliances:invite",
        _url("alliances:invite", _slug),
        (GET, POST),
        "coordinate",
        post=lambda c: {"email": "nell@example.org", "role": "observer"},
        done=_url("alliances:people", _slug),
    ),
    View(
        "alliances:member_edit",
        _url("alliances:member_edit", _slug, lambda c: c.mia_membership.pk),
        (GET, POST),
        "coordinate",
        post=lambda c: {"role": "member", "partner": c.kitchen.pk},
        done=_url("alliances:people", _slug),
    ),
    View(
        "alliances:revoke",
        _url("alliances:revoke", _slug, lambda c: c.invitation.pk),
        (POST,),
        "coordinate",
        post=lambda c: {},
        done=_url("alliances:people", _slug),
    ),
    View(
        "alliances:history",
        _url("alliances:history", _slug, "alliances.alliance", lambda c: c.alliance.pk),
        (GET,),
        "read",
    ),
    View(
        "reviews:create",
        _url("reviews:create", _slug),
        (GET, POST),
        "facilitate",
        post=lambda c: {"name": "Autumn 2027 review", "started_on": "2027-09-01", **RULES},
        done=_new_review_url,
    ),
    View("reviews:detail", _url("reviews:detail", _slug, _review), (GET,), "read"),
    View("reviews:report", _url("reviews:report", _slug, _review), (GET,), "read"),
    View("reviews:report_pdf", _url("reviews:report_pdf", _slug, _review), (GET,), "read"),
    View("reviews:export_json", _url("reviews:export_json", _slug, _review), (GET,), "read"),
    View("reviews:export_csv", _url("reviews:export_csv", _slug, _review), (GET,), "read"),
    View("reviews:compare", _url("reviews:compare", _slug), (GET,), "read"),
    View("reviews:timeline", _url("reviews:timeline", _slug), (GET,), "read"),
    View(
        "reviews:rules",
        _url("reviews:rules", _slug, _review),
        (GET, POST),
        "coordinate",
        post=lambda c: {**RULES, "anonymous": "False"},
        done=lambda c: c.review.get_absolute_url(),
        prepare=_before_any_round,
    ),
    View("reviews:component", _component_url("purpose"), (GET,), "read"),
    View(
        "reviews:record_edit",
        _url("reviews:record_edit", _slug, _review, "purpose"),
        (GET, POST),
        "write",
        post=lambda c: {"notes": "Everyone wants fewer hungry families.", "base_version": "1"},
        done=_component_url("purpose"),
    ),
    View(
        "reviews:open",
        _url("reviews:open", _slug, _review, "power"),
        (POST,),
        "facilitate",
        post=lambda c: {"reason": "The funder needs the resource list this month."},
        done=_component_url("power"),
    ),
    View(
        "reviews:record",
        _url("reviews:record", _slug, _review, "purpose"),
        (POST,),
        "facilitate",
        post=lambda c: {},
        done=_component_url("power"),
    ),
    View(
        "reviews:reopen",
        _url("reviews:reopen", _slug, _review, "purpose"),
        (POST,),
        "facilitate",
        post=lambda c: {},
        done=_component_url("purpose"),
        prepare=_record_purpose,
    ),
    View(
        "reviews:commitment_create",
        _url("reviews:commitment_create", _slug, _review, "purpose"),
        (GET, POST),
        "write",
        post=_commitment_data,
        done=_component_url("purpose"),
    ),
    View(
        "reviews:commitment_edit",
        _url("reviews:commitment_edit", _slug, lambda c: c.commitment.pk),
        (GET, POST),
        "write",
        post=_commitment_data,
        done=_component_url("purpose"),
    ),
    View(
        "reviews:commitment_status",
        _url("reviews:commitment_status", _slug, lambda c: c.commitment.pk),
        (GET, POST),
        "update_status",
        post=lambda c: {"status": "done", "status_reason": "", "base_version": "1"},
        done=_component_url("purpose"),
    ),
    View("registers:goals", _url("registers:goals", _slug), (GET,), "read"),
    View(
        "registers:goal_create",
        _url("registers:goal_create", _slug),
        (GET, POST),
        "write",
        post=lambda c: {"statement": "Fewer hungry nights", "status": "proposed"},
        done=_url("registers:goals", _slug),
    ),
    View(
        "registers:goal_edit",
        _url("registers:goal_edit", _slug, lambda c: c.goal.pk),
        (GET, POST),
        "write",
        post=lambda c: {"statement": "A sharper goal", "status": "agreed", "base_version": "1"},
        done=_url("registers:goals", _slug),
    ),
    View(
        "registers:alignment",
        _url("registers:alignment", _slug, lambda c: c.goal.pk, lambda c: c.kitchen.pk),
        (GET, POST),
        "write",  # and for a member, only their own partner's cell: the kitchen is Mia's
        post=lambda c: {"stance": "ours", "comment": "", "base_version": "0"},
        done=_url("registers:goals", _slug),
    ),
    View("registers:goals_csv", _url("registers:goals_csv", _slug), (GET,), "read"),
    View("registers:resources", _url("registers:resources", _slug), (GET,), "read"),
    View(
        "registers:resource_create",
        _url("registers:resource_create", _slug),
        (GET, POST),
        "write",
        post=lambda c: {"description": "Vans", "kind": "space"},
        done=_url("registers:resources", _slug),
    ),
    View(
        "registers:resource_edit",
        _url("registers:resource_edit", _slug, lambda c: c.resource.pk),
        (GET, POST),
        "write",
        post=lambda c: {"description": "Two vans", "kind": "space", "base_version": "1"},
        done=_url("registers:resources", _slug),
    ),
    View("registers:resources_csv", _url("registers:resources_csv", _slug), (GET,), "read"),
    View("registers:dependencies", _url("registers:dependencies", _slug), (GET,), "read"),
    View(
        "registers:dependency_create",
        _url("registers:dependency_create", _slug),
        (GET, POST),
        "write",
        post=lambda c: {
            "dependent": c.kitchen.pk,
            "provider": c.food_bank.pk,
            "what": "Food",
            "goal": c.goal.pk,
        },
        done=_url("registers:dependencies", _slug),
    ),
    View(
        "registers:dependency_edit",
        _url("registers:dependency_edit", _slug, lambda c: c.dependency.pk),
        (GET, POST),
        "write",
        post=lambda c: {
            "dependent": c.food_bank.pk,
            "provider": c.kitchen.pk,
            "what": "Hot meals",
            "goal": c.goal.pk,
            "base_version": "1",
        },
        done=_url("registers:dependencies", _slug),
    ),
    View(
        "registers:impact",
        _url("registers:impact", _slug, _review, lambda c: c.kitchen.pk),
        (GET, POST),
        "write",  # and for a member, only their own partner's answer
        post=lambda c: {"answer": "no", "why": "We need the others.", "base_version": "0"},
        done=lambda c: (
            reverse("registers:dependencies", args=[c.alliance.slug]) + f"?review={c.review.pk}"
        ),
    ),
    View(
        "registers:dependency_confirm",
        _url("registers:dependency_confirm", _slug, lambda c: c.dependency.pk, "provider"),
        (POST,),
        "write",  # and for a member, only their own partner's side (here mia's, the kitchen)
        post=lambda c: {},
        done=_url("registers:dependencies", _slug),
    ),
    View("registers:dependencies_csv", _url("registers:dependencies_csv", _slug), (GET,), "read"),
    View("registers:trust", _url("registers:trust", _slug), (GET,), "read"),
    View(
        "registers:partner_follow_through",
        _url("registers:partner_follow_through", _slug, _review),
        (POST,),
        "facilitate",
        post=lambda c: {"partner_follow_through": "on", "base_version": "1"},
        done=lambda c: (
            reverse("registers:trust", args=[c.alliance.slug]) + f"?review={c.review.pk}"
        ),
    ),
    View(
        "registers:accomplishment_create",
        _url("registers:accomplishment_create", _slug),
        (GET, POST),
        "write",
        post=lambda c: {"statement": "A pantry opened", "achieved_on": "2026-05-01"},
        done=_url("registers:trust", _slug),
    ),
    View(
        "registers:accomplishment_edit",
        _url("registers:accomplishment_edit", _slug, lambda c: c.accomplishment.pk),
        (GET, POST),
        "write",
        post=lambda c: {
            "statement": "Two pantries opened",
            "achieved_on": "2026-05-01",
            "base_version": "1",
        },
        done=_url("registers:trust", _slug),
    ),
    View("registers:control", _url("registers:control", _slug), (GET,), "read"),
    View(
        "registers:agreement_create",
        _url("registers:agreement_create", _slug),
        (GET, POST),
        "write",
        post=lambda c: {"title": "Volunteer policy", "kind": "policy", "status": "in_force"},
        done=_url("registers:control", _slug),
    ),
    View(
        "registers:agreement_edit",
        _url("registers:agreement_edit", _slug, lambda c: c.agreement.pk),
        (GET, POST),
        "write",
        post=lambda c: {
            "title": "Memorandum of understanding, 2028",
            "kind": "mou",
            "status": "in_force",
            "base_version": "1",
        },
        done=_url("registers:control", _slug),
    ),
    # The file itself: its URL is no key; only the alliance's members get it.
    View(
        "registers:agreement_file",
        _url("registers:agreement_file", _slug, lambda c: c.agreement.pk),
        (GET,),
        "read",
    ),
    View("registers:agreements_csv", _url("registers:agreements_csv", _slug), (GET,), "read"),
    View(
        "registers:pledge_create",
        _url("registers:pledge_create", _slug),
        (GET, POST),
        "write",
        post=lambda c: _pledge_data(c),
        done=_url("registers:control", _slug),
    ),
    View(
        "registers:pledge_edit",
        _url("registers:pledge_edit", _slug, lambda c: c.pledge.pk),
        (GET, POST),
        "write",
        post=lambda c: {**_pledge_data(c), "amount": "Three drivers", "base_version": "1"},
        done=_url("registers:control", _slug),
    ),
    View(
        "ratings:check_in_create",
        _url("ratings:check_in_create", _slug, _review),
        (GET, POST),
        "facilitate",
        post=lambda c: {"components": ["power"], "closes_at": "2030-01-31T17:00"},
        done=lambda c: _check_in_url(CheckIn.objects.order_by("-pk").first()),
    ),
    View("ratings:check_in", lambda c: _check_in_url(c.check_in), (GET,), "read"),
    View("ratings:questions", _url("ratings:questions", _slug, _review), (GET,), "read"),
    View(
        "ratings:question_add",
        _url("ratings:question_add", _slug, _review),
        (POST,),
        "facilitate",
        post=lambda c: {"component_key": "control", "text": "Who holds the pen?"},
        done=_url("ratings:questions", _slug, _review),
    ),
    View(
        "ratings:question_edit",
        _url("ratings:question_edit", _slug, lambda c: c.own_question.pk),
        (GET, POST),
        "facilitate",
        post=lambda c: {"text": "Do we say so, openly?"},
        done=_url("ratings:questions", _slug, _review),
    ),
    View(
        "ratings:question_retire",
        _url("ratings:question_retire", _slug, lambda c: c.own_question.pk),
        (POST,),
        "facilitate",
        post=lambda c: {},
        done=_url("ratings:questions", _slug, _review),
    ),
    View(
        "ratings:question_reuse",
        _url("ratings:question_reuse", _slug, _review, lambda c: c.own_question.pk),
        (POST,),
        "facilitate",
        post=lambda c: {},
        done=_url("ratings:questions", _slug, _review),
    ),
    View(
        "ratings:check_in_answer",
        _url("ratings:check_in_answer", _slug, lambda c: c.check_in.pk),
        (POST,),
        "answer",
        post=lambda c: {"purpose-rating": "4", "rules": c.review.rules},
        done=lambda c: _check_in_url(c.check_in),
    ),
    View(
        "ratings:check_in_email_again",
        _url("ratings:check_in_email_again", _slug, lambda c: c.check_in.pk),
        (POST,),
        "facilitate",
        done=lambda c: _check_in_url(c.check_in),
    ),
    View(
        "ratings:check_in_close",
        _url("ratings:check_in_close", _slug, lambda c: c.check_in.pk),
        (POST,),
        "facilitate",
        done=lambda c: _check_in_url(c.check_in),
    ),
    View("meetings:list", _url("meetings:list", _slug, _review), (GET,), "read"),
    View(
        "meetings:plan",
        _url("meetings:plan", _slug, _review),
        (GET, POST),
        "facilitate",
        post=_meeting_data,
        done=lambda c: Meeting.objects.order_by("-pk").first().get_absolute_url(),
    ),
    View("meetings:detail", _url("meetings:detail", _slug, _live), (GET,), "read"),
    View(
        "meetings:edit",
        _url("meetings:edit", _slug, _planned),
        (GET, POST),
        "facilitate",
        post=_meeting_data,
        done=lambda c: c.meeting.get_absolute_url(),
    ),
    View("meetings:guide", _url("meetings:guide", _slug, _planned), (GET,), "facilitate"),
    View(
        "meetings:email_again",
        _url("meetings:email_again", _slug, _planned),
        (POST,),
        "facilitate",
        post=lambda c: {},
        done=lambda c: c.meeting.get_absolute_url(),
    ),
    View(
        "meetings:cancel",
        _url("meetings:cancel", _slug, _planned),
        (GET, POST),
        "facilitate",
        post=lambda c: {"reason": "The town hall is closed for repairs."},
        done=lambda c: c.meeting.get_absolute_url(),
    ),
    View("meetings:ics", _url("meetings:ics", _slug, _planned), (GET,), "read"),
    View("meetings:state", _url("meetings:state", _slug, _live), (GET,), "read"),
    View("meetings:phase", _url("meetings:phase", _slug, _live, 0), (GET,), "read"),
    View("meetings:mine", _url("meetings:mine", _slug, _live), (GET,), "read"),
    View(
        "meetings:command",
        _url("meetings:command", _slug, _live),
        (POST,),
        "steer",
        post=lambda c: {"command": "advance"},
        done=_live_url,
    ),
    View(
        "meetings:handover",
        _url("meetings:handover", _slug, _live),
        (GET, POST),
        "hand_over",
        post=lambda c: {"to": c.people["mia"].pk, "confirm": "on"},
        done=_live_url,
    ),
    View(
        "meetings:reflect",
        _url("meetings:reflect", _slug, _live),
        (POST,),
        "answer",
        post=lambda c: {"purpose-rating": "4", "rules": c.review.rules},
        done=_live_url,
        prepare=_at("reflect"),
    ),
    View(
        "meetings:notes",
        _url("meetings:notes", _slug, _live),
        (POST,),
        "take_notes",
        post=lambda c: {"notes": "Everyone wants fewer hungry families."},
        done=_live_url,
        prepare=_at("discuss"),
    ),
    View(
        "meetings:add_commitment",
        _url("meetings:add_commitment", _slug, _live),
        (POST,),
        "keep_record",
        post=_commitment_data,
        done=_live_url,
        prepare=_at("record"),
    ),
    View(
        "meetings:commitment_status",
        _url("meetings:commitment_status", _slug, _live, lambda c: c.commitment.pk),
        (POST,),
        "mark_done",
        post=lambda c: {"status": "done"},
        done=_live_url,
    ),
    View("meetings:summary", _url("meetings:summary", _slug, _live), (GET,), "read"),
    # The short join address names no alliance: on to the meeting, for its members only.
    View("meetings:join", _url("meetings:join", _live), (GET,), "read", get_status=302),
    View(
        "meetings:projector_link",
        _url("meetings:projector_link", _slug, _planned),
        (POST,),
        "steer",
        post=lambda c: {},
        done=lambda c: c.meeting.get_absolute_url(),
    ),
    View(
        "indicators:api_tokens",
        _url("indicators:api_tokens", _slug),
        (GET, POST),
        "coordinate",
        post=lambda c: {"name": "State nutrition database"},
        done=_new_token_url,
    ),
    View(
        "indicators:api_token_created",
        _url("indicators:api_token_created", _slug, _api_token),
        (GET,),
        "coordinate",
    ),
    View(
        "indicators:api_token_revoke",
        _url("indicators:api_token_revoke", _slug, _api_token),
        (GET, POST),
        "coordinate",
        post=lambda c: {},
        done=_url("indicators:api_tokens", _slug),
    ),
    View(
        "indicators:import",
        _url("indicators:import", _slug, _import_indicator),
        (GET, POST),
        "write",
        post=_import_file,
        done=_import_preview_url,
    ),
    View(
        "indicators:import_template",
        _url("indicators:import_template", _slug, _import_indicator),
        (GET,),
        "write",
    ),
    # An import id is kept in the uploader's session only: any other id (here, one never
    # made) leads back to the upload form with a message (tests/test_import.py).
    View(
        "indicators:import_preview",
        _url("indicators:import_preview", _slug, _import_indicator, "0" * 32),
        (GET,),
        "write",
        get_status=302,
    ),
    View(
        "indicators:import_confirm",
        _url("indicators:import_confirm", _slug, _import_indicator, "0" * 32),
        (POST,),
        "write",
        post=lambda c: {},
        done=_url("indicators:import", _slug, _import_indicator),
    ),
    View("indicators:overview", _url("indicators:overview", _slug), (GET,), "read"),
    View(
        "indicators:create",
        _url("indicators:create", _slug),
        (GET, POST),
        "write",
        post=lambda c: {"name": "Families fed", "direction": "up", "frequency": "monthly"},
        done=_new_indicator_url,
    ),
    View("indicators:indicator", _url("indicators:indicator", _slug, _indicator), (GET,), "read"),
    View(
        "indicators:edit",
        _url("indicators:edit", _slug, _indicator),
        (GET, POST),
        "write",
        post=lambda c: {
            "name": "Children fed each week",
            "direction": "up",
            "frequency": "weekly",
            "base_version": "1",
        },
        done=_url("indicators:indicator", _slug, _indicator),
    ),
    View(
        "indicators:value_add",
        _url("indicators:value_add", _slug, _indicator),
        (GET, POST),
        "write",
        post=lambda c: {"date": "2027-02-28", "value": "130"},
        done=_url("indicators:indicator", _slug, _indicator),
    ),
    View(
        "indicators:value_edit",
        _url("indicators:value_edit", _slug, _indicator, _value),
        (GET, POST),
        "write",
        post=lambda c: {"date": "2027-01-31", "value": "125", "base_version": "1"},
        done=_url("indicators:indicator", _slug, _indicator),
    ),
    View(
        "indicators:register",
        _url("indicators:register", _slug, _review),
        (GET,),
        "read",
        get_status=302,  # a poll of the component's page; a person is sent to the page
    ),
    View(
        "indicators:story",
        _url("indicators:story", _slug, _review, _indicator),
        (GET, POST),
        "write",
        post=lambda c: {"helping": "Schools", "hindering": "", "actions": "", "base_version": "0"},
        done=_url("reviews:component", _slug, _review, "indicators"),
    ),
    View("publishing:sharing", _url("publishing:sharing", _slug), (GET,), "read"),
    View(
        "publishing:propose",
        _url("publishing:propose", _slug),
        (GET, POST),
        "coordinate",
        post=_proposal_data,
        done=_new_publication_url,
    ),
    View(
        "publishing:publication",
        _url("publishing:publication", _slug, _publication),
        (GET,),
        "read",
    ),
    View(
        "publishing:decide",
        _url("publishing:decide", _slug, _publication),
        (POST,),
        "consent",
        post=lambda c: {},
        done=_url("publishing:publication", _slug, _publication),
    ),
    View(
        "publishing:withdraw",
        _url("publishing:withdraw", _slug, _publication),
        (POST,),
        "coordinate",
        post=lambda c: {},
        done=_url("publishing:publication", _slug, _publication),
    ),
    View(
        "publishing:unpublish",
        _url("publishing:unpublish", _slug, _publication),
        (POST,),
        "coordinate",
        post=lambda c: {},
        done=_url("publishing:publication", _slug, _publication),
    ),
    View(
        "publishing:email_again",
        _url("publishing:email_again", _slug, _publication),
        (POST,),
        "coordinate",
        post=lambda c: {},
        done=_url("publishing:publication", _slug, _publication),
    ),
    View(
        "publishing:link_create",
        _url("publishing:link_create", _slug),
        (POST,),
        "coordinate",
        post=lambda c: {"label": "For the Hill Foundation"},
        done=_url("publishing:sharing", _slug),
    ),
    View(
        "publishing:link_revoke",
        _url("publishing:link_revoke", _slug, _share_link),
        (POST,),
        "coordinate",
        post=lambda c: {},
        done=_url("publishing:sharing", _slug),
    ),
    View(
        "publishing:public_page",
        _url("publishing:public_page", _slug),
        (POST,),
        "coordinate",
        post=lambda c: {"on": "on"},
        done=_url("publishing:sharing", _slug),
    ),
    View(
        "accounts:profile",
        _url("accounts:profile"),
        (GET, POST),
        "signed_in",
        post=lambda c: {"name": "A New Name"},
        done=lambda c: "/accounts/profile/",
    ),
    # A person's own calendar feed: its page acts on the signed-in person's feed only.
    View(
        "meetings:calendar_feed",
        _url("meetings:calendar_feed"),
        (GET, POST),
        "signed_in",
        post=lambda c: {"action": "new"},
        done=lambda c: "/calendar/",
    ),
    View(
        "accounts:password_change",
        _url("accounts:password_change"),
        (GET, POST),
        "signed_in",
        post=lambda c: {
            "old_password": PASSWORD,
            "new_password1": "a fresh and long passphrase",
            "new_password2": "a fresh and long passphrase",
        },
        done=lambda c: "/accounts/profile/",
    ),
]


def _webhook(c):
    """Harvest's webhook with a test event waiting in its log, made the first time a row
    needs it."""
    if not hasattr(c, "webhook"):
        from webhooks.services import send_test_event

        c.webhook = make_webhook(c.alliance, author=c.people["carol"])
        send_test_event(webhook=c.webhook, author=c.people["carol"])
    return c.webhook.pk


def _new_webhook_secret_url(c):
    from webhooks.models import Webhook

    webhook = Webhook.objects.get(url="https://93.184.215.14/hooks/new")
    return reverse("webhooks:secret", args=[c.alliance.slug, webhook.pk])


VIEWS += [
    View("webhooks:list", _url("webhooks:list", _slug), (GET,), "coordinate"),
    View(
        "webhooks:create",
        _url("webhooks:create", _slug),
        (GET, POST),
        "coordinate",
        post=lambda c: {"url": "https://93.184.215.14/hooks/new", "events": ["meeting.planned"]},
        done=_new_webhook_secret_url,
    ),
    View(
        "webhooks:edit",
        _url("webhooks:edit", _slug, _webhook),
        (GET, POST),
        "coordinate",
        post=lambda c: {"events": ["review.recorded"], "active": "on"},
        done=_url("webhooks:list", _slug),
    ),
    View(
        "webhooks:secret",
        _url("webhooks:secret", _slug, _webhook),
        (GET, POST),
        "coordinate",
        post=lambda c: {},
        done=_url("webhooks:secret", _slug, _webhook),
    ),
    View(
        "webhooks:delete",
        _url("webhooks:delete", _slug, _webhook),
        (GET, POST),
        "coordinate",
        post=lambda c: {},
        done=_url("webhooks:list", _slug),
    ),
    View(
        "webhooks:test",
        _url("webhooks:test", _slug, _webhook),
        (POST,),
        "coordinate",
        post=lambda c: {},
        done=_url("webhooks:deliveries", _slug, _webhook),
    ),
    View("webhooks:deliveries", _url("webhooks:deliveries", _slug, _webhook), (GET,), "coordinate"),
]


def _plan_meeting(review, people) -> Meeting:
    return make_meeting(
        review,
        people["fiona"],
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        recorder=people["mia"],
    )


def build_ctx(*, people, alliance, food_bank, kitchen, review, commitment) -> SimpleNamespace:
    """Harvest with a row of every kind its views show, each view's address built from it
    (the `ctx` fixture of tests/conftest.py)."""
    invitation, _ = make_invitation(
        alliance, "nadia@example.org", Role.OBSERVER, invited_by=people["carol"]
    )
    live = _plan_meeting(review, people)
    meetings.start(meeting=live, actor=people["fiona"])
    return SimpleNamespace(
        people=people,
        alliance=alliance,
        food_bank=food_bank,
        kitchen=kitchen,
        review=review,
        records={r.component_key: r for r in review.records.select_related("review")},
        commitment=commitment,
        invitation=invitation,
        mia_membership=Membership.objects.get(alliance=alliance, user=people["mia"]),
        check_in=check_in_on(review),
        goal=(goal := Goal.objects.create(alliance=alliance, statement="A goal")),
        resource=(
            resource := Resource.objects.create(
                alliance=alliance, description="Space", kind="space"
            )
        ),
        agreement=_agreement(alliance),
        accomplishment=Accomplishment.objects.create(
            alliance=alliance, statement="A pantry", achieved_on=datetime.date(2026, 4, 1)
        ),
        pledge=Pledge.objects.create(
            alliance=alliance,
            partner=kitchen,
            resource=resource,
            amount="Two drivers",
            pledged_on=datetime.date(2027, 3, 1),
            due_on=datetime.date(2027, 4, 1),
        ),
        dependency=Dependency.objects.create(
            alliance=alliance, dependent=food_bank, provider=kitchen, what="Meals", goal=goal
        ),
        meeting=_plan_meeting(review, people),
        live=live,
        own_question=add_question(
            review=review, component_key="trust", text="Do we say so?", author=people["fiona"]
        ),
    )


def send_request(client, method, path, data=None):
    """`method` to `path` as a browser sends it (a file read to its end)."""
    response = client.post(path, data or {}) if method == POST else client.generic(method, path)
    if response.streaming:  # a file: read to its end, as a browser does, which closes it
        b"".join(response.streaming_content)
    return response
