from django.core.management.base import BaseCommand

from ratings.services import settle_closed_rounds


class Command(BaseCommand):
    help = (
        "Write out the sealed answers of every round that has closed (a check-in closes by "
        "itself at its time) and delete the sealed rows. Suitable for cron; any page that "
        "shows a closed round's results does the same for that round."
    )

    def handle(self, *args, **options):
        settled = settle_closed_rounds()
        if options["verbosity"] > 0:
            self.stdout.write(f"{settled} closed round(s) settled.")
