"""The webhook jobs (upkeep.jobs.deliver_webhooks, webhook_commitments) are the
installation's from this migration on: /healthz counts from here (like 0002)."""

from django.db import migrations
from django.utils import timezone

JOBS = ["deliver_webhooks", "webhook_commitments"]


def install(apps, schema_editor):
    JobRun = apps.get_model("upkeep", "JobRun")
    now = timezone.now()
    JobRun.objects.bulk_create(
        [
            JobRun(job=name, period="installed", status="installed", started_at=now)
            for name in JOBS
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("upkeep", "0002_install_jobs")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
