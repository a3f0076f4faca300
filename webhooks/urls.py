from django.urls import path

from webhooks import views

app_name = "webhooks"

webhook = "a/<slug:slug>/webhooks/<int:webhook_id>/"

urlpatterns = [
    path("a/<slug:slug>/webhooks/", views.webhooks, name="list"),
    path("a/<slug:slug>/webhooks/new/", views.create, name="create"),
    path(webhook, views.deliveries, name="deliveries"),
    path(webhook + "edit/", views.edit, name="edit"),
    path(webhook + "secret/", views.secret, name="secret"),
    path(webhook + "delete/", views.delete, name="delete"),
    path(webhook + "test/", views.test, name="test"),
]
