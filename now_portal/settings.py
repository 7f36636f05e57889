"""Settings of the NOW Portal.

Configured by environment variables only; every variable has a safe local default, so
that with nothing set the portal runs on SQLite, local file storage and console e-mail.
The variables are listed with their defaults in `.env.example`.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from now_portal.secrets import load_secrets

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip() else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------

# On AWS the secrets (DJANGO_SECRET_KEY, DATABASE_URL, ...) come from Secrets Manager or
# SSM when DJANGO_SECRETS_ARN or DJANGO_SSM_PATH is set; a no-op otherwise.
load_secrets()

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only ever used on a developer's machine: production refuses to start without a key.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# A refused form in the portal's layout and plain words, not Django's technical page.
CSRF_FAILURE_VIEW = "now_portal.error_views.csrf_failure"

# The public address of the portal, used in e-mails sent outside a request (imports,
# reminders). Within requests the request's own host is used.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "now_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "formtools",
    "csp",
    "applications",
    "reports",
    "kfw_import",
    "anonymize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "now_portal.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "now_portal.urls"
WSGI_APPLICATION = "now_portal.wsgi.application"

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
                "now_portal.context_processors.portal",
            ],
            # now_portal is no app of its own: its template library is named here.
            "libraries": {"kern": "now_portal.templatetags.kern"},
        },
    },
]
# Forms render through project templates, so every form emits the KERN markup.
FORM_RENDERER = "now_portal.forms.KernFormRenderer"

# --- Database ---------------------------------------------------------------------------


def database_from_env() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.mysql":
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
            "ERROR_FOR_DIVISION_BY_ZERO'",
            "isolation_level": "read committed",
        }
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    return config


# allauth declares conditional unique constraints (one primary address per user) that
# MariaDB cannot create; allauth enforces them in code as well.
SILENCED_SYSTEM_CHECKS = ["models.W036"]


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (allauth) count in the cache. Lambda runs many instances, so production
# uses the database cache ("database"; `manage.py createcachetable` once after migrate).
CACHES = {
    "default": {
        "BACKEND": "now_portal.cache.DatabaseCache",
        "LOCATION": "django_cache",
        # Expired entries are swept out at most once a minute per process (live ones never
        # are), which keeps the table small without counting its rows on every write.
        "OPTIONS": {"SWEEP_SECONDS": 60},
    }
    if env_str("DJANGO_CACHE") == "database"
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Accounts ---------------------------------------------------------------------------

AUTH_USER_MODEL = "applications.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "now_portal.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "applications:dashboard"

ACCOUNT_ADAPTER = "applications.adapters.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "applications.adapters.PortalSocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "applications.forms.PortalLoginForm",
    "signup": "applications.forms.ClaimSignupForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[NOW-Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("DJANGO_HTTPS_ONLY", not DEBUG) else "http"
# allauth's rate limits stay on (its defaults, which this adds to, not replaces); they
# also guard the admin login, which goes through allauth.
ACCOUNT_RATE_LIMITS = {"claim_application": "5/h/user,20/h/ip"}
# How many proxies in front of the portal append to X-Forwarded-For (rate limits by IP).
# 0 trusts REMOTE_ADDR, which Zappa sets from API Gateway's source IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "NOW-Portal"
# WebAuthn needs HTTPS; locally allauth allows plain localhost only with this switch.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# OpenID Connect (Amazon Cognito): switched on only when its settings are present.
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
OIDC_ENABLED = bool(OIDC_CLIENT_ID and OIDC_SERVER_URL)
if OIDC_ENABLED:
    # Only then: the provider imports `requests` (70 ms of every Lambda cold start).
    INSTALLED_APPS.insert(INSTALLED_APPS.index("allauth.socialaccount") + 1,
                          "allauth.socialaccount.providers.openid_connect")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "cognito",
                "name": env_str("OIDC_PROVIDER_NAME", "NOW-Anmeldung (Cognito)"),
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ]
        if OIDC_ENABLED
        else [],
    }
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False

# --- Internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("kern", BASE_DIR / "node_modules/@kern-ux/native/dist")]
# The Lambda package carries the collected files only (deploy/packaging.py): the sources
# above are not in it, and not needed there, since WhiteNoise serves from STATIC_ROOT.
if not (BASE_DIR / "static").is_dir():
    STATICFILES_DIRS = []
# Templates name every file through {% static %}, so only the hashed names are served:
# collectstatic drops the unhashed copies, halving what the package carries.
WHITENOISE_KEEP_ONLY_HASHED_FILES = not DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))

AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "eu-central-1")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
MEDIA_BUCKET = env_str("MEDIA_BUCKET")
# Where the KfW export lands, and where snapshots go (used by their own apps).
KFW_IMPORT_BUCKET = env_str("KFW_IMPORT_BUCKET")
# Limits of the KfW import: the file itself, and what its worksheets unpack to (zip bombs).
KFW_IMPORT_MAX_BYTES = env_int("KFW_IMPORT_MAX_BYTES", 25 * 1024 * 1024)
KFW_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("KFW_IMPORT_MAX_UNCOMPRESSED_BYTES", 500 * 1024 * 1024)

# Anonymised snapshots (anonymize/, docs/snapshots.md): where the handler writes them
# (s3://SNAPSHOT_BUCKET/SNAPSHOT_PREFIX<UTC time>.sql.gz), how, and the k of the
# k-anonymity figure in their summary.
SNAPSHOT_BUCKET = env_str("SNAPSHOT_BUCKET")
SNAPSHOT_PREFIX = env_str("SNAPSHOT_PREFIX", "snapshots/now-portal-")
SNAPSHOT_S3_SSE = env_str("SNAPSHOT_S3_SSE", "AES256")
SNAPSHOT_S3_KMS_KEY_ID = env_str("SNAPSHOT_S3_KMS_KEY_ID")
SNAPSHOT_S3_PART_BYTES = env_int("SNAPSHOT_S3_PART_BYTES", 8 * 1024 * 1024)
SNAPSHOT_BATCH_ROWS = env_int("SNAPSHOT_BATCH_ROWS", 5000)
SNAPSHOT_K_ANONYMITY = env_int("SNAPSHOT_K_ANONYMITY", 5)

if MEDIA_BUCKET:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "region_name": AWS_S3_REGION_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            # Downloads go through a permission-checking view that redirects to a
            # presigned URL; it is only valid for a short while.
            "querystring_expire": 120,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# API Gateway and Lambda take at most 6 MB per request: with S3, large uploads (a year
# of charging-process data) go from the browser straight to the bucket (presigned POST,
# reports/direct_upload.py), and forms may post there.
DIRECT_UPLOADS = env_bool("DJANGO_DIRECT_UPLOADS", bool(MEDIA_BUCKET))
if DIRECT_UPLOADS and AWS_S3_ENDPOINT_URL:
    DIRECT_UPLOAD_URL = f"{AWS_S3_ENDPOINT_URL.rstrip('/')}/{MEDIA_BUCKET}/"
elif DIRECT_UPLOADS:
    DIRECT_UPLOAD_URL = f"https://{MEDIA_BUCKET}.s3.{AWS_S3_REGION_NAME}.amazonaws.com/"
else:
    DIRECT_UPLOAD_URL = ""
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- E-mail -----------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "NOW-Portal <noreply@now-portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH")
if EMAIL_FILE_PATH:  # every mail as a file: for benchmarks that must read the codes
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security ---------------------------------------------------------------------------

# Served over HTTPS only (API Gateway terminates TLS). Off locally, and for a benchmark
# that runs the production settings over plain HTTP on loopback.
HTTPS_ONLY = env_bool("DJANGO_HTTPS_ONLY", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Two hours of inactivity end a session: long enough for a report, short for a shared PC.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False
# Database sessions (shared by every Lambda instance), written in one statement each.
SESSION_ENGINE = "now_portal.sessions"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF]
        + ([OIDC_SERVER_URL] if OIDC_ENABLED else [])
        + ([DIRECT_UPLOAD_URL] if DIRECT_UPLOAD_URL else []),
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Portal -----------------------------------------------------------------------------

# Operator details shown in the imprint, privacy notice and accessibility statement.
# The defaults are placeholders, marked as such on the pages, until the operator sets them.
OPERATOR = {
    "name": env_str("OPERATOR_NAME"),
    "address": env_str("OPERATOR_ADDRESS"),
    "email": env_str("OPERATOR_EMAIL"),
    "phone": env_str("OPERATOR_PHONE"),
    # Feedback on barriers (required by BITV 2.0); the operator's general address until set.
    "accessibility_email": env_str("OPERATOR_ACCESSIBILITY_EMAIL") or env_str("OPERATOR_EMAIL"),
    "privacy_officer_email": env_str("OPERATOR_PRIVACY_EMAIL"),
}
CASEWORKER_GROUP = "Caseworkers"
