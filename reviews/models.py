from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.models import Versioned
from reviews.framework import SOURCE_LANGUAGE, framework

# Below three answers, a spread of ratings can give a person away.
MIN_THRESHOLD = 3


class Question(models.Model):
    """One wording of one question. Rows are never edited: a new wording is a new version,
    and the old one is retired, so that answers from different years stay comparable."""

    class Origin(models.TextChoices):
        FRAMEWORK = "framework", _("the framework")
        ALLIANCE = "alliance", _("the alliance")

    component_key = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.FRAMEWORK)
    # An alliance's own questions belong to one review; the framework's belong to none.
    review = models.ForeignKey(
        "Review", null=True, blank=True, on_delete=models.CASCADE, related_name="own_questions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    # An alliance's own question: every version of it, and every review it is asked again
    # in, share one chain, so that its answers can be compared across reviews.
    chain = models.UUIDField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["component_key", "position", "version"]
        constraints = [
            models.UniqueConstraint(
                "component_key",
                "position",
                "version",
                condition=models.Q(review__isnull=True),
                name="framework_question_version_unique",
            ),
            models.UniqueConstraint(
                "review",
                "component_key",
                "position",
                "version",
                condition=models.Q(review__isnull=False),
                name="review_question_version_unique",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def component(self):
        return framework().get(self.component_key)

    @property
    def _component(self):
        return self.component if self.origin == self.Origin.FRAMEWORK else None

    @property
    def shown_text(self) -> str:
        """The wording to show people: a framework question in the reader's language, from
        the framework file's translation of this exact English wording; an alliance's own
        question as it was written. `text` stays the English that ratings answer."""
        component = self._component
        return component.question_text(self.text) if component else self.text

    @property
    def shown_lang(self) -> str:
        """The language of `shown_text` when it is not the reader's, for a `lang`
        attribute: an older framework wording has no translation and is shown in English."""
        component = self._component
        if component and component.translated and self.shown_text == self.text:
            return SOURCE_LANGUAGE
        return ""


class ReviewQuerySet(models.QuerySet):
    def with_recorded_count(self):
        """Each review with how many of its components are recorded (`recorded_count`)."""
        recorded = models.Q(records__state=ComponentRecord.State.RECORDED)
        return self.annotate(recorded_count=models.Count("records", filter=recorded))


class Review(Versioned):
    """One pass of an alliance through the six components, over one or more meetings."""

    objects = ReviewQuerySet.as_manager()

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="reviews"
    )
    name = models.CharField(
        _("name"), max_length=120, help_text=_("For example: Spring 2027 review.")
    )
    started_on = models.DateField(_("start date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The rules of private answers. Fixed once anything has stated them to the members
    # (see rules_locked); every answer carries the rules it was given under (`rules`).
    anonymous = models.BooleanField(
        _("anonymous answers"),
        default=True,
        help_text=_(
            "Anonymous: nobody, not even the coordinator or the site's administrator, can "
            "see who gave which rating or wrote which reflection. Named: every answer shows "
            "its author."
        ),
    )
    rating_threshold = models.PositiveSmallIntegerField(
        _("answers needed before ratings are shown"),
        default=3,
        validators=[MinValueValidator(MIN_THRESHOLD)],
        help_text=_("At least 3. Below it, only the number of answers is shown."),
    )
    reflection_threshold = models.PositiveSmallIntegerField(
        _("written answers needed before they are shown"),
        default=5,
        validators=[MinValueValidator(MIN_THRESHOLD)],
        help_text=_("At least 3, per question. Below it, only their number is shown."),
    )
    partner_follow_through = models.BooleanField(
        _("show follow-through per partner"),
        default=False,
        help_text=_(
            "Off: commitments kept are shown for the alliance as a whole. On: also a table "
            "per partner, in name order, without ranking. The framework asks the alliance "
            "to focus on the difference it makes rather than on judging each member."
        ),
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    rating_threshold__gte=MIN_THRESHOLD, reflection_threshold__gte=MIN_THRESHOLD
                ),
                name="review_thresholds_at_least_3",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.alliance.slug, self.pk])

    @property
    def rules(self) -> str:
        """The rules of private answers in a few characters: a form carries them, and an
        answer is taken only if they are still the review's (`ratings.services.submit`)."""
        kind = "anonymous" if self.anonymous else "named"
        return f"{kind}-{self.rating_threshold}-{self.reflection_threshold}"

    @property
    def rules_locked(self) -> bool:
        """The rules cannot change once they have been promised to the members: a round of
        answers exists as soon as a check-in is opened (and emailed) or a meeting reaches
        a reflect phase, and each shows the form under these rules."""
        return self.rounds.exists()


class ComponentRecord(Versioned):
    """What a review found for one component: its state and the record of the conversation."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_DISCUSSION = "in_discussion", _("in discussion")
        RECORDED = "recorded", _("recorded")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="records")
    component_key = models.CharField(max_length=30, editable=False)
    number = models.PositiveSmallIntegerField(editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.NOT_STARTED
    )
    notes = models.TextField(_("notes"), blank=True)
    agreements = models.TextField(_("what the partners agree on"), blank=True)
    concerns = models.TextField(_("where they still disagree or have concerns"), blank=True)
    ideas = models.TextField(_("ideas to improve the alliance"), blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    out_of_order_reason = models.TextField(_("reason for opening out of order"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    # The component's register as it stood when the component was recorded (see
    # registers.figures.snapshot): what this review found stays as it was.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("component record")
        verbose_name_plural = _("component records")
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint("review", "component_key", name="one_record_per_component")
        ]

    def __str__(self):
        return f"{self.component.name} ({self.review})"

    @property
    def component(self):
        return framework().get(self.component_key)

    @property
    def is_open(self) -> bool:
        return self.state != self.State.NOT_STARTED

    @property
    def register_readonly(self) -> bool:
        """The register is shown, not edited, here: before the component opens, and once
        the review keeps its snapshot."""
        return bool(self.snapshot) or not self.is_open

    def get_absolute_url(self):
        return reverse(
            "reviews:component",
            args=[self.review.alliance.slug, self.review_id, self.component_key],
        )


class Commitment(Versioned):
    """Something a partner said it would do, by a date, and whether it was done."""

    class Status(models.TextChoices):
        OPEN = "open", _("not yet due or in progress")
        DONE = "done", _("done")
        PARTLY = "partly", _("partly done")
        NOT_DONE = "not_done", _("not done")
        DROPPED = "dropped", _("dropped")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="commitments"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    component_key = models.CharField(max_length=30, blank=True, editable=False)
    description = models.CharField(_("what will be done"), max_length=300)
    partner = models.ForeignKey(
        "alliances.Partner",
        verbose_name=_("partner organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    due_on = models.DateField(_("due by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    status_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
