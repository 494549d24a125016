"""urls.py: the sample site's URLs: the to-do home page."""
from django.urls import path

from lists import views

urlpatterns = [
    path("", views.home_page, name="home"),
]
