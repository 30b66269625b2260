"""URLs of the funds pages (included by funds/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
