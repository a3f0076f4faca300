"""/healthz: is the database answering, is the channel layer carrying messages, and has
each scheduled job succeeded recently enough?

A job is `overdue` with no success for two of its periods and five minutes
(upkeep.jobs.Job.grace), counted from its last success, or, while it has never succeeded,
from when the installation got it (its `installed` row); `failing` while its latest run
failed but it is not overdue yet. An overdue job makes the answer 503. One query reads
every job; nothing is written.
"""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.db.models import Max, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from upkeep.jobs import JOBS
from upkeep.models import JobRun

TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


async def _round_trip() -> bool:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), TIMEOUT_SECONDS)
    return message["type"] == "healthz.ping"


def channel_layer_ok() -> bool:
    try:
        return async_to_sync(_round_trip)()
    except Exception:
        return False


def jobs(now) -> dict:
    """Each job's status and last success (ISO 8601, or None), in one query."""
    found = {
        row["job"]: row
        for row in JobRun.objects.values("job")
        .annotate(
            last_success=Max("finished_at", filter=Q(status=JobRun.Status.OK)),
            last_failure=Max("finished_at", filter=Q(status=JobRun.Status.FAILED)),
            since=Min("started_at"),
        )
        .order_by()
    }
    report = {}
    for job in JOBS:
        row = found.get(job.name, {})
        success, failure = row.get("last_success"), row.get("last_failure")
        # No row at all (a database emptied by a test): nothing to count from.
        counted_from = success or row.get("since") or now
        if now - counted_from > job.grace:
            status = "overdue"
        elif failure and (success is None or failure > success):
            status = "failing"
        else:
            status = "ok"
        report[job.name] = {
            "status": status,
            "last_success": success.isoformat() if success else None,
        }
    return report


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_ok(), "channel_layer": channel_layer_ok()}
    report = None
    if checks["database"]:
        try:
            report = jobs(timezone.now())
        except Exception:  # a database not migrated yet: the jobs are unknown
            report = None
    healthy = (
        all(checks.values())
        and report is not None
        and all(job["status"] != "overdue" for job in report.values())
    )
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    body["jobs"] = report if report is not None else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)
