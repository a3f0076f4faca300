"""What an alliance shows beyond itself, with its partners' consent.

A `Publication` is a coordinator's proposal of a set of `Item`s for an audience; each item's
content is frozen as a JSON snapshot when it is proposed (docs/publishing.md: what partners
approve is what is shown, and later data changes nothing until a new proposal is approved).
Each partner decides once (`Consent`): it approves, or objects to chosen items with a reason
each (`Objection`). Whether an item is waiting, approved or stopped is computed in one place,
`publishing.consent`. The rows keep the whole story (who proposed, decided, withdrew,
unpublished, and when), which the publication's page tells.

`ShareLink` is a secret address for a funder or a board (only its hash is kept);
`PublicPage` is the alliance's choice of a public page and whether search engines may index it.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The shortest and the usual time partners have to decide.
SHORTEST_PERIOD = timedelta(days=1)
USUAL_PERIOD = timedelta(days=7)
# A date-time picker has no seconds, and a form takes a few minutes to fill: "this time
# tomorrow", typed when the form was opened, is a little short of a day when it is sent.
PICKER_LEEWAY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Audience(models.TextChoices):
    SHARED = "shared", _("by shared link only (funders, boards)")
    PUBLIC = "public", _("by shared link and on the public page")


class Publication(models.Model):
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="publications"
    )
    audience = models.CharField(
        _("who may see it"), max_length=10, choices=Audience.choices, default=Audience.SHARED
    )
    # The publication this one updates: once this one is settled, it replaces that one.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="updates"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    consent_until = models.DateTimeField(_("partners decide until"))
    # Partners that had nobody to decide for them when it was proposed (their names).
    undecidable = models.JSONField(default=list, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unpublished_at = models.DateTimeField(null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who the proposal's email did not reach.
    not_emailed = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self):
        return f"{self.alliance} {self.proposed_at:%Y-%m-%d} ({self.audience})"

    @property
    def ended(self) -> bool:
        """Withdrawn or unpublished: nothing of it is shown any more."""
        return self.withdrawn_at is not None or self.unpublished_at is not None


class Item(models.Model):
    class Kind(models.TextChoices):
        PURPOSE = "purpose", _("The alliance's name and purpose")
        INDICATOR = "indicator", _("An indicator")
        ACCOMPLISHMENTS = "accomplishments", _("The accomplishments")
        REPORT = "report", _("A review's report")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The indicator's or the review's id (none for the purpose and the accomplishments).
    object_id = models.PositiveIntegerField(null=True, blank=True)
    options = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id or ''}".strip()

    @property
    def title(self) -> str:
        """What the item is, in a few words (for the consent form and the history)."""
        if self.kind == self.Kind.INDICATOR:
            return str(_("Indicator: %(name)s")) % {"name": self.snapshot.get("name", "")}
        if self.kind == self.Kind.REPORT:
            return str(_("Report of %(review)s")) % {
                "review": self.snapshot.get("review", {}).get("name", "")
            }
        return str(self.get_kind_display())


class Consent(models.Model):
    """One partner's decision on a publication: waiting until someone of the partner decides
    (approving every item they did not object to)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="consents")
    partner = models.ForeignKey("alliances.Partner", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("publication", "partner", name="one_consent_per_partner")
        ]

    def __str__(self):
        return f"{self.partner} on {self.publication_id}"


class Objection(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="objections")
    partner = models.ForeignKey("alliances.Partner", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("why"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.partner} objects to {self.item_id}"


class ShareLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ShareLink(models.Model):
    """A secret address for a funder or a board: every item the alliance has published.
    Only the token's hash is kept; the address is shown once, when it is made."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="share_links"
    )
    label = models.CharField(
        _("for whom"), max_length=120, help_text=_("For example: For the Hill Foundation.")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("works until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= now:
            return "expired"
        return "active"


class PublicPage(models.Model):
    """The alliance's public page: off until a coordinator turns it on."""

    alliance = models.OneToOneField(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="public_page"
    )
    on = models.BooleanField(_("the public page is on"), default=False)
    indexable = models.BooleanField(_("search engines may index it"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.alliance} public page"
