from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # imported here: an app's modules load only once the apps are ready
        from reviews.framework import framework
        from reviews.services import sync_framework_questions

        framework()  # a broken framework file stops start-up here, with its reason
        post_migrate.connect(sync_framework_questions, sender=self)
