from django.urls import path

from . import views

urlpatterns = [
    path("", views.beneficiary_list, name="beneficiary_list"),
    path("export.xlsx", views.beneficiary_export, name="beneficiary_export"),
    path("new/", views.beneficiary_create, name="beneficiary_create"),
    path("match/", views.beneficiary_match, name="beneficiary_match"),
    path("<int:pk>/", views.beneficiary_detail, name="beneficiary_detail"),
    path("<int:pk>/edit/", views.beneficiary_edit, name="beneficiary_edit"),
    path("<int:pk>/photo/", views.beneficiary_photo, name="beneficiary_photo"),
    path("<int:pk>/verify/", views.beneficiary_verify, name="beneficiary_verify"),
    path("<int:pk>/consents/", views.consent_add, name="consent_add"),
    path(
        "<int:pk>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
