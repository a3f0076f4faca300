from django.urls import path

from meetings import views

app_name = "meetings"

meeting = "a/<slug:slug>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("a/<slug:slug>/reviews/<int:review_id>/meetings/", views.meeting_list, name="list"),
    path("a/<slug:slug>/reviews/<int:review_id>/meetings/new/", views.plan, name="plan"),
    path(meeting, views.detail, name="detail"),
    path(meeting + "edit/", views.edit, name="edit"),
    path(meeting + "guide/", views.guide, name="guide"),
    path(meeting + "invite.ics", views.ics, name="ics"),
    path(meeting + "state/", views.state, name="state"),
    path(meeting + "phases/<int:position>/", views.phase, name="phase"),
    path(meeting + "mine/", views.mine, name="mine"),
    path(meeting + "command/", views.command, name="command"),
    path(meeting + "handover/", views.handover, name="handover"),
    path(meeting + "reflect/", views.reflect, name="reflect"),
    path(meeting + "notes/", views.notes, name="notes"),
    path(meeting + "commitments/new/", views.add_commitment, name="add_commitment"),
    path(
        meeting + "commitments/<int:commitment_id>/status/",
        views.commitment_status,
        name="commitment_status",
    ),
    path(meeting + "summary/", views.summary, name="summary"),
    path(meeting + "projector/", views.projector_link, name="projector_link"),
    path("projector/<str:token>/", views.projector, name="projector"),
    path("help/meetings/", views.how, name="how"),
    path("projector/<str:token>/state/", views.projector_state, name="projector_state"),
    # The short address shown in the room (meetings/join.py): the meeting alone, no alliance.
    path("m/<int:meeting_id>/", views.join, name="join"),
]
