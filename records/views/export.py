"""A review as open data, for any member (observers too): JSON, or a zip of CSV files.
What they hold is built by `records.exports`."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from alliances import access
from records import exports


def _download(content, content_type: str, review, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = slugify(review.name)[:60] or "review"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    # The alliance's private data: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


def _document(request, slug, review_id):
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    return review, exports.review_document(review, membership.alliance)


@login_required
@require_GET
def export_json(request, slug, review_id):
    review, document = _document(request, slug, review_id)
    return _download(exports.to_json(document), "application/json", review, "json")


@login_required
@require_GET
def export_csv(request, slug, review_id):
    review, document = _document(request, slug, review_id)
    return _download(exports.to_zip(document), "application/zip", review, "zip")
