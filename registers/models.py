"""The alliance's living registers, the tools of the first three components.

They belong to the alliance and persist across reviews; when a component is recorded, the
review keeps a snapshot of its register as it stood (`ComponentRecord.snapshot`).
Every row is Versioned: edits go through `history.services.save_edit`.
"""

import uuid
from pathlib import Path

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


class Strength(models.TextChoices):
    """How closely two partners work together on a tie, from the loosest to the closest (the
    levels of collaboration network practice uses)."""

    AWARE = "aware", _("aware of each other")
    COOPERATING = "cooperating", _("cooperating")
    COORDINATING = "coordinating", _("coordinating")
    INTEGRATED = "integrated", _("integrated")


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
    strength = models.CharField(
        _("how they work together"),
        max_length=12,
        choices=Strength.choices,
        blank=True,
        help_text=_(
            "Aware: they know of each other's work and share news. Cooperating: they help "
            "each other when asked. Coordinating: they plan and time their work together. "
            "Integrated: they work as one on this, sharing staff, money or decisions."
        ),
    )
    # Whether each side has said the tie is as written: a member of that partner confirms
    # it (adding it confirms the adder's own side).
    dependent_confirmed = models.BooleanField(
        _("confirmed by the partner that depends"), default=False
    )
    provider_confirmed = models.BooleanField(
        _("confirmed by the partner depended on"), default=False
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


class Accomplishment(Versioned):
    """Something the alliance has achieved: the trust conversation starts from results."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="accomplishments"
    )
    statement = models.CharField(
        _("what the alliance achieved"),
        max_length=300,
        help_text=_("For example: 1,200 children ate a free summer meal in July."),
    )
    achieved_on = models.DateField(_("date"))
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("the goal it serves"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accomplishments",
    )
    figure = models.DecimalField(
        _("figure"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Optional. In the goal's unit, it counts toward the goal's target."),
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("accomplishment")
        verbose_name_plural = _("accomplishments")
        ordering = ["-achieved_on", "-id"]

    def __str__(self):
        return self.statement


def agreement_file_path(instance, filename: str) -> str:
    """A random name under the alliance's folder: the stored name says nothing, and two
    uploads of `plan.pdf` never meet. The original name is kept in `file_name`."""
    suffix = Path(filename).suffix.lower()
    return f"agreements/{instance.alliance_id}/{uuid.uuid4().hex}{suffix}"


class Agreement(Versioned):
    """A work plan, memorandum of understanding, policy or procedure of the alliance.
    Every member sees every agreement: transparency is the point."""

    class Kind(models.TextChoices):
        WORK_PLAN = "work_plan", _("work plan")
        MOU = "mou", _("memorandum of understanding or contract")
        POLICY = "policy", _("policy")
        PROCEDURE = "procedure", _("procedure")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_FORCE = "in_force", _("in force")
        UNDER_REVIEW = "under_review", _("under review")
        RETIRED = "retired", _("retired")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("partner that keeps it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=agreement_file_path, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    review_on = models.DateField(_("next review by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_FORCE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    @property
    def review_overdue(self) -> bool:
        return (
            self.review_on is not None
            and self.status != self.Status.RETIRED
            and self.review_on < timezone.localdate()
        )


class Pledge(Versioned):
    """A partner's promise to bring a resource by a date, and whether it came."""

    class Delivery(models.TextChoices):
        PENDING = "pending", _("not yet delivered")
        COMPLETE = "complete", _("delivered completely")
        PARTIAL = "partial", _("delivered partly")
        NOT_DELIVERED = "not_delivered", _("not delivered")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="pledges"
    )
    partner = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("partner that pledges"),
        on_delete=models.CASCADE,
        related_name="pledges",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="pledges",
    )
    amount = models.CharField(
        _("amount or description"),
        max_length=300,
        help_text=_("For example: $5,000, or two volunteers every Saturday in June."),
    )
    pledged_on = models.DateField(_("pledged on"), default=timezone.localdate)
    due_on = models.DateField(_("due by"))
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.PENDING
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Needed when it was not delivered: what got in the way?")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("pledged_on")),
                name="pledge_due_after_pledged",
            )
        ]

    def __str__(self):
        return f"{self.partner}: {self.amount}"

    @property
    def on_time(self) -> bool | None:
        """Whether what was delivered came by the due date (None while nothing came)."""
        if self.delivered_on is None or self.delivery not in (
            self.Delivery.COMPLETE,
            self.Delivery.PARTIAL,
        ):
            return None
        return self.delivered_on <= self.due_on
