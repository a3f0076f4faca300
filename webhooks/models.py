"""Outgoing webhooks: an address another system gave the alliance's coordinators, and each
event sent (or to be sent) to it, with what the other system answered."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An address Accord posts the chosen events of one alliance to, each signed with the
    secret (docs/webhooks.md). The secret is kept as it is, since signing needs it; it is
    shown to the coordinator once, when it is made or made again."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(
        _("address"),
        max_length=500,
        help_text=_("The address the other system gave you, starting with https://."),
    )
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(
        _("sending"),
        default=True,
        help_text=_(
            "Untick to stop sending for a while; events that happen meanwhile are not sent."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.url

    @property
    def secret_start(self) -> str:
        return self.secret[:10]


class Delivery(models.Model):
    """One event for one webhook: the body exactly as sent, and how sending went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("given up")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # What makes the event once-only for a webhook: a commitment due on a day is sent once,
    # however many times the daily job runs.
    event_key = models.CharField(max_length=200)
    payload = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The start of what the other system answered, kept as text and shown escaped.
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint("webhook", "event_key", name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.event} ({self.uuid})"
