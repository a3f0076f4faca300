"""`manage.py import_alliance FILE`: create an alliance from its document, for the server's
administrator. The document is checked first: on any problem, every one is listed and
nothing is changed. See docs/alliance-document.md."""

from django.core.management.base import BaseCommand, CommandError

from records.transfer_import import Unreadable, import_alliance, read_document

# Problems listed at most; a hostile file may have one in each of its rows.
SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = "Create an alliance from a JSON document exported by Accord."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON document (from export_alliance).")

    def handle(self, *args, file, **options):
        # The limits of the import page hold here too (IMPORT_MAX_MB may be raised for one
        # run): a file is refused with its reason, never with a traceback.
        try:
            with open(file, "rb") as opened:
                document = read_document(opened)
        except OSError as error:
            raise CommandError(f"{file} cannot be read: {error}") from None
        except Unreadable as error:
            raise CommandError(f"{file} cannot be imported: {error}") from None
        result = import_alliance(document)
        if result.problems:
            listed = "\n".join(f"- {problem}" for problem in result.problems[:SHOWN_PROBLEMS])
            more = len(result.problems) - SHOWN_PROBLEMS
            if more > 0:
                listed += f"\n- ... and {more} more."
            raise CommandError(f"Nothing was imported. The document has problems:\n{listed}")
        alliance = result.alliance
        self.stdout.write(
            self.style.SUCCESS(f"{alliance.name} is imported, at /a/{alliance.slug}/.")
        )
