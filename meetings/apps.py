from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # imported here: an app's modules load only once the apps are ready
        from meetings import revocation, services
        from registers.live import register_changed

        revocation.connect()
        register_changed.connect(services.refresh_discussing, dispatch_uid="meetings.registers")
