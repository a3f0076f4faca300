from django.urls import path  # noqa: F401 (patterns are added by each part)

app_name = "indicators"

urlpatterns = []
