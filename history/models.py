from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A row that people edit together: its version number guards against lost updates.

    Save changes through `history.services.save_edit`, which refuses a save made from a
    stale version and writes a Revision for every change.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class RevisionQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).select_related("author")


class Revision(models.Model):
    """One change to one record: who made it, when, and each field's old and new value."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="revisions"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # {field name: {"label": ..., "old": ..., "new": ...}}, values as people read them.
    changes = models.JSONField(default=dict)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # The alliance's latest revision, found at once: pages cached until it changes.
            models.Index(fields=["alliance", "id"], name="revision_alliance_latest"),
        ]

    def __str__(self):
        return f"{self.object_repr} v{self.version} ({self.action})"
