"""Accord's URLs, and `/bench/minimal/`: the smallest Django page, for a baseline."""

from django.http import HttpResponse
from django.urls import path

from accord.urls import urlpatterns as accord_urlpatterns


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *accord_urlpatterns]
