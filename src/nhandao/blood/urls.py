from django.urls import include, path

from . import views_checkin as checkin

# The check-in desk and certificates (views_checkin); the rest in urls_main.

urlpatterns: list = [
    path("checkin/", checkin.checkin_home, name="blood_checkin_home"),
    path("sessions/<int:pk>/checkin/", checkin.checkin, name="blood_checkin"),
    path("sessions/<int:pk>/checkin/new/", checkin.checkin_new, name="blood_checkin_new"),
    path(
        "sessions/<int:pk>/checkin/<int:donor_id>/",
        checkin.checkin_donor,
        name="blood_checkin_donor",
    ),
    path(
        "sessions/<int:pk>/checkin/<int:donor_id>/defer/",
        checkin.checkin_defer,
        name="blood_checkin_defer",
    ),
    path("donations/<int:pk>/", checkin.certificate, name="blood_certificate"),
    path("", include("nhandao.blood.urls_main")),  # donors, sessions, honours, stats (B2)
]
