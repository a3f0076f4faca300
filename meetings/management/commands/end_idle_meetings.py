from django.conf import settings
from django.core.management.base import BaseCommand

from meetings.services import end_idle_meetings


class Command(BaseCommand):
    help = (
        "End live meetings with no activity for MEETING_IDLE_HOURS; everything they recorded "
        "is kept. Suitable for cron; opening a meeting's page does the same for that meeting."
    )

    def handle(self, *args, **options):
        ended = end_idle_meetings()
        self.stdout.write(
            f"{ended} meeting(s) idle for {settings.MEETING_IDLE_HOURS} hours or more ended."
        )
