from django.apps import AppConfig


class UpkeepConfig(AppConfig):
    """Keeping an installation running: its scheduled jobs, its health and its backups."""

    name = "upkeep"
