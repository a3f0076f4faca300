"""Accord's URLs, and two baselines: `/bench/minimal/`, the smallest Django page, and
`/bench/signed-in/`, the smallest page for a signed-in person (its session and user
loaded, as every page of an alliance needs)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from accord.urls import urlpatterns as accord_urlpatterns


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("bench/signed-in/", signed_in),
    *accord_urlpatterns,
]
