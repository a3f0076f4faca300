"""The scheduler: each job at most once per period however many schedulers run, a run
whose scheduler was killed taken over after its lease (and no digest sent twice), a failed
run recorded and tried again, `run_scheduler --once` for cron, the loop stopped by a
signal, the single commands recorded, and the daily clean-up.

The time is given to the scheduler (`now`, or `--at`): Wednesday 28 April 2027, 08:00 UTC,
after DIGEST_HOUR (7).
"""

import datetime
import importlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from alliances.models import Invitation, Role
from tests.factories import make_commitment, make_invitation, make_job_run
from upkeep import scheduler, services
from upkeep.jobs import BY_NAME, JOBS
from upkeep.models import JobRun

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.datetime(2027, 4, 28, 8, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
DIGESTS = BY_NAME["send_digests"]

pytestmark = pytest.mark.usefixtures("fast_passwords")


class Killed(BaseException):
    """The process dies here (as with `kill -9`): no `except Exception` sees it, so nothing
    is released or recorded."""


class DiesAfterOne(EmailBackend):
    """Sends the first email, and the process dies as it leaves."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise Killed


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("The mail server is down.")


LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def ran(runs) -> list[str]:
    return [run.job.name for run in runs if run.outcome == "ok"]


def rows() -> dict[str, tuple]:
    return {
        (row.job, row.period): (row.status, row.attempts)
        for row in JobRun.objects.exclude(status="installed")
    }


def due_for(*owners, review):
    for owner in owners:
        make_commitment(review, f"Task of {owner.name}", TODAY + timedelta(days=2), owner=owner)


def test_every_job_is_installed_by_the_migration():
    installed = []
    for name in ("0002_install_jobs", "0003_install_webhook_jobs"):
        installed += importlib.import_module(f"upkeep.migrations.{name}").JOBS
    assert [job.name for job in JOBS] == installed


def test_each_job_runs_once_in_its_period_and_again_in_the_next(db):
    assert ran(scheduler.run_due(NOW)) == [
        "settle_rounds",
        "end_idle_meetings",
        "send_digests",
        "clean_up",
        "deliver_webhooks",
        "webhook_commitments",
    ]
    assert ran(scheduler.run_due(NOW + timedelta(seconds=59))) == []
    # Webhooks are delivered every minute.
    assert ran(scheduler.run_due(NOW + timedelta(minutes=4, seconds=59))) == ["deliver_webhooks"]
    assert ran(scheduler.run_due(NOW + timedelta(minutes=5))) == [
        "settle_rounds",
        "deliver_webhooks",
    ]
    assert ran(scheduler.run_due(NOW + timedelta(minutes=15))) == [
        "settle_rounds",
        "end_idle_meetings",
        "deliver_webhooks",
    ]
    assert ran(scheduler.run_due(NOW + timedelta(days=1))) == [
        "settle_rounds",
        "end_idle_meetings",
        "send_digests",
        "clean_up",
        "deliver_webhooks",
        "webhook_commitments",
    ]
    assert rows()[("send_digests", "2027-04-28")] == ("ok", 1)
    assert rows()[("settle_rounds", "2027-04-28T08:05Z")] == ("ok", 1)


def test_the_digest_waits_for_digest_hour_in_local_time(db, settings):
    settings.TIME_ZONE = "America/Mexico_City"  # UTC-6: 08:00 UTC is 02:00 there
    settings.DIGEST_HOUR = 7

    assert "send_digests" not in ran(scheduler.run_due(NOW))
    assert "send_digests" not in ran(scheduler.run_due(NOW + timedelta(hours=4, minutes=59)))
    assert "send_digests" in ran(scheduler.run_due(NOW + timedelta(hours=5)))
    assert rows()[("send_digests", "2027-04-28")] == ("ok", 1)


def test_a_period_claimed_by_another_scheduler_is_passed(db):
    other = make_job_run("send_digests", NOW - timedelta(minutes=30))

    assert scheduler.run_job(DIGESTS, NOW).outcome == "skipped"
    assert JobRun.objects.get(pk=other.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_moment_run_each_job_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs a database that runs writers in parallel (the processes below run on both)"
        )
    schedulers = 4
    barrier = threading.Barrier(schedulers)
    done = []

    def run():
        try:
            barrier.wait()
            done.extend(ran(scheduler.run_due(NOW)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(done) == sorted(job.name for job in JOBS)
    assert set(rows().values()) == {("ok", 1)}


def test_a_run_killed_mid_way_is_taken_over_after_its_lease_and_sends_no_digest_twice(
    settings, review, carol, mia
):
    due_for(carol, mia, review=review)
    settings.EMAIL_BACKEND = "tests.test_scheduler.DiesAfterOne"

    with pytest.raises(Killed):
        scheduler.run_job(DIGESTS, NOW)

    [first] = [message.to[0] for message in mail.outbox]
    assert rows() == {("send_digests", "2027-04-28"): ("running", 1)}

    settings.EMAIL_BACKEND = LOCMEM
    # Another scheduler passes while the lease (10 minutes) lasts: the run may be alive.
    assert scheduler.run_job(DIGESTS, NOW + timedelta(minutes=9, seconds=59)).outcome == "skipped"

    taken = scheduler.run_job(DIGESTS, NOW + timedelta(minutes=10))

    assert (taken.outcome, taken.summary) == ("ok", "1 digest(s) sent.")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "carol@example.org",
        "mia@example.org",
    ]
    assert mail.outbox[0].to[0] == first
    assert rows() == {("send_digests", "2027-04-28"): ("ok", 2)}
    assert scheduler.run_job(DIGESTS, NOW + timedelta(minutes=30)).outcome == "skipped"
    assert len(mail.outbox) == 2


def test_a_killed_run_finishing_after_its_takeover_leaves_the_takeovers_outcome(db):
    job = BY_NAME["settle_rounds"]
    slow = services.claim_run(job=job, period=job.period_of(NOW), now=NOW)
    taken = scheduler.run_job(job, NOW + timedelta(minutes=5) - timedelta(seconds=1))
    assert taken.outcome == "skipped"  # settle_rounds' lease is its period, 5 minutes

    JobRun.objects.filter(pk=slow.pk).update(started_at=NOW - timedelta(minutes=5))
    taken = scheduler.run_job(job, NOW + timedelta(seconds=30))
    assert taken.outcome == "ok"

    assert services.finish_run(run=slow, now=NOW + timedelta(minutes=1), error="late") is False
    assert JobRun.objects.get(pk=slow.pk).status == "ok"


def test_a_failed_run_is_recorded_and_tried_again_after_a_growing_backoff(
    settings, review, mia, caplog
):
    due_for(mia, review=review)
    settings.EMAIL_BACKEND = "tests.test_scheduler.RefusingBackend"

    failed = scheduler.run_job(DIGESTS, NOW)

    assert failed.outcome == "failed"
    assert failed.message == (
        "1 digest(s) could not be sent (see the log); the next run tries them again."
    )
    row = JobRun.objects.get(job="send_digests", period="2027-04-28")
    assert (row.status, row.attempts) == ("failed", 1)
    assert "JobFailed: 1 digest(s) could not be sent" in row.outcome
    assert "send_digests for 2027-04-28 failed" in caplog.text

    # Tried again 5 minutes after it failed, then 10 minutes after the second failure
    # (a second on: each attempt ends a moment after it starts).
    assert scheduler.run_job(DIGESTS, NOW + timedelta(minutes=4)).outcome == "skipped"
    second = NOW + timedelta(minutes=5, seconds=1)
    assert scheduler.run_job(DIGESTS, second).outcome == "failed"
    assert scheduler.run_job(DIGESTS, second + timedelta(minutes=9)).outcome == "skipped"

    settings.EMAIL_BACKEND = LOCMEM
    again = scheduler.run_job(DIGESTS, second + timedelta(minutes=10, seconds=1))

    assert (again.outcome, again.summary) == ("ok", "1 digest(s) sent.")
    assert [message.to for message in mail.outbox] == [["mia@example.org"]]
    assert rows() == {("send_digests", "2027-04-28"): ("ok", 3)}


def test_a_job_that_raises_is_recorded_with_its_error(db):
    def broken(now):
        raise ValueError("The rounds table is gone.")

    run = scheduler.run_job(replace(BY_NAME["settle_rounds"], function=broken), NOW)

    assert (run.outcome, run.message) == ("failed", "The rounds table is gone.")
    row = JobRun.objects.get(job="settle_rounds", period="2027-04-28T08:00Z")
    assert row.status == "failed"
    assert row.outcome.rstrip().endswith("ValueError: The rounds table is gone.")


def test_run_scheduler_once_runs_what_is_due_and_a_second_once_in_the_period_nothing(db, caplog):
    caplog.set_level("INFO", logger="upkeep.scheduler")
    call_command("run_scheduler", "--once", "--at", "2027-04-28T08:00:00+00:00")

    assert rows() == {
        ("settle_rounds", "2027-04-28T08:00Z"): ("ok", 1),
        ("end_idle_meetings", "2027-04-28T08:00Z"): ("ok", 1),
        ("send_digests", "2027-04-28"): ("ok", 1),
        ("clean_up", "2027-04-28"): ("ok", 1),
        ("deliver_webhooks", "2027-04-28T08:00Z"): ("ok", 1),
        ("webhook_commitments", "2027-04-28"): ("ok", 1),
    }
    assert "send_digests for 2027-04-28: ok in" in caplog.text
    caplog.clear()

    # Within the minute: every job's period (the shortest, webhooks', is a minute) is done.
    call_command("run_scheduler", "--once", "--at", "2027-04-28T08:00:59+00:00")

    assert len(rows()) == 6
    assert set(rows().values()) == {("ok", 1)}
    assert "ok in" not in caplog.text


def test_run_scheduler_once_fails_when_a_job_failed(settings, review, mia):
    due_for(mia, review=review)
    settings.EMAIL_BACKEND = "tests.test_scheduler.RefusingBackend"

    with pytest.raises(CommandError, match="Failed: send_digests"):
        call_command("run_scheduler", "--once", "--at", "2027-04-28T08:00:00+00:00")

    assert rows()[("settle_rounds", "2027-04-28T08:00Z")] == ("ok", 1)
    assert rows()[("send_digests", "2027-04-28")] == ("failed", 1)


def test_the_single_commands_record_their_runs(db):
    call_command("settle_rounds", verbosity=0)
    call_command("end_idle_meetings", stdout=io.StringIO())
    call_command("send_digests", "--date=2027-04-28", stdout=io.StringIO())
    call_command("send_digests", "--date=2027-04-28", stdout=io.StringIO())  # runs again

    now = timezone.now()
    assert rows() == {
        ("settle_rounds", BY_NAME["settle_rounds"].period_of(now)): ("ok", 1),
        ("end_idle_meetings", BY_NAME["end_idle_meetings"].period_of(now)): ("ok", 1),
        ("send_digests", "2027-04-28"): ("ok", 2),
    }


def test_a_command_run_does_not_hide_a_scheduler_holding_the_period(db):
    now = timezone.now()
    held = services.claim_run(job=DIGESTS, period=DIGESTS.period_of(now), now=now)

    call_command("send_digests", stdout=io.StringIO())

    assert JobRun.objects.get(pk=held.pk).status == "running"


def test_clean_up_deletes_what_nobody_can_use_any_more(db, alliance, carol):
    def invitation(email, expired_days_ago, **state):
        made, _token = make_invitation(alliance, email, Role.MEMBER, invited_by=carol)
        Invitation.objects.filter(pk=made.pk).update(
            expires_at=NOW - timedelta(days=expired_days_ago), **state
        )

    invitation("pending@example.org", -3)
    invitation("lately-expired@example.org", 29)
    invitation("long-expired@example.org", 31)
    invitation("long-withdrawn@example.org", 40, revoked_at=NOW - timedelta(days=45))
    invitation("accepted@example.org", 400, accepted_at=NOW - timedelta(days=401))
    expired, alive = SessionStore(), SessionStore()
    for session, age in ((expired, -1), (alive, 1)):
        session["x"] = 1
        session.set_expiry(timedelta(days=age) if age > 0 else 1)
        session.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    old = make_job_run("settle_rounds", NOW - timedelta(weeks=4, seconds=1))
    recent = make_job_run("settle_rounds", NOW - timedelta(weeks=4) + timedelta(minutes=5))
    scheduler.install(NOW - timedelta(weeks=30))

    run = scheduler.run_job(BY_NAME["clean_up"], NOW)

    assert run.summary == (
        "2 unused invitation(s), 1 old run(s) and 0 old webhook delivery(ies) deleted; "
        "expired sessions cleared."
    )
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "accepted@example.org",
        "lately-expired@example.org",
        "pending@example.org",
    ]
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]
    assert not JobRun.objects.filter(pk=old.pk).exists()
    assert JobRun.objects.filter(pk=recent.pk).exists()
    assert JobRun.objects.filter(status="installed").count() == len(JOBS)


# The scheduler as its own process, on a copy of the test database.


def _database_url(tmp_path: Path) -> str:
    """A database a subprocess can open with what this test has: the test database itself
    on PostgreSQL (committed: the tests below are transactional), a file copy of the
    in-memory SQLite one."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    connection.ensure_connection()
    path = tmp_path / "copy.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{path}"


def _runs(tmp_path: Path) -> list[tuple]:
    """The runs the subprocesses recorded: (job, period, status, attempts)."""
    query = "SELECT job, period, status, attempts FROM upkeep_jobrun WHERE status <> 'installed'"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(query)
            return sorted(cursor.fetchall())
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        return sorted(copy.execute(query).fetchall())


def _scheduler(url: str, log: Path, *arguments: str) -> subprocess.Popen:
    """`manage.py run_scheduler` on the database at `url`, its output into `log`."""
    env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="INFO")
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 (our own command)
            [sys.executable, "manage.py", "run_scheduler", *arguments],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_run_each_job_once(tmp_path):
    url = _database_url(tmp_path)
    at = "2027-04-28T08:00:00+00:00"
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    processes = [_scheduler(url, log, "--once", "--at", at) for log in logs]
    for process, log in zip(processes, logs, strict=True):
        assert process.wait(120) == 0, log.read_text()

    output = "".join(log.read_text() for log in logs)
    for job in JOBS:
        assert output.count(f"{job.name} for ") == 1, output
    assert _runs(tmp_path) == [
        ("clean_up", "2027-04-28", "ok", 1),
        ("deliver_webhooks", "2027-04-28T08:00Z", "ok", 1),
        ("end_idle_meetings", "2027-04-28T08:00Z", "ok", 1),
        ("send_digests", "2027-04-28", "ok", 1),
        ("settle_rounds", "2027-04-28T08:00Z", "ok", 1),
        ("webhook_commitments", "2027-04-28", "ok", 1),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_scheduler_runs_until_a_signal_stops_it(tmp_path, stop):
    log = tmp_path / "scheduler.log"
    process = _scheduler(_database_url(tmp_path), log)
    try:
        deadline = time.monotonic() + 120
        while "settle_rounds for " not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        assert "settle_rounds for " in log.read_text()

        process.send_signal(stop)

        assert process.wait(60) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = log.read_text()
    assert "The scheduler runs (every 30 s)." in output
    assert f"{stop.name}: stopping after the current job." in output
    assert output.rstrip().endswith("The scheduler stopped.")
    assert ("settle_rounds", "ok") in {(job, status) for job, _p, status, _a in _runs(tmp_path)}
