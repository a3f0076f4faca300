from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from upkeep.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Put a backup archive (from `manage.py backup`) back into this installation, which "
        "must be empty: a new database and an empty MEDIA_ROOT. Then migrate, and check every "
        "table's rows and every file against the archive's manifest. See docs/backups.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz that `backup` wrote.")

    def handle(self, *args, archive, verbosity=1, **options):
        try:
            restored = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        self.stdout.write(
            f"Restored {archive}, made {manifest['created_at']} by Accord "
            f"{manifest['accord_version']}: {restored.rows} rows in {restored.tables} tables "
            f"and {restored.files} uploaded files; migrated."
        )
        if restored.unopened:
            self.stderr.write(
                f"{restored.unopened} sealed answer(s) of open rounds do not open with this "
                "installation's SECRET_KEY: set the SECRET_KEY of the installation the backup "
                "came from, or those answers cannot be read when their rounds close."
            )
        if restored.problems:
            raise CommandError(
                "The restore does not match the backup's manifest:\n- "
                + "\n- ".join(restored.problems)
            )
        self.stdout.write("Checked: every table's row count and every file's SHA-256 match.")
