"""Settings for the Falköping SoMe portal, read from the environment.

One module for every environment. The defaults are safe for production (DEBUG off, a secret key
required); `make run` and `make test` set the few variables that make a laptop convenient. Every
variable is listed in README.md.
"""

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from falkoping_some.dev_address import url_for

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A checkout's own .env (written by `make`, git-ignored) holds a random DJANGO_SECRET_KEY so that
# `manage.py` works by hand in development. Variables already in the environment win, so a
# production server's settings are never overridden by it; it never turns DEBUG on.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Demo mode: the portal of `make run`, with demo data, demo logins and a banner on every page.
DEMO_MODE = env.bool("PORTAL_DEMO", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see README.md, Settings).")
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105 (DEBUG or demo only)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the portal, for links in emails sent from Celery (no request there). In debug
# or demo mode it follows the address `make run` serves on (PORTAL_DEV_ADDRESS), unless it is set.
_site_url_default = "http://127.0.0.1:8000"
if DEBUG or DEMO_MODE:
    _site_url_default = url_for(env.str("PORTAL_DEV_ADDRESS", default="127.0.0.1:8000"))
SITE_URL = env.str("PORTAL_SITE_URL", default=_site_url_default).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_celery_beat",
    "auditlog",
    "csp",
    "falkoping_some",
    "accounts",
    "moderation",
    "council",
    "activity",
    "review",
    "capture",
    "records",
    "publicinfo",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public page as anonymous visitors see it, before the rest of the stack.
    "accounts.public_page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "falkoping_some.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every response to a signed-in person: Cache-Control private, no-store (staff share computers).
    "falkoping_some.middleware.SignedInNotStoredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "falkoping_some.middleware.AdminRequiresMFAMiddleware",
]

ROOT_URLCONF = "falkoping_some.urls"
WSGI_APPLICATION = "falkoping_some.wsgi.application"

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
                "falkoping_some.context_processors.portal",
            ],
        },
    },
]

# Database: PostgreSQL in production (DATABASE_URL), SQLite under var/ by default.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates the file but not its folder: a fresh checkout has no var/ yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default runs the web server, a Celery worker and beat against one file:
    # WAL lets readers and a writer work at once, IMMEDIATE transactions avoid lock upgrades
    # failing with "database is locked", and the timeout waits for the other writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and the cache in production. Without it, the embedded default: a broker
