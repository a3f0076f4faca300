"""The scheduled jobs: what runs, how often, and what each period is called.

A job runs at most once per period (upkeep/scheduler.py claims the period in the database).
A job that runs every few minutes has periods aligned on the clock in UTC (every 5 minutes:
:00, :05, …); a daily job's period is the local day (TIME_ZONE), and it is due from its
hour on. Every job is idempotent: run twice, it does nothing twice (a digest is claimed per
person and day, a settled round is settled, an ended meeting ended), so that a run taken
over from a killed scheduler is safe.

A new job: a function here taking the time it runs at and returning a sentence for the log,
a `Job` in JOBS, and its `installed` row in a data migration (like upkeep 0002), so that
/healthz counts from when the installation got it; tests/test_scheduler.py checks that.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from alliances.services import delete_unused_invitations
from meetings.services import end_idle_meetings
from ratings.services import settle_closed_rounds
from reviews.digest import send_digests
from upkeep.services import prune_runs
from webhooks.services import (
    KEEP_DELIVERIES,
    deliver_due,
    prune_deliveries,
    queue_commitment_events,
)

DAY = timedelta(days=1)
# The longest a run may hold its period before another scheduler takes it over (shorter
# for a job whose period is shorter).
LEASE = timedelta(minutes=10)
# A failed run is tried again after this (a fifth of a shorter period), doubled after each
# failure, up to MAX_BACKOFF.
BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
# A job is overdue (/healthz answers 503) with no success for two periods and this.
LATE = timedelta(minutes=5)
# What the daily clean-up keeps of the scheduler's own rows.
KEEP_RUNS = timedelta(weeks=4)


class JobFailed(Exception):
    """A job did part of its work and failed the rest (a digest the mail server refused):
    the run is recorded as failed and tried again. `summary` says what was done."""

    def __init__(self, message: str, summary: str = ""):
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class Job:
    name: str
    # Takes the time it runs at; returns a sentence for the log (and the command's output).
    function: Callable[[datetime], str]
    # Every few minutes; None for a daily job.
    every: timedelta | None = None
    # A daily job is due from this local hour on (a function: settings are read each time).
    hour: Callable[[], int] = lambda: 0

    @property
    def period(self) -> timedelta:
        return self.every or DAY

    @property
    def lease(self) -> timedelta:
        return min(LEASE, self.period)

    @property
    def grace(self) -> timedelta:
        """How long without a success before the job is overdue."""
        return 2 * self.period + LATE

    def backoff(self, attempts: int) -> timedelta:
        """How long after its `attempts`-th failed attempt a run is tried again."""
        first = min(BACKOFF, self.period / 5)
        return min(first * 2 ** (attempts - 1), MAX_BACKOFF)

    def period_of(self, now: datetime) -> str:
        if self.every is None:
            return timezone.localdate(now).isoformat()
        seconds = int(self.every.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%MZ")

    def is_due(self, now: datetime) -> bool:
        """Whether the job may run at `now` (whether it has run this period is the
        database's answer)."""
        return self.every is not None or timezone.localtime(now).hour >= self.hour()


def settle_rounds(now: datetime) -> str:
    return f"{settle_closed_rounds(now)} closed round(s) settled."


def end_meetings(now: datetime) -> str:
    ended = end_idle_meetings(now)
    return f"{ended} meeting(s) idle for {settings.MEETING_IDLE_HOURS} hours or more ended."


def digests(now: datetime) -> str:
    outcome = send_digests(timezone.localdate(now))
    summary = f"{outcome.sent} digest(s) sent."
    if outcome.failed:
        raise JobFailed(
            f"{outcome.failed} digest(s) could not be sent (see the log); the next run "
            "tries them again.",
            summary,
        )
    return summary


def deliver_webhooks(now: datetime) -> str:
    """The webhook deliveries due: each claimed by one run (webhooks.services), so that two
    runs (a period taken over) never send one twice; a receiver that fails is tried again
    later by the delivery's own backoff, not by failing the run."""
    return str(deliver_due(now))


def webhook_commitments(now: datetime) -> str:
    queued = queue_commitment_events(timezone.localdate(now))
    return f"{queued} webhook delivery(ies) of commitments due or overdue queued."


def clean_up(now: datetime) -> str:
    """Invitations unused long after they expired, expired sessions, the scheduler's own
    rows older than KEEP_RUNS (but each job's `installed` row), webhook deliveries older
    than KEEP_DELIVERIES."""
    invitations = delete_unused_invitations(now=now)
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    runs = prune_runs(before=now - KEEP_RUNS)
    deliveries = prune_deliveries(before=now - KEEP_DELIVERIES)
    return (
        f"{invitations} unused invitation(s), {runs} old run(s) and {deliveries} old webhook "
        "delivery(ies) deleted; expired sessions cleared."
    )


JOBS = [
    Job("settle_rounds", settle_rounds, every=timedelta(minutes=5)),
    Job("end_idle_meetings", end_meetings, every=timedelta(minutes=15)),
    Job("send_digests", digests, hour=lambda: settings.DIGEST_HOUR),
    Job("clean_up", clean_up),
    # Every minute: the scheduler ticks every 30 s, so a delivery waits a minute at most.
    Job("deliver_webhooks", deliver_webhooks, every=timedelta(minutes=1)),
    Job("webhook_commitments", webhook_commitments, hour=lambda: settings.DIGEST_HOUR),
]
BY_NAME = {job.name: job for job in JOBS}
