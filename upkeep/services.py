"""Every write to the scheduler's rows (upkeep.models.JobRun): a period claimed, a run
finished, a command's run recorded, old runs pruned, the jobs installed.

A `job` here is an upkeep.jobs.Job: its name, lease and backoff."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from upkeep.models import JobRun

Status = JobRun.Status


def claim_run(*, job, period: str, now: datetime) -> JobRun | None:
    """Claim `job`'s `period` for a run starting at `now`, or None when another scheduler
    holds it or it is done. The first claim inserts the row (a second scheduler's insert
    fails on the unique constraint); a run left running past its lease (its scheduler was
    killed) or failed longer ago than its backoff is taken over by an UPDATE conditional
    on the attempt it read, so that of two schedulers taking it over one gets it."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job.name, period=period, status=Status.RUNNING, started_at=now
            )
    except IntegrityError:
        pass
    run = JobRun.objects.filter(job=job.name, period=period).first()
    if run is None:
        return None
    if run.status == Status.RUNNING:
        claimable = run.started_at <= now - job.lease
    elif run.status == Status.FAILED:
        claimable = run.finished_at <= now - job.backoff(run.attempts)
    else:
        claimable = False
    if not claimable:
        return None
    taken = JobRun.objects.filter(pk=run.pk, attempts=run.attempts, status=run.status).update(
        status=Status.RUNNING, started_at=now, finished_at=None, attempts=run.attempts + 1
    )
    if not taken:
        return None
    run.status, run.started_at, run.finished_at = Status.RUNNING, now, None
    run.attempts += 1
    return run


def finish_run(*, run: JobRun, now: datetime, error: str = "", summary: str = "") -> bool:
    """Record how the claimed `run` ended: failed with `error`, or done. False when
    another scheduler has taken the run over meanwhile (its lease ran out): its outcome is
    the one that counts."""
    return bool(
        JobRun.objects.filter(pk=run.pk, attempts=run.attempts, status=Status.RUNNING).update(
            status=Status.FAILED if error else Status.OK,
            finished_at=now,
            outcome=error or summary,
        )
    )


def record_run(
    *, job, period: str, started_at: datetime, now: datetime, error: str = "", summary: str = ""
) -> None:
    """Record a run that claimed nothing (a command an operator or cron ran: it always
    runs). A success marks the period done, unless a scheduler is running it right now
    (its own outcome will count); a failure is recorded only in a period not yet done."""
    status = Status.FAILED if error else Status.OK
    try:
        with transaction.atomic():
            JobRun.objects.create(
                job=job.name,
                period=period,
                status=status,
                started_at=started_at,
                finished_at=now,
                outcome=error or summary,
            )
            return
    except IntegrityError:
        pass
    held = Q(status=Status.RUNNING, started_at__gt=now - job.lease)
    rows = JobRun.objects.filter(job=job.name, period=period).exclude(held)
    if error:
        rows = rows.exclude(status=Status.OK)
    rows.update(
        status=status,
        started_at=started_at,
        finished_at=now,
        attempts=F("attempts") + 1,
        outcome=error or summary,
    )


def prune_runs(*, before: datetime) -> int:
    """Delete the runs started before `before`; each job's `installed` row stays."""
    deleted, _by_model = (
        JobRun.objects.filter(started_at__lt=before).exclude(status=Status.INSTALLED).delete()
    )
    return deleted


def install_jobs(*, names, now: datetime) -> None:
    """Note that the installation has these jobs from `now` on, for those it did not have:
    /healthz counts a job that never succeeded from then."""
    JobRun.objects.bulk_create(
        [
            JobRun(job=name, period=Status.INSTALLED.value, status=Status.INSTALLED, started_at=now)
            for name in names
        ],
        ignore_conflicts=True,
    )
