"""Shared indicators of progress: measures with a baseline and a target, their values over
time (per breakdown, when they have any), and the story behind each curve.

Values come from a form, a CSV import or the API (with a per-alliance token); every value
is Versioned, so a correction keeps its history.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.models import Versioned


class Indicator(Versioned):
    class Direction(models.TextChoices):
        UP = "up", _("higher is better")
        DOWN = "down", _("lower is better")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("every week")
        MONTHLY = "monthly", _("every month")
        QUARTERLY = "quarterly", _("every quarter")
        YEARLY = "yearly", _("every year")
        OTHER = "other", _("when it can be measured")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("For example: children eating at a summer meal site."),
    )
    definition = models.TextField(
        _("what it counts and how"),
        blank=True,
        help_text=_("Who or what is counted, and how, so that every count means the same."),
    )
    source = models.CharField(_("source of the figures"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("which way is better"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    goals = models.ManyToManyField(
        "registers.Goal",
        verbose_name=_("goals it shows progress on"),
        blank=True,
        related_name="indicators",
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    frequency = models.CharField(
        _("how often it is measured"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    responsible = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("partner that reports it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    breakdown_label = models.CharField(
        _("broken down by"),
        max_length=60,
        blank=True,
        help_text=_("Optional. For example: county, or age group."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Breakdown(models.Model):
    """One part of an indicator (a county, an age group), with values of its own."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="breakdowns")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("indicator", "name", name="breakdown_name_unique"),
        ]

    def __str__(self):
        return self.name


class Value(Versioned):
    """The indicator's value on a date: for the whole (no breakdown) or for one breakdown."""

    class Origin(models.TextChoices):
        FORM = "form", _("typed in")
        IMPORT = "import", _("imported from a file")
        API = "api", _("sent by another system")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    breakdown = models.ForeignKey(
        Breakdown,
        verbose_name=_("breakdown"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="values",
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.FORM)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                "indicator", "date", condition=Q(breakdown=None), name="one_value_per_date"
            ),
            models.UniqueConstraint(
                "indicator",
                "breakdown",
                "date",
                condition=Q(breakdown__isnull=False),
                name="one_breakdown_value_per_date",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "breakdown", "date"])]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.date})"


class Story(Versioned):
    """The story behind the curve, told in one review: what helps, what makes it hard to move
    forward, and what the alliance will do to improve the results."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="stories")
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="indicator_stories"
    )
    helping = models.TextField(_("what is helping"), blank=True)
    hindering = models.TextField(_("what is making it hard to move forward"), blank=True)
    actions = models.TextField(_("what we will do to improve the results"), blank=True)

    class Meta:
        verbose_name = _("story behind the curve")
        verbose_name_plural = _("stories behind the curve")
        constraints = [models.UniqueConstraint("indicator", "review", name="one_story_per_review")]

    def __str__(self):
        return f"{self.indicator} ({self.review})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A secret another system sends to push values to one alliance's indicators. Only its
    hash is kept; the token itself is shown once, when it is made."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, for example: the county data hub.")
    )
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def issue(self) -> str:
        """Give the row a new secret and return it (shown once, never stored)."""
        token = "acc_" + secrets.token_urlsafe(32)
        self.prefix = token[:8]
        self.digest = hash_token(token)
        return token
