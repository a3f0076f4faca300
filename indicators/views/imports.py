"""Importing an indicator's values from a CSV file: upload, preview, confirm.

The upload is read (`indicators.imports`) and its good rows are kept server-side, in the
person's session under a random import id, as plain strings and breakdown ids; the browser
only ever sends that id back. Nothing is saved until the person confirms.

On confirmation every row is checked again with a fresh `values.Checker`: someone may have
added a value on one of those dates since the preview. If any row is no longer good,
nothing is imported: the preview comes back with those rows moved to the problems, said
clearly, and the person confirms again the rows that are still good. A person confirms the
set of rows they saw, never a different one.
"""

import secrets
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord import spreadsheet
from alliances import access
from indicators import imports, services, values
from indicators.forms import ImportForm
from indicators.models import Value

SESSION_KEY = "indicator_imports"
KEEP = 3  # previews kept per session; an older one is forgotten
SHOWN = 300  # good rows shown in the preview (all are imported)
SHOWN_BAD = 1000  # rows with problems kept and shown (all are counted)


def _load(request, slug, indicator_id):
    membership = access.get_membership(request.user, slug, "write")
    return membership, access.get_indicator(membership, indicator_id)


def _context(membership, indicator, **extra):
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "indicator": indicator,
    } | extra


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, slug, indicator_id):
    membership, indicator = _load(request, slug, indicator_id)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, indicator=indicator)
    else:
        form = ImportForm(indicator=indicator)
    if form.is_valid():
        import_id = _keep(request, indicator, form.result, form.cleaned_data["file"].name)
        return redirect("indicators:import_preview", slug, indicator.pk, import_id)
    return render(
        request,
        "indicators/import_form.html",
        _context(
            membership,
            indicator,
            form=form,
            breakdowns=list(indicator.breakdowns.all()),
            max_rows=imports.MAX_ROWS,
        ),
    )


@login_required
@require_GET
def template(request, slug, indicator_id):
    """A CSV file to fill in: the header, and a row per breakdown to show how."""
    _membership, indicator = _load(request, slug, indicator_id)
    breakdowns = list(indicator.breakdowns.all())
    name = slugify(indicator.name)[:50] or "indicator"
    # A byte order mark, so that a spreadsheet opens accented names as UTF-8.
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-values.csv"'
    writer = spreadsheet.writer(response)
    today = timezone.localdate().isoformat()
    if breakdowns:
        writer.writerow(["date", "value", "breakdown", "note"])
        for breakdown in breakdowns:
            writer.writerow([today, "", breakdown.name, ""])
    else:
        writer.writerow(["date", "value", "note"])
        writer.writerow([today, "", ""])
    return response


@login_required
@require_GET
def preview(request, slug, indicator_id, import_id):
    membership, indicator = _load(request, slug, indicator_id)
    kept = _kept(request, indicator, import_id)
    if kept is None:
        return _not_kept(request, slug, indicator)
    rows, columns = kept["rows"], kept["columns"]
    bad = [
        {
            "line": row["line"],
            "cells": [row["cells"].get(name, "") for name in columns],
            "errors": row["errors"],
        }
        for row in kept["bad"]
    ]
    return render(
        request,
        "indicators/import_preview.html",
        _context(
            membership,
            indicator,
            import_id=import_id,
            kept=kept,
            good_count=len(rows),
            bad_count=kept["bad_count"],
            good=rows[:SHOWN],
            bad=bad,
            headings=[(name, _column(name)) for name in columns],
            has_breakdown="breakdown" in columns,
            has_note="note" in columns,
            encoding=imports.encoding_name(kept["encoding"]),
            delimiter=imports.delimiter_name(kept["delimiter"]),
            decimal_comma=kept["delimiter"] == ";",
            latin=not kept["encoding"].startswith("utf"),
        ),
    )


