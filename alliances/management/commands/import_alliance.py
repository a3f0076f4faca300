"""`manage.py import_alliance FILE`: create an alliance from its document, for the server's
administrator. The document is checked first: on any problem, every one is listed and
nothing is changed. See docs/alliance-document.md."""

import json

from django.core.management.base import BaseCommand, CommandError

from alliances.transfer_import import import_alliance


class Command(BaseCommand):
    help = "Create an alliance from a JSON document exported by Accord."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON document (from export_alliance).")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8-sig") as opened:
                document = json.load(opened)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{file} cannot be read as JSON: {error}") from None
        result = import_alliance(document)
        if result.problems:
            listed = "\n".join(f"- {problem}" for problem in result.problems)
            raise CommandError(f"Nothing was imported. The document has problems:\n{listed}")
        alliance = result.alliance
        self.stdout.write(
            self.style.SUCCESS(f"{alliance.name} is imported, at /a/{alliance.slug}/.")
        )
