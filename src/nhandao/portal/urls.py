"""The public disclosure site under /cong-khai/ (no login)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
