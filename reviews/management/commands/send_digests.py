import datetime

from django.core.management.base import BaseCommand, CommandError

from reviews.digest import send_digests


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date: {value!r} is not a date like 2027-03-31.") from error


class Command(BaseCommand):
    help = (
        "Email each person who wants it one digest of their commitments due within a week "
        "or overdue. Suitable for cron, once a day: running it again the same day sends "
        "nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=_day,
            default=None,
            help="Send as if today were this day (YYYY-MM-DD); for testing.",
        )

    def handle(self, *args, date=None, verbosity=1, **options):
        outcome = send_digests(date)
        if verbosity >= 1:
            self.stdout.write(f"{outcome.sent} digest(s) sent.")
        if outcome.failed:
            raise CommandError(
                f"{outcome.failed} digest(s) could not be sent (see the log); the next run "
                "tries them again."
            )
