"""The pages of what reads the whole alliance. They keep the names and addresses they had in
the `reviews` and `alliances` namespaces: `accord/urls.py` puts each list in front of that
app's own patterns, since those apps sit below this one and cannot import its views."""

from django.urls import path

from records.views import compare, export, report, transfer

# Before reviews' component pattern, which would take "report" for a component's key.
review_patterns = [
    path("a/<slug:slug>/reviews/<int:review_id>/report/", report.report, name="report"),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/report.pdf",
        report.report_pdf,
        name="report_pdf",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/export.json",
        export.export_json,
        name="export_json",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/export.zip",
        export.export_csv,
        name="export_csv",
    ),
    path("a/<slug:slug>/reviews/compare/", compare.compare, name="compare"),
    path("a/<slug:slug>/timeline/", compare.timeline, name="timeline"),
]

alliance_patterns = [
    path("alliances/import/", transfer.import_alliance, name="import"),
    path("a/<slug:slug>/export.json", transfer.export_alliance, name="export"),
]
