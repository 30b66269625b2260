"""The public self-registration form, no login (mounted at /tham-gia/)."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.public_join, name="public_join"),
    path("don-vi/", views.public_units, name="public_units"),
    path("cam-on/", views.public_thanks, name="public_thanks"),
]
