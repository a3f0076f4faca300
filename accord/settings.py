"""Accord's settings: every value that differs between installations comes from the
environment. `.env.example` lists each variable; the README explains them."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accord.env import (
    database_from_url,
    envbool,
    envint,
    envlist,
    envstr,
    secret_key,
    site_host,
    site_url,
    webhook_networks,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "var")))

DATABASE_URL = envstr("DATABASE_URL")
DEBUG = envbool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR, production=bool(DATABASE_URL))
# Without SITE_URL, links follow where `make run` serves (HOST and PORT): accord/env.py.
SITE_URL = site_url()
CSRF_TRUSTED_ORIGINS = [SITE_URL]
# SITE_URL's own host is always among the defaults: with HOST=0.0.0.0 it is this machine's
# address on the local network, which the phones in the room ask for.
ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS",
    ",".join(dict.fromkeys(["127.0.0.1", "localhost", "[::1]", site_host(SITE_URL)])),
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "accord",
    "accounts",
    "alliances",
    "history",
    "reviews",
    "ratings",
    "meetings",
    "registers",
    "indicators",
    "webhooks",
    "records",
    "upkeep",
    "publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accord.middleware.content_security_policy",
    "servestatic.middleware.ServeStaticMiddleware",
    "accord.caching.private_responses",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.user_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"
ASGI_APPLICATION = "accord.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accord.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(DATABASE_URL, DATA_DIR / "accord.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A deleted row is zeroed in the file, not left in a free page: the sealed answers of a
    # round are deleted when it closes (ratings.sealing).
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA secure_delete = ON;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    # redis-py 8 closes sockets idle for 5 s; a meeting socket may sit idle far longer
    # (channels_redis#422), so the timeout is switched off.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the API's rate-limit counters and the sign-in throttle's: shared through
# Redis when there is one, so that every server process counts the same calls.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "accord",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Calls a minute that one API token may make.
API_RATE_LIMIT = envint("API_RATE_LIMIT", 60)
# How many proxies in front of Accord append to X-Forwarded-For (nginx, Caddy: 1). With 0
# the header is ignored, since any client can write it: the sign-in throttle then counts
# by REMOTE_ADDR (accounts/throttle.py).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "alliances:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SIGNUP_OPEN = envbool("SIGNUP_OPEN", True)
INVITATION_DAYS = envint("INVITATION_DAYS", 14)
# A live meeting with no activity for this long ends by itself, keeping everything.
MEETING_IDLE_HOURS = envint("MEETING_IDLE_HOURS", 6)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_HOURS", 24) * 3600
# The local hour (TIME_ZONE) from which the scheduler sends the day's digests.
DIGEST_HOUR = envint("DIGEST_HOUR", 7)
if not 0 <= DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"DIGEST_HOUR must be an hour from 0 to 23, not {DIGEST_HOUR}.")

# Outgoing webhooks (webhooks/, docs/webhooks.md): the networks (CIDRs) a webhook may reach
# although they are private or this server's own (none by default, so that a webhook
# cannot probe the server's network), and the seconds to wait for a receiver to connect and
# for each read of its answer.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = webhook_networks(envlist("WEBHOOK_ALLOWED_PRIVATE_NETWORKS", ""))
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", 5)

# With an https SITE_URL, Accord is served over HTTPS only (README, "Running it in
# production"; `manage.py check --deploy` is clean but for the HSTS preload list).
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Browsers keep to HTTPS for a year, on the site's host and the hosts below it.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Asking to be on the browsers' built-in list is the domain owner's choice, not undone.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
# A health check from the machine itself asks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if HTTPS:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (it must: without it every
    # request looks like plain HTTP and is redirected again).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    # TLS from the first byte (port 465, "SMTPS"), which many hosts ask for; otherwise
    # STARTTLS (port 587). Django refuses both at once.
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
    if EMAIL_USE_SSL and EMAIL_USE_TLS:
        raise ImproperlyConfigured("Set EMAIL_USE_SSL or EMAIL_USE_TLS, not both.")
    EMAIL_PORT = envint("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds to wait for the SMTP server: without a limit, a server that stops answering would
# hold the page (an invitation) or the scheduled run (the digests) that sends.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Accord <accord@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedStaticFilesStorage"},
}
# ServeStatic (WhiteNoise's fork that also serves ASGI without thread hops) serves straight
# from the static folders, so that `make run` needs no collectstatic step.
SERVESTATIC_USE_FINDERS = True
SERVESTATIC_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded files (agreements) are served only to members, by a view; never at a public URL.
UPLOAD_MAX_MB = envint("UPLOAD_MAX_MB", 10)
# An alliance's file to import carries every agreement's file: it may be much larger.
IMPORT_MAX_MB = envint("IMPORT_MAX_MB", 50)
# Where `manage.py backup` writes its archives (upkeep/backups.py, docs/backups.md).
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(DATA_DIR / "backups")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint tells every step of a PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
