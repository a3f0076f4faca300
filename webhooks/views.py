"""The coordinators' pages for webhooks: the list, add (the secret is shown once, next),
edit, a new secret, delete, a test event, and each webhook's log of deliveries. Nothing here
sends: the scheduler does (webhooks.services.deliver_due)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import access
from webhooks import events, services
from webhooks.forms import WebhookEditForm, WebhookForm
from webhooks.models import Delivery, Webhook
from webhooks.signing import TOLERANCE_SECONDS

# A new secret waits here, in the coordinator's session, for the one page that shows it.
NEW_SECRET = "webhooks:new_secret"
# The deliveries a webhook's log shows, latest first.
LOG_LENGTH = 100


def _context(membership, **extra) -> dict:
    return {"membership": membership, "alliance": membership.alliance, **extra}


def _labels(webhook: Webhook) -> list[str]:
    return [str(events.LABELS.get(name, name)) for name in webhook.events]


@login_required
@require_GET
def webhooks(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    pending = Q(deliveries__status=Delivery.Status.PENDING)
    failed = Q(deliveries__status=Delivery.Status.FAILED)
    hooks = (
        Webhook.objects.filter(alliance=membership.alliance)
        .annotate(pending=Count("deliveries", filter=pending))
        .annotate(failed=Count("deliveries", filter=failed))
    )
    rows = [(hook, _labels(hook)) for hook in hooks]
    return render(request, "webhooks/list.html", _context(membership, rows=rows))


@login_required
@require_http_methods(["GET", "POST"])
def create(request, slug):
    membership = access.get_membership(request.user, slug, "coordinate")
    alliance = membership.alliance
    form = WebhookForm(request.POST or None)
    if form.is_valid():
        webhook = services.add_webhook(form=form, alliance=alliance, author=request.user)
        request.session[NEW_SECRET] = {"id": webhook.pk, "secret": webhook.secret}
        return redirect("webhooks:secret", alliance.slug, webhook.pk)
    return render(request, "webhooks/form.html", _context(membership, form=form, webhook=None))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug, webhook_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    webhook = access.get_webhook(membership, webhook_id)
    form = WebhookEditForm(request.POST or None, instance=webhook)
    if form.is_valid():
        services.edit_webhook(form=form)
        messages.success(request, _("The webhook is saved."))
        return redirect("webhooks:list", membership.alliance.slug)
    return render(request, "webhooks/form.html", _context(membership, form=form, webhook=webhook))


@login_required
@require_http_methods(["GET", "POST"])
def secret(request, slug, webhook_id):
    """The secret, shown once after it is made (taken out of the session as it is shown);
    a POST makes a new one."""
    membership = access.get_membership(request.user, slug, "coordinate")
    webhook = access.get_webhook(membership, webhook_id)
    if request.method == "POST":
        new = services.regenerate_secret(webhook=webhook)
        request.session[NEW_SECRET] = {"id": webhook.pk, "secret": new}
        return redirect("webhooks:secret", membership.alliance.slug, webhook.pk)
    waiting = request.session.get(NEW_SECRET) or {}
    shown = None
    if waiting.get("id") == webhook.pk:
        shown = request.session.pop(NEW_SECRET)["secret"]
    response = render(
        request,
        "webhooks/secret.html",
        _context(membership, webhook=webhook, secret=shown, tolerance=TOLERANCE_SECONDS // 60),
    )
    if shown:
        # Shown once: not kept by the browser either, to be shown again from its history.
        patch_cache_control(response, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, slug, webhook_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    webhook = access.get_webhook(membership, webhook_id)
    if request.method == "POST":
        services.delete_webhook(webhook=webhook)
        messages.success(
            request,
            _("The webhook to %(url)s is deleted: nothing more is sent to it.")
            % {"url": webhook.url},
        )
        return redirect("webhooks:list", membership.alliance.slug)
    return render(request, "webhooks/delete.html", _context(membership, webhook=webhook))


@login_required
@require_POST
def test(request, slug, webhook_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    webhook = access.get_webhook(membership, webhook_id)
    if not webhook.active:
        # A paused webhook is sent nothing: the test would wait for ever.
        messages.error(
            request, _("This webhook is paused: turn sending on to send it a test event.")
        )
        return redirect("webhooks:deliveries", membership.alliance.slug, webhook.pk)
    services.send_test_event(webhook=webhook, author=request.user)
    messages.success(
        request,
        _(
            "A test event is on its way: it is sent within a minute, and shown below with "
            "the answer."
        ),
    )
    return redirect("webhooks:deliveries", membership.alliance.slug, webhook.pk)


@login_required
@require_GET
def deliveries(request, slug, webhook_id):
    membership = access.get_membership(request.user, slug, "coordinate")
    webhook = access.get_webhook(membership, webhook_id)
    shown = list(webhook.deliveries.order_by("-created_at", "-id")[:LOG_LENGTH])
    for delivery in shown:
        delivery.label = events.LABELS.get(delivery.event, delivery.event)
    return render(
        request,
        "webhooks/deliveries.html",
        _context(
            membership,
            webhook=webhook,
            labels=_labels(webhook),
            deliveries=shown,
            log_length=LOG_LENGTH,
        ),
    )
