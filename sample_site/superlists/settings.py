"""settings.py: the sample site's Django settings, production-ready by environment.

With DJANGO_DEBUG_FALSE set (any value) the site runs in production mode:
DEBUG off, SECRET_KEY from DJANGO_SECRET_KEY, ALLOWED_HOSTS = [SITENAME].
Otherwise it uses insecure development defaults.

Static files: `python manage.py collectstatic` (the staticroot app) or
`collect --noinput` (../staticroot.conf names these settings) writes
STATIC_ROOT and its staticfiles.json from the finders below; ManifestStaticFilesStorage reads that manifest so that
{% static %} renders the hashed, immutable names that `serve` answers for.
"""
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# The staticroot app (its collectstatic runs collect) from this checkout;
# an installed staticroot (make install) needs no path.
_CHECKOUT = BASE_DIR.parent
if (_CHECKOUT / "python" / "staticroot").is_dir():
    sys.path.insert(0, str(_CHECKOUT / "python"))
    if (_CHECKOUT / "bin" / "collect").exists():
        STATICROOT_COLLECT = str(_CHECKOUT / "bin" / "collect")

if "DJANGO_DEBUG_FALSE" in os.environ:
    DEBUG = False
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    ALLOWED_HOSTS = [os.environ["SITENAME"]]
else:
    DEBUG = True
    SECRET_KEY = "insecure-key-for-dev"
    ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "staticroot",  # before staticfiles: `manage.py collectstatic` runs collect
    "django.contrib.staticfiles",
    "lists",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "superlists.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
            ],
        },
    },
]

WSGI_APPLICATION = "superlists.wsgi.application"

# The home page needs no database; the file is only created if a view
# ever queries it.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB", str(BASE_DIR / "db.sqlite3")),
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_L10N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Static files, the way staticroot serves them.  collect --django reads
# Django's finders from here (the project dir first, then each app's static/
# in INSTALLED_APPS order): no list to keep in step elsewhere.
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT",
                             str(BASE_DIR.parent / "build" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"

# In production, errors (a missing manifest entry, a bad Host) go to stderr,
# which gunicorn hands to the journal; Django's default only mails them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING"},
    },
}
