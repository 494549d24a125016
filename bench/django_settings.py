"""django_settings.py: the smallest Django settings that run collectstatic.

bench/collect.py points DJANGO_SETTINGS_MODULE here and sets
BENCH_STATIC_ROOT (output), BENCH_STATIC_DIRS (sources, os.pathsep-separated)
and BENCH_STORAGE (dotted storage class) for each run.
"""
import os

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_URL = "/static/"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
STATICFILES_DIRS = [d for d in os.environ["BENCH_STATIC_DIRS"].split(os.pathsep) if d]
STATICFILES_STORAGE = os.environ.get(
    "BENCH_STORAGE", "django.contrib.staticfiles.storage.ManifestStaticFilesStorage")
# WhiteNoise's defaults otherwise (gzip + brotli when python3-brotli is there).
