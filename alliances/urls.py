from django.urls import path

from alliances import views

# The alliance document's import and export are in this namespace too, from
# `records.urls` (see accord/urls.py).
app_name = "alliances"

urlpatterns = [
    path("", views.home, name="home"),
    path("alliances/", views.alliance_list, name="list"),
    path("alliances/new/", views.create, name="create"),
    path("a/<slug:slug>/", views.detail, name="detail"),
    path("a/<slug:slug>/edit/", views.edit, name="edit"),
    path("a/<slug:slug>/partners/", views.partners, name="partners"),
    path("a/<slug:slug>/partners/new/", views.partner_create, name="partner_create"),
    path("a/<slug:slug>/partners/<int:partner_id>/edit/", views.partner_edit, name="partner_edit"),
    path("a/<slug:slug>/people/", views.people, name="people"),
    path("a/<slug:slug>/people/invite/", views.invite, name="invite"),
    path("a/<slug:slug>/people/<int:membership_id>/edit/", views.member_edit, name="member_edit"),
    path("a/<slug:slug>/invitations/<int:invitation_id>/revoke/", views.revoke, name="revoke"),
    path("a/<slug:slug>/history/<str:model>/<int:object_id>/", views.history, name="history"),
]
