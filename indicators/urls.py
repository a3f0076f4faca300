from django.urls import path

from indicators import api, openapi
from indicators.views import imports, pages, stories, tokens

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
    path("a/<slug:slug>/api-tokens/", tokens.api_tokens, name="api_tokens"),
    path(
        "a/<slug:slug>/api-tokens/<int:token_id>/new/",
        tokens.api_token_created,
        name="api_token_created",
    ),
    path(
        "a/<slug:slug>/api-tokens/<int:token_id>/revoke/",
        tokens.api_token_revoke,
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
        imports.upload,
        name="import",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/template.csv",
        imports.template,
        name="import_template",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/<slug:import_id>/",
        imports.preview,
        name="import_preview",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/import/<slug:import_id>/confirm/",
        imports.confirm,
        name="import_confirm",
    ),
]

# The overview, an indicator's page, defining an indicator, entering and correcting values.
urlpatterns += [
    path("a/<slug:slug>/indicators/", pages.overview, name="overview"),
    path("a/<slug:slug>/indicators/new/", pages.create, name="create"),
    path("a/<slug:slug>/indicators/<int:indicator_id>/", pages.detail, name="indicator"),
    path("a/<slug:slug>/indicators/<int:indicator_id>/edit/", pages.edit, name="edit"),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/values/new/",
        pages.value_add,
        name="value_add",
    ),
    path(
        "a/<slug:slug>/indicators/<int:indicator_id>/values/<int:value_id>/edit/",
        pages.value_edit,
        name="value_edit",
    ),
]
