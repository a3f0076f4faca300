"""The review report: a page every member reads (observers too), and the same report as a
PDF for a board, both drawn from `records.report.build` so that they show the same things
under the same anonymity rules."""

import hashlib
import mimetypes
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from alliances import access
from records import report as reports


def context_for(membership, review) -> dict:
    review.alliance = membership.alliance  # already loaded with the membership
    return {
        "membership": membership,
        "alliance": membership.alliance,
        "review": review,
        "report": reports.build(review),
    }


@login_required
@require_GET
def report(request, slug, review_id):
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    return render(request, "reviews/report.html", context_for(membership, review))


@login_required
@require_GET
def report_pdf(request, slug, review_id):
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    pdf = render_pdf(request, context_for(membership, review))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name(review)}"'
    # The report holds the alliance's private figures: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def file_name(review) -> str:
    """`<alliance-slug>-<review-name>.pdf`, in ASCII so that every browser keeps it."""
    return f"{review.alliance.slug}-{slugify(review.name) or review.pk}.pdf"


# How long a PDF made once is kept: its page says the day it was made, so a day.
KEPT_SECONDS = 24 * 60 * 60


def render_pdf(request, context: dict) -> bytes:
    """The report as a tagged PDF (PDF/UA-1). Its links point back to the site (SITE_URL,
    as in emails: the PDF travels); the stylesheet is read from our own static files, and
    nothing else is fetched.

    Making it is the slow part (seconds for years of history), so the PDF made from a
    document is kept for a day under the SHA-256 of that document: the same page asked
    again, by anyone whose report reads the same, is served at once, and any change the
    report would show (a revision, a round that closes, another day, another language) is a
    different document and a new PDF. Nothing can be served that the document no longer
    says, and the access check has run before."""
    html = render_to_string("reviews/report_pdf.html", context, request=request)
    key = "report-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        base_url = settings.SITE_URL + "/"
        document = HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly(base_url))
        pdf = document.write_pdf(pdf_variant="pdf/ua-1")
        cache.set(key, pdf, KEPT_SECONDS)
    return pdf


class StaticFilesOnly(URLFetcher):
    """What WeasyPrint may read while it makes a PDF: our own static files, from the disk
    (through the staticfiles finders), and nothing else. A report holds text people typed;
    whatever address ends up in it, no network request and no other file is ever read."""

    def __init__(self, base_url: str):
        super().__init__(allowed_protocols=("http", "https"))
        static = settings.STATIC_URL
        # STATIC_URL may be a whole address (a CDN); the files are on our disk all the same.
        self.prefix = static if urlsplit(static).scheme else base_url.rstrip("/") + static

    def fetch(self, url, headers=None):
        path = self._static_path(url)
        found = None
        if path:
            try:
                found = finders.find(path)
            except SuspiciousFileOperation:
                found = None
        if not found:
            raise ValueError(f"Only our own static files are read for a PDF, not {url!r}")
        with open(found, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _static_path(self, url: str) -> str:
        """The static file's path under STATIC_URL, or "" for any other address."""
        if not url.startswith(self.prefix):
            return ""
        parts = urlsplit(url)
        if parts.query or parts.fragment or parts.username or parts.password:
            return ""
        path = unquote(url[len(self.prefix) :])
        if not path or ".." in PurePosixPath(path).parts or path.startswith("/") or "\\" in path:
            return ""
        return path
