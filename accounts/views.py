from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm, SignUpForm
from accounts.models import User
from reviews.digest import STOP_MAX_AGE, user_for_stop_token


@require_http_methods(["GET", "POST"])
def signup(request):
    if not settings.SIGNUP_OPEN:
        raise Http404
    if request.user.is_authenticated:
        return redirect("alliances:home")
    form = SignUpForm(request.POST or None)
    if form.is_valid():
        user = User.objects.create_user(
            form.cleaned_data["email"],
            form.cleaned_data["password1"],
            name=form.cleaned_data["name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Accord. Start by creating your alliance."))
        return redirect("alliances:create")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if form.is_valid():
        form.save()
        if "wants_digest" in form.changed_data:
            if form.cleaned_data["wants_digest"]:
                messages.success(request, _("The daily reminder of your commitments is on."))
            else:
                messages.success(request, _("The daily reminder of your commitments is off."))
        if "wants_digest" not in form.changed_data or "name" in form.changed_data:
            messages.success(request, _("Your name is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
def digest_stop(request, token):
    """The link at the foot of every digest: turns it off without signing in, after a
    confirmation (a link opened by a mail scanner changes nothing)."""
    person = user_for_stop_token(token)
    if person is None:
        context = {"invalid": True, "days": STOP_MAX_AGE.days}
        return render(request, "accounts/digest_stop.html", context, status=400)
    if request.method == "POST":
        User.objects.filter(pk=person.pk).update(wants_digest=False)
        messages.success(request, _("The daily reminder is off. No more digests will be sent."))
        return redirect("accounts:digest_stop", token)
    return render(request, "accounts/digest_stop.html", {"person": person})
