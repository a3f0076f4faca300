import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from upkeep.jobs import BY_NAME
from upkeep.scheduler import run_job, verbosity


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date: {value!r} is not a date like 2027-03-31.") from error


class Command(BaseCommand):
    help = (
        "Email each person who wants it one digest of their commitments due within a week "
        "or overdue. Suitable for cron, once a day (run_scheduler does it at DIGEST_HOUR): "
        "running it again the same day sends nothing more. The run is recorded for /healthz."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=_day,
            default=None,
            help="Send as if today were this day (YYYY-MM-DD); for testing.",
        )

    def handle(self, *args, date=None, **options):
        now = timezone.now()
        if date is not None:
            local = timezone.localtime(now)
            now = local.replace(year=date.year, month=date.month, day=date.day)
        with verbosity(options["verbosity"]):
            run = run_job(BY_NAME["send_digests"], now, claim=False)
        if options["verbosity"] >= 1 and run.summary:
            self.stdout.write(run.summary)
        if run.failed:
            raise CommandError(run.message)
