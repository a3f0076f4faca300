"""Interdependence: who depends on whom, each partner's answer to the impact question, and
the signs that the alliance, or a partner's part in it, may not need to continue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord import spreadsheet
from alliances import access, rules
from history.services import EditConflict, create_with_history, save_edit
from registers import figures, live
from registers.forms import DependencyForm, ImpactAnswerForm
from registers.models import ImpactAnswer
from registers.views import common
from reviews.framework import key_of
from reviews.models import Review

COMPONENT = key_of("dependencies")


def _reviews(request, membership) -> tuple[list[Review], Review | None]:
    """The alliance's reviews, and the one whose impact answers the page shows: the one asked
    for (?review=), else the latest."""
    reviews = list(Review.objects.filter(alliance=membership.alliance))
    asked = request.GET.get("review")
    if not asked:
        return reviews, reviews[0] if reviews else None
    if not asked.isdigit():
        raise Http404
    chosen = next((r for r in reviews if r.pk == int(asked)), None)
    if chosen is None:
        raise Http404
    return reviews, chosen


def _page_context(membership, review, **extra):
    register = figures.dependencies(membership.alliance, review)
    return common.page_context(membership, register, review=review, **extra)


def _register_url(slug, review=None) -> str:
    url = reverse("registers:dependencies", args=[slug])
    return f"{url}?review={review.pk}" if review else url


@login_required
@require_GET
def dependency_list(request, slug):
    membership = access.get_membership(request.user, slug)
    reviews, review = _reviews(request, membership)
    context = _page_context(membership, review, reviews=reviews)
    return common.serve(request, "dependencies", context)


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
        create_with_history(form.instance, alliance=membership.alliance, author=request.user)
        live.tell_meetings(membership.alliance, COMPONENT, request.user)
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
            save_edit(form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            live.tell_meetings(membership.alliance, COMPONENT, request.user)
            messages.success(request, _("The dependency is saved."))
            return redirect("registers:dependencies", slug)
    return _form_page(request, membership, form, dependency=dependency, conflict=conflict)


def _save_answer(form, *, alliance, author) -> None:
    """Save a partner's answer. If someone gave it meanwhile (the form started from no
    answer, version 0), this one is merged into theirs as an edit, which raises
    EditConflict where both said different things."""
    answer = form.instance
    if answer.pk:
        save_edit(form, alliance=alliance, author=author)
        return
    try:
        with transaction.atomic():
            answer.version = 1
            create_with_history(answer, alliance=alliance, author=author)
    except IntegrityError:
        form.instance = ImpactAnswer.objects.get(review=answer.review, partner=answer.partner)
        form.instance.answer, form.instance.why = answer.answer, answer.why
        save_edit(form, alliance=alliance, author=author)


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
            _save_answer(form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            live.tell_meetings(membership.alliance, COMPONENT, request.user)
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-dependencies.csv"'
    writer = spreadsheet.writer(response)
    writer.writerow(["partner", "depends on", "for what", "goal", "resource"])
    for row in register["dependencies"]:
        writer.writerow(
            [row["dependent"], row["provider"], row["what"], row["goal"], row["resource"]]
        )
    return response
