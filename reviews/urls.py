from django.urls import path

from reviews import views

# The report, the exports, compare and the timeline are in this namespace too, from
# `records.urls` (see accord/urls.py).
app_name = "reviews"

component = "a/<slug:slug>/reviews/<int:review_id>/<slug:key>/"

urlpatterns = [
    path("a/<slug:slug>/reviews/new/", views.review_create, name="create"),
    path("a/<slug:slug>/reviews/<int:review_id>/", views.review_detail, name="detail"),
    path("a/<slug:slug>/reviews/<int:review_id>/rules/", views.rules, name="rules"),
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
