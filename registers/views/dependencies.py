"""Interdependence: who depends on whom, each partner's answer to the impact question, and
the signs that the alliance, or a partner's part in it, may not need to continue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord import spreadsheet
from alliances import access, rules
from history.services import EditConflict
from registers import figures, services
from registers.forms import DependencyForm, ImpactAnswerForm
from registers.models import ImpactAnswer
from registers.views import common


def _register_url(slug, review=None) -> str:
    url = reverse("registers:dependencies", args=[slug])
    return f"{url}?review={review.pk}" if review else url


@login_required
@require_GET
def dependency_list(request, slug):
    membership = access.get_membership(request.user, slug)
    reviews, review = access.choose_review(membership, request.GET.get("review"))
    return common.serve(
        request,
        "registers/dependencies",
        membership,
        lambda: figures.dependencies(membership.alliance, review),
        review=review,
        reviews=reviews,
    )


def _form_page(request, membership, form, **extra):
    return render(
        request,
        "registers/dependency_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dependency_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    form = DependencyForm(
        request.POST or None,
        alliance=membership.alliance,
        initial={"dependent": membership.partner_id},
    )
    if form.is_valid():
        services.add_dependency(
            dependency=form.instance,
            alliance=membership.alliance,
            author=request.user,
            partner_id=membership.partner_id,
        )
        messages.success(request, _("The dependency is added."))
        return redirect("registers:dependencies", slug)
    return _form_page(request, membership, form)


@login_required
@require_http_methods(["GET", "POST"])
def dependency_edit(request, slug, dependency_id):
    membership = access.get_membership(request.user, slug, "write")
    dependency = access.get_dependency(membership, dependency_id)
    form = DependencyForm(request.POST or None, instance=dependency, alliance=membership.alliance)
    conflict = None
    if form.is_valid():
        try:
            services.edit_dependency(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The dependency is saved."))
            return redirect("registers:dependencies", slug)
    return _form_page(request, membership, form, dependency=dependency, conflict=conflict)


@login_required
@require_POST
def confirm(request, slug, dependency_id, side):
    """A partner confirms its side of a tie: a member for their own organization, a
    facilitator or coordinator for any partner (as for the impact question)."""
    membership = access.get_membership(request.user, slug, "write")
    dependency = access.get_dependency(membership, dependency_id)
    if side not in ("dependent", "provider"):
        raise Http404
    partner = dependency.dependent if side == "dependent" else dependency.provider
    # The page names the partner it confirms for: a side given to another partner since it
    # was drawn is not confirmed in that partner's name.
    shown = request.POST.get("partner")
    if shown is not None and shown != str(partner.pk):
        messages.error(
            request,
            _(
                "This dependency changed since the page was shown: read it again, then "
                "confirm if it is right."
            ),
        )
        return redirect("registers:dependencies", slug)
    rules.ANSWER_FOR_PARTNER.require(membership, partner.pk)
    services.confirm_dependency(
        dependency_id=dependency.pk, side=side, alliance=membership.alliance, author=request.user
    )
    messages.success(
        request,
        _("%(partner)s confirms that %(dependent)s depends on %(provider)s for %(what)s.")
        % {
            "partner": partner.name,
            "dependent": dependency.dependent.name,
            "provider": dependency.provider.name,
            "what": dependency.what,
        },
    )
    return redirect("registers:dependencies", slug)


@login_required
@require_http_methods(["GET", "POST"])
def impact(request, slug, review_id, partner_id):
    """A partner's answer, once per review: could we have the same impact without the
    alliance? A member answers for their own organization; a facilitator or coordinator may
    record any partner's answer."""
    membership = access.get_membership(request.user, slug, "write")
    review = access.get_review(membership, review_id)
    partner = access.get_partner(membership, partner_id)
    rules.ANSWER_FOR_PARTNER.require(membership, partner.pk)
    answer = ImpactAnswer.objects.filter(review=review, partner=partner).first()
    if answer is None:
        answer = ImpactAnswer(review=review, partner=partner, version=0)
    form = ImpactAnswerForm(request.POST or None, instance=answer)
    conflict = None
    if form.is_valid():
        try:
            services.answer_impact(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(
                request, _("%(partner)s's answer is saved.") % {"partner": partner.name}
            )
            return redirect(_register_url(slug, review))
    return render(
        request,
        "registers/impact_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "review": review,
            "partner": partner,
            "form": form,
            "conflict": conflict,
            "back": _register_url(slug, review),
        },
    )


@login_required
@require_GET
def dependencies_csv(request, slug):
    membership = access.get_membership(request.user, slug)
    register = figures.dependencies(membership.alliance)
    # A byte order mark, so that a spreadsheet opens accented names as UTF-8.
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-dependencies.csv"'
    writer = spreadsheet.writer(response)
    writer.writerow(
        [
            "partner",
            "depends on",
            "for what",
            "how they work together",
            "confirmed by the partner",
            "confirmed by the partner depended on",
            "goal",
            "resource",
        ]
    )
    for row in register["dependencies"]:
        writer.writerow(
            [
                row["dependent"],
                row["provider"],
                row["what"],
                row["strength"],
                "yes" if row["dependent_confirmed"] else "no",
                "yes" if row["provider_confirmed"] else "no",
                row["goal"],
                row["resource"],
            ]
        )
    return response
