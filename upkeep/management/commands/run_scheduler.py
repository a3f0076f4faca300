import datetime
import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from upkeep import scheduler

logger = logging.getLogger("upkeep.scheduler")


def _moment(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--at: {value!r} is not a time like 2027-03-31T07:00.") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Run Accord's scheduled jobs (closed rounds settled every 5 minutes, idle meetings "
        "ended every 15, the daily digest from DIGEST_HOUR, the daily clean-up), each at "
        "most once per period however many schedulers run. Keeps running, every "
        f"{scheduler.TICK_SECONDS} s, until SIGTERM or SIGINT; with --once, runs what is due "
        "now and exits (for cron), with status 1 when a job failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the jobs due now, then exit.")
        parser.add_argument(
            "--at",
            type=_moment,
            default=None,
            help="With --once: run as if it were this time (ISO 8601); for testing.",
        )

    def handle(self, *args, once=False, at=None, **options):
        if at is not None and not once:
            raise CommandError("--at goes with --once.")
        if once:
            scheduler.install(at)
            with scheduler.verbosity(options["verbosity"]):
                runs = scheduler.run_due(at)
            failed = [run.job.name for run in runs if run.failed]
            if failed:
                raise CommandError(f"Failed: {', '.join(failed)} (see the log).")
            return
        stop = threading.Event()

        def stopping(number, frame):
            logger.info("%s: stopping after the current job.", signal.Signals(number).name)
            stop.set()

        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)
        logger.info("The scheduler runs (every %s s).", scheduler.TICK_SECONDS)
        scheduler.loop(stop)
        logger.info("The scheduler stopped.")