@login_required
@require_POST
def confirm(request, slug, indicator_id, import_id):
    membership, indicator = _load(request, slug, indicator_id)
    kept = _kept(request, indicator, import_id)
    if kept is None:
        return _not_kept(request, slug, indicator)
    if not kept["rows"]:
        messages.error(request, _("No row of this file can be imported: nothing was imported."))
        return redirect("indicators:import_preview", slug, indicator.pk, import_id)
    checker = values.Checker(indicator)
    by_id = {b.pk: b for b in checker.breakdowns.values()}
    good, stale = [], []
    for row in kept["rows"]:
        breakdown = by_id.get(row["breakdown"])
        checked = checker.check(
            {
                "date": row["date"],
                "value": row["value"],
                "breakdown": breakdown.name if breakdown else row["breakdown_name"],
                "note": row["note"],
            }
        )
        (good if checked.ok else stale).append((row, checked))
    if not stale:
        try:
            added = services.add_values(
                indicator=indicator,
                rows=[checked.row for _row, checked in good],
                origin=Value.Origin.IMPORT,
                author=request.user,
            )
        except IntegrityError:
            # Someone saved a value on one of these dates at this very moment: the next
            # confirmation finds it and says which row.
            messages.error(
                request,
                _(
                    "Someone added values to this indicator at the same moment: nothing was "
                    "imported. Confirm again to see which rows are still good."
                ),
            )
            return redirect("indicators:import_preview", slug, indicator.pk, import_id)
        _forget(request, import_id)
        messages.success(
            request,
            ngettext("%(count)d value imported.", "%(count)d values imported.", len(added))
            % {"count": len(added)},
        )
        return redirect("indicators:indicator", slug, indicator.pk)
    kept["rows"] = [_row_data(row["line"], checked) for row, checked in good]
    kept["bad"] = sorted(
        kept["bad"] + [_stale_row(row, checked) for row, checked in stale], key=lambda b: b["line"]
    )[:SHOWN_BAD]
    kept["bad_count"] += len(stale)
    kept["changed"] = [row["line"] for row, _checked in stale]
    request.session.modified = True
    messages.warning(
        request,
        ngettext(
            "Since the preview, %(count)d row can no longer be imported (see below). Nothing "
            "was imported: check the rows and confirm again.",
            "Since the preview, %(count)d rows can no longer be imported (see below). Nothing "
            "was imported: check the rows and confirm again.",
            len(stale),
        )
        % {"count": len(stale)},
    )
    return redirect("indicators:import_preview", slug, indicator.pk, import_id)


# The session keeps each preview as plain data: strings, numbers and breakdown ids.


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _row_data(line: int, checked: values.Checked) -> dict:
    row = checked.row
    return {
        "line": line,
        "date": row.date.isoformat(),
        "value": _plain(row.value),
        "breakdown": row.breakdown.pk if row.breakdown else None,
        "breakdown_name": row.breakdown.name if row.breakdown else "",
        "note": row.note,
        "warnings": list(checked.warnings),
    }


def _stale_row(row: dict, checked: values.Checked) -> dict:
    return {
        "line": row["line"],
        "cells": {
            "date": row["date"],
            "value": row["value"],
            "breakdown": row["breakdown_name"],
            "note": row["note"],
        },
        "errors": [[_column(name), message] for name, message in checked.errors.items()],
    }


def _column(name: str) -> str:
    return {"date": _("date"), "value": _("value"), "breakdown": _("breakdown"), "note": _("note")}[
        name
    ]


def _keep(request, indicator, result: imports.Result, file_name: str) -> str:
    import_id = secrets.token_hex(16)
    kept = dict(request.session.get(SESSION_KEY, {}))
    for old in sorted(kept, key=lambda key: kept[key]["made"])[: max(0, len(kept) - KEEP + 1)]:
        del kept[old]
    kept[import_id] = {
        "indicator": indicator.pk,
        "made": timezone.now().isoformat(),
        "file": file_name,
        "encoding": result.encoding,
        "delimiter": result.delimiter,
        "columns": result.columns,
        "ignored": result.ignored,
        "rows": [
            _row_data(good.line, values.Checked(good.row, {}, good.warnings))
            for good in result.good
        ],
        "bad": [
            {
                "line": bad.line,
                "cells": bad.cells,
                "errors": [[_column(name), message] for name, message in bad.errors.items()],
            }
            for bad in result.bad[:SHOWN_BAD]
        ],
        "bad_count": len(result.bad),
        "changed": [],
    }
    request.session[SESSION_KEY] = kept
    return import_id


def _kept(request, indicator, import_id: str) -> dict | None:
    kept = request.session.get(SESSION_KEY, {}).get(import_id)
    if kept is None or kept["indicator"] != indicator.pk:
        return None
    return kept


def _forget(request, import_id: str) -> None:
    kept = request.session.get(SESSION_KEY, {})
    kept.pop(import_id, None)
    request.session.modified = True


def _not_kept(request, slug, indicator):
    messages.error(
        request,
        _(
            "This preview is no longer available: it was imported already, replaced by a "
            "newer upload, or made by someone else. Upload the file again."
        ),
    )
    return redirect("indicators:import", slug, indicator.pk)
