from django.urls import path

from meetings.views import feed, page, planning, projector, steering, work

app_name = "meetings"

meeting = "a/<slug:slug>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("a/<slug:slug>/reviews/<int:review_id>/meetings/", planning.meeting_list, name="list"),
    path("a/<slug:slug>/reviews/<int:review_id>/meetings/new/", planning.plan, name="plan"),
    path(meeting, page.detail, name="detail"),
    path(meeting + "edit/", planning.edit, name="edit"),
    path(meeting + "guide/", planning.guide, name="guide"),
    path(meeting + "cancel/", planning.cancel, name="cancel"),
    path(meeting + "email-again/", planning.email_again, name="email_again"),
    path(meeting + "invite.ics", planning.ics, name="ics"),
    path(meeting + "state/", page.state, name="state"),
    path(meeting + "phases/<int:position>/", page.phase, name="phase"),
    path(meeting + "mine/", page.mine, name="mine"),
    path(meeting + "command/", steering.command, name="command"),
    path(meeting + "handover/", steering.handover, name="handover"),
    path(meeting + "reflect/", work.reflect, name="reflect"),
    path(meeting + "notes/", work.notes, name="notes"),
    path(meeting + "commitments/new/", work.add_commitment, name="add_commitment"),
    path(
        meeting + "commitments/<int:commitment_id>/status/",
        work.commitment_status,
        name="commitment_status",
    ),
    path(meeting + "summary/", projector.summary, name="summary"),
    path(meeting + "projector/", projector.projector_link, name="projector_link"),
    path("projector/<str:token>/", projector.projector, name="projector"),
    path("help/meetings/", planning.how, name="how"),
    path("projector/<str:token>/state/", projector.projector_state, name="projector_state"),
    # The short address shown in the room (meetings/join.py): the meeting alone, no alliance.
    path("m/<int:meeting_id>/", projector.join, name="join"),
    # A person's calendar feed: its page, and the feed a calendar app reads with its token.
    path("calendar/", feed.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", feed.calendar, name="calendar"),
]
