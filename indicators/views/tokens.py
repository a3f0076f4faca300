"""The coordinators' pages for API tokens: list, make (the token is shown once), revoke."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alliances import access
from indicators import services
from indicators.forms import ApiTokenForm
from indicators.models import ApiToken, Indicator

# The new token waits here, in the maker's session, for the one page that shows it.
NEW_TOKEN = "indicators:new_api_token"


def _api_address(indicator_id) -> str:
    return settings.SITE_URL + reverse("indicators:api_values", args=[indicator_id])


def _curl(address: str, token: str) -> str:
    return (
        f"curl -X POST {address} \\\n"
        f'  -H "Authorization: Bearer {token}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        '  -d \'{"date": "2027-03-31", "value": 1250}\''
    )


def _context(membership, **extra) -> dict:
    alliance = membership.alliance
    indicators = list(Indicator.objects.filter(alliance=alliance).only("pk", "name"))
    example = _api_address(indicators[0].pk if indicators else 0).replace("/0/", "/ID/")
    return {
        "membership": membership,
        "alliance": alliance,
        "indicators": [(i, _api_address(i.pk)) for i in indicators],
        "list_address": settings.SITE_URL + reverse("indicators:api_indicators"),
        "schema_address": settings.SITE_URL + reverse("indicators:openapi"),
        "rate_limit": settings.API_RATE_LIMIT,
        "example_address": example,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    form = ApiTokenForm(request.POST or None)
    if form.is_valid():
        token, secret = services.issue_api_token(form=form, alliance=alliance, author=request.user)
        request.session[NEW_TOKEN] = {"id": token.pk, "token": secret}
        return redirect("indicators:api_token_created", alliance.slug, token.pk)
    tokens = ApiToken.objects.filter(alliance=alliance).select_related("created_by")
    context = _context(membership, form=form, tokens=tokens)
    context["curl"] = _curl(context["example_address"], "acc_…")
    return render(request, "indicators/api_tokens.html", context)


@login_required
@require_GET
@never_cache  # shown once: not kept by the browser for its Back button or history either
def api_token_created(request, slug, token_id):
    """The new token, shown this once: it is taken out of the session as it is shown."""
    membership = access.get_membership(request.user, slug, "coordinate")
    token = access.get_api_token(membership, token_id)
    waiting = request.session.get(NEW_TOKEN) or {}
    secret = None
    if waiting.get("id") == token.pk:
        secret = request.session.pop(NEW_TOKEN)["token"]
    context = _context(membership, token=token, secret=secret)
    if secret:
        context["curl"] = _curl(context["example_address"], secret)
    return render(request, "indicators/api_token_created.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request, slug, token_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    token = access.get_api_token(membership, token_id)
    if request.method == "POST":
        if services.revoke_api_token(token=token):
            messages.success(
                request,
                _("The token “%(name)s” is revoked: calls with it are refused from now on.")
                % {"name": token.name},
            )
        return redirect("indicators:api_tokens", membership.alliance.slug)
    return render(
        request,
        "indicators/api_token_revoke.html",
        {"membership": membership, "alliance": membership.alliance, "token": token},
    )
