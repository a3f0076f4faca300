"""The daily reminder digest: one email a day to each person with commitments due.

A person gets a digest when they are active, want it (`User.wants_digest`), have not had
one today, and are responsible for at least one open commitment due within
`WINDOW_DAYS` or overdue, in an alliance they still belong to. One email covers all their
alliances, grouped by alliance, with one link to update each commitment; never one email
per commitment. `python manage.py send_digests` (cron) calls `send_digests`.

At most one a day, even when two runs overlap: a run claims the person's day with a
conditional UPDATE of `User.digest_sent_on` before sending, and gives the claim back if
sending fails, so that the next run tries again.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord import mail
from accounts.language import speaking
from accounts.models import User
from accounts.stop_link import stop_token
from alliances.models import Membership
from reviews.models import Commitment

logger = logging.getLogger(__name__)

WINDOW_DAYS = 7


@dataclass
class Item:
    commitment: Commitment
    overdue: bool
    link: str


@dataclass
class Group:
    alliance: object
    items: list[Item] = field(default_factory=list)


@dataclass
class Digest:
    person: User
    groups: list[Group]

    @property
    def items(self) -> list[Item]:
        return [item for group in self.groups for item in group.items]

    @property
    def overdue(self) -> int:
        return sum(item.overdue for item in self.items)

    @property
    def due(self) -> int:
        return len(self.items) - self.overdue


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def digests(today: date) -> list[Digest]:
    """Who gets a digest on `today`, and what it lists: one query."""
    still_member = Membership.objects.filter(alliance=OuterRef("alliance"), user=OuterRef("owner"))
    commitments = (
        Commitment.objects.filter(
            status=Commitment.Status.OPEN,
            due_on__lte=today + timedelta(days=WINDOW_DAYS),
            owner__is_active=True,
            owner__wants_digest=True,
        )
        .exclude(owner__digest_sent_on=today)
        .filter(Exists(still_member))
        .select_related("owner", "alliance", "partner")
        .order_by("owner_id", "alliance__name", "alliance_id", "due_on", "id")
    )
    found: dict[int, Digest] = {}
    for commitment in commitments:
        digest = found.get(commitment.owner_id)
        if digest is None:
            digest = found[commitment.owner_id] = Digest(person=commitment.owner, groups=[])
        if not digest.groups or digest.groups[-1].alliance.pk != commitment.alliance_id:
            digest.groups.append(Group(alliance=commitment.alliance))
        link = reverse("reviews:commitment_status", args=[commitment.alliance.slug, commitment.pk])
        digest.groups[-1].items.append(
            Item(commitment=commitment, overdue=commitment.due_on < today, link=_absolute(link))
        )
    return list(found.values())


def subject(digest: Digest) -> str:
    parts = []
    if digest.due:
        parts.append(
            ngettext("%(count)d due this week", "%(count)d due this week", digest.due)
            % {"count": digest.due}
        )
    if digest.overdue:
        parts.append(
            ngettext("%(count)d overdue", "%(count)d overdue", digest.overdue)
            % {"count": digest.overdue}
        )
    return _("Your commitments: %(summary)s") % {"summary": ", ".join(parts)}


def message(digest: Digest) -> EmailMultiAlternatives:
    stop_link = _absolute(reverse("accounts:digest_stop", args=[stop_token(digest.person)]))
    context = {
        "digest": digest,
        "person": digest.person,
        "groups": digest.groups,
        "profile_link": _absolute(reverse("accounts:profile")),
        "stop_link": stop_link,
    }
    return mail.message(
        subject=subject(digest),
        body=render_to_string("reviews/email/digest.txt", context),
        to=[digest.person.email],
        headers={
            **mail.AUTOMATIC,
            "List-Unsubscribe": f"<{stop_link}>",
            # RFC 8058: a mail client's "unsubscribe" button may POST to the stop link,
            # which the link accepts without a session (accounts.views.digest_stop).
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _claim(person: User, today: date) -> bool:
    """Take `today` for this person's digest; False when another run has it already."""
    return bool(
        User.objects.filter(pk=person.pk).exclude(digest_sent_on=today).update(digest_sent_on=today)
    )


def _release(person: User, today: date) -> None:
    User.objects.filter(pk=person.pk, digest_sent_on=today).update(
        digest_sent_on=person.digest_sent_on
    )


def send_digests(today: date | None = None) -> Outcome:
    """Send today's digests. Running it again the same day sends nothing more."""
    today = today or timezone.localdate()
    outcome = Outcome()
    for digest in digests(today):
        if not _claim(digest.person, today):
            continue
        try:
            with speaking(digest.person):
                mail.send(message(digest))
        except Exception:
            _release(digest.person, today)
            logger.exception("The digest to person %s could not be sent.", digest.person.pk)
            outcome.failed += 1
        else:
            outcome.sent += 1
    return outcome
