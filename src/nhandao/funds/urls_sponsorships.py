"""URLs of the sponsorships pages (included by funds/urls.py)."""

from django.urls import path

from . import views_sponsorships as views

urlpatterns: list = [
    path("sponsorships/", views.sponsorship_list, name="sponsorship_list"),
    path("sponsorships/export.xlsx", views.sponsorship_export, name="sponsorship_export"),
    path("sponsorships/new/", views.sponsorship_create, name="sponsorship_create"),
    path(
        "sponsorships/unsponsored/", views.sponsorship_unsponsored, name="sponsorship_unsponsored"
    ),
    path(
        "sponsorships/search/donors/",
        views.sponsorship_donor_search,
        name="sponsorship_donor_search",
    ),
    path(
        "sponsorships/search/beneficiaries/",
        views.sponsorship_beneficiary_search,
        name="sponsorship_beneficiary_search",
    ),
    path("sponsorships/<int:pk>/", views.sponsorship_detail, name="sponsorship_detail"),
    path("sponsorships/<int:pk>/fulfilments/", views.sponsorship_fulfil, name="sponsorship_fulfil"),
    path(
        "sponsorships/<int:pk>/fulfilments/<int:fulfilment_id>/void/",
        views.sponsorship_fulfilment_void,
        name="sponsorship_fulfilment_void",
    ),
    path("sponsorships/<int:pk>/end/", views.sponsorship_end, name="sponsorship_end"),
]
