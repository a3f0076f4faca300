"""A live meeting lives in the database: its phases are rows, `current` points at one of
them, and `seq` counts every change that participants must see. A server process keeps
nothing of a meeting in memory, so that any process can serve any participant and a
restart loses nothing."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.language import chosen
from reviews.framework import framework


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        LIVE = "live", _("live")
        ENDED = "ended", _("ended")
        # A planned meeting called off: it is never started, and calendars drop it.
        CANCELLED = "cancelled", _("cancelled")

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    agenda = models.JSONField(_("agenda"), default=list)  # component keys, in framework order
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Keeps the notes with the facilitator."),
    )
    current = models.ForeignKey(
        "Phase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who is asked to answer: the partners' people always; coordinators and facilitators
    # who belong to no partner only when the facilitator says so (they usually lead).
    unpartnered_answer = models.BooleanField(
        _("people without a partner answer too"),
        default=False,
        help_text=_(
            "Coordinators and facilitators who belong to no partner usually lead the meeting "
            "and do not rate. Tick this to ask them for an answer too."
        ),
    )
    # The languages the room's screen shows, side by side; none: the alliance's language.
    projector_languages = models.JSONField(
        _("languages of the projector"), default=list, blank=True
    )
    seq = models.PositiveIntegerField(default=0)
    # The calendar's SEQUENCE (RFC 5545): moves when the time, length, place or video link
    # of the planned meeting changes, or it is cancelled, so that a calendar that has the
    # event (same UID) takes the newer one. Not `seq`, which counts what the room sees.
    calendar_sequence = models.PositiveIntegerField(default=0)
    # When what a calendar shows of it last changed: its LAST-MODIFIED.
    calendar_changed_at = models.DateTimeField(default=timezone.now)
    projector_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who the mail server did not take the meeting's invitation for, until it is sent again.
    not_emailed = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("not emailed")
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=20, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.review.name}, {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.review.alliance.slug, self.pk])

    def agenda_components(self):
        return [framework().get(key) for key in self.agenda]

    def projector_codes(self) -> list[str]:
        """The languages the projector shows, in order: those the facilitator chose (still
        among the site's), else the alliance's."""
        codes = [code for code in map(chosen, self.projector_languages or []) if code]
        return list(dict.fromkeys(codes)) or [
            chosen(self.review.alliance.language) or settings.LANGUAGE_CODE
        ]

    def issue_projector_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.projector_token_hash = hash_token(token)
        return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's private calendar feed (`/calendar/<token>.ics`): the meetings of every
    alliance they belong to and their open commitments, for a calendar app to subscribe
    to. The token is a bearer secret: only its SHA-256 is kept, so it is shown once, when
    made; making a new one replaces it, and deleting the row stops the feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"calendar feed of {self.user}"


class Phase(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening: commitments")
        INTRODUCE = "introduce", _("Introduce")
        REFLECT = "reflect", _("Reflect")
        REVEAL = "reveal", _("Reveal")
        DISCUSS = "discuss", _("Discuss")
        RECORD = "record", _("Record")
        CLOSING = "closing", _("Closing")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    component_key = models.CharField(max_length=30, blank=True)
    round = models.ForeignKey(
        "ratings.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.PositiveSmallIntegerField(default=0)  # the commitment shown, in the opening
    reached_at = models.DateTimeField(null=True, blank=True)
    timer_ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint("meeting", "position", name="one_phase_per_position")
        ]

    def __str__(self):
        if self.component_key:
            return f"{self.component.name}: {self.Kind(self.kind).label}"
        return str(self.Kind(self.kind).label)

    @property
    def component(self):
        return framework().get(self.component_key) if self.component_key else None


class LogEntry(models.Model):
    """What happened in a meeting, and who did it: each move, reveal, timer and handover."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%H:%M} {self.action} {self.detail}"


class Attendance(models.Model):
    """Who took part: kept for the summary."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("meeting", "user", name="one_attendance_each")]

    def __str__(self):
        return f"{self.user} at {self.meeting}"


class Connection(models.Model):
    """One open socket, for presence. A socket that stops sending heartbeats (a crashed
    server, a closed laptop) stops counting after PRESENCE_SECONDS."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="connections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    # The language this socket follows in: a change is rendered in each language listened to.
    language = models.CharField(max_length=16, blank=True)
    last_seen = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} on {self.channel_name}"


PRESENCE_SECONDS = 75
