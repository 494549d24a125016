"""apps.py: the staticroot app's configuration."""
from django.apps import AppConfig


class StaticrootConfig(AppConfig):
    name = "staticroot"
    verbose_name = "staticroot"
