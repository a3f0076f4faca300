"""Running the jobs of upkeep/jobs.py: each due job at most once per period, however many
schedulers run (`manage.py run_scheduler`, or cron's `run_scheduler --once`), and the
single commands (`send_digests`, `settle_rounds`, `end_idle_meetings`) through the same
`run_job`, so that /healthz sees every run.

Each run is logged at INFO (job, period, outcome, duration, what it did); a failure at
ERROR with its traceback, and kept in its row, and tried again after a backoff.
"""

import logging
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.utils import timezone

from upkeep import services
from upkeep.jobs import JOBS, Job

logger = logging.getLogger(__name__)

TICK_SECONDS = 30
# What a failed run keeps of its traceback.
MAX_ERROR = 4000


@dataclass
class Run:
    job: Job
    period: str
    # "ok", "failed", or "skipped" (another scheduler has the period, or it is done).
    outcome: str
    summary: str = ""
    # The exception's message, and its traceback (kept in the row).
    message: str = ""
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"


def run_job(job: Job, now: datetime | None = None, *, claim: bool = True) -> Run:
    """Run `job` for the period of `now` (the time by default). With `claim`, only if this
    process claims the period (upkeep.services.claim_run); without, always (a command an
    operator runs), recording its outcome for the period all the same."""
    now = now or timezone.now()
    period = job.period_of(now)
    claimed = None
    if claim:
        claimed = services.claim_run(job=job, period=period, now=now)
        if claimed is None:
            logger.debug("%s for %s: another run has it or it is done.", job.name, period)
            return Run(job, period, "skipped")
    started = time.monotonic()
    error = summary = message = ""
    try:
        summary = job.function(now)
    except Exception as exception:
        summary = getattr(exception, "summary", "")
        message = str(exception) or type(exception).__name__
        error = "".join(traceback.format_exception(exception))[-MAX_ERROR:]
        logger.exception(
            "%s for %s failed after %.2f s.", job.name, period, time.monotonic() - started
        )
    elapsed = time.monotonic() - started
    finished = now + timedelta(seconds=elapsed)
    if claimed is None:
        services.record_run(
            job=job, period=period, started_at=now, now=finished, error=error, summary=summary
        )
    elif not services.finish_run(run=claimed, now=finished, error=error, summary=summary):
        logger.warning(
            "%s for %s ran longer than its lease; another scheduler took it over.",
            job.name,
            period,
        )
    if error:
        return Run(job, period, "failed", summary, message, error)
    logger.info("%s for %s: ok in %.2f s. %s", job.name, period, elapsed, summary)
    return Run(job, period, "ok", summary)


def run_due(now: datetime | None = None, stop: threading.Event | None = None) -> list[Run]:
    """Run, one after the other, each job due now that no scheduler has run this period.
    Each job reads the time as it starts, unless `now` is given (for tests)."""
    runs = []
    for job in JOBS:
        if stop is not None and stop.is_set():
            break
        if job.is_due(now or timezone.now()):
            runs.append(run_job(job, now))
    return [run for run in runs if run.outcome != "skipped"]


@contextmanager
def verbosity(level: int):
    """With -v 0 (as cron lines run: cron mails any output), log only what went wrong."""
    before = logger.level
    if level == 0:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(before)


def install(now: datetime | None = None) -> None:
    services.install_jobs(names=[job.name for job in JOBS], now=now or timezone.now())


def loop(stop: threading.Event, tick: float = TICK_SECONDS) -> None:
    """Run the due jobs every `tick` seconds until `stop` is set (between two jobs, or
    while waiting). A database that does not answer is logged and tried again."""
    installed = False
    while not stop.is_set():
        close_old_connections()
        try:
            if not installed:
                install()
                installed = True
            run_due(stop=stop)
        except Exception:
            logger.exception("The scheduler's tick failed; trying again in %s s.", tick)
        close_old_connections()
        stop.wait(tick)
