"""Shared control: the alliance's agreements (work plans, contracts, policies, procedures),
with their files, and the partners' pledges of resources and whether they came.

Files are never at a public address: `agreement_file` serves one only to the alliance's
members, with the type the upload was checked as (`registers.uploads`)."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord import spreadsheet
from alliances import access
from history.services import EditConflict
from registers import figures, services, uploads
from registers.forms import AgreementForm, PledgeForm
from registers.views import common


def _posted(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


@login_required
@require_GET
def control(request, slug):
    membership = access.get_membership(request.user, slug)
    return common.serve(
        request, "registers/control", membership, lambda: figures.control(membership.alliance)
    )


# Agreements


def _agreement_page(request, membership, form, **extra):
    return render(
        request,
        "registers/agreement_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    alliance = membership.alliance
    form = AgreementForm(_posted(request), _files(request), alliance=alliance)
    if form.is_valid():
        services.add_agreement(
            agreement=form.instance,
            upload=form.cleaned_data.get("upload"),
            alliance=alliance,
            author=request.user,
        )
        messages.success(request, _("The agreement is added."))
        return redirect("registers:control", slug)
    return _agreement_page(request, membership, form)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, slug, agreement_id):
    membership = access.get_membership(request.user, slug, "write")
    alliance = membership.alliance
    agreement = access.get_agreement(membership, agreement_id)
    old_file = agreement.file.name
    old_name = agreement.file_name if agreement.file else ""
    form = AgreementForm(_posted(request), _files(request), instance=agreement, alliance=alliance)
    conflict = None
    if form.is_valid():
        try:
            services.edit_agreement(
                form=form,
                old_file=old_file,
                old_name=old_name,
                alliance=alliance,
                author=request.user,
            )
        except EditConflict as error:
            conflict = error
            form.file_lost()
        else:
            messages.success(request, _("The agreement is saved."))
            return redirect("registers:control", slug)
    return _agreement_page(request, membership, form, agreement=agreement, conflict=conflict)


@login_required
@require_GET
def agreement_file(request, slug, agreement_id):
    """The agreement's file, to the alliance's members only. Images may show in the
    browser; anything else is downloaded. The type is the one the upload was checked as."""
    membership = access.get_membership(request.user, slug)
    agreement = access.get_agreement(membership, agreement_id)
    if not agreement.file:
        raise Http404
    kind = uploads.kind_of(agreement.file.name)
    try:
        handle = agreement.file.storage.open(agreement.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    # Saved under the extension of the kind it was checked as, whatever name it was given
    # (an imported document's may say `plan.html`), so that it opens as that kind.
    name = agreement.file_name or Path(agreement.file.name).name
    suffix = Path(agreement.file.name).suffix
    if Path(name).suffix.lower() != suffix.lower():
        name += suffix
    response = FileResponse(
        handle,
        as_attachment=not (kind and kind.inline),
        filename=name,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A member's browser may keep it for this visit; no shared cache keeps it at all.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def agreements_csv(request, slug):
    membership = access.get_membership(request.user, slug)
    register = figures.agreements(membership.alliance)
    # A byte order mark, so that a spreadsheet opens accented names as UTF-8.
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-agreements.csv"'
    writer = spreadsheet.writer(response)
    writer.writerow(
        [
            "title",
            "kind",
            "status",
            "kept by",
            "adopted on",
            "next review by",
            "review overdue",
            "link",
            "file",
        ]
    )
    for row in register["current"] + register["retired"]:
        writer.writerow(
            [
                row["title"],
                row["kind"],
                row["status"],
                row["owner"],
                row["adopted_on"],
                row["review_on"],
                "yes" if row["review_overdue"] else "no",
                row["link"],
                row["file_name"],
            ]
        )
    return response


# Pledges


def _pledge_page(request, membership, form, **extra):
    return render(
        request,
        "registers/pledge_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    alliance = membership.alliance
    form = PledgeForm(
        _posted(request), alliance=alliance, initial={"partner": membership.partner_id}
    )
    if form.is_valid():
        services.pledge(form=form, alliance=alliance, author=request.user)
        messages.success(request, _("The pledge is added."))
        return redirect("registers:control", slug)
    return _pledge_page(request, membership, form)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request, slug, pledge_id):
    membership = access.get_membership(request.user, slug, "write")
    alliance = membership.alliance
    pledge = access.get_pledge(membership, pledge_id)
    form = PledgeForm(_posted(request), instance=pledge, alliance=alliance)
    conflict = None
    if form.is_valid():
        try:
            services.edit_pledge(form=form, alliance=alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The pledge is saved."))
            return redirect("registers:control", slug)
    return _pledge_page(request, membership, form, pledge=pledge, conflict=conflict)
