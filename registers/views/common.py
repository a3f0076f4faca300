"""The one way a register's page is served, for the registers and the indicators alike: the
page, or to a poll (htmx) the register's region alone, or 204 when it has not changed."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from history.services import last_change
from registers import live

# A cached page is found by what it depends on; the time only bounds what the cache keeps.
CACHE_SECONDS = 24 * 3600


def page_context(membership, register: dict, **extra) -> dict:
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "register": register,
        "stamp": live.stamp(register),
        "editable": membership.can_write,
        **extra,
    }


def _region(template: str) -> str:
    """`app/name` → `app/_name.html`, the part of the page a poll redraws."""
    app, name = template.split("/")
    return f"{app}/_{name}.html"


def serve(request, template: str, membership, build, *, cache_by=None, frame_key=None, **extra):
    """The page `<template>.html` (`template` is `app/name`), with the register `build()`
    returns; to a poll, its region `app/_name.html`, or 204 when the poll already has it.

    Without `cache_by` the register is built on every request: a register that reads what
    keeps no revision (the trust register reads ratings) must be. With it (a tuple of what
    the page depends on besides the alliance), the register and its region are cached until
    anything of the alliance changes (its latest revision), the day turns (statuses depend
    on today), or for another language or role; the whole page is cached too, per session,
    since its frame carries the person's name, alliances and CSRF token, and `frame_key()`
    names what else the frame shows that no revision marks (the live meetings it
    announces). The access check has run before, on every request."""
    if cache_by is None:
        context = page_context(membership, build(), **extra)
        if request.htmx:
            return live.unchanged(request, context["register"]) or render(
                request, _region(template), context
            )
        return render(request, f"{template}.html", context)
    return _serve_cached(request, template, membership, build, cache_by, frame_key, extra)


def _serve_cached(request, template, membership, build, cache_by, frame_key, extra):
    alliance = membership.alliance
    shared = (
        alliance.pk,
        *cache_by,
        last_change(alliance.pk),
        get_language(),
        timezone.localdate().isoformat(),
        membership.can_write,
    )
    key = page_key(request, template, shared, frame_key)
    if key:
        page = cache.get(key)
        if page is not None:
            return HttpResponse(page)
    region_key = ":".join(str(part) for part in ("region", template, *shared))
    cached = cache.get(region_key)
    if cached is None:
        register = build()
        context = page_context(membership, register, **extra)
        region = render_to_string(_region(template), context)
        cached = (register, context["stamp"], region)
        cache.set(region_key, cached, CACHE_SECONDS)
    register, stamp, region = cached
    if request.htmx:
        if request.GET.get("stamp") == stamp:
            return HttpResponse(status=204)
        return HttpResponse(region)
    context = {
        "membership": membership,
        "alliance": alliance,
        "register": register,
        "stamp": stamp,
        "editable": membership.can_write,
        "region": mark_safe(region),  # noqa: S308 (rendered by our own template above)
        **extra,
    }
    response = render(request, f"{template}.html", context)
    if key:
        cache.set(key, response.content, CACHE_SECONDS)
    return response


def page_key(request, template: str, shared: tuple, frame_key) -> str | None:
    """Where this person's whole page is cached, or None when it must be rendered: a poll,
    a message waiting to be shown, or no CSRF cookie yet (the page would carry a token
    for a secret the browser does not hold). `frame_key()` is asked only then, once."""
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    session_key = request.session.session_key
    if request.htmx or not csrf_cookie or not session_key or len(messages.get_messages(request)):
        return None
    # Hashed: the session key is a bearer secret and must not appear in the cache's keys.
    person = hashlib.sha256(f"{session_key}:{csrf_cookie}".encode()).hexdigest()
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    frame = frame_key() if frame_key else ""
    return ":".join(str(part) for part in ("page", template, person, path, *shared, frame))
