from django.contrib import admin
from django.urls import include, path

from accord.health import healthz
from accounts import views as account_views
from alliances import views as alliance_views

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
    path("", include("reviews.urls")),
    path("", include("alliances.urls")),
]
