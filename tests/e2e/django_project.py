"""django_project.py: builds, at test time, a real multi-app Django project
from Debian's packages (django.contrib.admin, Django REST framework,
django-debug-toolbar, django-compressor) for the --django tests.

Not a test itself.  make_project(root) writes the project and returns its
directory; its settings read the environment:
  PROJ_STATIC_ROOT   STATIC_ROOT
  PROJ_REFERENCE=1   Django's own collectstatic: no "staticroot" app, and no
                     missing STATICFILES_DIRS entry (Django 3.2 dies on it)
  PROJ_BAD=remote    adds a finder whose storage is not on the local disk
  PROJ_BAD=ghost     adds an app whose directory is gone
  PROJ_TEMPLATES=DIR one more template directory (the template check tests)
"""
import os
import textwrap

SETTINGS = '''
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "test-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
REFERENCE = bool(os.environ.get("PROJ_REFERENCE"))
BAD = os.environ.get("PROJ_BAD", "")

INSTALLED_APPS = ([] if REFERENCE else ["staticroot"]) + [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "debug_toolbar",
    "compressor",
    "shop",
] + (["ghost.apps.GhostConfig"] if BAD == "ghost" else [])

MIDDLEWARE = []
ROOT_URLCONF = "proj.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"] + (
        [os.environ["PROJ_TEMPLATES"]] if os.environ.get("PROJ_TEMPLATES") else []),
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": []},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": str(BASE_DIR / "db.sqlite3")}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("PROJ_STATIC_ROOT") or str(BASE_DIR / "collected")
STATICFILES_DIRS = [
    BASE_DIR / "assets",
    ("vendor", str(BASE_DIR / "vendor_src")),
] + ([] if REFERENCE else [BASE_DIR / "not-there"])
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "shop.finders.GeneratedFinder",
    "compressor.finders.CompressorFinder",
] + (["shop.finders.RemoteFinder"] if BAD == "remote" else [])
STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
COMPRESS_ENABLED = False
'''

FINDERS = '''
"""Project finders: one over a generated local directory (with a prefix),
one over a storage that is not on the local disk."""
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import get_files
from django.core.files.storage import FileSystemStorage, Storage

GENERATED = Path(__file__).resolve().parent.parent / "generated"


class GeneratedFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=str(GENERATED))
        self.storage.prefix = "gen"
        super().__init__(*args, **kwargs)

    def find(self, path, all=False):
        if path.startswith("gen/") and self.storage.exists(path[4:]):
            p = self.storage.path(path[4:])
            return [p] if all else p
        return []

    def list(self, ignore_patterns):
        for path in get_files(self.storage, ignore_patterns):
            yield path, self.storage


class BucketStorage(Storage):
    """Lists like a bucket; has no local paths (Storage.path raises)."""
    def listdir(self, path):
        return [], ["remote.css"]

    def exists(self, name):
        return True


class RemoteFinder(BaseFinder):
    def find(self, path, all=False):
        return []

    def list(self, ignore_patterns):
        storage = BucketStorage()
        for name in storage.listdir("")[1]:
            yield name, storage
'''

FILES = {
    "manage.py": '''#!/usr/bin/python3
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
''',
    "proj/__init__.py": "",
    "proj/urls.py": "urlpatterns = []\n",
    "proj/settings.py": SETTINGS,
    "shop/__init__.py": "",
    "shop/finders.py": FINDERS,
    "shop/static/shop/shop.css": ".shop { background: url(img/cart.svg); }\n",
    "shop/static/shop/shop.js": "console.log('shop');\n",
    "shop/static/shop/img/cart.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    # also in assets/: the first finder's file wins
    "shop/static/css/site.css": "/* the app's copy: shadowed */\n",
    "shop/templates/shop/page.html":
        '{% load static %}<link href="{% static "shop/shop.css" %}">\n'
        '<script src="{% static \'shop/shop.js\' %}"></script>\n'
        '{% with n="x" %}<img src="{% static n %}">{% endwith %}\n',
    "assets/css/site.css": "@import url('base.css');\nbody { background: url(../img/bg.png); }\n",
    "assets/css/base.css": "html { color: #222; }\n",
    "assets/img/bg.png": "PNG-bytes-not-really\n",
    "assets/js/app.js": "console.log('app');\n",
    "assets/.hidden": "ignored by the default patterns\n",
    "assets/notes.txt~": "an editor backup: ignored\n",
    "assets/CVS/Entries": "ignored directory\n",
    "vendor_src/lib/lib.js": "window.lib = 1;\n",
    "vendor_src/lib/lib.css": ".lib { color: red; }\n",
    "generated/bundle.js": "/* generated */\n",
    "generated/deep/chunk.js": "/* chunk */\n",
    "templates/base.html":
        '{% load i18n static %}<link href="{% static "css/site.css" %}">\n'
        '<script src="{% static "vendor/lib/lib.js" %}"></script>\n',
    "ghost/__init__.py": "",
    "ghost/apps.py": '''import os
from django.apps import AppConfig


class GhostConfig(AppConfig):
    name = "ghost"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ghost-removed")
''',
}


def make_project(root):
    proj = os.path.join(root, "proj")
    for rel, text in FILES.items():
        p = os.path.join(proj, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text) if rel.endswith(".py") else text)
    return proj


CHECK_URLS = '''
import json, os, sys
import django
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.conf import settings
root = settings.STATIC_ROOT
with open(os.path.join(root, "staticfiles.json")) as f:
    keys = sorted(json.load(f)["paths"])
bad = []
for k in keys:
    try:
        u = staticfiles_storage.url(k)
    except Exception as e:
        bad.append("%s: %r" % (k, e))
        continue
    rel = u[len(settings.STATIC_URL):]
    if not u.startswith(settings.STATIC_URL) or not os.path.isfile(os.path.join(root, rel)):
        bad.append("%s -> %s: no such file" % (k, u))
print(json.dumps({"keys": len(keys), "bad": bad}))
'''
