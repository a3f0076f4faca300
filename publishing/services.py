"""Every write of publishing: each in one transaction, keyword-only, verb-named.

The rows themselves are the history (who proposed, decided, objected, withdrew,
unpublished, made or revoked a link, and when); the publication's page tells it.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accord import mail
from accounts.language import each_in_their_language
from alliances import rules
from alliances.models import Membership
from indicators.models import Indicator
from publishing import snapshots
from publishing.models import (
    PICKER_LEEWAY,
    SHORTEST_PERIOD,
    Consent,
    Item,
    Objection,
    Publication,
    PublicPage,
    ShareLink,
)
from reviews.models import Review

logger = logging.getLogger(__name__)


class PublishingError(Exception):
    """The action cannot be done; the message says why, in plain words."""


@dataclass(frozen=True)
class Choice:
    """One item a coordinator chose: its kind, the indicator's or review's id, its options
    (an indicator's `breakdowns` and `stories`; a report's `sections`)."""

    kind: str
    object_id: int | None = None
    options: dict | None = None


def _snapshot(alliance, choice: Choice, today) -> dict:
    options = choice.options or {}
    if choice.kind == Item.Kind.PURPOSE:
        return snapshots.purpose(alliance)
    if choice.kind == Item.Kind.ACCOMPLISHMENTS:
        return snapshots.accomplishments(alliance)
    if choice.kind == Item.Kind.INDICATOR:
        indicator = (
            Indicator.objects.select_related("alliance")
            .filter(alliance=alliance, pk=choice.object_id)
            .first()
        )
        if indicator is None:
            raise PublishingError(_("An indicator you chose no longer exists."))
        return snapshots.indicator(
            indicator,
            breakdowns=bool(options.get("breakdowns")),
            stories=bool(options.get("stories")),
            today=today,
        )
    if choice.kind == Item.Kind.REPORT:
        review = (
            Review.objects.select_related("alliance")
            .filter(alliance=alliance, pk=choice.object_id)
            .first()
        )
        if review is None:
            raise PublishingError(_("A review you chose no longer exists."))
        return snapshots.review_report(review, sections=options.get("sections", ()), today=today)
    raise PublishingError(_("This kind of item cannot be published."))


def build_items(*, alliance, choices: list[Choice], today=None) -> list[Item]:
    """The items `choices` would publish, their snapshots made now (not saved): what the
    proposal form previews and `propose` keeps."""
    today = today or timezone.localdate()
    return [
        Item(
            kind=choice.kind,
            object_id=choice.object_id,
            options=choice.options or {},
            snapshot=_snapshot(alliance, choice, today),
            position=position,
        )
        for position, choice in enumerate(choices)
    ]


def propose(
    *,
    alliance,
    author,
    audience: str,
    consent_until,
    choices: list[Choice],
    replaces: Publication | None = None,
    today=None,
    now=None,
) -> Publication:
    """Propose to publish `choices` to `audience`: their content frozen now, each partner
    with someone to decide for it asked (and emailed once the transaction commits)."""
    now = now or timezone.now()
    if not choices:
        raise PublishingError(_("Choose at least one thing to publish."))
    if consent_until < now + SHORTEST_PERIOD - PICKER_LEEWAY:
        raise PublishingError(_("Give the partners at least one day to decide."))
    with transaction.atomic():
        publication = Publication.objects.create(
            alliance=alliance,
            audience=audience,
            replaces=replaces,
            proposed_by=author,
            proposed_at=now,
            consent_until=consent_until,
        )
        items = build_items(alliance=alliance, choices=choices, today=today)
        for item in items:
            item.publication = publication
        Item.objects.bulk_create(items)
        deciding = set(
            Membership.objects.filter(rules.DECIDING, alliance=alliance).values_list(
                "partner_id", flat=True
            )
        )
        partners = list(alliance.partners.all())
        Consent.objects.bulk_create(
            Consent(publication=publication, partner=p) for p in partners if p.pk in deciding
        )
        publication.undecidable = [p.name for p in partners if p.pk not in deciding]
        publication.save(update_fields=["undecidable"])
        transaction.on_commit(lambda: email_proposal(publication=publication))
    return publication


def email_proposal(*, publication: Publication, only=None) -> list:
    """Email the consent page's link to everyone who decides for a partner (or those of
    them in `only`); keep who the mail server did not take it for. The proposal stands
    whatever the mail server does. Nobody is asked about a publication that was withdrawn or
    unpublished."""
    if Publication.objects.get(pk=publication.pk).ended:
        raise PublishingError(_("This publication was withdrawn or unpublished."))
    alliance = publication.alliance
    link = settings.SITE_URL + reverse(
        "publishing:publication", args=[alliance.slug, publication.pk]
    )
    memberships = Membership.objects.filter(
        rules.DECIDING, alliance=alliance, partner__in=publication.consents.values("partner")
    ).select_related("user", "partner")
    if only is not None:
        memberships = memberships.filter(user__in=only)

    def write(membership):
        person = membership.user
        context = {
            "publication": publication,
            "alliance": alliance,
            "partner": membership.partner,
            "person": person,
            "link": link,
        }
        return mail.message(
            subject=_("%(alliance)s proposes to publish: does your organization agree?")
            % {"alliance": alliance.name},
            body=render_to_string("publishing/email/proposed.txt", context),
            to=[person.email],
            reply_to=mail.replies_to(publication.proposed_by),
            headers=mail.AUTOMATIC,
        )

    missed = mail.not_reached(each_in_their_language(memberships, write, lambda m: m.user))
    if missed:
        logger.error(
            "The email of publication %s did not reach person(s) %s.",
            publication.pk,
            ", ".join(str(person.pk) for person in missed),
        )
    publication.not_emailed.set(missed)
    return missed


def decide(
    *, publication: Publication, membership: Membership, objections: dict[int, str], now=None
) -> Consent:
    """`membership`'s partner decides: it objects to the items in `objections` (item id:
    reason) and approves the rest. One decision per partner: the first person decides."""
    now = now or timezone.now()
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(publication=publication, partner_id=membership.partner_id)
            .first()
        )
        if consent is None:
            raise PublishingError(_("Your organization was not asked about this publication."))
        if consent.decided_at is not None:
            raise PublishingError(
                _("%(person)s has already decided for your organization.")
                % {"person": _name(consent.person)}
            )
        fresh = Publication.objects.get(pk=publication.pk)
        if fresh.ended:
            raise PublishingError(_("This publication was withdrawn or unpublished."))
        items = set(fresh.items.values_list("pk", flat=True))
        for item_id, reason in objections.items():
            if item_id not in items:
                raise PublishingError(_("This item is not part of the publication."))
            if not reason.strip():
                raise PublishingError(_("Say why your organization objects."))
        Objection.objects.bulk_create(
            Objection(
                item_id=item_id,
                partner_id=membership.partner_id,
                person=membership.user,
                reason=reason.strip(),
                at=now,
            )
            for item_id, reason in objections.items()
        )
        consent.person = membership.user
        consent.decided_at = now
        consent.save(update_fields=["person", "decided_at"])
    return consent


def _name(person) -> str:
    return (person.name or person.email) if person else _("Someone no longer here")


def withdraw(*, publication: Publication, author, now=None) -> None:
    """The coordinator takes the proposal back: nothing of it is shown."""
    _end(publication, author, "withdrawn", now)


def unpublish(*, publication: Publication, author, now=None) -> None:
    """Stop showing the publication, at once, everywhere (pages, links, embeds)."""
    _end(publication, author, "unpublished", now)


def _end(publication, author, how, now):
    now = now or timezone.now()
    with transaction.atomic():
        done = Publication.objects.filter(
            pk=publication.pk, withdrawn_at__isnull=True, unpublished_at__isnull=True
        ).update(**{f"{how}_at": now, f"{how}_by": author})
        if not done:
            raise PublishingError(_("This publication was already withdrawn or unpublished."))
    setattr(publication, f"{how}_at", now)
    setattr(publication, f"{how}_by", author)


def create_share_link(*, alliance, author, label: str, expires_at=None) -> tuple[ShareLink, str]:
    """A new shared link and its token (shown once: only its hash is kept)."""
    link = ShareLink(alliance=alliance, label=label, created_by=author, expires_at=expires_at)
    token = link.issue_token()
    link.save()
    return link, token


def revoke_share_link(*, link: ShareLink, author, now=None) -> None:
    """The link answers 404 from now on."""
    now = now or timezone.now()
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=author
    )


def set_public_page(*, alliance, author, on: bool, indexable: bool) -> PublicPage:
    with transaction.atomic():
        page, _created = PublicPage.objects.select_for_update().get_or_create(alliance=alliance)
        page.on, page.indexable = on, indexable
        page.changed_by, page.changed_at = author, timezone.now()
        page.save()
    return page
