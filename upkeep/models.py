"""What the scheduler did: one row per job and period (upkeep/jobs.py, upkeep/scheduler.py)."""

from django.db import models


class JobRun(models.Model):
    """A job's run for one period. The row is the lock: a scheduler claims a period by
    inserting it, so that a second scheduler's insert fails and it passes (the unique
    constraint). A run left `running` past its lease (its scheduler was killed) or `failed`
    past its backoff is claimed again by a conditional UPDATE that adds an attempt.

    Each job also has one `installed` row (period "installed"), written by a data migration
    or when a scheduler starts: since when the installation has had the job, which
    /healthz counts from while it has never succeeded."""

    class Status(models.TextChoices):
        INSTALLED = "installed"
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"

    job = models.CharField(max_length=50)
    # The period's name: the local day ("2027-04-28") for a daily job, the start in UTC
    # ("2027-04-28T07:05Z") for one that runs every few minutes; "installed" for the row
    # that says since when the installation has the job.
    period = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices)
    # When this attempt began (the lease counts from it); `attempts` counts the claims.
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    # What the last attempt said: its summary when it succeeded, its error when it failed.
    outcome = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="upkeep_one_run_per_period")
        ]
        indexes = [models.Index(fields=["started_at"], name="upkeep_run_started")]

    def __str__(self):
        return f"{self.job} {self.period}: {self.status}"
