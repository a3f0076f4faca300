from django.contrib import admin
from django.urls import include, path

from accord.health import healthz
from alliances import views as alliance_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("invitations/<str:token>/", alliance_views.invitation, name="invitation"),
    path("admin/", admin.site.urls),
    path("", include("ratings.urls")),
    path("", include("meetings.urls")),
    path("", include("registers.urls")),
    path("", include("indicators.urls")),
    path("", include("reviews.urls")),
    path("", include("alliances.urls")),
]
