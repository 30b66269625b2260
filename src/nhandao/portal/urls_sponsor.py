"""Public URLs (sponsor): a sponsor's private link, no login."""

from django.urls import path

from . import views_sponsor

urlpatterns: list = [
    path("bao-tro/<str:token>/", views_sponsor.sponsor_page, name="portal_sponsor"),
]
