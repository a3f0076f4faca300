"""A person's calendar feed: the page where they make, replace or stop its address (signed
in), and the feed itself, which a calendar app reads with its token alone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from meetings import feed, services
from meetings.models import CalendarFeed

# The address just made, kept in the session until the page shows it once.
JUST_MADE = "calendar-feed-url"


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """How to follow Accord in a calendar app, and the person's own feed: make its address
    (shown once), make a new one (the old stops), or stop it."""
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            if services.stop_calendar_feed(user=request.user):
                messages.success(request, _("Your calendar feed is stopped; its address is dead."))
        else:
            token = services.start_calendar_feed(user=request.user)
            request.session[JUST_MADE] = feed.feed_url(token)
            messages.success(
                request, _("Your calendar feed has a new address; any earlier one is dead.")
            )
        return redirect("meetings:calendar_feed")
    url = request.session.pop(JUST_MADE, None)
    response = render(
        request,
        "meetings/calendar_feed.html",
        {
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1] if url else None,
        },
    )
    if url:
        # Shown once: not kept by the browser either, to be shown again from its history.
        patch_cache_control(response, no_store=True)
    return response


@require_safe
def calendar(request, token):
    """The feed, for a calendar app: no session, the token is the key. An unknown or stopped
    token is a plain 404 (no page, no cookie)."""
    found = feed.find(token)
    if found is None:
        return HttpResponseNotFound(b"", content_type="text/plain; charset=utf-8")
    response = HttpResponse(feed.feed_text(found.user), content_type="text/calendar; charset=utf-8")
    patch_cache_control(response, private=True, max_age=feed.MAX_AGE)
    return response
