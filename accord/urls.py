from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from alliances import urls as alliance_urls
from alliances import views as alliance_views
from records import urls as record_urls
from reviews import urls as review_urls
from upkeep.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("invitations/<str:token>/", alliance_views.invitation, name="invitation"),
    path("admin/", admin.site.urls),
    path("", include("ratings.urls")),
    path("", include("meetings.urls")),
    path("", include("registers.urls")),
    path("", include("indicators.urls")),
    path("", include("webhooks.urls")),
    path("", include("publishing.urls")),
    # What reads the whole alliance (records) keeps its pages' names in the namespaces of
    # the apps it reads, which sit below it and cannot import it.
    path("", include((record_urls.review_patterns + review_urls.urlpatterns, "reviews"))),
    path("", include((record_urls.alliance_patterns + alliance_urls.urlpatterns, "alliances"))),
]
