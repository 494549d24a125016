"""staticroot: a Django app whose `collectstatic` runs staticroot's `collect`.

List it in INSTALLED_APPS before "django.contrib.staticfiles": its
collectstatic command then takes Django's place, and `python manage.py
collectstatic --noinput` runs `collect --django` on the current settings
(same options, same output shape, collect's exit status).
"""
