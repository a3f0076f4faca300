"""Addresses for tests/test_embedding.py: an SVG and a card any website may embed, a page that
keeps the site's rules, and an embeddable view that refuses or sets a cookie."""

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.cache import get_conditional_response

from accord.embedding import embeddable
from accord.urls import urlpatterns as site

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
TAG = '"0123456789abcdef"'


@embeddable()
def chart(request):
    response = HttpResponse(SVG, content_type="image/svg+xml")
    response["ETag"] = TAG
    return get_conditional_response(request, etag=TAG, response=response)


@embeddable(max_age=60)
def card(request):
    return HttpResponse("<!doctype html><title>Card</title>")


@embeddable()
def withdrawn(request):
    raise Http404


@embeddable()
def with_cookie(request):
    response = HttpResponse("<!doctype html><title>Card</title>")
    response.set_cookie("seen", "1")
    return response


def page(request):
    return HttpResponse("<!doctype html><title>Page</title>")


urlpatterns = [
    path("chart.svg", chart),
    path("card", card),
    path("withdrawn", withdrawn),
    path("with-cookie", with_cookie),
    path("page", page),
    *site,  # what the error pages link to
]
