"""/healthz: the database, the channel layer, and each scheduled job's last success; 503
when one of them fails or a job is overdue (no success for two periods and five minutes)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_job_run
from upkeep import health, scheduler
from upkeep.jobs import JOBS
from upkeep.models import JobRun

NAMES = [
    "settle_rounds",
    "end_idle_meetings",
    "send_digests",
    "clean_up",
    "deliver_webhooks",
    "webhook_commitments",
]


@pytest.fixture
def installed(db):
    """An installation that got its jobs two minutes ago and whose jobs never ran (the rows
    a test session's migrations wrote may be older, or flushed by a transactional test)."""
    JobRun.objects.all().delete()
    scheduler.install(timezone.now() - timedelta(minutes=2))


@pytest.fixture
def fresh(installed):
    """Each job ran a minute ago; returns when, as /healthz writes it."""
    at = timezone.now() - timedelta(minutes=1)
    for name in NAMES:
        make_job_run(name, at)
    return at.isoformat()


def backdate(name: str, ago: timedelta) -> None:
    """Move every run of the job `name` back by `ago`, as if the time had moved on."""
    for run in JobRun.objects.filter(job=name).exclude(status=JobRun.Status.INSTALLED):
        JobRun.objects.filter(pk=run.pk).update(
            started_at=run.started_at - ago, finished_at=run.finished_at - ago
        )


def test_the_jobs_it_reports_are_the_schedulers():
    assert [job.name for job in JOBS] == NAMES


def test_healthz_answers_ok_with_every_job_fresh(client, fresh):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channel_layer": "ok",
        "jobs": {name: {"status": "ok", "last_success": fresh} for name in NAMES},
    }
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_is_503_naming_the_job_that_is_overdue(client, fresh):
    # settle_rounds runs every 5 minutes: overdue after 15 without a success.
    backdate("settle_rounds", timedelta(minutes=13))  # its last success 14 minutes ago
    assert client.get(reverse("healthz")).status_code == 200

    backdate("settle_rounds", timedelta(minutes=2))
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert (body["database"], body["channel_layer"]) == ("ok", "ok")
    assert {name: job["status"] for name, job in body["jobs"].items()} == {
        "settle_rounds": "overdue",
        "end_idle_meetings": "ok",
        "send_digests": "ok",
        "clean_up": "ok",
        "deliver_webhooks": "ok",
        "webhook_commitments": "ok",
    }
    last = JobRun.objects.get(job="settle_rounds", status="ok").finished_at
    assert body["jobs"]["settle_rounds"]["last_success"] == last.isoformat()


def test_webhook_delivery_every_minute_is_overdue_after_seven_minutes(client, fresh):
    # The scheduler ticks every 30 s: a minute's job has two chances in each period.
    backdate("deliver_webhooks", timedelta(minutes=5))  # its last success 6 minutes ago
    assert client.get(reverse("healthz")).status_code == 200

    backdate("deliver_webhooks", timedelta(minutes=2))
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["jobs"]["deliver_webhooks"]["status"] == "overdue"


def test_a_daily_job_is_overdue_after_two_days_and_five_minutes(client, fresh):
    backdate("send_digests", timedelta(days=2, minutes=3))  # 2 days and 4 minutes ago
    assert client.get(reverse("healthz")).json()["jobs"]["send_digests"]["status"] == "ok"

    backdate("send_digests", timedelta(minutes=2))
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["jobs"]["send_digests"]["status"] == "overdue"


def test_a_job_that_never_ran_counts_from_when_the_installation_got_it(client, installed):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["jobs"]["settle_rounds"] == {"status": "ok", "last_success": None}

    JobRun.objects.filter(job="settle_rounds").update(
        started_at=timezone.now() - timedelta(minutes=16)
    )
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["jobs"]["settle_rounds"] == {"status": "overdue", "last_success": None}


def test_a_fresh_installation_is_healthy(client, db):
    # What a new installation has just after `migrate`: each job's `installed` row.
    JobRun.objects.all().delete()
    scheduler.install()

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert {job["status"] for job in response.json()["jobs"].values()} == {"ok"}


def test_a_job_whose_last_run_failed_is_failing_until_it_is_overdue(client, fresh):
    # The next period's run (five minutes on) failed.
    make_job_run("settle_rounds", timezone.now() + timedelta(minutes=5), error="Traceback: boom")

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["jobs"]["settle_rounds"] == {"status": "failing", "last_success": fresh}
    assert "boom" not in response.content.decode()  # the error stays in the database


def test_healthz_reads_every_job_in_one_query(fresh, django_assert_num_queries):
    with django_assert_num_queries(1):
        report = health.jobs(timezone.now())
    assert list(report) == NAMES


def test_healthz_writes_nothing(client, fresh):
    before = list(JobRun.objects.values_list("id", "status", "started_at", "finished_at"))

    client.get(reverse("healthz"))

    assert list(JobRun.objects.values_list("id", "status", "started_at", "finished_at")) == before


@pytest.mark.django_db
def test_healthz_is_503_when_the_channel_layer_is_unreachable(client, settings, fresh):
    # A real Redis layer pointed at a port where nothing listens.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1", "socket_timeout": 1}]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get(reverse("healthz"))
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["channel_layer"]) == (
        "unavailable",
        "ok",
        "unavailable",
    )
    assert {job["status"] for job in body["jobs"].values()} == {"ok"}


def test_healthz_reports_an_unreachable_database(monkeypatch, rf):
    monkeypatch.setattr(health, "channel_layer_ok", lambda: True)
    # No django_db mark: pytest-django blocks the database, as a dead server would.
    response = health.healthz(rf.get("/healthz"))
    assert response.status_code == 503
    assert b'"database": "unavailable"' in response.content
    assert b'"jobs": "unavailable"' in response.content


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
