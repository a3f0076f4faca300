"""Shared power: the resources the alliance's work needs, and the partners who bring them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord import spreadsheet
from alliances import access
from alliances.models import Partner
from history.models import Revision
from history.services import (
    EditConflict,
    FieldConflict,
    create_with_history,
    log_change,
    save_edit,
)
from registers import figures, live
from registers.forms import ResourceForm
from registers.models import Contribution, Resource
from registers.views import common
from reviews.framework import key_of

COMPONENT = key_of("resources")


def _page_context(membership, **extra):
    return common.page_context(membership, figures.resources(membership.alliance), **extra)


@login_required
@require_GET
def resource_list(request, slug):
    membership = access.get_membership(request.user, slug)
    return common.serve(request, "resources", _page_context(membership))


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    form = ResourceForm(request.POST or None, alliance=membership.alliance)
    if form.is_valid():
        _create(form, alliance=membership.alliance, author=request.user)
        live.tell_meetings(membership.alliance, COMPONENT, request.user)
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
            _edit(form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            live.tell_meetings(membership.alliance, COMPONENT, request.user)
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
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


# Saving: the partners who bring a resource are Contribution rows, not a column, so
# save_edit does not see them. They are saved beside it, in the same revision, and guarded
# the same way: where someone else changed them meanwhile, their change stands if this
# person left the partners as they found them, and is a conflict if both changed them.


def _names(partners) -> str:
    return ", ".join(p.name for p in sorted(partners, key=lambda p: p.name.lower()))


def _brought_by(old: str, new: str) -> dict:
    return {"label": _("brought by"), "old": old, "new": new}


def _create(form, *, alliance, author) -> Resource:
    resource = form.instance
    partners = list(form.cleaned_data["partners"])
    with transaction.atomic():
        create_with_history(resource, alliance=alliance, author=author)
        Contribution.objects.bulk_create(
            [Contribution(resource=resource, partner=p) for p in partners]
        )
        if partners:
            revision = Revision.objects.for_object(resource).get()
            revision.changes["partners"] = _brought_by("", _names(partners))
            revision.save(update_fields=["changes"])
    return resource


def _partners_at(resource, version: int) -> str | None:
    """Who brought the resource at `version`, if that changed since; None if it did not."""
    later = Revision.objects.for_object(resource).filter(version__gt=version).order_by("version")
    for changes in later.values_list("changes", flat=True):
        if "partners" in changes:
            return changes["partners"]["old"]
    return None


def _edit(form, *, alliance, author) -> Resource:
    pk = form.instance.pk
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=pk)
        theirs = list(Partner.objects.filter(contributions__resource_id=pk))
        yours = list(form.cleaned_data["partners"])
        found = _partners_at(current, form.cleaned_data["base_version"])
        if found is not None and _names(yours) == found:
            yours = theirs  # someone else changed them; this person left them as found
        clash = found is not None and _names(yours) != _names(theirs)
        try:
            resource = save_edit(form, alliance=alliance, author=author)
        except EditConflict as error:
            if clash:
                error.fields.append(FieldConflict(_("brought by"), _names(theirs), _names(yours)))
            raise
        if clash or resource.responsible_id not in {None, *(p.pk for p in yours)}:
            fields = [FieldConflict(_("brought by"), _names(theirs), _names(yours))]
            if resource.responsible_id != current.responsible_id:
                fields.append(
                    FieldConflict(
                        _("partner responsible"),
                        str(current.responsible or ""),
                        str(resource.responsible or ""),
                    )
                )
            # Leaving the transaction with the error undoes the save above.
            raise _conflict(form, current, fields)
        if _names(yours) != _names(theirs):
            _replace_partners(
                form, resource, current, theirs, yours, alliance=alliance, author=author
            )
    return resource


def _conflict(form, current, fields) -> EditConflict:
    """Re-arm the form with the version as it stands, as save_edit does for its own."""
    form.data = form.data.copy()
    form.data[form.add_prefix("base_version")] = current.version
    return EditConflict(current, fields, Revision.objects.for_object(current).first())


def _replace_partners(form, resource, current, theirs, yours, *, alliance, author) -> None:
    Contribution.objects.filter(resource=resource).exclude(partner__in=yours).delete()
    Contribution.objects.bulk_create(
        [Contribution(resource=resource, partner=p) for p in yours if p not in theirs]
    )
    change = _brought_by(_names(theirs), _names(yours))
    if resource.version > current.version:  # save_edit kept a revision: the change joins it
        revision = Revision.objects.for_object(resource).filter(version=resource.version).first()
        revision.changes["partners"] = change
        revision.save(update_fields=["changes"])
        return
    claimed = Resource.objects.filter(pk=resource.pk, version=current.version).update(
        version=current.version + 1
    )
    if not claimed:  # another save claimed this version first (SQLite does not lock rows)
        raise _conflict(form, Resource.objects.get(pk=resource.pk), [])
    resource.version = current.version + 1
    log_change(
        resource,
        action=Revision.Action.CHANGED,
        alliance=alliance,
        author=author,
        changes={"partners": change},
    )
