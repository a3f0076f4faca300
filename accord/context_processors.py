from django.conf import settings

from alliances.models import Membership


def site(request):
    """What every page's frame needs: the alliance switcher and whether sign-up is open."""
    context = {"signup_open": settings.SIGNUP_OPEN}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["my_memberships"] = Membership.objects.for_user(user)
    return context
