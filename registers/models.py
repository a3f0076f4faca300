"""The alliance's living registers, the tools of the first three components.

They belong to the alliance and persist across reviews; when a component is recorded, the
review keeps a snapshot of its register as it stood (`ComponentRecord.snapshot`).
Every row is Versioned: edits go through `history.services.save_edit`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from history.models import Versioned


class Goal(Versioned):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed")
        ACHIEVED = "achieved", _("achieved")
        RETIRED = "retired", _("retired")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="goals"
    )
    statement = models.CharField(
        _("the outcome, in concrete terms"),
        max_length=300,
        help_text=_("For example: every child in the county can reach a free summer meal."),
    )
    community = models.CharField(_("the community it serves"), max_length=200, blank=True)
    measure = models.CharField(
        _("how it will be measured"),
        max_length=200,
        blank=True,
        help_text=_("For example: share of eligible children at a summer meal site."),
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("unit"), max_length=40, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.statement

    @property
    def is_measurable(self) -> bool:
        return bool(self.measure) and self.target_value is not None and self.target_date is not None


class Alignment(Versioned):
    """Where one partner stands on one goal, and whether the goal needs that partner."""

    class Stance(models.TextChoices):
        OURS = "ours", _("our goal too")
        PARTLY = "partly", _("partly ours")
        NOT_OURS = "not_ours", _("not our goal")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="alignments")
    partner = models.ForeignKey(
        "alliances.Partner", on_delete=models.CASCADE, related_name="alignments"
    )
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    essential = models.BooleanField(
        _("essential to this goal"),
        default=False,
        help_text=_("The goal cannot be reached without this partner."),
    )

    class Meta:
        verbose_name = _("alignment")
        constraints = [models.UniqueConstraint("goal", "partner", name="one_alignment_per_cell")]

    def __str__(self):
        return f"{self.partner} / {self.goal}"


class Resource(Versioned):
    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", _("knowledge")
        SKILLS = "skills", _("skills")
        RELATIONSHIPS = "relationships", _("relationships")
        STAFF = "staff", pgettext_lazy("resource kind", "staff")
        FUNDING = "funding", _("funding")
        SPACE = "space", _("space or equipment")
        OTHER = "other", _("other")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="resources"
    )
    description = models.CharField(_("what is needed"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("the goal it serves"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    responsible = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("partner responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.description


class Contribution(models.Model):
    """That a partner brings a resource. A cell of the contribution matrix: it exists or not."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="contributions")
    partner = models.ForeignKey(
        "alliances.Partner", on_delete=models.CASCADE, related_name="contributions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("resource", "partner", name="one_contribution_per_cell")
        ]

    def __str__(self):
        return f"{self.partner} brings {self.resource}"


class Dependency(Versioned):
    """Partner A depends on partner B for something, for a goal or a resource."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="dependencies"
    )
    dependent = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("partner that depends"),
        on_delete=models.CASCADE,
        related_name="dependencies",
    )
    provider = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("depends on"),
        on_delete=models.CASCADE,
        related_name="dependents",
    )
    what = models.CharField(_("for what"), max_length=300)
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("for the goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependencies",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("for the resource"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependencies",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(dependent=models.F("provider")),
                name="no_dependency_on_oneself",
            )
        ]

    def __str__(self):
        return f"{self.dependent} → {self.provider}: {self.what}"


class ImpactAnswer(Versioned):
    """A partner's answer, once per review: could we have the same impact alone?"""

    class Answer(models.TextChoices):
        NO = "no", _("no")
        PARTLY = "partly", _("partly")
        YES = "yes", _("yes")

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="impact")
    partner = models.ForeignKey(
        "alliances.Partner", on_delete=models.CASCADE, related_name="impact_answers"
    )
    answer = models.CharField(
        _("Could our organization have the same impact without the alliance?"),
        max_length=10,
        choices=Answer.choices,
    )
    why = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("impact answer")
        constraints = [models.UniqueConstraint("review", "partner", name="one_impact_answer")]

    def __str__(self):
        return f"{self.partner}: {self.answer}"
