"""Shared control: the alliance's agreements (work plans, contracts, policies, procedures),
with their files, and the partners' pledges of resources and whether they came.

Files are never at a public address: `agreement_file` serves one only to the alliance's
members, with the type the upload was checked as (`registers.uploads`)."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord import spreadsheet
from alliances import access
from history.models import Revision
from history.services import EditConflict, FieldConflict, create_with_history, save_edit
from registers import figures, live, uploads
from registers.forms import AgreementForm, PledgeForm
from registers.models import Agreement, Contribution, Resource, agreement_file_path
from registers.views import common
from reviews.framework import key_of

COMPONENT = key_of("control")
POWER = key_of("resources")  # the shared power register, where a newly named resource goes


def _posted(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


@login_required
@require_GET
def control(request, slug):
    membership = access.get_membership(request.user, slug)
    register = figures.control(membership.alliance)
    return common.serve(request, "control", common.page_context(membership, register))


# Agreements


def _agreement_page(request, membership, form, **extra):
    return render(
        request,
        "registers/agreement_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form, **extra},
    )


def _file_label() -> str:
    return str(Agreement._meta.get_field("file").verbose_name)


def _name_the_file(agreement, old_name: str) -> None:
    """The revision says which file by the name people gave it, not the random stored one."""
    revision = Revision.objects.for_object(agreement).filter(version=agreement.version).first()
    if revision is None or not {"file", "file_name"} & revision.changes.keys():
        return
    revision.changes.pop("file_name", None)
    new_name = agreement.file_name if agreement.file else ""
    revision.changes["file"] = {"label": _file_label(), "old": old_name, "new": new_name}
    revision.save(update_fields=["changes"])


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    alliance = membership.alliance
    form = AgreementForm(_posted(request), _files(request), alliance=alliance)
    if form.is_valid():
        agreement = form.instance
        agreement.created_by = request.user
        upload = form.cleaned_data.get("upload")
        if upload:
            agreement.file = upload  # stored under a random name by the save
            agreement.file_name = Path(upload.name).name[:200]
        with transaction.atomic():
            create_with_history(agreement, alliance=alliance, author=request.user)
            _name_the_file(agreement, "")
        live.tell_meetings(alliance, COMPONENT, request.user)
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
            _edit_agreement(form, old_file, old_name, alliance=alliance, author=request.user)
        except EditConflict as error:
            conflict = error
            form.file_lost()
        else:
            live.tell_meetings(alliance, COMPONENT, request.user)
            messages.success(request, _("The agreement is saved."))
            return redirect("registers:control", slug)
    return _agreement_page(request, membership, form, agreement=agreement, conflict=conflict)


def _edit_agreement(form, old_file: str, old_name: str, *, alliance, author) -> Agreement:
    """Save the agreement; a new file is stored first (under its random name, so that two
    editors' files never meet), and the one it replaces is deleted once the save commits."""
    agreement = form.instance
    storage = agreement.file.storage
    upload = form.cleaned_data.get("upload")
    extra, stored = {}, ""
    if upload:
        stored = storage.save(agreement_file_path(agreement, upload.name), upload)
        extra = {"file": stored, "file_name": Path(upload.name).name[:200]}
    elif form.cleaned_data.get("remove_file"):
        extra = {"file": "", "file_name": ""}
    try:
        with transaction.atomic():
            saved = save_edit(form, alliance=alliance, author=author, extra_fields=extra)
            if extra:
                _name_the_file(saved, old_name)
            if old_file and saved.file.name != old_file:
                transaction.on_commit(lambda: storage.delete(old_file))
    except EditConflict as error:
        if stored:
            storage.delete(stored)
        if extra:
            label = _file_label()
            named = str(Agreement._meta.get_field("file_name").verbose_name)
            error.fields[:] = [f for f in error.fields if f.label not in (label, named)]
            theirs = error.current.file_name if error.current.file else ""
            error.fields.append(FieldConflict(label, theirs, extra["file_name"]))
        raise
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return saved


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
    response = FileResponse(
        handle,
        as_attachment=not (kind and kind.inline),
        filename=agreement.file_name or Path(agreement.file.name).name,
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
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


def _new_resource(form, *, alliance, author) -> Resource:
    """The resource named on the pledge form, added to the shared power register with the
    pledging partner as the one who brings it, in its first revision."""
    partner = form.cleaned_data["partner"]
    resource = Resource(
        alliance=alliance,
        description=form.cleaned_data["new_resource"].strip(),
        kind=form.cleaned_data["new_resource_kind"],
    )
    create_with_history(resource, alliance=alliance, author=author)
    Contribution.objects.create(resource=resource, partner=partner)
    revision = Revision.objects.for_object(resource).get()
    revision.changes["partners"] = {"label": _("brought by"), "old": "", "new": partner.name}
    revision.save(update_fields=["changes"])
    return resource


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    alliance = membership.alliance
    form = PledgeForm(
        _posted(request), alliance=alliance, initial={"partner": membership.partner_id}
    )
    if form.is_valid():
        pledge = form.instance
        pledge.created_by = request.user
        named = bool(form.cleaned_data.get("new_resource", "").strip())
        with transaction.atomic():
            if named:
                pledge.resource = _new_resource(form, alliance=alliance, author=request.user)
            create_with_history(pledge, alliance=alliance, author=request.user)
        live.tell_meetings(alliance, COMPONENT, request.user)
        if named:
            live.tell_meetings(alliance, POWER, request.user)
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
            save_edit(form, alliance=alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            live.tell_meetings(alliance, COMPONENT, request.user)
            messages.success(request, _("The pledge is saved."))
            return redirect("registers:control", slug)
    return _pledge_page(request, membership, form, pledge=pledge, conflict=conflict)
