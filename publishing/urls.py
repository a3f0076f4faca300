from django.urls import path

from publishing.views import members, public

app_name = "publishing"

urlpatterns = [
    path("a/<slug:slug>/sharing/", members.sharing, name="sharing"),
    path("a/<slug:slug>/sharing/propose/", members.propose, name="propose"),
    path("a/<slug:slug>/sharing/<int:publication_id>/", members.publication, name="publication"),
    path("a/<slug:slug>/sharing/<int:publication_id>/decide/", members.decide, name="decide"),
    path("a/<slug:slug>/sharing/<int:publication_id>/withdraw/", members.withdraw, name="withdraw"),
    path(
        "a/<slug:slug>/sharing/<int:publication_id>/unpublish/",
        members.unpublish,
        name="unpublish",
    ),
    path(
        "a/<slug:slug>/sharing/<int:publication_id>/email-again/",
        members.email_again,
        name="email_again",
    ),
    path("a/<slug:slug>/sharing/links/", members.link_create, name="link_create"),
    path(
        "a/<slug:slug>/sharing/links/<int:link_id>/revoke/",
        members.link_revoke,
        name="link_revoke",
    ),
    path("a/<slug:slug>/sharing/public-page/", members.public_page, name="public_page"),
    # Without an account: what the alliance published, and nothing else.
    path("s/<str:token>/", public.shared, name="shared"),
    path("p/<slug:slug>/", public.public, name="public"),
    path("p/<slug:slug>/indicators/<int:indicator_id>.svg", public.embed_svg, name="embed_svg"),
    path("p/<slug:slug>/indicators/<int:indicator_id>/card/", public.embed_card, name="embed_card"),
]
