from django.core.management.base import BaseCommand, CommandError

from upkeep.backups import BackupError, backup


def size_in_words(size: float) -> str:
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


class Command(BaseCommand):
    help = (
        "Write one backup archive (.tar.gz): the database, the uploaded files and a manifest "
        "to check them by. SECRET_KEY is not in it: keep it apart. Restore with "
        "`manage.py restore`; see docs/backups.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=None,
            help=(
                "A folder (an existing one, or one ending with /: the archive is named "
                "accord-<UTC time>.tar.gz there) or a file. Default: BACKUP_DIR."
            ),
        )

    def handle(self, *args, output=None, verbosity=1, **options):
        try:
            path = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            self.stdout.write(f"{path} ({size_in_words(path.stat().st_size)})")
