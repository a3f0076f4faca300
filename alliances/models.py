import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from history.models import Versioned


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("coordinator")
    FACILITATOR = "facilitator", _("facilitator")
    MEMBER = "member", _("member")
    OBSERVER = "observer", _("observer")


class Alliance(Versioned):
    """A group of partner organizations working together; the wall around all its data."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=140, unique=True, editable=False)
    community = models.CharField(
        _("community it serves"),
        max_length=200,
        help_text=_("For example: families in Harvest County facing food insecurity."),
    )
    purpose = models.TextField(
        _("purpose"), help_text=_("Why the partners came together, in a few sentences.")
    )
    # What the room's screen shows in a meeting, unless the facilitator asks for two
    # languages side by side. Not a `choices` field, like `User.language`: adding a language
    # to LANGUAGES must not need a migration (the form offers LANGUAGES).
    language = models.CharField(
        _("language of the room"),
        max_length=16,
        default=settings.LANGUAGE_CODE,
        help_text=_("What the projector shows in meetings, unless the facilitator chooses two."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:120] or "alliance"
        slug, n = base, 1
        while Alliance.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def get_absolute_url(self):
        return reverse("alliances:detail", args=[self.slug])


class Partner(Versioned):
    """A partner organization of an alliance."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("short description"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    joined_on = models.DateField(
        _("joined the alliance on"),
        default=timezone.localdate,
        help_text=_("Figures of a review that began earlier say that this partner joined later."),
    )

    class Meta:
        verbose_name = _("partner organization")
        verbose_name_plural = _("partner organizations")
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "alliance", Lower("name"), name="partner_name_unique_in_alliance"
            )
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        return (
            self.filter(user=user)
            .select_related("alliance", "partner")
            .order_by(Lower("alliance__name"))
        )


class Membership(models.Model):
    """A person's place in an alliance: their role and, unless they facilitate from
    outside, the partner organization they represent."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint("alliance", "user", name="one_membership_per_alliance")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.alliance})"

    # The rules themselves live in alliances/rules.py; these let templates ask them.

    @property
    def can_coordinate(self) -> bool:
        # imported here: rules imports this module
        from alliances import rules

        return rules.COORDINATE.allows(self)

    @property
    def can_facilitate(self) -> bool:
        # imported here: rules imports this module
        from alliances import rules

        return rules.FACILITATE.allows(self)

    @property
    def can_write(self) -> bool:
        # imported here: rules imports this module
        from alliances import rules

        return rules.WRITE.allows(self)

    @property
    def can_answer(self) -> bool:
        # imported here: rules imports this module
        from alliances import rules

        return rules.ANSWER.allows(self)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def get_by_token(self, token: str):
        return self.select_related("alliance", "partner", "invited_by").get(
            token_hash=_hash_token(token)
        )


class Invitation(models.Model):
    """An emailed, single-use link into an alliance with a role. Only the token's hash is
    stored, so a database reader cannot use a pending invitation."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The language the inviter chose for someone who has no account yet: the email is
    # written in it, and the page of the link offers it for the new account. Blank on
    # invitations made before it existed: the site's language. Not a `choices` field, like
    # `User.language`.
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.alliance}"

    def issue_token(self) -> str:
        """Give the invitation a fresh token and return it; only its hash is kept."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
        return token

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_state_display(self) -> str:
        return {
            "accepted": _("accepted"),
            "revoked": _("revoked"),
            "expired": _("expired"),
            "pending": _("waiting for an answer"),
        }[self.state]
