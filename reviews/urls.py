from django.urls import path

from reviews import compare_views, export_views, report_views, views

app_name = "reviews"

component = "a/<slug:slug>/reviews/<int:review_id>/<slug:key>/"

urlpatterns = [
    path("a/<slug:slug>/reviews/new/", views.review_create, name="create"),
    path("a/<slug:slug>/reviews/<int:review_id>/", views.review_detail, name="detail"),
    path("a/<slug:slug>/reviews/<int:review_id>/rules/", views.rules, name="rules"),
    # Before the component's pattern, which would take "report" for a component's key.
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
    path(component, views.component, name="component"),
    path(component + "edit/", views.record_edit, name="record_edit"),
    path(component + "open/", views.component_open, name="open"),
    path(component + "record/", views.component_record, name="record"),
    path(component + "reopen/", views.component_reopen, name="reopen"),
    path(component + "commitments/new/", views.commitment_create, name="commitment_create"),
    path(
        "a/<slug:slug>/commitments/<int:commitment_id>/edit/",
        views.commitment_edit,
        name="commitment_edit",
    ),
    path(
        "a/<slug:slug>/commitments/<int:commitment_id>/status/",
        views.commitment_status,
        name="commitment_status",
    ),
]
