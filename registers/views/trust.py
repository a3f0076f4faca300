"""Mutual respect and trust: confidence in each goal, commitments kept, accomplishments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import access
from history.services import EditConflict
from registers import services
from registers.forms import AccomplishmentForm, PartnerFollowThroughForm
from registers.views import common
from reviews import components


@login_required
@require_GET
def trust(request, slug):
    membership = access.get_membership(request.user, slug)
    reviews, review = access.choose_review(membership, request.GET.get("review"))
    if review is not None:
        review.alliance = membership.alliance
    return common.serve(
        request,
        "registers/trust",
        membership,
        lambda: components.tool("trust").build(membership.alliance, review),
        review=review,
        reviews=reviews,
        follow_through_form=PartnerFollowThroughForm(instance=review) if review else None,
    )


@login_required
@require_POST
def partner_follow_through(request, slug, review_id):
    """A facilitator turns the per-partner follow-through table on or off for a review."""
    membership = access.get_membership(request.user, slug, "facilitate")
    review = access.get_review(membership, review_id)
    form = PartnerFollowThroughForm(request.POST, instance=review)
    url = f"{reverse('registers:trust', args=[slug])}?review={review.pk}"
    if not form.is_valid():
        messages.error(request, _("The page was out of date; nothing was changed. Try again."))
        return redirect(url)
    try:
        services.set_partner_follow_through(
            form=form, alliance=membership.alliance, author=request.user
        )
    except EditConflict:
        messages.error(
            request,
            _("Someone else changed this setting meanwhile; it is shown as it is now."),
        )
        return redirect(url)
    if form.cleaned_data["partner_follow_through"]:
        messages.success(request, _("Follow-through per partner is shown for this review."))
    else:
        messages.success(request, _("Follow-through per partner is hidden for this review."))
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def accomplishment_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    form = AccomplishmentForm(request.POST or None, alliance=membership.alliance)
    if form.is_valid():
        services.add_accomplishment(
            accomplishment=form.instance, alliance=membership.alliance, author=request.user
        )
        messages.success(request, _("The accomplishment is added."))
        return redirect("registers:trust", slug)
    return render(
        request,
        "registers/accomplishment_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def accomplishment_edit(request, slug, accomplishment_id):
    membership = access.get_membership(request.user, slug, "write")
    accomplishment = access.get_accomplishment(membership, accomplishment_id)
    form = AccomplishmentForm(
        request.POST or None, instance=accomplishment, alliance=membership.alliance
    )
    conflict = None
    if form.is_valid():
        try:
            services.edit_accomplishment(
                form=form, alliance=membership.alliance, author=request.user
            )
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The accomplishment is saved."))
            return redirect("registers:trust", slug)
    return render(
        request,
        "registers/accomplishment_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "form": form,
            "accomplishment": accomplishment,
            "conflict": conflict,
        },
    )
