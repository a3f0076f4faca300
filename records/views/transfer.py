"""The alliance's document as a download for its coordinators, and the page that imports
one (see `records.transfer`)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances import access
from records.forms import ImportForm
from records.transfer import export_alliance as alliance_document
from records.transfer_import import import_alliance as import_document

SHOWN_PROBLEMS = 200


@login_required
@require_GET
def export_alliance(request, slug):
    """Everything of the alliance, for a backup or a move to another installation. Only a
    coordinator may take it: it holds everyone's email address."""
    membership = access.get_membership(request.user, slug, "coordinate")
    document = alliance_document(membership.alliance)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{membership.alliance.slug}-{day}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_alliance(request):
    """Anyone signed in may open the page; only a coordinator named in the file imports it."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if form.is_valid():
        result = import_document(form.document, by=request.user)
        if result.alliance is not None:
            messages.success(
                request,
                _("%(alliance)s is imported: everything it held is here.")
                % {"alliance": result.alliance.name},
            )
            return redirect("alliances:detail", result.alliance.slug)
        problems = result.problems
    # A hostile file may have a problem in each of its 100,000 rows: the page lists the
    # first ones and says how many there are.
    context = {"form": form, "problems": problems[:SHOWN_PROBLEMS], "problem_count": len(problems)}
    return render(request, "alliances/import.html", context)
