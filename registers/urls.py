from django.urls import path

from registers.views import control, dependencies, goals, resources, trust

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
        "a/<slug:slug>/dependencies/<int:dependency_id>/confirm/<slug:side>/",
        dependencies.confirm,
        name="dependency_confirm",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/impact/<int:partner_id>/",
        dependencies.impact,
        name="impact",
    ),
    path("a/<slug:slug>/dependencies.csv", dependencies.dependencies_csv, name="dependencies_csv"),
    path("a/<slug:slug>/trust/", trust.trust, name="trust"),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/follow-through-per-partner/",
        trust.partner_follow_through,
        name="partner_follow_through",
    ),
    path(
        "a/<slug:slug>/accomplishments/new/",
        trust.accomplishment_create,
        name="accomplishment_create",
    ),
    path(
        "a/<slug:slug>/accomplishments/<int:accomplishment_id>/edit/",
        trust.accomplishment_edit,
        name="accomplishment_edit",
    ),
    path("a/<slug:slug>/control/", control.control, name="control"),
    path("a/<slug:slug>/agreements/new/", control.agreement_create, name="agreement_create"),
    path(
        "a/<slug:slug>/agreements/<int:agreement_id>/edit/",
        control.agreement_edit,
        name="agreement_edit",
    ),
    path(
        "a/<slug:slug>/agreements/<int:agreement_id>/file/",
        control.agreement_file,
        name="agreement_file",
    ),
    path("a/<slug:slug>/agreements.csv", control.agreements_csv, name="agreements_csv"),
    path("a/<slug:slug>/pledges/new/", control.pledge_create, name="pledge_create"),
    path("a/<slug:slug>/pledges/<int:pledge_id>/edit/", control.pledge_edit, name="pledge_edit"),
]
