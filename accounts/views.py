from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from accord import mail
from accounts import emails, language, services
from accounts.forms import ProfileForm, ResetForm, SetPasswordFields, SignInForm, SignUpForm
from accounts.models import AccountInUse, User
from accounts.stop_link import STOP_MAX_AGE, user_for_stop_token


class SignInView(auth_views.LoginView):
    """Django's sign-in, under the throttle of `accounts.throttle` (429 while locked), with
    the address filled in when a link brings it (an invitation's "sign in")."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_initial(self):
        return {"username": self.request.GET.get("email", "")}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


class ResetView(auth_views.PasswordResetView):
    form_class = ResetForm

    def get_initial(self):
        return {"email": self.request.GET.get("email", "")}


@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign-up asks only for the address and answers the same whether it has an account or
    not (which would tell anyone who uses this site): what happens next is in an email."""
    if not settings.SIGNUP_OPEN:
        raise Http404
    if request.user.is_authenticated:
        return redirect("alliances:home")
    form = SignUpForm(request.POST or None)
    if form.is_valid():
        try:
            emails.send_signup_email(form.cleaned_data["email"])
        except mail.NotSent:
            form.add_error(
                "email",
                _(
                    "The email to this address could not be sent: the mail server did not "
                    "take it. Try again in a few minutes."
                ),
            )
        else:
            return render(
                request, "accounts/signup_sent.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup_finish(request, token):
    """The link sign-up emails: whoever opens it controls the address, and makes its
    account with a name and a password."""
    if not settings.SIGNUP_OPEN:
        raise Http404
    email = emails.email_for_signup_token(token)
    if email is None:
        return render(request, "accounts/signup_finish.html", {"invalid": True}, status=400)
    account = User.objects.with_address(email)
    if account is not None and not account.is_unclaimed:
        # Made already (the link was used): it works once.
        return render(request, "accounts/signup_finish.html", {"exists": True, "email": email})
    form = SetPasswordFields(request.POST or None)
    form.email_for_validation = email
    if request.method == "POST" and form.is_valid():
        try:
            user = User.objects.set_up_for_owner(
                email,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                language=form.cleaned_data["language"],
            )
        except AccountInUse:  # made meanwhile: the form was sent twice at once
            return render(request, "accounts/signup_finish.html", {"exists": True, "email": email})
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Accord. Start by creating your alliance."))
        return redirect("alliances:create")
    return render(request, "accounts/signup_finish.html", {"form": form, "email": email})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    shown_in = translation.get_language()
    form = ProfileForm(request.POST or None, instance=request.user)
    if form.is_valid():
        services.save_profile(form=form)
        if form.cleaned_data["language"] != shown_in:
            translation.activate(form.cleaned_data["language"])
            messages.success(request, _("Your language is saved."))
        if "wants_digest" in form.changed_data:
            if form.cleaned_data["wants_digest"]:
                messages.success(request, _("The daily reminder of your commitments is on."))
            else:
                messages.success(request, _("The daily reminder of your commitments is off."))
        if "name" in form.changed_data or not {"wants_digest", "language"} & set(form.changed_data):
            messages.success(request, _("Your name is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request):
    """Django's language switch, which also keeps the choice in a signed-in person's
    profile, so that it follows them to every device, live meeting and email."""
    response = i18n.set_language(request)
    code = language.chosen(request.POST.get("language"))
    if code and request.user.is_authenticated:
        services.choose_language(user=request.user, code=code)
    return response


# RFC 8058: what a mail client's "unsubscribe" button POSTs to the List-Unsubscribe link.
ONE_CLICK = ("List-Unsubscribe", "One-Click")


@csrf_exempt  # the one-click POST carries no session; the page's own form is checked below
@require_http_methods(["GET", "POST"])
def digest_stop(request, token):
    """The link at the foot of every digest: turns it off without signing in, after a
    confirmation (a link opened by a mail scanner changes nothing), or at once when the
    reader's mail client sends its one-click POST (RFC 8058), which has no cookie and no
    CSRF token. The signed token is the authority either way: whoever holds it may stop
    that one person's digest, and nothing else."""
    person = user_for_stop_token(token)
    if person is None:
        context = {"invalid": True, "days": STOP_MAX_AGE.days}
        return render(request, "accounts/digest_stop.html", context, status=400)
    if request.method == "POST" and request.POST.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        services.stop_digests(user=person)
        person.wants_digest = False
        # The page, not a redirect: a mail client does not follow one.
        return render(request, "accounts/digest_stop.html", {"person": person})
    return _confirm_stop(request, person, token)


@csrf_protect
def _confirm_stop(request, person, token):
    if request.method == "POST":
        services.stop_digests(user=person)
        messages.success(request, _("The daily reminder is off. No more digests will be sent."))
        return redirect("accounts:digest_stop", token)
    return render(request, "accounts/digest_stop.html", {"person": person})
