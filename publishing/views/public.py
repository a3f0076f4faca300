"""What anyone may read without an account: a shared link's page (`/s/<token>/`), the
alliance's public page (`/p/<slug>/`), and each publicly published indicator as an SVG chart
and a small HTML card another website can show.

Each answers only from what was approved (`publishing.consent.published_items`, read on
every request, so that unpublishing, an objection, revoking or the expiry of a link takes
effect at once) and only from the frozen snapshots. Read-only: no form, no session, no
cookie. Everything else is 404, whatever the reason (a wrong token, a revoked or expired
link, a page that is off, an item not published), so that a visitor learns nothing more.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.embedding import IMAGE_POLICY, embeddable
from indicators import embed
from publishing import consent
from publishing.models import Audience, Item, PublicPage, ShareLink, hash_token

# How long a shared cache (a CDN, a proxy) may keep a public page or an embed: short, so
# that unpublishing reaches every reader within this many seconds (Accord itself stops
# showing it at once).
PUBLIC_MAX_AGE = 60


def _page(request, alliance, shown, *, public: bool, indexable: bool):
    """The page of what `alliance` shows: its purpose, its indicators (on the public page,
    each with the HTML that embeds its chart elsewhere), its accomplishments, its reports."""
    groups = {kind: [] for kind in Item.Kind.values}
    for s in shown:
        if public and s.item.kind == Item.Kind.INDICATOR:
            s.embed = _snippet(request, alliance, s.item)
        groups[s.item.kind].append(s)
    return render(
        request,
        "publishing/published.html",
        {
            "published_alliance": alliance,
            "shown": shown,
            "groups": groups,
            "since": max((s.since for s in shown), default=None),
            "indexable": indexable,
        },
    )


def _snippet(request, alliance, item) -> str:
    """The HTML another website pastes to show the chart: an image, or the card in a frame."""
    args = [alliance.slug, item.object_id]
    svg = request.build_absolute_uri(reverse("publishing:embed_svg", args=args))
    card = request.build_absolute_uri(reverse("publishing:embed_card", args=args))
    title = _("%(indicator)s, by %(alliance)s") % {
        "indicator": item.snapshot.get("name", ""),
        "alliance": alliance.name,
    }
    return (
        f'<img src="{escape(svg)}" alt="{escape(title)}" width="640" height="360">\n'
        f'<iframe src="{escape(card)}" title="{escape(title)}" width="640" height="520" '
        'loading="lazy"></iframe>'
    )


def _private(response):
    # The token is in the address: never kept by a cache or the device, never sent on.
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _public(response, indexable: bool):
    # The same for every visitor: a shared cache may keep it briefly (accord.caching).
    response.shared_cache = True
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    if not indexable:
        response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def shared(request, token):
    link = (
        ShareLink.objects.usable()
        .select_related("alliance")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        raise Http404
    shown = consent.published_items(link.alliance)
    response = _page(request, link.alliance, shown, public=False, indexable=False)
    return _private(response)


def _public_page(slug) -> PublicPage:
    page = (
        PublicPage.objects.select_related("alliance").filter(alliance__slug=slug, on=True).first()
    )
    if page is None:
        raise Http404
    return page


@require_GET
def public(request, slug):
    page = _public_page(slug)
    shown = consent.published_items(page.alliance, audiences=(Audience.PUBLIC,))
    response = _page(request, page.alliance, shown, public=True, indexable=page.indexable)
    return _public(response, page.indexable)


def _published_indicator(slug, indicator_id):
    """The public page's alliance and the indicator's newest published snapshot, or 404."""
    page = _public_page(slug)
    shown = consent.published_items(page.alliance, audiences=(Audience.PUBLIC,))
    for s in shown:
        if s.item.kind == Item.Kind.INDICATOR and s.item.object_id == indicator_id:
            return page, s.item.snapshot
    raise Http404


@require_GET
@embeddable(max_age=PUBLIC_MAX_AGE)
def embed_svg(request, slug, indicator_id):
    page, snapshot = _published_indicator(slug, indicator_id)
    language = translation.get_language()
    link = request.build_absolute_uri(reverse("publishing:public", args=[slug]))
    tag = embed.etag(snapshot, language=language, alliance_name=page.alliance.name, link=link)
    response = get_conditional_response(request, etag=tag)
    if response is None:
        drawing = embed.svg(
            snapshot, alliance_name=page.alliance.name, link=link, language=language
        )
        response = HttpResponse(drawing, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = tag
    # A 304 has no Content-Type to tell it is an image, and a cache keeps its headers.
    response["Content-Security-Policy"] = IMAGE_POLICY
    return response


@require_GET
@embeddable(max_age=PUBLIC_MAX_AGE)
def embed_card(request, slug, indicator_id):
    page, snapshot = _published_indicator(slug, indicator_id)
    language = translation.get_language()
    link = request.build_absolute_uri(reverse("publishing:public", args=[slug]))
    svg_url = reverse("publishing:embed_svg", args=[slug, indicator_id])
    tag = embed.etag(
        snapshot, language=language, alliance_name=page.alliance.name, link=link, svg_url=svg_url
    )
    response = get_conditional_response(request, etag=tag)
    if response is None:
        response = render(
            request,
            "indicators/embed_card.html",
            {
                "indicator": snapshot,
                "alliance_name": page.alliance.name,
                "link": link,
                "svg_url": svg_url,
            },
        )
    response["ETag"] = tag
    return response
