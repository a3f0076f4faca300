"""Who may do what in an alliance: every permission rule, with the words a refused person
reads, in one place.

A rule is asked about a person's *current* `Membership` (None when they have none), and
about the object the action touches when the rule depends on it (a meeting, a partner, a
commitment). Views ask through `alliances.access.require` or `Rule.require` (a 403 with the
rule's message), services and the meeting socket through `Rule.allows` after reading the
membership again inside their own transaction, and templates through the `Membership.can_*`
properties and the `rules` template tags, which ask the same rules. The access matrix
(tests/test_access.py) checks every view against these rules and their messages.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alliances.models import Membership, Role


@dataclass(frozen=True)
class Rule:
    name: str
    message: Promise
    test: Callable[..., bool]
    # A rule checked first, whose message a person refused by it reads instead.
    needs: "Rule | None" = None

    def allows(self, membership: Membership | None, *objects) -> bool:
        return self.refusal(membership, *objects) is None

    def refusal(self, membership: Membership | None, *objects) -> Promise | None:
        """The message of the first check `membership` fails, or None when it may."""
        if membership is None:
            return self.message
        if self.needs and not self.needs.allows(membership):
            return self.needs.refusal(membership)
        return None if self.test(membership, *objects) else self.message

    def require(self, membership: Membership | None, *objects) -> None:
        message = self.refusal(membership, *objects)
        if message is not None:
            raise PermissionDenied(message)


# The roles


def _coordinates(m: Membership) -> bool:
    return m.role == Role.COORDINATOR


def _facilitates(m: Membership) -> bool:
    return m.role in {Role.COORDINATOR, Role.FACILITATOR}


def _writes(m: Membership) -> bool:
    return m.role != Role.OBSERVER


def _answers(m: Membership) -> bool:
    # Ratings and reflections come from the partners' people: not from observers, nor from
    # a facilitator who comes from outside the partners.
    if m.role == Role.OBSERVER:
        return False
    return not (m.role == Role.FACILITATOR and m.partner_id is None)


READ = Rule("read", _("Only the people of this alliance can see this."), lambda m: True)
COORDINATE = Rule("coordinate", _("Only a coordinator of this alliance can do this."), _coordinates)
FACILITATE = Rule(
    "facilitate",
    _("Only a coordinator or a facilitator of this alliance can do this."),
    _facilitates,
)
WRITE = Rule(
    "write",
    _(
        "Observers can read but not change anything; a member, facilitator or "
        "coordinator can do this."
    ),
    _writes,
)
ANSWER = Rule(
    "answer",
    _("Observers and outside facilitators do not answer; the partners' people do."),
    _answers,
)

# The same rule as ANSWER, for the database: the memberships of people who answer.
ANSWERING = ~Q(role=Role.OBSERVER) & ~Q(role=Role.FACILITATOR, partner=None)
# The roles WRITE allows, for the database: who may lead, co-lead, record or take over a
# meeting (LEAD).
WRITING_ROLES = tuple(role for role in Role if _writes(Membership(role=role)))


# A live meeting


def _in_alliance_of(m: Membership, meeting) -> bool:
    return m.alliance_id == meeting.review.alliance_id


def _steers(m: Membership, meeting) -> bool:
    # Being named the meeting's facilitator is not enough: the role must still be one that
    # may lead (a facilitator demoted to observer stops steering at once).
    named = m.user_id in {meeting.facilitator_id, meeting.co_facilitator_id}
    return named and _writes(m) and _in_alliance_of(m, meeting)


def _answers_in(m: Membership, meeting) -> bool:
    # In a meeting the partners' people answer; those who belong to no partner (they
    # usually lead it) only when its facilitator asked them to.
    if m.role == Role.OBSERVER or not _in_alliance_of(m, meeting):
        return False
    return m.partner_id is not None or meeting.unpartnered_answer


def answering_in(meeting) -> Q:
    """The same rule as ANSWER_IN_MEETING, for the database."""
    if meeting.unpartnered_answer:
        return ~Q(role=Role.OBSERVER)
    return ~Q(role=Role.OBSERVER) & Q(partner__isnull=False)


def _takes_notes(m: Membership, meeting) -> bool:
    named = {meeting.facilitator_id, meeting.co_facilitator_id, meeting.recorder_id}
    return m.user_id in named and _in_alliance_of(m, meeting)


STEERERS_ONLY = _("Only the facilitator or the co-facilitator can do this.")

STEER = Rule("steer", STEERERS_ONLY, _steers)
# The room's screen shows the meeting to anyone who has the link: only a steerer makes one.
PROJECTOR_LINK = Rule("projector_link", STEERERS_ONLY, _steers)
HAND_OVER = Rule(
    "hand_over",
    _("Only the facilitator, the co-facilitator or a coordinator can hand over."),
    # A coordinator may hand over too: if the facilitator has gone, someone must.
    lambda m, meeting: _steers(m, meeting) or (_coordinates(m) and _in_alliance_of(m, meeting)),
)
TAKE_NOTES = Rule(
    "take_notes",
    _("Only the facilitator, the co-facilitator or the recorder keeps the notes."),
    _takes_notes,
    needs=WRITE,
)
KEEP_RECORD = Rule(
    "keep_record",
    _("Only the facilitator, the co-facilitator or the recorder keeps the record."),
    _takes_notes,
    needs=WRITE,
)
ANSWER_IN_MEETING = Rule(
    "answer_in_meeting",
    _(
        "In this meeting the partners' people answer; the facilitator has not asked people "
        "without a partner to."
    ),
    _answers_in,
    needs=WRITE,
)
LEAD = Rule(
    "lead",
    _("Facilitation can only go to someone in the alliance."),
    lambda m, meeting: _writes(m) and _in_alliance_of(m, meeting),
)


# Commitments and partners' answers


MARK_DONE = Rule(
    "mark_done",
    _("Only the person responsible or the facilitator can say."),
    lambda m, meeting, commitment: _steers(m, meeting) or commitment.owner_id == m.user_id,
    needs=WRITE,
)
UPDATE_STATUS = Rule(
    "update_status",
    WRITE.message,
    # The person responsible says where their commitment stands, even as an observer.
    lambda m, commitment: _writes(m) or commitment.owner_id == m.user_id,
)
ANSWER_FOR_PARTNER = Rule(
    "answer_for_partner",
    _(
        "A member answers for their own organization; a facilitator or a coordinator "
        "can record any partner's answer."
    ),
    lambda m, partner_id: _facilitates(m) or m.partner_id == partner_id,
    needs=WRITE,
)


# Publishing: each partner decides whether what the alliance proposes to show may be shown.


def _decides_for_partner(m: Membership) -> bool:
    return m.partner_id is not None and m.role != Role.OBSERVER


CONSENT = Rule(
    "consent",
    _(
        "A partner's people decide whether it agrees to publish; observers and people "
        "without a partner do not."
    ),
    _decides_for_partner,
)
# The same rule as CONSENT, for the database: the memberships of people who decide.
DECIDING = Q(partner__isnull=False) & ~Q(role=Role.OBSERVER)


RULES = {
    rule.name: rule
    for rule in (
        READ,
        COORDINATE,
        FACILITATE,
        WRITE,
        ANSWER,
        STEER,
        ANSWER_IN_MEETING,
        PROJECTOR_LINK,
        HAND_OVER,
        TAKE_NOTES,
        KEEP_RECORD,
        LEAD,
        MARK_DONE,
        UPDATE_STATUS,
        ANSWER_FOR_PARTNER,
        CONSENT,
    )
}


def current_membership(user, alliance_id: int) -> Membership | None:
    """The person's membership as it is now in the database (not as a page or a socket saw
    it when it opened): what every command is checked against."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(alliance_id=alliance_id, user_id=user.pk).first()
