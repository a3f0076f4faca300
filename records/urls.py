"""The pages of what reads the whole alliance. They keep the names and addresses they had in
the `reviews` and `alliances` namespaces: `accord/urls.py` puts each list in front of that
app's own patterns, since those apps sit below this one and cannot import its views."""

from django.urls import path

from records import compare_views, export_views, report_views, transfer_views

# Before reviews' component pattern, which would take "report" for a component's key.
review_patterns = [
    path("a/<slug:slug>/reviews/<int:review_id>/report/", report_views.report, name="report"),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/report.pdf",
        report_views.report_pdf,
        name="report_pdf",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/export.json",
        export_views.export_json,
        name="export_json",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/export.zip",
        export_views.export_csv,
        name="export_csv",
    ),
    path("a/<slug:slug>/reviews/compare/", compare_views.compare, name="compare"),
    path("a/<slug:slug>/timeline/", compare_views.timeline, name="timeline"),
]

alliance_patterns = [
    path("alliances/import/", transfer_views.import_alliance, name="import"),
    path("a/<slug:slug>/export.json", transfer_views.export_alliance, name="export"),
]
