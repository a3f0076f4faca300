"""`manage.py export_alliance SLUG`: the alliance's document, for the server's administrator
(a backup, or a move to another installation). See docs/alliance-document.md."""

import json

from django.core.management.base import BaseCommand, CommandError

from alliances.models import Alliance
from records.transfer import export_alliance


class Command(BaseCommand):
    help = "Write an alliance, whole, as one JSON document (to standard output or --output)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The alliance's address, as in /a/<slug>/.")
        parser.add_argument("--output", "-o", help="The file to write (default: standard output).")

    def handle(self, *args, slug, output=None, **options):
        alliance = Alliance.objects.filter(slug=slug).first()
        if alliance is None:
            raise CommandError(f"No alliance has the address “{slug}”.")
        text = json.dumps(export_alliance(alliance), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"{alliance.name} written to {output}.")
        else:
            self.stdout.write(text)
