from django.urls import path

from registers.views import dependencies, goals, resources

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
    path("a/<slug:slug>/resources/", resources.resource_list, name="resources"),
    path("a/<slug:slug>/resources/new/", resources.resource_create, name="resource_create"),
    path(
        "a/<slug:slug>/resources/<int:resource_id>/edit/",
        resources.resource_edit,
        name="resource_edit",
    ),
    path("a/<slug:slug>/resources.csv", resources.resources_csv, name="resources_csv"),
    path("a/<slug:slug>/dependencies/", dependencies.dependency_list, name="dependencies"),
    path(
        "a/<slug:slug>/dependencies/new/",
        dependencies.dependency_create,
        name="dependency_create",
    ),
    path(
        "a/<slug:slug>/dependencies/<int:dependency_id>/edit/",
        dependencies.dependency_edit,
        name="dependency_edit",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/impact/<int:partner_id>/",
        dependencies.impact,
        name="impact",
    ),
    path("a/<slug:slug>/dependencies.csv", dependencies.dependencies_csv, name="dependencies_csv"),
]
