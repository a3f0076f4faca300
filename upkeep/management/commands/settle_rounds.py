from django.core.management.base import BaseCommand, CommandError

from upkeep.jobs import BY_NAME
from upkeep.scheduler import run_job, verbosity


class Command(BaseCommand):
    help = (
        "Write out the sealed answers of every round that has closed (a check-in closes by "
        "itself at its time) and delete the sealed rows. Suitable for cron (run_scheduler "
        "does it every 5 minutes); any page that shows a closed round's results does the "
        "same for that round. The run is recorded for /healthz."
    )

    def handle(self, *args, **options):
        with verbosity(options["verbosity"]):
            run = run_job(BY_NAME["settle_rounds"], claim=False)
        if run.failed:
            raise CommandError(run.message)
        if options["verbosity"] > 0:
            self.stdout.write(run.summary)
