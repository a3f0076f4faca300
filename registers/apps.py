from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("Registers")

    def ready(self):
        # imported here: an app's modules load only once the apps are ready
        from registers import live

        live.connect()
