from django.urls import path

from ratings import views

app_name = "ratings"

urlpatterns = [
    path(
        "a/<slug:slug>/reviews/<int:review_id>/check-ins/new/",
        views.check_in_create,
        name="check_in_create",
    ),
    path("a/<slug:slug>/check-ins/<int:check_in_id>/", views.check_in, name="check_in"),
    path("a/<slug:slug>/reviews/<int:review_id>/questions/", views.questions, name="questions"),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/questions/new/",
        views.question_add,
        name="question_add",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/questions/ask-again/<int:question_id>/",
        views.question_reuse,
        name="question_reuse",
    ),
    path(
        "a/<slug:slug>/questions/<int:question_id>/edit/", views.question_edit, name="question_edit"
    ),
    path(
        "a/<slug:slug>/questions/<int:question_id>/retire/",
        views.question_retire,
        name="question_retire",
    ),
    path(
        "a/<slug:slug>/check-ins/<int:check_in_id>/answer/",
        views.check_in_answer,
        name="check_in_answer",
    ),
    path(
        "a/<slug:slug>/check-ins/<int:check_in_id>/email-again/",
        views.check_in_email_again,
        name="check_in_email_again",
    ),
    path(
        "a/<slug:slug>/check-ins/<int:check_in_id>/close/",
        views.check_in_close,
        name="check_in_close",
    ),
]