# on the file system and a file-based cache, so that the web server and the worker (two
# processes) still share one cache and see each other's invalidations.
REDIS_URL = env.str("REDIS_URL", default="")
# Every cache key starts with this, so that two deployments on one Redis (production and a test
# portal, say) never read each other's public page or share sign-in limits. By default it is
# derived from the database, which web, worker and beat of one deployment share.
_database_identity = "{ENGINE}|{HOST}|{PORT}|{NAME}".format_map({"HOST": "", "PORT": "", **DATABASES["default"]})
CACHE_KEY_PREFIX = env.str(
    "CACHE_KEY_PREFIX", default="some-" + hashlib.sha256(_database_identity.encode()).hexdigest()[:12]
)
if REDIS_URL:
    # While Redis is down the cache reads as empty and the pages come from PostgreSQL
    # (falkoping_some/cache.py); short timeouts keep a Redis host that does not answer from hanging them.
    CACHES = {
        "default": {
            "BACKEND": "falkoping_some.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that dies (acks late) goes back to the queue after this many seconds:
    # longer than the longest task, the export of every account's records. Workers look for such
    # tasks every hundredth or so of it (every 100 s by default).
    _visibility = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
    _restore_every = max(1, min(10, _visibility // 360))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": _restore_every,
        "unacked_restore_throttle": _restore_every,
        # A page that queues a task while Redis is gone waits seconds, not forever (falkoping_some/lib/queueing.py).
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
    # kombu's file-system transport expects its folders: make them here, as for the SQLite file,
    # so that whatever queues a task first (the demo data's notices, a page) finds them.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)

CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses Redis tries again, 2 s, 4 s … up to 30 s apart, for as long as it takes: by
# default it gives up after 100 tries (about 45 minutes) and exits. falkoping_some/celery.py keeps
# it from crashing when the connection goes.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

# Authentication: allauth, sign-in by email, no public sign-up (comms creates users in the admin).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SoMe-portalen] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Falköpings kommun SoMe-portal"
# Members of the comms group must have MFA (TOTP) active before they may use comms pages.
# On by default; the demo of `make run` turns it off and says so in a banner on every page.
COMMS_REQUIRE_MFA = env.bool("COMMS_REQUIRE_MFA", default=not DEMO_MODE)
COMMS_GROUP_NAME = "Kommunikationsavdelningen"

# Single sign-on with the municipality's identity provider over OpenID Connect (README, "Signing in").
# Off unless the server URL and client id are set; then the sign-in page offers the button. A person
# is matched by verified email to an existing active user (accounts/adapters.py), never created.
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="").strip().rstrip("/")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="").strip()
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="Falköpings kommun")
# The claims an email address is read from, in order; the first verified one counts. Verified means
# `email_verified: true` beside `email`, or an address in one of OIDC_TRUSTED_EMAIL_DOMAINS: domains
# the municipality has verified in its own tenant (Entra ID sends no email_verified at all).
OIDC_EMAIL_CLAIMS = env.list("OIDC_EMAIL_CLAIMS", default=["email"])
OIDC_TRUSTED_EMAIL_DOMAINS = [
    domain.lower().lstrip("@") for domain in env.list("OIDC_TRUSTED_EMAIL_DOMAINS", default=[])
]
# The provider's own two-factor step counts as the portal's (privileged users pass one in every
# session, accounts/rules.py) only when its ID token's `amr` claim (RFC 8176: the list of methods
# used) holds one of these values. "mfa" is RFC 8176's value for more than one factor; a provider
# that names only the methods it used (["pwd", "otp"]) needs e.g. "mfa,otp,hwk".
OIDC_MFA_AMR_VALUES = env.list("OIDC_MFA_AMR_VALUES", default=["mfa"])
SSO_ENABLED = bool(OIDC_SERVER_URL and OIDC_CLIENT_ID)
if SSO_ENABLED and not OIDC_CLIENT_SECRET:
    raise ImproperlyConfigured("OIDC_CLIENT_SECRET must be set with OIDC_CLIENT_ID (see README.md, Signing in).")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        # provider_id "kommun" is part of the redirect URI: /inloggning/oidc/kommun/login/callback/
        "APPS": [
            {
                "provider_id": "kommun",
                "name": OIDC_PROVIDER_NAME,
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ]
        if SSO_ENABLED
        else [],
    }
}
SOCIALACCOUNT_ADAPTER = "accounts.adapters.PortalSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
# The adapter matches by verified email itself: allauth's own email authentication would also wipe
# the password of the user it matched, which would take the superusers' break-glass away.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# Comms can turn password sign-in off in the admin (SignInPolicy). A superuser then keeps a
# password door only while this break-glass setting is on: set it when the identity provider is
# down, sign in, and unset it again.
PORTAL_SUPERUSER_PASSWORD_SIGN_IN = env.bool("PORTAL_SUPERUSER_PASSWORD_SIGN_IN", default=False)
ACCOUNT_FORMS = {
    "login": "accounts.adapters.PortalLoginForm",
    "reset_password": "accounts.adapters.PortalResetPasswordForm",
    "reset_password_from_key": "accounts.adapters.PortalResetPasswordKeyForm",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Email: console in development; EMAIL_URL in production: smtp+tls://user:password@host:587 (STARTTLS)
# or smtp+ssl://user:password@host:465. (A plain smtp:// URL with ?tls=True does NOT turn TLS on.)
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# The demo appends its mail to a file instead, so that the console of `make run` ends with its banner
# (devtools/devrun.py) and not with the notices its data set off (falkoping_some/mail_log.py).
PORTAL_MAIL_LOG = VAR_DIR / "mail.log"
if DEMO_MODE and not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "falkoping_some.mail_log.EmailBackend"
# A hanging mail server must not hold a notice's row (and on SQLite the whole database) for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SoMe-portalen <noreply@falkoping.se>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Language and time: Swedish first, English available.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and time format per language, everywhere (falkoping_some/formats/).
FORMAT_MODULE_PATH = ["falkoping_some.formats"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In production, collectstatic writes hashed, compressed files that whitenoise serves with
# far-future caching; in development and tests the files are served straight from static/.
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=not (DEBUG or DEMO_MODE))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# The audit trail (django-auditlog): every change of a registered model, with its actor, as JSON.
AUDITLOG_STORE_JSON_CHANGES = True

# Moderation evidence (R22, R23): stored outside every public URL, served only through a view that
# checks permission. Back it up with the database (README, "Deploying").
PRIVATE_MEDIA_ROOT = Path(env.str("PORTAL_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)

# Capturing the platforms (R3, capture/; README, "Capturing the platforms").
# Fernet keys for the platform tokens at rest, comma-separated, the newest first (rotation). Debug,
# demo and test runs without them derive one from SECRET_KEY; the deploy check refuses that.
CAPTURE_KEYS = [key for key in env.list("PORTAL_CAPTURE_KEYS", default=[]) if key.strip()]
# A sync reads back this many days every time, to catch edits and deletions.
CAPTURE_REREAD_DAYS = env.int("CAPTURE_REREAD_DAYS", default=30)
# Images and video thumbnails of captured items, kept in the private storage up to this size each.
CAPTURE_MEDIA_ENABLED = env.bool("CAPTURE_MEDIA_ENABLED", default=True)
CAPTURE_MEDIA_MAX_BYTES = env.int("CAPTURE_MEDIA_MAX_BYTES", default=5 * 1024 * 1024)
CAPTURE_MEDIA_PER_ITEM = env.int("CAPTURE_MEDIA_PER_ITEM", default=4)
# A connection's API address must be the platform's real one, except in debug and demo runs and the
# tests, whose simulated platforms answer on loopback (simulators/).
CAPTURE_ALLOW_SIMULATORS = env.bool("CAPTURE_ALLOW_SIMULATORS", default=DEBUG or DEMO_MODE)
# The per-platform limits shared by every worker (capture/limits.py): a sync's slot expires after this
# long if its worker dies; a connection whose platform is busy is tried again after this many seconds.
CAPTURE_SLOT_SECONDS = env.int("CAPTURE_SLOT_SECONDS", default=30 * 60)
CAPTURE_BUSY_RETRY_SECONDS = env.int("CAPTURE_BUSY_RETRY_SECONDS", default=30)

# R19: the scheduled check averages posts per week over this many full ISO weeks.
POSTING_WINDOW_WEEKS = env.int("POSTING_WINDOW_WEEKS", default=4)

# The public list /socialamedier is cached and invalidated whenever an account or unit changes;
# the timeout is only a backstop.
PUBLIC_LIST_CACHE_SECONDS = env.int("PUBLIC_LIST_CACHE_SECONDS", default=3600)
# How long a process serves its copy of the anonymous public page before asking the shared cache
# whether the list changed (accounts/public_page_cache.py): a change shows within this time.
PUBLIC_PAGE_RECHECK_SECONDS = env.float("PUBLIC_PAGE_RECHECK_SECONDS", default=1.0)
# How long a request for the public page waits for another process's render of a new list before
# it renders the page itself: one render at a time, not one per waiting visitor.
PUBLIC_PAGE_RENDER_WAIT_SECONDS = env.float("PUBLIC_PAGE_RENDER_WAIT_SECONDS", default=5.0)
# The check as JSON, /socialamedier/verify?url= (publicinfo/verification.py): how many checks one
# client address may ask (allauth's notation: 60 a minute), and how long an answer is kept in the
# shared cache (a change to an account drops it at once; a newly captured post shows after this).
PUBLIC_VERIFY_RATE_LIMIT = env.str("PUBLIC_VERIFY_RATE_LIMIT", default="60/m/ip")
PUBLIC_VERIFY_CACHE_SECONDS = env.int("PUBLIC_VERIFY_CACHE_SECONDS", default=300)
# Where citizens report a suspected fake account (shown on /socialamedier).
COMMS_CONTACT_EMAIL = env.str("COMMS_CONTACT_EMAIL", default="kommunikation@falkoping.se")
# Where the public asks for public records (R3: comments and messages are allmänna handlingar):
# the municipality's registry, shown in the notice on /socialamedier.
PORTAL_RECORDS_CONTACT = env.str("PORTAL_RECORDS_CONTACT", default="kommun@falkoping.se")

# Running it safely (README): `manage.py check --deploy --fail-level WARNING` passes with these.
# A sign-in lasts a working day at most and ends when the browser closes: many staff share computers.
# The expiry is kept in the session's database row too, so a copied cookie dies with it.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
ACCOUNT_SESSION_REMEMBER = False  # no "remember me": allauth would otherwise offer a cookie for weeks
SESSION_COOKIE_HTTPONLY = True
# No script of the portal reads the CSRF cookie (forms carry the token), so scripts may not read it.
CSRF_COOKIE_HTTPONLY = True
# Failed sign-ins (allauth): at most 10 a minute from one address, and 5 in 5 minutes for one email
# address; then even the right password is refused until the time is up. Behind a proxy the address
# is the client's only when ALLAUTH_TRUSTED_PROXY_COUNT says how many proxies of ours add to
# X-Forwarded-For; otherwise every sign-in seems to come from the proxy and shares its limit.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
if not (DEBUG or DEMO_MODE):
    # The TLS-terminating proxy in front of gunicorn says the request came over HTTPS; it must
    # overwrite (never pass on) a client's own X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is decided for the whole registrable domain (falkoping.se, every subdomain, for years)
    # and submitted from its apex, not from this portal on a subdomain: the header does not claim it.
    SECURE_HSTS_PRELOAD = False
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "SECURE_HSTS_PRELOAD is not True": see the line above
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): only the portal's own scripts, styles and images, no inline
# script or style (templates use static/css and attributes, never style="" or <script>), no frames.
# data: images are the QR code of two-step verification, which allauth renders as a data: URI.
# Forms post to the portal only, and to the identity provider, where the single sign-on button leads.
_CSP_FORM_ACTION = [csp_constants.SELF]
if SSO_ENABLED:
    _oidc = urlsplit(OIDC_SERVER_URL)
    _CSP_FORM_ACTION.append(f"{_oidc.scheme}://{_oidc.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": _CSP_FORM_ACTION,
        "frame-ancestors": [csp_constants.NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own logger has a console handler of its own in DEBUG: don't print its lines twice.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # httpx logs every request's URL at INFO, and a platform's URL can carry its token.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
