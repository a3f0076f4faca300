from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import NewPasswordForm

app_name = "accounts"

# Django's form views take PUT as a POST; like every other view here, they answer GET and
# POST only, and 405 to anything else.
FORM_METHODS = ["get", "post"]

urlpatterns = [
    path(
        "sign-in/",
        views.SignInView.as_view(http_method_names=FORM_METHODS),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-up/", views.signup, name="signup"),
    path("sign-up/<str:token>/", views.signup_finish, name="signup_finish"),
    path("profile/", views.profile, name="profile"),
    path("digest/stop/<str:token>/", views.digest_stop, name="digest_stop"),
    path(
        "password/reset/",
        views.ResetView.as_view(
            template_name="accounts/password_reset.html",
            http_method_names=FORM_METHODS,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            http_method_names=FORM_METHODS,
            form_class=NewPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            http_method_names=FORM_METHODS,
            success_url=reverse_lazy("accounts:profile"),
        ),
        name="password_change",
    ),
]
