from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        checks.register(shared_cache_check, checks.Tags.security, deploy=True)


def shared_cache_check(app_configs, **kwargs):
    """The sign-in throttle counts in the cache: a cache of one process's own lets an
    attacker spread guesses over the processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "The cache is not shared between processes, so sign-in attempts are counted "
                "per process.",
                hint="Set REDIS_URL (needed as soon as more than one process serves Accord).",
                id="accounts.W001",
            )
        ]
    return []
