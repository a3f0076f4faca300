"""Responses any website may embed: a published indicator's chart (an SVG that an `<img>` on
a partner's website shows) and its card (a small page an `<iframe>` frames). Every other
response keeps the site's rules: framed by nobody (`frame-ancestors 'none'`,
`X-Frame-Options: DENY`) and kept only by the browser of whoever asked (accord.caching).

A view opts in with `@embeddable(max_age=...)`; its successful answer (200, or 304) then
carries:

- `Cache-Control: public, max-age=<max_age>`, which `accord.caching.private_responses`
  leaves as it is, unless the response sets a cookie (then it stays private: a cookie is
  somebody's). Keep `max_age` short (the default, 5 minutes): unpublishing is immediate on
  Accord's side, but a proxy may keep what it has until then. Answer a conditional request
  with a strong ETag (`indicators.embed.etag`) and `django.utils.cache.get_conditional_response`,
  so that a browser or proxy revalidating gets a 304 without the body.
- for an SVG (`Content-Type: image/svg+xml`): `Content-Security-Policy: default-src 'none';
  frame-ancestors *`. The SVG uses presentation attributes only, so it needs no
  `style-src` (an `<img>` runs no script and loads nothing anyway; this covers the SVG
  opened on its own). `X-Content-Type-Options: nosniff` is already on every response
  (`SECURE_CONTENT_TYPE_NOSNIFF`).
- for a page (the card): the site's policy with `frame-ancestors *`, and no
  `X-Frame-Options` (Django's `XFrameOptionsMiddleware` leaves a response marked
  `xframe_options_exempt`).

A policy the view set itself is kept: a 304 has no Content-Type, so the view of an SVG sets
`IMAGE_POLICY` itself (a cache updates what it keeps with the headers of a 304). A refusal
(404 once a publication is withdrawn) keeps the site's rules.
"""

from functools import wraps

from django.utils.cache import patch_cache_control

from accord.middleware import policy

IMAGE_POLICY = "default-src 'none'; frame-ancestors *"
FRAMED_POLICY = policy(frame_ancestors="*")
MAX_AGE = 300


def embeddable(max_age: int = MAX_AGE):
    """A view's successful answer may be shown by any website and kept by a shared cache
    for `max_age` seconds (this module's docstring says with which headers)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code not in (200, 304):
                return response
            image = response.get("Content-Type", "").startswith("image/svg+xml")
            response.headers.setdefault(
                "Content-Security-Policy", IMAGE_POLICY if image else FRAMED_POLICY
            )
            response.xframe_options_exempt = True
            response.shared_cache = True
            patch_cache_control(response, public=True, max_age=max_age)
            return response

        return wrapped

    return decorator
