"""Shared purpose: the goals register and the alignment matrix."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord import spreadsheet
from alliances import access, rules
from history.services import EditConflict
from registers import figures, services
from registers.forms import AlignmentForm, GoalForm
from registers.models import Alignment
from registers.views import common


def _page_context(membership, **extra):
    return common.page_context(membership, figures.goals(membership.alliance), **extra)


@login_required
@require_GET
def goal_list(request, slug):
    membership = access.get_membership(request.user, slug)
    return common.serve(
        request, "registers/goals", membership, lambda: figures.goals(membership.alliance)
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    form = GoalForm(request.POST or None, alliance=membership.alliance)
    if form.is_valid():
        services.add_goal(goal=form.instance, alliance=membership.alliance, author=request.user)
        messages.success(request, _("The goal is added."))
        return redirect("registers:goals", slug)
    return render(
        request,
        "registers/goal_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, slug, goal_id):
    membership = access.get_membership(request.user, slug, "write")
    goal = access.get_goal(membership, goal_id)
    form = GoalForm(request.POST or None, instance=goal, alliance=membership.alliance)
    conflict = None
    if form.is_valid():
        try:
            services.edit_goal(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The goal is saved."))
            return redirect("registers:goals", slug)
    return render(
        request,
        "registers/goal_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "form": form,
            "goal": goal,
            "conflict": conflict,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alignment(request, slug, goal_id, partner_id):
    """One cell of the matrix: where a partner stands on a goal. A member answers for their
    own organization; a facilitator or coordinator may record any partner's answer."""
    membership = access.get_membership(request.user, slug, "write")
    goal = access.get_goal(membership, goal_id)
    partner = access.get_partner(membership, partner_id)
    rules.ANSWER_FOR_PARTNER.require(membership, partner.pk)
    cell = Alignment.objects.filter(goal=goal, partner=partner).first() or Alignment(
        goal=goal, partner=partner, version=0
    )
    form = AlignmentForm(request.POST or None, instance=cell)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.set_alignment(
                form=form,
                goal=goal,
                partner=partner,
                alliance=membership.alliance,
                author=request.user,
            )
        except EditConflict as error:
            conflict = error
        else:
            if request.htmx:
                return render(request, "registers/_goals.html", _page_context(membership))
            return redirect("registers:goals", slug)
    return render(
        request,
        "registers/_alignment_form.html" if request.htmx else "registers/alignment_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "goal": goal,
            "partner": partner,
            "form": form,
            "conflict": conflict,
        },
    )


@login_required
@require_GET
def goals_csv(request, slug):
    membership = access.get_membership(request.user, slug)
    register = figures.goals(membership.alliance)
    # A byte order mark, so that a spreadsheet opens accented names as UTF-8.
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-goals.csv"'
    writer = spreadsheet.writer(response)
    partners = [p["name"] for p in register["partners"]]
    writer.writerow(
        ["goal", "community", "measure", "target", "target date", "status", "measurable", *partners]
    )
    for row in register["goals"]:
        writer.writerow(
            [
                row["statement"],
                row["community"],
                row["measure"],
                row["target"],
                row["target_date"],
                row["status"],
                "yes" if row["measurable"] else "no",
                *[c["stance"] for c in row["cells"]],
            ]
        )
    return response
