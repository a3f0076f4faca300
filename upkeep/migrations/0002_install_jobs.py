"""The installation has had its scheduled jobs since this migration: /healthz counts a job
that never succeeded from its `installed` row. A job added later gets its row in a
migration like this one (the names are written out: a migration does not read the code's
registry, which changes)."""

from django.db import migrations
from django.utils import timezone

JOBS = ["settle_rounds", "end_idle_meetings", "send_digests", "clean_up"]


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
    dependencies = [("upkeep", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
