from django.urls import path

from indicators import api, import_views, openapi, stories, token_views, views

app_name = "indicators"

urlpatterns = [
    path(
        "a/<slug:slug>/reviews/<int:review_id>/indicators/<int:indicator_id>/story/",
        stories.story,
        name="story",
    ),
    path(
        "a/<slug:slug>/reviews/<int:review_id>/indicators/register/",
        stories.register,
        name="register",
    ),
]

# API tokens (coordinators) and the API itself (a token, not a session, is the key).
urlpatterns += [
    path("a/<slug:slug>/api-tokens/", token_views.api_tokens, name="api_tokens"),
    path(
        "a/<slug:slug>/api-tokens/<int:token_id>/new/",
        token_views.api_token_created,
        name="api_token_created",
    ),
    path(
        "a/<slug:slug>/api-tokens/<int:token_id>/revoke/",
        token_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("api/v1/indicators/", api.indicator_list, name="api_indicators"),
    path(
        "api/v1/indicators/<int:indicator_id>/values/",
        api.indicator_values,
        name="api_values",
    ),
    path("api/v1/openapi.json", openapi.openapi_json, name="openapi"),
]

# Importing values from a CSV file: upload, preview (kept in the session), confirm.
urlpatterns += [
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/",
        import_views.upload,
        name="import",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/template.csv",
        import_views.template,
        name="import_template",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/<slug:import_id>/",
        import_views.preview,
        name="import_preview",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/<slug:import_id>/confirm/",
        import_views.confirm,
        name="import_confirm",
    ),
]

# The overview, an indicator's page, defining an indicator, entering and correcting values.
urlpatterns += [
    path("a/<slug:slug>/indicators/", views.overview, name="overview"),
    path("a/<slug:slug>/indicators/new/", views.create, name="create"),
    path("a/<slug:slug>/indicators/<int:indicator_id>/", views.detail, name="indicator"),
    path("a/<slug:slug>/indicators/<int:indicator_id>/edit/", views.edit, name="edit"),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/values/new/",
        views.value_add,
        name="value_add",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/values/<int:value_id>/edit/",
        views.value_edit,
        name="value_edit",
    ),
]
