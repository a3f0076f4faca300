"""Shared power: the resources the alliance's work needs, and the partners who bring them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord import spreadsheet
from alliances import access
from history.services import EditConflict
from registers import figures, services
from registers.forms import ResourceForm
from registers.views import common


@login_required
@require_GET
def resource_list(request, slug):
    membership = access.get_membership(request.user, slug)
    return common.serve(
        request, "registers/resources", membership, lambda: figures.resources(membership.alliance)
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    form = ResourceForm(request.POST or None, alliance=membership.alliance)
    if form.is_valid():
        services.add_resource(
            resource=form.instance,
            partners=form.cleaned_data["partners"],
            alliance=membership.alliance,
            author=request.user,
        )
        messages.success(request, _("The resource is added."))
        return redirect("registers:resources", slug)
    return render(
        request,
        "registers/resource_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, slug, resource_id):
    membership = access.get_membership(request.user, slug, "write")
    resource = access.get_resource(membership, resource_id)
    form = ResourceForm(request.POST or None, instance=resource, alliance=membership.alliance)
    conflict = None
    if form.is_valid():
        try:
            services.edit_resource(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The resource is saved."))
            return redirect("registers:resources", slug)
    return render(
        request,
        "registers/resource_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "form": form,
            "resource": resource,
            "conflict": conflict,
        },
    )


@login_required
@require_GET
def resources_csv(request, slug):
    membership = access.get_membership(request.user, slug)
    register = figures.resources(membership.alliance)
    # A byte order mark, so that a spreadsheet opens accented names as UTF-8.
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-resources.csv"'
    writer = spreadsheet.writer(response)
    writer.writerow(["resource", "kind", "goal", "brought by", "responsible"])
    for row in register["resources"]:
        writer.writerow(
            [
                row["description"],
                row["kind"],
                row["goal"],
                "; ".join(row["partners"]),
                row["responsible"],
            ]
        )
    return response
