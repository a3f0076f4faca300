from django.core.management.base import BaseCommand, CommandError

from upkeep.jobs import BY_NAME
from upkeep.scheduler import run_job, verbosity


class Command(BaseCommand):
    help = (
        "End live meetings with no activity for MEETING_IDLE_HOURS; everything they recorded "
        "is kept. Suitable for cron (run_scheduler does it every 15 minutes); opening a "
        "meeting's page does the same for that meeting. The run is recorded for /healthz."
    )

    def handle(self, *args, **options):
        with verbosity(options["verbosity"]):
            run = run_job(BY_NAME["end_idle_meetings"], claim=False)
        if run.failed:
            raise CommandError(run.message)
        if options["verbosity"] > 0:
            self.stdout.write(run.summary)
