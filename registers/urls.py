from django.urls import path

from registers.views import goals

app_name = "registers"

urlpatterns = [
    path("a/<slug:slug>/goals/", goals.goal_list, name="goals"),
    path("a/<slug:slug>/goals/new/", goals.goal_create, name="goal_create"),
    path("a/<slug:slug>/goals/<int:goal_id>/edit/", goals.goal_edit, name="goal_edit"),
    path(
        "a/<slug:slug>/goals/<int:goal_id>/alignment/<int:partner_id>/",
        goals.alignment,
        name="alignment",
    ),
    path("a/<slug:slug>/goals.csv", goals.goals_csv, name="goals_csv"),
]
