"""Private ratings and written reflections.

A Round collects answers about one component of one review (in a check-in before a meeting,
or in a meeting's reflect step). Who has answered and what was answered live in separate
tables with nothing that joins them:

- `Participation` says that a person answered a round (to count, and to refuse a second
  answer). It holds the person and the round, no time and nothing of the answer.
- `SealedAnswer` holds each answer while the round is open: a random id, the round, and
  one blob encrypted under a key derived from the server's secret (`ratings.sealing`).
- `Rating` and `Reflection` hold the answers once the round is closed: a random id, the
  round, and in a named review only, the author. They are written once, all the round's
  answers in one shuffled statement, when the round settles (`ratings.services.settle`);
  no foreign key, id, time or insertion order links them to a participation.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.framework import framework

RATING_MIN, RATING_MAX = 1, 5
SCALE = {
    1: _("Not at all true of our alliance"),
    2: _("A little true"),
    3: _("Partly true"),
    4: _("Mostly true"),
    5: _("Fully true of our alliance"),
}
CONFIDENCE_SCALE = {
    1: _("Not at all confident"),
    2: _("A little confident"),
    3: _("Somewhat confident"),
    4: _("Quite confident"),
    5: _("Fully confident"),
}
REFLECTION_MAX_LENGTH = 2000


class CheckIn(models.Model):
    """A private check-in before a meeting: members rate and write about some components
    of a review, from their own device, until it closes."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="check_ins")
    closes_at = models.DateTimeField(_("closes at"))
    message = models.TextField(_("message to the members"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Who the mail server did not take the check-in's email for, until it is sent again.
    not_emailed = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("not emailed")
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.review} check-in {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and timezone.now() < self.closes_at


class Round(models.Model):
    """One collection of answers about one component of one review."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="rounds")
    component_key = models.CharField(max_length=30)
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="rounds"
    )
    # Set for a round of confidence in one goal (mutual respect and trust); such a round
    # takes ratings only, on the confidence scale.
    goal = models.ForeignKey(
        "registers.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A confidence round is asked with the trust component's round of the same check-in or
    # meeting, and closes with it.
    asked_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="confidence_rounds"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Its sealed answers were opened and written as ratings and reflections (once closed).
    settled = models.BooleanField(default=False, editable=False)
    # How many had answered when the room was last shown this round's result, if it was
    # reopened since: a new result is shown only once K more have answered (or none), so
    # nobody can work out a late answer by comparing the two (`ratings.results`).
    shown_count = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["opened_at", "id"]

    def __str__(self):
        return f"{self.review} / {self.component_key}"

    @property
    def component(self):
        return framework().get(self.component_key)

    @property
    def scale(self) -> dict:
        return CONFIDENCE_SCALE if self.goal_id else SCALE

    @property
    def is_open(self) -> bool:
        if self.check_in_id and not self.check_in.is_open:
            return False
        return self.closed_at is None


class Participation(models.Model):
    """That a person has answered a round. Nothing here says what they answered.

    `user` is empty for a round imported from another installation
    (`records.transfer_import`): an anonymous review's document holds how many answered, never
    who, so the imported round keeps its count with nobody behind it. It is emptied too when
    an account is deleted: like its answers (`Answer.author`), the participation stays, so
    that the count stays the number of answers, and a later answer is not shown alone by a
    count that fell by one (`ratings.results`)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("round", "user", name="one_answer_per_person_per_round")
        ]

    def __str__(self):
        return f"{self.user} answered {self.round}"


class SealedAnswer(models.Model):
    """One person's answer to an open round, readable only with the server's secret: no
    author, no time, nothing but the round and the blob (see `ratings.sealing`)."""

    # Random: a counting id would follow the order answers arrived in, which is the order of
    # the participations' ids, and so pair each blob with its person.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    blob = models.BinaryField()

    def __str__(self):
        return f"a sealed answer to {self.round_id}"


class Answer(models.Model):
    """Common to ratings and reflections: a random id, the round. The author is kept only
    in a named review. Written only when the round settles."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    # Set only in a named review (`settle` drops it otherwise). SET_NULL: a deleted account's
    # answers stay in their round's results, so its counts do not change.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class Rating(Answer):
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=RATING_MIN, value__lte=RATING_MAX),
                name="rating_between_1_and_5",
            )
        ]

    def __str__(self):
        return str(self.value)


class Reflection(Answer):
    question = models.ForeignKey("reviews.Question", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=REFLECTION_MAX_LENGTH)

    def __str__(self):
        return self.text[:60]
